"""The docker command line, as docker/cli v28.5 has it: commands as data and flag parsing like cobra and
pflag (`parser`), the dispatch of `docker …` words (`dispatch`), what a handler gets (`context`), one
package or module per command group (`container/`, `image/`, `build`, `archive`, `system`), list output
(`listing`), and the text it prints: Docker's formatting and Go's fmt and JSON (`formatter/`) and Go's
text/template (`gotemplate/`). Handlers parse, call the daemon (its API for containers), the build or the
archives, and print; the command line may use every layer below it, and nothing below imports it.
"""

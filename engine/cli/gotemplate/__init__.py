"""Go's text/template as `docker … --format` runs it, file for file: the lexer (`lex`),
parse tree (`tree`), parser (`parse`), evaluator (`exec`), functions (`funcs`) and values (`values`);
`template` is the entry point (parse, render, docker's table formats). It may use only the formatter
and the foundation (errors, budget, limits).
"""

"""The processes inside a container: a small POSIX-like shell (busybox ash, dash, bash) and the
programs it runs. `programs` is the one program table and how a program starts; `interp` runs a script
parsed by `parse`; `path` finds programs on PATH and expands globs; `ctx` is what every program gets;
the simple tools are `tools` (`files`, `text`, `info`) and the programs with a life of their own
(sleep, nginx, python3, package managers) are `apps`. It runs on a union filesystem it is handed and
may use the layers and registry packages and the foundation, never the daemon: the daemon calls it.
"""

"""`docker build`: the Dockerfile parser as BuildKit's frontend reads it (`dockerfile`); one step
as a container whose read-write layer is committed (`steps`); and a whole build, its stages, the build
cache and what the legacy builder and BuildKit leave in the daemon (`stages`). It sits on the daemon,
the shell and the layers and knows nothing of the command line, which calls it.
"""

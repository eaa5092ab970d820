"""The Docker daemon, as moby models it: images, containers and the layer store (`model`); the
container state rules as one table (`lifecycle`); the plain operations on containers and images
(`containers`, `images`); running programs in a container and its HEALTHCHECK (`processes`, `health`);
the API that enforces the state rules before it acts (`api`); the terminal attached to a container's
shell (`session`); what must always hold (`invariants`); and the copies `Daemon.fork` makes for
undo (`copies`). It may use the shell, registry and layers packages and the foundation, never the
build or the command line.
"""

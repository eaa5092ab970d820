"""Archives as real tar bytes: tar streams read with caps on size and entries and a layer tar
turned into layer changes (`tar`), and the formats of `docker save`/`load` (OCI layout plus Docker's
manifest.json) and `export`/`import` (`formats`), as moby's tarexport writes them. Bytes in, bytes out:
it may use the layers package and the foundation, never the daemon, the shell or the command line.
"""

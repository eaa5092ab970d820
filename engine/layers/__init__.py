"""The filesystem model, the engine's lowest layer: entries (file, dir, symlink, whiteout,
opaque dir) and layers whose id is the sha256 of their tar, DiffIDs and ChainIDs (`fs`); the overlay2
merged view of lower layers and a container's read-write layer (`view`); the writes as overlayfs makes
them, copy-up, whiteouts and opaque directories (`unionfs`); and `docker diff` (`diff`). It knows no
image, container or command: it may use only the engine's foundation (errors, events, budget, limits).
"""

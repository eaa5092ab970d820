"""LayerLab engine: a pure-Python model of Docker images, layers and containers (no Flask, no I/O)."""

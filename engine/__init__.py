"""LayerLab engine: a pure-Python model of Docker images, layers and containers (no Flask, no I/O); its
subpackages are its layers (cli > build > daemon > shell > registry | archive > layers, engine/README.md)
on a foundation of small modules at this level (errors, events, budget, limits, clock, ids…)."""

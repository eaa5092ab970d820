"""How fast this machine is right now, for the kind of work a command is: a probe printed beside
every timed result, so two runs can be told apart by the machine's state, not only by the code.

    python bench/machine_probe.py

Why: on the 2-core VM the same code and the same CPU instructions per command
(instruction_bench.py) took 7 ms of server CPU per command in one hour and 12 ms in the next,
while a pure arithmetic loop ran at the same speed throughout. What slowed down was memory: a read
that misses the caches. Python follows pointers from object to object (the sandbox, the view
models, the templates' contexts, the garbage collector's walks), so a command waits on memory far
more than on arithmetic. The probe times both:

  * `read_ns`: one read of a list element at a random position (the list and its int objects,
    ~80 MB, much larger than the caches, so the read and the object it points to are rarely
    cached and cannot be prefetched): mostly the machine's memory latency as Python sees it;
  * `loop_ns`: one iteration of an arithmetic loop on a few local variables: the core's own speed.

A run whose `read_ns` is much higher than another's was made on a slower machine, whatever its
`loop_ns` says. ~1 s per probe.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass

_ELEMENTS = 2_000_000
_READS = 1_000_000
_LOOP = 3_000_000


@dataclass(frozen=True)
class Probe:
    read_ns: float   # one list read at a random position (memory-bound)
    loop_ns: float   # one arithmetic loop iteration (core-bound)

    def __str__(self) -> str:
        return (f"machine probe: {self.read_ns:.0f} ns per random read (memory), "
                f"{self.loop_ns:.0f} ns per loop iteration (core)")


def probe() -> Probe:
    data = list(range(_ELEMENTS))
    order = random.Random(7).choices(range(_ELEMENTS), k=_READS)   # the same positions every run
    total = 0
    start = time.perf_counter()
    for position in order:
        total += data[position]
    read = time.perf_counter() - start
    start = time.perf_counter()
    count = 0
    for i in range(_LOOP):
        count += i
    loop = time.perf_counter() - start
    return Probe(read * 1e9 / _READS, loop * 1e9 / _LOOP)


if __name__ == "__main__":
    print(probe())

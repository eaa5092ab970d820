"""One writer at a time on an SQLite database, queued instead of polling.

SQLite lets one connection write at a time; another that wants to write waits in SQLite's busy
handler, which sleeps and retries (1, 2, 5, 10 … 100 ms) rather than waking when the lock is free.
With a class typing at once (bench/load_test.py, 400 students on 2 worker processes × 8 threads),
12 of 16 server threads were found asleep there while the cores sat idle. Here the writers queue
instead: the threads of a process on a lock, the processes on an flock() of a file beside the
database; each wakes as soon as the writer before it is done. SQLite's busy timeout stays as the
fallback for writers that do not take this lock (another program on the same file).
"""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from typing import Iterator


class WriteLock:
    def __init__(self, database_path: str):
        self.path = database_path + "-writer.lock"
        self._guard = threading.Lock()
        self._pid: int | None = None
        self._threads = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._for_this_process():
            # The file is opened for each write (~10 µs), not kept: a kept one would be inherited by
            # fork() with its lock, and a test suite that makes thousands of stores runs out of files.
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)   # blocks without the GIL; the kernel wakes it
                yield
            finally:
                os.close(fd)   # releases the flock

    def _for_this_process(self) -> threading.Lock:
        """The threads' lock, new in a forked child (it could be inherited taken)."""
        with self._guard:
            if self._pid != os.getpid():
                self._threads, self._pid = threading.Lock(), os.getpid()
            return self._threads

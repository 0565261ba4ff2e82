"""A file object for Arrow's streaming CSV reader that can be stopped: Arrow reads ahead on its
own I/O thread, which calls back into Python, and that work must end before the process exits."""

from __future__ import annotations

import sys
import threading
import time


class ArrowReads:
    """A file as Arrow's CSV reader reads it. The reader reads ahead on an Arrow thread (even
    with use_threads=False) that calls read() here, and frees the blocks read there too; doing
    either while the process exited made the exit abort (SIGABRT) or hang. close() ends both."""

    closed = False  # Arrow checks it

    def __init__(self, handle) -> None:
        self.handle, self.stopped, self.reading = handle, False, 0
        self.lock = threading.Lock()
        self.lent: list[bytes | bytearray] = []  # blocks Arrow may still hold
        self.ahead: bytes | None = None  # the block after the one Arrow has

    def read(self, size: int = -1) -> bytes | bytearray:
        with self.lock:
            if self.stopped:
                return bytearray()  # the end of the file
            self.reading += 1
            self.lent = still_lent(self.lent)
        try:
            block = self.next_block(size)
        finally:
            with self.lock:
                self.reading -= 1
        with self.lock:
            self.lent.append(block)
        return block

    def next_block(self, size: int) -> bytes | bytearray:
        """The next block; the last one ends its line (Arrow reads a header without a line break
        after it as no header at all); the end as a new object (b"" is shared: its references
        say nothing)."""
        block = self.handle.read(size) if self.ahead is None else self.ahead
        self.ahead = self.handle.read(size) if block else b""
        if block and not self.ahead and not block.endswith((b"\n", b"\r")):
            return block + b"\n"
        return block or bytearray()

    def close(self, patience: float = 1.0) -> None:
        """Once the reader is gone: every later read is the end of the file; returns when no
        read runs (however long it takes: the file's position is shared with what comes next)
        and Arrow let go of every block (waiting at most `patience` seconds for that)."""
        deadline = time.monotonic() + patience
        while True:
            with self.lock:
                self.stopped = True
                self.lent = still_lent(self.lent)
                if not self.reading and (not self.lent or time.monotonic() >= deadline):
                    return
            time.sleep(0.002)


def still_lent(blocks: list) -> list:
    """The blocks that something besides the list holds (Arrow: its views of them); counted
    without naming a block, which would add a reference."""
    return [blocks[at] for at in range(len(blocks)) if sys.getrefcount(blocks[at]) > 2]

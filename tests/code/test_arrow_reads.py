"""The file object Arrow's CSV reader reads from: closing it waits for a read in flight."""

from __future__ import annotations

import io
import threading
import time

from churn.arrow_reads import ArrowReads


class SlowFile(io.BytesIO):
    """A file whose reads take a while, as on a slow network mount."""

    def read(self, size: int = -1) -> bytes:
        time.sleep(0.5)
        return super().read(size)


def test_close_waits_for_a_read_in_flight_however_long_it_takes():
    """close() gave up after its patience while a read still ran; the next reader then shared
    the file's position with it, and rows came out glued together."""
    handle = SlowFile(b"a,b\n" * 1000)
    reads = ArrowReads(handle)
    reader = threading.Thread(target=reads.read, args=(100,))
    reader.start()
    time.sleep(0.05)  # the read is in flight
    reads.close(patience=0.01)
    assert not reader.is_alive()  # close returned only after the read had finished
    assert reads.read(100) == b""  # and every later read is the end of the file
    reader.join()

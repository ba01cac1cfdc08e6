"""Process-level tuning for a long-lived server.

Python's cyclic garbage collector, left at its defaults, walks every object of the process on each
full collection: with the tens of thousands of objects that imports and start-up leave behind, a
full collection took about 100 ms every 100-170 requests (most of the p99). After start-up those
objects live as long as the process, so they are frozen out of collection (``gc.freeze``), and the
young-generation threshold is raised so a request's short-lived objects are freed by reference
counting before a collection needs to look at them.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (50_000, 20, 20)


def tune_gc_after_startup() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

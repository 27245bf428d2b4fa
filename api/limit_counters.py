"""Fixed-window request counters in this process's memory, for :mod:`api.limits`.

The ``limits`` package's own ``memory://`` storage starts a timer thread, to drop expired
counters, whenever a counter changes after the last such thread has ended: for a client
calling less often than every 10 ms, on every request. ``Thread.start()`` waits until the
new thread runs, which costs a request 0.2 ms on an idle machine and more on busy cores.
:class:`Counters` drops expired counters inline instead: an expired counter reads as zero,
and at most once per :data:`SWEEP_SECONDS` an increment removes every expired one, so
memory stays bounded by the clients of the last window. ``memory://`` in
``RATE_LIMIT_STORAGE`` means these counters (:func:`api.limits.make_limiter`).
"""

from __future__ import annotations

import threading
import time

from limits.storage import Storage

SCHEME = "mentormatch-memory"
SWEEP_SECONDS = 10.0


class Counters(Storage):
    """A ``limits`` storage of fixed-window counters (the strategy :mod:`api.limits` uses),
    registered as ``mentormatch-memory://``; one lock guards every counter."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._ends: dict[str, float] = {}  # key -> when its window ends (time.time())
        self._next_sweep = time.time() + SWEEP_SECONDS

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add ``amount`` to the counter of ``key``, starting a window of ``expiry``
        seconds when it has none running; the new count."""
        now = time.time()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            if self._ends.get(key, 0.0) <= now:
                self._counts[key] = 0
                self._ends[key] = now + expiry
            self._counts[key] += amount
            return self._counts[key]

    def get(self, key: str) -> int:
        """The count of ``key`` in its running window (0 when none runs)."""
        with self._lock:
            if self._ends.get(key, 0.0) <= time.time():
                return 0
            return self._counts[key]

    def get_expiry(self, key: str) -> float:
        """When the running window of ``key`` ends (now when none runs)."""
        now = time.time()
        return max(self._ends.get(key, now), now)

    def check(self) -> bool:
        return True

    def reset(self) -> int:
        """Drop every counter; how many there were."""
        with self._lock:
            dropped = len(self._counts)
            self._counts.clear()
            self._ends.clear()
        return dropped

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)
            self._ends.pop(key, None)

    def _sweep(self, now: float) -> None:
        """Remove every expired counter (the caller holds the lock)."""
        for key in [k for k, ends in self._ends.items() if ends <= now]:
            del self._counts[key], self._ends[key]
        self._next_sweep = now + SWEEP_SECONDS

"""A small in-process cache of cohorts prepared for suggestions and mentor requests.

Suggestions and every request route (:func:`api.suggest.standing`) read a cohort's
current roster prepared under one policy (:func:`matcher.encode.prepare.prepare`): about
0.8 s at 2,000 x 400. The result depends only on the roster and the policy, so it is kept
per ``(cohort id, roster version, mentor and mentee counts, policy digest)``. A people sync
makes a new roster version and so a new key; an erasure deletes participant rows and
recounts the cohort, so its key changes too, in every process (the view that erases also
drops the cohort's entries here at once, :meth:`PreparedCache.forget`). A roster a sync
has not committed yet is never cached (a rollback would leave it under a version a later
sync makes with other people). Places taken (runs' pairs, requests) are read on every
call, never cached.

The cache is least-recently-used, bounded by ``PREPARED_CACHE_ENTRIES`` entries and by
``PREPARED_CACHE_CELLS`` mentee x mentor cells in all (a cohort larger than that is
prepared on every call, as before); 0 entries turns it off. What it holds is the roster
the database holds (ids and fields, no names or emails), in this process's memory only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

from matcher.encode.prepare import Prepared


class PreparedCache:
    """Least-recently-used :class:`Prepared` cohorts, bounded by entries and cells.

    Parameters
    ----------
    entries : at most this many cohorts (0: nothing is kept).
    cells : at most this many mentee x mentor cells, summed over the entries.
    """

    def __init__(self, entries: int, cells: int) -> None:
        self.entries, self.cells = int(entries), int(cells)
        self._items: OrderedDict[tuple, Prepared] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def _cells(prepared: Prepared) -> int:
        return len(prepared.cohort.mentee_ids) * len(prepared.cohort.mentor_ids)

    def get(self, key: tuple[str, Hashable], build: Callable[[], Prepared]) -> Prepared:
        """The entry for ``key`` (its first item the cohort id), made by ``build`` on a miss.

        Two threads missing the same key may both build it; the last one stored is kept.
        """
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        prepared = build()
        size = self._cells(prepared)
        if self.entries <= 0 or size > self.cells:
            return prepared
        with self._lock:
            self._items[key] = prepared
            self._items.move_to_end(key)
            total = sum(self._cells(p) for p in self._items.values())
            while len(self._items) > self.entries or total > self.cells:
                _, dropped = self._items.popitem(last=False)
                total -= self._cells(dropped)
        return prepared

    def forget(self, cohort_ids: Iterable[str]) -> None:
        """Drop every entry of these cohorts (an erasure, a deleted cohort)."""
        gone = set(cohort_ids)
        with self._lock:
            for key in [k for k in self._items if k[0] in gone]:
                del self._items[key]

    def __len__(self) -> int:
        return len(self._items)

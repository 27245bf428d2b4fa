"""The cyclic garbage collector of a long-running server process, set once at start.

What start-up built (the app, its schemas, imported modules: ~130,000 objects) lives as
long as the server, so :func:`settle` moves it out of the collector's passes
(``gc.freeze``); a full pass over it took ~80 ms, every ~75 ``POST /match`` requests.

A ``POST /match`` of 200 people makes and frees some 50,000 container objects, almost
all freed at once by reference counting. The collector's default threshold (700
containers allocated and not yet freed) still ran it 8 times a request, 0.5 ms of a
14 ms request (measured with ``gc.callbacks``). At 100,000 a request runs without a pass,
and cyclic garbage is still collected within 100,000 containers.
"""

from __future__ import annotations

import gc

YOUNG = 100_000  # containers allocated net of those freed before a young-generation pass


def settle() -> None:
    """Freeze what start-up built and raise the young generation's threshold.

    Call once in each serving process, after the app is built (``mentormatch serve``;
    :mod:`api.wsgi` for gunicorn's workers).
    """
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, old)

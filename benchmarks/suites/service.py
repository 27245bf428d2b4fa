"""Service benchmark (issue 6, part 6): the hook the lead fills once the HTTP service exists.

To measure: synchronous ``POST /api/v1/match`` of a 200-person cohort under 20
concurrent clients against the production server on loopback (p50, p99, requests/s,
errors), and ``POST runs`` -> ``succeeded`` for a 10k x 2k cohort through a Celery worker.
Until then :func:`run` measures nothing and says so; the README shows it as not measured.
"""

from __future__ import annotations


def run(config) -> dict:
    """Nothing is measured yet: returns ``{"service": None, "note": ...}``."""
    del config
    return {
        "service": None,
        "note": "not measured: the HTTP service does not exist yet (issue 6 part 6); "
        "implement benchmarks/suites/service.py:run",
    }

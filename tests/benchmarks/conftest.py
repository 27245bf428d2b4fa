"""Make the repository's ``benchmarks`` package importable from these tests.

``benchmarks/`` sits at the repository root and is not installed; without the root first
on ``sys.path``, ``import benchmarks`` would find ``tests/benchmarks`` (a namespace package).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

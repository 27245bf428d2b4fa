"""Serving processes settle the cyclic collector once: start-up frozen, no pass in a request."""

import gc
import subprocess
import sys
from pathlib import Path

from api.collector import YOUNG, settle

ROOT = Path(__file__).resolve().parents[2]


def test_settle_freezes_start_up_and_raises_the_young_threshold():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        settle()
        assert gc.get_threshold() == (YOUNG, *before[1:])
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_gunicorn_module_builds_the_app_and_settles(tmp_path):
    check = (
        "import gc; from api.wsgi import app; from api.collector import YOUNG; "
        "assert app.name == 'api' and gc.get_threshold()[0] == YOUNG and gc.get_freeze_count()"
    )
    env = {"MENTORMATCH_INSTANCE_PATH": str(tmp_path), "MENTORMATCH_EXECUTOR": "none", "PATH": ""}
    subprocess.run([sys.executable, "-c", check], env=env, check=True, cwd=ROOT)

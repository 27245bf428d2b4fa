"""`mentormatch serve` starts its server with what start-up built frozen out of the cyclic
garbage collector's passes (a full pass over it paused one request in ~75 by ~80 ms)."""

from __future__ import annotations

import gc

import waitress
from click.testing import CliRunner

from matcher.cli import main


class StubServer:
    """Stands in for waitress: records the collector's state when the server would run."""

    effective_host, effective_port = "127.0.0.1", 0
    frozen_at_run = None

    def run(self):
        StubServer.frozen_at_run = gc.get_freeze_count()

    def close(self):
        pass


def test_serve_freezes_start_up_objects_before_serving(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("MENTORMATCH_EXECUTOR", "none")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(waitress, "create_server", lambda app, **options: StubServer())
    try:
        result = CliRunner().invoke(main, ["serve", "--port", "0"], catch_exceptions=False)
    finally:
        gc.unfreeze()
    assert result.exit_code == 0, result.output
    assert StubServer.frozen_at_run > 10_000  # the app, its libraries and their modules

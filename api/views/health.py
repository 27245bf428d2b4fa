"""``/healthz`` (the process answers) and ``/readyz`` (database and job queue reachable)."""

from __future__ import annotations

from sqlalchemy import text

from api import schemas
from api.errors import ApiProblem
from api.services import services
from api.views import Blueprint, problems

blp = Blueprint("health", __name__)
OPEN = {"security": []}


@blp.route("/healthz", methods=["GET"])
@blp.doc(**OPEN)
@blp.response(200, schemas.HealthOut)
def healthz():
    """Liveness: the process serves requests (checks nothing else)."""
    return {"status": "ok"}


@blp.route("/readyz", methods=["GET"])
@blp.doc(**OPEN)
@blp.response(200, schemas.HealthOut)
@problems(blp, 503)
def readyz():
    """Readiness: a database round trip and the executor's own check (queue or pool)."""
    checks = {"database": database_check()}
    ok, why = services().executor.ready()
    checks["executor"] = "ok" if ok else why
    if any(value != "ok" for value in checks.values()):
        raise ApiProblem(503, "not ready", "a dependency is unavailable", checks=checks)
    return {"status": "ready", "checks": checks}


def database_check() -> str:
    try:
        with services().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means "not ready", with its kind
        return f"unreachable ({type(error).__name__})"
    return "ok"

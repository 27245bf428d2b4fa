"""The mentormatch HTTP service: ``create_app()`` builds the Flask app.

Settings come from :func:`api.config.load_settings` (defaults, environment, then
``test_config``). The app does not migrate the database: ``mentormatch serve`` does, and
gunicorn users run ``mentormatch db upgrade`` first::

    mentormatch db upgrade && gunicorn -w 4 api.wsgi:app
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Flask is imported by create_app: `mentormatch --help` lists the
    from flask import Flask  # service's commands through this package without it

API_VERSION = "1.0.0"


def create_app(test_config: Mapping | None = None) -> Flask:
    """Build the app: settings, database, job executor, the JSON API's blueprints, error
    handlers, and the coordinator's web pages at ``/`` (:mod:`api.web`).

    Parameters
    ----------
    test_config : settings overriding the defaults and the environment (see
        :data:`api.config.SETTINGS`), e.g. ``{"DATABASE_URL": ..., "EXECUTOR": "none"}``.

    Returns
    -------
    Flask
        With ``app.extensions["mentormatch"]`` holding :class:`api.services.Services`.
    """
    from flask import Flask

    from api import audit, auth, errors, requests
    from api.config import default_instance_path, load_settings
    from api.limits import make_limiter
    from api.links import LinksPlugin
    from api.services import build_services
    from api.views import register_all
    from api.web import init_web

    instance_path = default_instance_path()
    settings = load_settings(instance_path, test_config)
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.update(
        MAX_CONTENT_LENGTH=settings["MAX_CONTENT_LENGTH"],
        API_TITLE="mentormatch",
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    app.extensions["mentormatch"] = build_services(settings)
    requests.install(app)
    auth.install(app)  # identifies the key before the rate limiter counts it
    make_limiter(app, settings)
    audit.install(app, app.extensions["mentormatch"].sessions)
    api = errors.Api(app, spec_kwargs={"extra_plugins": [LinksPlugin()]})
    errors.register(app)
    register_all(api)
    init_web(app, settings)
    return app

"""Service commands of the `mentormatch` console script: db, keys (serve, worker: jobs).

Found by the core's CLI through the ``mentormatch.commands`` entry points. Heavy imports
happen inside the commands so `mentormatch --help` stays fast.
"""

from __future__ import annotations

import click


def database_url() -> str:
    """The database the service uses: ``DATABASE_URL``, else the embedded SQLite file."""
    from api.config import default_instance_path, load_settings

    return str(load_settings(default_instance_path())["DATABASE_URL"])


def _shown(url: str) -> str:
    """``url`` without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.group()
def db():
    """Database schema: upgrade to the newest, show the current revision."""


@db.command()
def upgrade():
    """Apply every pending migration (safe to run again)."""
    from api.migrate import current
    from api.migrate import upgrade as run_upgrade

    url = database_url()
    run_upgrade(url)
    click.echo(f"database {_shown(url)} is at revision {current(url)}", err=True)


@db.command("current")
def current_revision():
    """Print the database's revision."""
    from api.migrate import current

    click.echo(current(database_url()) or "empty (run `mentormatch db upgrade`)")


@click.group()
def keys():
    """API keys of organizations: create (shown once) and revoke."""


def _sessions():
    from api.db import make_engine, make_sessions
    from api.migrate import upgrade as run_upgrade

    url = database_url()
    run_upgrade(url)
    return make_sessions(make_engine(url))


@keys.command("create")
@click.option("--org", "org_name", required=True, help="Organization name (made if new).")
@click.option("--label", help="A note to tell keys apart, e.g. the system that uses it.")
def create(org_name, label):
    """Make a key for ORG and print it once: it is stored only as a hash."""
    from api.db import transaction
    from api.keys import create_key

    with transaction(_sessions()) as session:
        key, row = create_key(session, org_name, label)
    click.echo(key)
    click.echo(
        f"key {row.prefix} for organization {org_name!r}: keep it now, it is not shown again",
        err=True,
    )


@keys.command("revoke")
@click.argument("prefix")
def revoke(prefix):
    """Revoke the key starting mm_PREFIX_ (or give the whole key)."""
    from api.db import transaction
    from api.keys import revoke_key

    with transaction(_sessions()) as session:
        row = revoke_key(session, prefix)
    if row is None:
        raise click.ClickException(f"no live key with prefix {prefix!r}")
    click.echo(f"key {row.prefix} revoked", err=True)

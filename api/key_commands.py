"""`mentormatch keys`: create (shown once), list, rotate with overlap, revoke.

A key is printed on stdout once, when it is made; everything else goes to stderr, and
listings show prefixes only. Creation, rotation and revocation are recorded in the
organization's audit log as ``cli`` (the key's prefix, never the key). Heavy imports
happen inside the commands.
"""

from __future__ import annotations

from contextlib import contextmanager

import click

SCOPE_HELP = "A scope of the key: read, write or admin (repeat; default: all three)."


@contextmanager
def _transaction():
    """One transaction on the service's database (migrated first); closed after."""
    from api.commands import database_url
    from api.db import make_engine, make_sessions, transaction
    from api.migrate import upgrade

    url = database_url()
    upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(make_sessions(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _duration(text: str | None):
    from api.keys import KeyProblem, parse_duration

    if text is None:
        return None
    try:
        return parse_duration(text)
    except KeyProblem as error:
        raise click.BadParameter(str(error)) from None


def _audit(session, action: str, row, **detail) -> None:
    from api import audit

    audit.record(
        session,
        action,
        organization_id=row.organization_id,
        object_type="key",
        object_id=row.prefix,
        detail=detail or None,
        who="cli",
    )


def _expiry(text: str | None):
    from api.tables import utcnow

    duration = _duration(text)
    return None if duration is None else utcnow() + duration


@click.group()
def keys():
    """API keys of organizations: create (shown once), list, rotate, revoke."""


@keys.command("create")
@click.option("--org", "org_name", required=True, help="Organization name (made if new).")
@click.option("--label", help="A note to tell keys apart, e.g. the system that uses it.")
@click.option("--scope", "scopes", multiple=True, help=SCOPE_HELP)
@click.option("--expires", help="Lifetime, e.g. 90d or 12h (default: no expiry).")
def create(org_name, label, scopes, expires):
    """Make a key for ORG and print it once: it is stored only as a hash."""
    from api.keys import SCOPES, KeyProblem, create_key

    try:
        with _transaction() as session:
            key, row = create_key(
                session, org_name, label, scopes=scopes or SCOPES, expires_at=_expiry(expires)
            )
            _audit(session, "key.created", row, scopes=row.scopes.split(), expires=bool(expires))
    except KeyProblem as error:
        raise click.ClickException(str(error)) from None
    click.echo(key)
    click.echo(
        f"key {row.prefix} ({row.scopes}) for organization {org_name!r}: keep it now, "
        "it is not shown again",
        err=True,
    )


@keys.command("list")
@click.option("--org", "org_name", required=True, help="Organization name.")
def list_command(org_name):
    """ORG's keys, newest first: prefix, state, scopes, expiry, last use, label.

    Times are UTC; a dash means none. The secret is never shown.
    """
    from api.keys import key_state, list_keys, organization

    with _transaction() as session:
        org = organization(session, org_name)
        if org is None:
            raise click.ClickException(f"no organization {org_name!r}")
        for row in list_keys(session, org.id):
            fields = [row.prefix, key_state(row), row.scopes.replace(" ", ",")]
            fields += [_when(row.expires_at), _when(row.last_used_at), row.label or "-"]
            if row.replaced_by:
                fields.append(f"rotated to {row.replaced_by}")
            click.echo("\t".join(fields))


def _when(moment) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%dT%H:%MZ")


@keys.command("rotate")
@click.option("--org", "org_name", required=True, help="Organization name.")
@click.option("--key", "prefix", required=True, help="The key to replace: its prefix.")
@click.option(
    "--overlap",
    default="24h",
    show_default=True,
    help="How long the old key keeps working beside the new one (e.g. 1h, 7d, 0s).",
)
@click.option("--expires", help="Lifetime of the new key (default: no expiry).")
def rotate(org_name, prefix, overlap, expires):
    """Make a successor of key PREFIX (same label and scopes) and print it once; the old
    key stops when the overlap ends."""
    from api.keys import KeyProblem, rotate_key

    try:
        with _transaction() as session:
            key, new, old = rotate_key(
                session, org_name, prefix, _duration(overlap), _expiry(expires)
            )
            _audit(session, "key.rotated", new, replaces=old.prefix, overlap=overlap)
    except KeyProblem as error:
        raise click.ClickException(str(error)) from None
    click.echo(key)
    click.echo(
        f"key {new.prefix} replaces {old.prefix}, which works until {_when(old.expires_at)} "
        "UTC; keep the new key now, it is not shown again",
        err=True,
    )


@keys.command("revoke")
@click.argument("prefix")
def revoke(prefix):
    """Revoke the key starting mm_PREFIX_ (or give the whole key) at once."""
    from api.keys import revoke_key

    with _transaction() as session:
        row = revoke_key(session, prefix)
        if row is not None:
            _audit(session, "key.revoked", row)
    if row is None:
        raise click.ClickException(f"no live key with prefix {prefix!r}")
    click.echo(f"key {row.prefix} revoked", err=True)

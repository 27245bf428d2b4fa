"""HR-data commands of the `mentormatch` console script: audit-log, erase, export, purge,
orgs delete. They work on the service's database (``DATABASE_URL`` or the embedded
SQLite file), migrated first; what they change is recorded in the audit log as ``cli``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from api.commands import _database


def _org(session, name: str):
    from api.keys import organization

    org = organization(session, name)
    if org is None:
        raise click.ClickException(f"no organization {name!r}")
    return org


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _person(email, person_id) -> dict:
    if (email is None) == (person_id is None):
        raise click.UsageError("give exactly one of --email and --id")
    return {"email": email} if email is not None else {"person_id": person_id}


@click.command("audit-log")
@click.option("--org", "org_name", help="Organization name.")
@click.option(
    "--service",
    is_flag=True,
    help="The service's own entries instead (organization deletions, purges).",
)
@click.option("--since", help="Entries at or after this time (ISO 8601, UTC if no zone).")
@click.option("--until", help="Entries before this time.")
@click.option("--action", help="Actions starting with this, e.g. person. or runs.")
@click.option("--actor", help="key:<prefix>, user:<id>, cli or system.")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 10**7))
def audit_log(org_name, service, since, until, action, actor, limit):
    """Print ORG's audit log (or the service's), oldest first, one JSON object per line."""
    from api import audit

    if (org_name is None) == (not service):
        raise click.UsageError("give --org ORG or --service")
    with _database() as sessions, sessions() as session:
        org_id = None if service else _org(session, org_name).id
        statement = audit.query(
            org_id, since=_moment(since), until=_moment(until), action=action, who=actor
        )
        for entry in session.scalars(statement.limit(limit)):
            click.echo(json.dumps(audit.as_dict(entry), default=_iso, sort_keys=True))


def _iso(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    raise TypeError(type(value).__name__)


@click.command()
@click.option("--org", "org_name", required=True, help="Organization name.")
@click.option("--email", help="The person's email (as a web import stored it).")
@click.option("--id", "person_id", help="The organization's id for the person.")
def erase(org_name, email, person_id):
    """Erase one person from everything ORG stores; prints what went, as JSON."""
    from api.db import transaction
    from api.erasure import ERASED_TABLES, erase_person
    from api.personal import scrub

    with _database() as sessions:
        with transaction(sessions) as session:
            org = _org(session, org_name)
            erasure = erase_person(session, org.id, **_person(email, person_id))
        scrub(sessions.kw["bind"], ERASED_TABLES, full=True)
    click.echo(json.dumps(erasure.summary(), indent=2))
    if not erasure.rows:
        click.echo("nothing was stored about that person", err=True)


@click.command()
@click.option("--org", "org_name", required=True, help="Organization name.")
@click.option("--email", help="The person's email (as a web import stored it).")
@click.option("--id", "person_id", help="The organization's id for the person.")
def export(org_name, email, person_id):
    """Print everything ORG stores about one person, as JSON (recorded in the audit log)."""
    from api.db import transaction
    from api.subject import export_person

    with _database() as sessions, transaction(sessions) as session:
        org = _org(session, org_name)
        found = export_person(session, org.id, **_person(email, person_id))
    if found is None:
        raise click.ClickException("nothing is stored about that person")
    click.echo(json.dumps(found, indent=2, ensure_ascii=False, default=_iso))


@click.command()
@click.option("--dry-run", is_flag=True, help="Only print what would be removed.")
def purge(dry_run):
    """Remove what the retention settings say must go (MENTORMATCH_RETENTION_DAYS,
    MENTORMATCH_RECORD_RETENTION_DAYS, MENTORMATCH_AUDIT_RETENTION_DAYS); prints it."""
    from api.commands import database_url
    from api.config import default_instance_path, load_settings
    from api.db import transaction
    from api.personal import scrub
    from api.retention import PURGED_TABLES
    from api.retention import purge as run_purge

    settings = load_settings(default_instance_path(), {"DATABASE_URL": database_url()})
    with _database() as sessions:
        with transaction(sessions) as session:
            counts = run_purge(session, settings, dry_run=dry_run)
        if counts and not dry_run:
            scrub(sessions.kw["bind"], PURGED_TABLES, full="cohorts" in counts)
    verb = "would remove" if dry_run else "removed"
    if not counts:
        click.echo(
            f"nothing to remove (retention: cohorts {settings['RETENTION_DAYS']:g} days, "
            f"records {settings['RECORD_RETENTION_DAYS']:g}, "
            f"audit {settings['AUDIT_RETENTION_DAYS']:g}; 0 keeps)"
        )
    for label, value in counts.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        click.echo(f"{verb} {label}: {shown}")


@click.group()
def orgs():
    """Organizations: delete one with everything it owns."""


@orgs.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Confirm: this cannot be undone.")
def delete_org(name, yes):
    """Delete organization NAME: its cohorts, people, runs, results, keys, accounts,
    webhooks and audit entries (the deletion itself is kept in the service's audit log)."""
    from api.db import transaction
    from api.organizations import all_tables, delete_organization
    from api.personal import scrub

    if not yes:
        raise click.UsageError(f"deleting {name!r} cannot be undone: add --yes")
    with _database() as sessions:
        with transaction(sessions) as session:
            counts = delete_organization(session, _org(session, name))
        scrub(sessions.kw["bind"], all_tables(), full=True)
    click.echo(
        f"organization {name!r} deleted: " + ", ".join(f"{k} {v}" for k, v in counts.items())
    )

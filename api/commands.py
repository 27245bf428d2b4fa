"""Service commands of the `mentormatch` console script: db, keys, users, serve, worker,
requests.

The keys group lives in :mod:`api.key_commands`.

Found by the core's CLI through the ``mentormatch.commands`` entry points. Heavy imports
happen inside the commands so `mentormatch --help` stays fast.
"""

from __future__ import annotations

from contextlib import contextmanager

import click

from api.key_commands import keys  # noqa: F401  (the `keys` entry point names it here)


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
    """Database schema: upgrade to the newest, show the current revision; backup, restore."""


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


@contextmanager
def _database():
    """Sessions on the service's database (migrated first); the engine is closed after."""
    from api.db import make_engine, make_sessions
    from api.migrate import upgrade as run_upgrade

    url = database_url()
    run_upgrade(url)
    engine = make_engine(url)
    try:
        yield make_sessions(engine)
    finally:
        engine.dispose()


@db.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
def backup_command(target):
    """Write a consistent backup of the database to TARGET while the server runs.

    SQLite: a copy made with SQLite's online backup API (a plain .db file); PostgreSQL:
    a pg_dump custom-format archive. TARGET must not exist; it is made readable by you
    only (it holds personal data).
    """
    from api.backup import BackupError, backup

    try:
        made = backup(database_url(), target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup of {_shown(database_url())} written to {made}", err=True)


@db.command("restore")
@click.argument("source", type=click.Path(dir_okay=False))
def restore_command(source):
    """Restore the backup SOURCE into DATABASE_URL, which must have no tables yet, then
    migrate it to this version's schema."""
    from api.backup import BackupError, restore

    try:
        restore(database_url(), source)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{source} restored into {_shown(database_url())}", err=True)


@click.group()
def users():
    """Coordinators who sign in to the web app: create, invite (or reset), list.

    Creations and invitations are recorded in the organization's audit log as ``cli``."""


@users.command("create")
@click.option("--org", "org_name", required=True, help="Organization name (made if new).")
@click.option("--email", required=True, help="The address the coordinator signs in with.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (else: invite link).",
)
def create_user(org_name, email, password_stdin):
    """Make a coordinator account of ORG; without --password-stdin, print an invite link."""
    import sys

    from api.accounts import AccountError
    from api.accounts import create_user as make
    from api.db import transaction

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        with _database() as sessions, transaction(sessions) as session:
            user = make(session, org_name, email, password)
            _audit_user(session, "user.created", user, invited=password is None)
            link = None if password is not None else _link(session, user)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"user {user.email} of organization {org_name!r} created", err=True)
    if link:
        click.echo(link)


@users.command("invite")
@click.option("--org", "org_name", required=True, help="Organization name (made if new).")
@click.option("--email", required=True, help="The coordinator's address.")
def invite(org_name, email):
    """Print a one-time link to set a password: an invitation (the account is made if
    new) or, for an existing account, a password reset. Nothing is emailed: send the
    link yourself. It works once, for MENTORMATCH_INVITE_HOURS (72)."""
    from api.accounts import AccountError, create_user, find_user
    from api.db import transaction

    try:
        with _database() as sessions, transaction(sessions) as session:
            user = find_user(session, email)
            if user is None:
                user = create_user(session, org_name, email, None)
                _audit_user(session, "user.created", user, invited=True)
            elif user.organization.name != org_name:
                raise AccountError(f"{user.email} belongs to another organization")
            purpose = "reset" if user.password_hash else "invite"
            _audit_user(session, "user.invited", user, purpose=purpose)
            link = _link(session, user)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(link)
    click.echo(f"one-time link for {user.email}: it works once; send it to them", err=True)


@users.command("list")
@click.option("--org", "org_name", required=True, help="Organization name.")
def list_users(org_name):
    """The organization's coordinators, one per line: email, then the account's state."""
    from sqlalchemy import select

    from api.keys import organization
    from api.tables_web import User

    with _database() as sessions, sessions() as session:
        org = organization(session, org_name)
        people = session.scalars(select(User).where(User.organization_id == org.id)) if org else []
        for user in people:
            state = "active" if user.password_hash else "invited"
            state = "disabled" if user.disabled_at else state
            click.echo(f"{user.email}\t{state}")


def _audit_user(session, action: str, user, **detail) -> None:
    """An audit entry of the user's organization, by ``cli``, about the user (by id)."""
    from api import audit

    audit.record(
        session,
        action,
        organization_id=user.organization_id,
        object_type="user",
        object_id=str(user.id),
        detail=detail,
        who="cli",
    )


def _link(session, user) -> str:
    from api.accounts import one_time_link
    from api.config import default_instance_path, load_settings

    settings = load_settings(default_instance_path())
    token = one_time_link(session, user, float(settings["INVITE_HOURS"]))
    return f"{str(settings['BASE_URL']).rstrip('/')}/welcome/{token}"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Request threads of the WSGI server (waitress).",
)
def serve(host, port, threads):
    """Serve the API with waitress; runs execute in this process by default.

    Jobs run in in-process worker threads (EXECUTOR=inprocess, MENTORMATCH_WORKERS of
    them) unless MENTORMATCH_EXECUTOR=celery sends them to `mentormatch worker` processes.

    Applies pending migrations first. SIGTERM or Ctrl-C stops cleanly: running runs stop
    at their next stage and go back to the queue (a run that cannot stop in time is
    re-queued by the reaper at the next start). For production behind gunicorn see README.
    """
    import signal

    from waitress import create_server

    from api import create_app
    from api.collector import settle
    from api.jobs import log_to_stderr
    from api.migrate import upgrade as run_upgrade

    log_to_stderr()
    url = database_url()
    run_upgrade(url)
    app = create_app()
    services = app.extensions["mentormatch"]
    server = create_server(app, host=host, port=port, threads=threads)

    def _stop(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, _stop)
    settle()  # the collector: start-up frozen, no pass inside a request (api.collector)
    executor = services.settings["EXECUTOR"]
    where = f"http://{server.effective_host}:{server.effective_port}"
    click.echo(
        f"mentormatch serving on {where} (database {_shown(url)}, executor {executor}); "
        f"Ctrl-C stops\n"
        f"  open {where}/ in a browser; the first coordinator account:\n"
        f"    mentormatch users create --org ORG --email EMAIL --password-stdin\n"
        f"  (or `mentormatch users invite --org ORG --email EMAIL` prints a one-time link);\n"
        f"  the JSON API for HR systems is at {where}/api/v1/docs",
        err=True,
    )
    try:
        server.run()  # returns on KeyboardInterrupt (Ctrl-C, or SIGTERM above)
    finally:
        click.echo("stopping: running runs go back to the queue", err=True)
        server.close()
        services.close()


@click.command()
@click.option(
    "--concurrency",
    default=2,
    show_default=True,
    type=click.IntRange(1, 512),
    help="Runs at once (pool processes or threads).",
)
@click.option(
    "--loglevel",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
)
@click.option(
    "--pool",
    default="prefork",
    show_default=True,
    type=click.Choice(["prefork", "threads", "solo"]),
    help="prefork isolates a crashing solve in its own process.",
)
@click.option(
    "--beat",
    is_flag=True,
    help="Also run Celery beat in this worker: the retention purge every "
    "MENTORMATCH_PURGE_SECONDS (run it in one worker only).",
)
def worker(concurrency, loglevel, pool, beat):
    """Run a Celery worker for runs sent by API nodes with MENTORMATCH_EXECUTOR=celery.

    Configured by environment: DATABASE_URL, REDIS_URL, MENTORMATCH_QUEUE and the timing
    settings (MENTORMATCH_HEARTBEAT_SECONDS, MENTORMATCH_STALE_AFTER_SECONDS,
    MENTORMATCH_MAX_ATTEMPTS). Its reaper re-queues runs of workers that died and sends
    queued runs no message carries.
    """
    import os

    from api.jobs.celery_app import app, worker_settings

    settings = worker_settings()
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        f"--loglevel={loglevel.upper()}",
        f"--pool={pool}",
        f"--queues={settings['QUEUE']}",
        f"--hostname=mentormatch.{os.getpid()}@%h",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
    if beat:
        argv.append("--beat")
    app.worker_main(argv)


@click.group()
def requests():
    """Mentor requests of the service's cohorts."""


@requests.command("expire")
def expire_requests():
    """Expire every pending request past its time (each passes to the mentee's next
    suggestion); reads and decisions do this for their cohort, this does it for all."""
    from sqlalchemy import select

    from api.config import default_instance_path, load_settings
    from api.db import transaction
    from api.mentor_requests import expire_due
    from api.tables import Cohort, utcnow
    from api.tables_cycles import MentorRequest, RequestStatus

    settings = load_settings(default_instance_path())
    now = utcnow()
    with _database() as sessions:
        with sessions() as session:
            due = select(MentorRequest.cohort_id).where(
                MentorRequest.status == RequestStatus.PENDING.value,
                MentorRequest.expires_at <= now,
            )
            cohorts = sorted(set(session.scalars(due)))
        expired = 0
        for cohort_id in cohorts:
            with transaction(sessions) as session:
                cohort = session.scalars(
                    select(Cohort).where(Cohort.id == cohort_id).with_for_update()
                ).one()
                expired += expire_due(session, cohort, settings, now)
    click.echo(f"expired {expired} request(s) in {len(cohorts)} cohort(s)", err=True)

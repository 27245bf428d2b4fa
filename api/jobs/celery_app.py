"""Scale-out executor: Celery on Redis. The API sends run ids; `mentormatch worker` runs them.

Messages carry the run id only (JSON serializer, pickle refused), so Redis never holds
personal data; the worker reads everything else from the database, where the run row is
the truth. Delivery is at least once and execution exactly once:

* ``task_acks_late`` + ``task_reject_on_worker_lost``: a message is acknowledged after
  its run ended, and re-queued at once when the pool process running it dies.
* Redis re-delivers a message nobody acknowledged after ``visibility_timeout``; it is
  ``max(600, 2 * MAX_SOLVER_SECONDS + 60)`` seconds, long enough that a live run is rarely
  re-delivered (a re-delivery of a live or finished run is a no-op: the claim fails).
* Runs reach Redis through the outbox (:mod:`api.jobs.outbox`): the API commits the run
  and its message together, tries to send at once, and a dispatcher thread (in the API
  process when it has a database, and in every worker) sends what was not confirmed,
  e.g. while Redis was down. The API answers 202 either way. Beside it, a webhook
  dispatcher sends due webhook deliveries (:mod:`api.hooks.deliver`).
* The real guarantee is the reaper, a thread in every worker's main process: every
  ``HEARTBEAT_SECONDS`` it re-queues running runs whose heartbeat is older than
  ``STALE_AFTER_SECONDS`` (or fails them after ``MAX_ATTEMPTS``) and sends them again,
  runs the outbox dispatcher, and sends queued runs whose message Redis may have lost (a
  restart without persistence). A short-lived Redis key per run keeps it from sending the
  same run more than once per ``STALE_AFTER_SECONDS``.

Workers are configured by environment: ``DATABASE_URL``, ``REDIS_URL``,
``MENTORMATCH_QUEUE`` and the timing settings of :mod:`api.config`.
``celery -A api.jobs.celery_app worker`` works as well as ``mentormatch worker``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping

from celery import Celery, signals

from api.config import default_instance_path, load_settings

log = logging.getLogger("mentormatch.jobs")
TASK = "mentormatch.execute_run"
PURGE_TASK = "mentormatch.purge"


def celery_config(settings: Mapping) -> dict:
    """Celery settings for the API's sender and the workers, from service settings."""
    visibility = max(600.0, 2 * float(settings["MAX_SOLVER_SECONDS"]) + 60)
    return {
        "broker_url": settings["BROKER_URL"],
        "broker_transport_options": {"visibility_timeout": visibility},
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_default_queue": settings["QUEUE"],
        "worker_prefetch_multiplier": 1,
        # Celery beat (`mentormatch worker --beat`, or `celery -A api.jobs.celery_app beat`)
        # sends the retention purge every PURGE_SECONDS (api.retention).
        "beat_schedule": (
            {"purge": {"task": PURGE_TASK, "schedule": float(settings["PURGE_SECONDS"])}}
            if float(settings.get("PURGE_SECONDS") or 0) > 0
            else {}
        ),
    }


def make_celery(settings: Mapping) -> Celery:
    """A Celery app configured from ``settings`` (tasks are registered on :data:`app`)."""
    celery = Celery("mentormatch", set_as_current=False)
    celery.conf.update(celery_config(settings))
    return celery


def _marker(settings: Mapping, run_id: str) -> str:
    return f"mentormatch:{settings['QUEUE']}:sent:{run_id}"


class QueueDown(ConnectionError):
    """Redis refused a send moments ago: fail at once instead of waiting for a timeout."""


class CeleryExecutor:
    """The API side: sends run ids to the workers' queue.

    Parameters
    ----------
    config : settings (``BROKER_URL``, ``QUEUE``, ``STALE_AFTER_SECONDS``,
        ``DISPATCH_SECONDS``, ``DISPATCH_RETRY_SECONDS``...).
    sessions : the database's session factory: with it, a dispatcher thread sends the
        outbox messages no request could (see :mod:`api.jobs.outbox`).
    """

    def __init__(self, config: Mapping, sessions=None):
        import redis

        self.config = dict(config)
        self.celery = make_celery(self.config)
        self.redis = redis.Redis.from_url(
            str(self.config["BROKER_URL"]), socket_connect_timeout=2, socket_timeout=2
        )
        self.sessions = sessions
        self._down_until = 0.0
        self._dispatcher = None
        self._webhooks = None
        self._pid = None
        self._lock = threading.Lock()
        self._dispatch()

    def _dispatch(self) -> None:
        """Start the dispatcher thread in this process (again after a fork)."""
        from api.hooks.deliver import WebhookDispatcher
        from api.jobs.outbox import Dispatcher

        if self.sessions is None:
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._dispatcher = Dispatcher(
                self.sessions,
                self,
                interval=float(self.config["DISPATCH_SECONDS"]),
                lease=float(self.config["DISPATCH_RETRY_SECONDS"]),
            )
            self._webhooks = WebhookDispatcher(
                self.sessions, self.config, interval=float(self.config["DISPATCH_SECONDS"])
            )

    def submit(self, run_id: str, *, once: bool = False) -> bool:
        """Send ``run_id`` to the queue; with ``once``, not if it was sent recently.

        Returns
        -------
        bool
            Whether a message was sent.

        Raises
        ------
        Exception
            Redis or Celery's error when the queue is unreachable; for a second after
            that, :class:`QueueDown` at once (requests do not each wait for a timeout).
        """
        self._dispatch()
        if time.monotonic() < self._down_until:
            raise QueueDown("the queue refused a message moments ago")
        try:
            expiry = max(1, int(float(self.config["STALE_AFTER_SECONDS"])))
            fresh = self.redis.set(_marker(self.config, run_id), b"1", nx=once, ex=expiry)
            if once and not fresh:
                return False
            self.celery.send_task(TASK, args=[run_id], queue=self.config["QUEUE"])
        except Exception:
            self._down_until = time.monotonic() + 1.0
            raise
        return True

    def ready(self) -> tuple[bool, str]:
        """Ready when Redis answers a ping."""
        self._dispatch()
        try:
            self.redis.ping()
        except Exception as error:
            return False, f"queue unreachable ({type(error).__name__})"
        return True, "ok"

    def shutdown(self, wait: bool = True) -> None:
        """Stop the dispatcher and close the connections to Redis."""
        if self._dispatcher is not None:
            self._dispatcher.stop(wait=wait)
        if self._webhooks is not None:
            self._webhooks.stop(wait=wait)
        self.redis.close()


# --------------------------------------------------------------------------- worker side

_state: dict = {"pid": None, "engine": None, "sessions": None, "settings": None}
_stop = threading.Event()


def worker_settings() -> dict:
    """The worker's settings, from the environment (read once, on first use)."""
    if _state["settings"] is None:
        _state["settings"] = load_settings(default_instance_path())
    return _state["settings"]


app = Celery("mentormatch", set_as_current=False)
app.add_defaults(lambda: celery_config(worker_settings()))  # read when first needed


def worker_sessions():
    """This process's session factory (a new engine after a fork: never share sockets)."""
    from api.db import make_engine, make_sessions

    if _state["pid"] != os.getpid():
        if _state["engine"] is not None:
            _state["engine"].dispose(close=False)  # the parent's connections stay the parent's
        _state["engine"] = make_engine(str(worker_settings()["DATABASE_URL"]))
        _state["sessions"] = make_sessions(_state["engine"])
        _state["pid"] = os.getpid()
    return _state["sessions"]


@app.task(name=TASK, ignore_result=True)
def execute(run_id: str) -> str:
    """Run ``run_id`` (a no-op when it is not claimable: finished or running elsewhere)."""
    from api.jobs.execute import execute_run, worker_name

    return execute_run(worker_sessions(), run_id, worker_name(), worker_settings())


@app.task(name=PURGE_TASK, ignore_result=True)
def purge() -> dict:
    """Apply the retention settings once (sent by Celery beat every ``PURGE_SECONDS``)."""
    from api.retention import purge_now

    counts = purge_now(worker_sessions(), worker_settings())
    return {k: v for k, v in counts.items() if k != "cohort ids"}


def reaper_loop(stop: threading.Event, config: Mapping | None = None) -> None:
    """Sweep now and every ``HEARTBEAT_SECONDS`` until ``stop`` is set, with the outbox
    dispatcher running beside it (see module doc)."""
    from api.jobs import lifecycle
    from api.jobs.inprocess import sweep

    config = config or worker_settings()
    sessions = worker_sessions()
    sender = CeleryExecutor(config, sessions)  # its dispatcher thread sends the outbox
    interval = float(config["HEARTBEAT_SECONDS"])
    try:
        while True:
            sweep(sessions, config, sender)
            try:
                for run_id in lifecycle.queued_ids(sessions):
                    if sender.submit(run_id, once=True):
                        log.info("run %s was queued without a message: sent", run_id)
            except Exception as error:
                log.warning("sending queued runs failed: %s", type(error).__name__)
            if stop.wait(interval):
                return
    finally:
        sender.shutdown()


@signals.worker_ready.connect
def _start_reaper(**_):
    _stop.clear()
    threading.Thread(target=reaper_loop, args=(_stop,), name="mm-reaper", daemon=True).start()


@signals.worker_shutting_down.connect
def _stop_reaper(**_):
    _stop.set()

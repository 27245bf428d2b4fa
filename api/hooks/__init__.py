"""Signed webhooks: an organization's receivers are told when runs and scenarios finish,
when a cohort's pairs are published and when a mentor request is accepted, declined,
expires or is withdrawn (:mod:`api.mentor_requests`).

* :mod:`api.hooks.events` writes one delivery per subscribed webhook in the transaction
  that made the event happen (a run finished, a scenario's last run finished), so an
  event is never lost between the database and the receiver: the delivery row is the
  outbox message.
* :mod:`api.hooks.deliver` sends due deliveries from a dispatcher thread (in ``serve``,
  in the API process of a Celery deployment and in every worker), signs each attempt,
  retries with exponential backoff and records every attempt on the row.
* :mod:`api.hooks.address` refuses receivers on private, loopback, link-local and other
  non-global addresses (resolved at every attempt, connected to the checked address,
  redirects never followed) unless ``WEBHOOK_ALLOW_PRIVATE`` is set.
* :mod:`api.hooks.secrets` keeps signing secrets encrypted at rest.

Bodies carry ids and statuses only, never names or emails.
"""

from __future__ import annotations

RUN_SUCCEEDED = "run.succeeded"
RUN_FAILED = "run.failed"
SCENARIO_COMPLETED = "scenario.completed"
COHORT_PUBLISHED = "cohort.published"
REQUEST_ACCEPTED = "request.accepted"
REQUEST_DECLINED = "request.declined"
REQUEST_EXPIRED = "request.expired"
REQUEST_WITHDRAWN = "request.withdrawn"
EVENTS = (
    RUN_SUCCEEDED,
    RUN_FAILED,
    SCENARIO_COMPLETED,
    COHORT_PUBLISHED,
    REQUEST_ACCEPTED,
    REQUEST_DECLINED,
    REQUEST_EXPIRED,
    REQUEST_WITHDRAWN,
)

"""OpenAPI links between operations, and an ``operationId`` on each (its Flask endpoint).

Links say how an answer feeds the next request (the id of a created cohort is the
``cohort_id`` of its runs...): client generators turn them into navigation, and
schemathesis's stateful tests chain operations along them (tests/api/test_stateful.py).
They are declared here, in one table, and added to the spec by :class:`LinksPlugin` (an
apispec plugin: it sees each operation with its Flask rule as the spec is built).
"""

from __future__ import annotations

from apispec import BasePlugin

BODY_ID = "$response.body#/id"
COHORT = {"cohort_id": BODY_ID}
RUN = {"run_id": BODY_ID}
SAME_RUN = {"run_id": "$request.path.run_id"}
SAME_COHORT = {"cohort_id": "$request.path.cohort_id"}
RUN_OF_BODY_COHORT = {"cohort_id": "$response.body#/cohort_id"}


def _run_links(parameters: dict) -> dict:
    """What a run's id leads to: the run, its results and the work on them."""
    targets = ("runs.get_run", "runs.list_assignments", "runs.list_unmatched")
    targets += ("runs.cancel_run", "runs.rematch", "answers.get_receipt", "answers.get_audit")
    targets += ("decisions.list_decisions", "decisions.decide", "decisions.resolve")
    targets += ("decisions.publish",)
    return {target: parameters for target in targets}


def _cohort_links(parameters: dict) -> dict:
    """What a cohort's id leads to: the cohort, its people, runs, scenarios and versions."""
    targets = ("cohorts.get_cohort", "cohorts.list_participants", "cohorts.delete_cohort")
    targets += ("runs.start", "runs.list_runs", "scenarios.start_scenario")
    targets += ("people.sync_people", "decisions.get_draft", "decisions.list_versions")
    return {target: parameters for target in targets}


# (endpoint, status) -> {target endpoint: {target parameter: runtime expression}}
LINKS: dict[tuple[str, int], dict[str, dict[str, str]]] = {
    ("cohorts.create_cohort", 201): _cohort_links(COHORT),
    ("cohorts.get_cohort", 200): _cohort_links(COHORT),
    ("runs.start", 202): {**_run_links(RUN), "cohorts.get_cohort": RUN_OF_BODY_COHORT},
    ("runs.get_run", 200): _run_links(RUN),
    ("runs.rematch", 202): _run_links(RUN),
    ("decisions.resolve", 202): _run_links(RUN),
    ("runs.list_runs", 200): {"cohorts.get_cohort": SAME_COHORT},
    ("scenarios.start_scenario", 202): {
        "scenarios.get_scenario": {"scenario_id": BODY_ID},
        "scenarios.cancel_scenario": {"scenario_id": BODY_ID},
    },
    ("webhooks.create_webhook", 201): {
        "webhooks.get_webhook": {"webhook_id": BODY_ID},
        "webhooks.list_deliveries": {"webhook_id": BODY_ID},
        "webhooks.delete_webhook": {"webhook_id": BODY_ID},
    },
    ("mappings.create_template", 201): {
        "mappings.get_template": {"name": "$response.body#/name"},
        "mappings.replace_template": {"name": "$response.body#/name"},
        "mappings.delete_template": {"name": "$response.body#/name"},
    },
    ("decisions.decide", 201): {
        "decisions.list_decisions": SAME_RUN,
        "decisions.undo_decision": {**SAME_RUN, "decision_id": BODY_ID},
    },
}


def operation_id(endpoint: str) -> str:
    """The operationId of a Flask endpoint: ``runs.get_run`` -> ``runs_get_run``."""
    return endpoint.replace(".", "_")


class LinksPlugin(BasePlugin):
    """Adds ``operationId`` to every operation and :data:`LINKS` to its responses."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        endpoint = rule.endpoint
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            operation.setdefault("operationId", operation_id(endpoint))
            for status, response in operation.get("responses", {}).items():
                links = LINKS.get((endpoint, int(status))) if str(status).isdigit() else None
                if links and isinstance(response, dict):
                    response["links"] = {
                        operation_id(target): {
                            "operationId": operation_id(target),
                            "parameters": parameters,
                        }
                        for target, parameters in links.items()
                    }

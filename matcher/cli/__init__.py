"""The `mentormatch` command line: one click group, one module per command group.

Data goes to files or stdout; progress, summaries and error reports go to stderr (exit
codes in :mod:`matcher.cli.common`). The service's commands (serve, worker, db, keys) are
found through entry points, so the core never imports the service.
"""

from __future__ import annotations

import click

from matcher.cli.answers import alternatives, attrition, audit, prices
from matcher.cli.common import Group
from matcher.cli.match import explain, generate, match, validate
from matcher.cli.sheets import intros, map_sheet
from matcher.cli.verify import verify
from matcher.cli.whatif import rematch, scenario


@click.group(cls=Group)
@click.version_option(package_name="mentormatch")
def main():
    """Exact, explainable mentor-mentee matching."""


_COMMANDS = (map_sheet, validate, match, explain, generate, intros, scenario, rematch)
_ANSWERS = (prices, alternatives, attrition, audit, verify)
for _command in (*_COMMANDS, *_ANSWERS):
    main.add_command(_command)

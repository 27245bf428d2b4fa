"""The table of answer jobs' answers: prices, alternatives and attrition asked of a run.

An answer job is a :class:`~api.tables.Run` of kind ``prices``, ``alternatives`` or
``attrition`` (so the outbox, the claim, the heartbeat, the retry and the cancel are the
runs' own); ``previous_run_id`` is the run asked about and ``changes`` holds the question's
parameters. When it succeeds its answer (the CLI's ``--json`` data: ids, scores and
figures, never names or emails) is stored here, in the transaction that marks it done.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from api.tables import Base, utcnow

ANSWER_KINDS = ("prices", "alternatives", "attrition")


class RunAnswer(Base):
    """The answer of one succeeded answer job."""

    __tablename__ = "run_answers"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    answer: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

"""What every schema module shares: the open input base, UTC timestamps, enumerations."""

from __future__ import annotations

from datetime import UTC

from marshmallow import INCLUDE, Schema, fields

PROGRAMS = ("coaching", "mentoring")
RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


class UtcDateTime(fields.DateTime):
    """An ISO 8601 timestamp in UTC (SQLite hands back naive datetimes: they are UTC)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Open(Schema):
    """An input object whose unknown keys reach the core, which names them precisely."""

    class Meta:
        unknown = INCLUDE

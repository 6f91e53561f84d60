"""Time helpers: the database stores aware UTC; the interface shows event time."""

from __future__ import annotations

from datetime import UTC, datetime

# Tests move the app's clock (an event day at 10:05, a week later) with `freeze`;
# everything that asks "now" goes through `utcnow`, so the whole app follows.
_frozen: datetime | None = None


def freeze(moment: datetime | None) -> None:
    """Make `utcnow` answer `moment` (aware) until called again; None: the real clock."""
    global _frozen
    _frozen = moment


def utcnow() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored time as aware UTC (SQLite hands times back without a zone)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)

"""Time helpers: the database stores aware UTC; the interface shows event time.

"Now" can be set for tests (event-day features depend on where the clock stands within
the event): ``set_now(t)``, ``set_now(None)`` to go back to the real clock, or
``with fixed_now(t): ...``. The clock stands still until it is set again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_fixed: datetime | None = None


def utcnow() -> datetime:
    return _fixed if _fixed is not None else datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """Stop the clock at ``moment`` (aware; a naive one is taken as UTC), or restart it."""
    global _fixed
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    _fixed = moment.astimezone(UTC) if moment is not None else None


@contextmanager
def fixed_now(moment: datetime) -> Iterator[None]:
    """The clock stands at ``moment`` inside the block (``set_now`` moves it on)."""
    previous = _fixed
    set_now(moment)
    try:
        yield
    finally:
        set_now(previous)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored time as aware UTC (SQLite hands times back without a zone)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)

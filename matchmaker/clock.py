"""Time helpers: the database stores aware UTC; the interface shows event time.

"Now" can be set for tests and demonstrations, because event-day features (check-in,
the live board, no-shows) depend on where the clock stands within the event:

- in-process (tests, and the e2e server that runs in a test's thread): ``set_now(t)``,
  ``set_now(None)`` to go back to the real clock, or ``with fixed_now(t): ...``;
- a served app (``matchmaker serve``, every worker): ``MATCHMAKER_FAKE_NOW`` holding
  an ISO time with its offset (``2023-05-18T08:55:00+07:00``); it is read on each call,
  so it takes effect without a restart only where the environment can change.

The in-process setting wins over the variable. Both stand still: the clock moves
only when it is set again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache

FAKE_NOW_ENV = "MATCHMAKER_FAKE_NOW"

_fixed: datetime | None = None


def utcnow() -> datetime:
    if _fixed is not None:
        return _fixed
    fake = os.environ.get(FAKE_NOW_ENV)
    if fake:
        return _parse(fake)
    return datetime.now(UTC)


@lru_cache(maxsize=4)
def _parse(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{FAKE_NOW_ENV}={value!r} is not an ISO date and time") from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


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

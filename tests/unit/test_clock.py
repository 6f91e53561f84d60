"""The app's clock can be stopped for tests and demonstrations (matchmaker.clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from matchmaker import clock

pytestmark = pytest.mark.unit
VIETNAM = timezone(timedelta(hours=7))


def test_clock_fixed_now_stands_still_and_restores_the_real_clock() -> None:
    moment = datetime(2023, 5, 18, 8, 55, tzinfo=VIETNAM)
    with clock.fixed_now(moment):
        assert clock.utcnow() == moment
        assert clock.utcnow().tzinfo is UTC
        clock.set_now(moment + timedelta(minutes=20))
        assert clock.utcnow() == datetime(2023, 5, 18, 2, 15, tzinfo=UTC)
    assert abs(clock.utcnow() - datetime.now(UTC)) < timedelta(seconds=5)


def test_clock_reads_the_fake_now_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.FAKE_NOW_ENV, "2023-05-19T14:00:00+07:00")
    assert clock.utcnow() == datetime(2023, 5, 19, 7, 0, tzinfo=UTC)
    with clock.fixed_now(datetime(2023, 5, 18, tzinfo=UTC)):
        assert clock.utcnow() == datetime(2023, 5, 18, tzinfo=UTC)  # in-process wins


def test_clock_refuses_a_fake_now_that_is_not_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.FAKE_NOW_ENV, "tomorrow")
    with pytest.raises(ValueError, match="MATCHMAKER_FAKE_NOW='tomorrow'"):
        clock.utcnow()

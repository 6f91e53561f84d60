"""On-site booking takes a slot until its midpoint (matchmaker.onsite.why_not), so a
slot freed by a no-show after its start can still be booked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from matchmaker import onsite
from matchmaker.models import Day, EventSession, Participant, Slot

pytestmark = pytest.mark.unit
START = datetime(2023, 5, 18, 1, 0, tzinfo=UTC)  # 08:00 in Vị Thanh


def _scene() -> tuple[onsite.Grid, onsite.Diary, onsite.GridSlot]:
    day = Day(id=1, event_id=1, number=1, on_date=date(2023, 5, 18))
    block = EventSession(id=1, day_id=1, code="d1-am", name_vi="Sáng", name_en="Morning")
    slot = Slot(
        id=1, session_id=1, code="d1-am-01", start=START, end=START + timedelta(minutes=20),
        position=1,
    )  # fmt: skip
    at = onsite.GridSlot(slot, block, day)
    person = Participant(id=1, organisation_id=1, full_name="Nguyễn Văn An", email="an@x.vn")
    return onsite.Grid([at], [], {}), onsite.Diary(person), at


@pytest.mark.parametrize(
    ("minutes_in", "reason"),
    [
        (-5, ""),
        (0, ""),
        (3, ""),
        (10 - 1 / 60, ""),  # 08:09:59
        (10, "That time is more than half over."),  # 08:10, the midpoint
        (15, "That time is more than half over."),
        (25, "That time is more than half over."),  # over
    ],
)
def test_onsite_a_slot_is_bookable_until_its_midpoint(minutes_in: float, reason: str) -> None:
    grid, diary, at = _scene()
    assert onsite.why_not(grid, diary, at, START + timedelta(minutes=minutes_in)) == reason


def test_onsite_the_midpoint_of_a_stored_naive_slot_is_utc() -> None:
    slot = Slot(
        session_id=1, code="d1-am-02", start=datetime(2023, 5, 18, 1, 20),
        end=datetime(2023, 5, 18, 1, 40), position=2,
    )  # fmt: skip
    assert onsite.bookable_until(slot) == datetime(2023, 5, 18, 1, 30, tzinfo=UTC)


def test_onsite_other_checks_still_apply_before_the_midpoint() -> None:
    grid, diary, at = _scene()
    diary.busy.add(1)
    assert onsite.why_not(grid, diary, at, START + timedelta(minutes=3)) == (
        "%(person)s already has a meeting at that time."
    )

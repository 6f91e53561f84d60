"""The availability-conflict rule: which placed meetings a new availability puts in
conflict (the named person absent, or the whole team when nobody is named)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from matchmaker.availability import Booking, conflicting, new_conflicts, unavailable_codes
from matchmaker.todo import deadline_passed

SLOTS = {
    "d1-am": ("d1-am-01", "d1-am-02"),
    "d1-pm": ("d1-pm-01", "d1-pm-02"),
}
ORG, OTHER = 10, 20
ANH, BINH, CHI = 1, 2, 3  # ANH and BINH represent ORG, CHI represents OTHER
TEAM = {ORG: [ANH, BINH], OTHER: [CHI]}
PRESENT: dict[int, set[str]] = {ANH: set(), BINH: set(), CHI: set()}


def _away(**marks: tuple[list[str], list[str]]) -> dict[int, set[str]]:
    """Slot codes each person misses, from (available_sessions, unavailable_slots)."""
    ids = {"anh": ANH, "binh": BINH, "chi": CHI}
    out = dict(PRESENT)
    for name, (sessions, slots) in marks.items():
        out[ids[name]] = unavailable_codes(sessions, slots, SLOTS)
    return out


def test_conflicting_named_person_absent_in_the_slot() -> None:
    bookings = [Booking(7, ORG, "d1-am-02", ANH)]
    assert conflicting(bookings, _away(anh=([], ["d1-am-02"])), TEAM) == {7}


def test_conflicting_named_person_absent_elsewhere_is_no_conflict() -> None:
    bookings = [Booking(7, ORG, "d1-am-02", ANH)]
    assert conflicting(bookings, _away(anh=([], ["d1-am-01"])), TEAM) == set()


def test_conflicting_a_colleague_absent_is_no_conflict_for_a_named_person() -> None:
    bookings = [Booking(7, ORG, "d1-am-02", ANH)]
    assert conflicting(bookings, _away(binh=(["d1-pm"], [])), TEAM) == set()


def test_conflicting_skipping_the_whole_session_counts() -> None:
    bookings = [Booking(7, ORG, "d1-am-01", ANH), Booking(8, ORG, "d1-pm-01", ANH)]
    assert conflicting(bookings, _away(anh=(["d1-pm"], [])), TEAM) == {7}


def test_conflicting_nobody_named_needs_the_whole_team_absent() -> None:
    bookings = [Booking(7, ORG, "d1-am-01", None)]
    assert conflicting(bookings, _away(anh=(["d1-pm"], [])), TEAM) == set()
    both = _away(anh=(["d1-pm"], []), binh=([], ["d1-am-01"]))
    assert conflicting(bookings, both, TEAM) == {7}


def test_new_conflicts_leaves_out_those_already_in_conflict() -> None:
    bookings = [Booking(7, ORG, "d1-am-01", ANH), Booking(8, ORG, "d1-am-02", ANH)]
    before = _away(anh=([], ["d1-am-01"]))
    after = _away(anh=(["d1-pm"], []))  # now the whole morning
    assert new_conflicts(bookings, before, after, TEAM) == {8}


def test_new_conflicts_marking_present_again_adds_none() -> None:
    bookings = [Booking(7, ORG, "d1-am-01", ANH)]
    before = _away(anh=(["d1-pm"], []))
    assert new_conflicts(bookings, before, PRESENT, TEAM) == set()


def test_new_conflicts_only_the_changed_side_is_read() -> None:
    """The other organisation's representative is absent already: not a new conflict."""
    bookings = [Booking(7, ORG, "d1-am-01", ANH), Booking(7, OTHER, "d1-am-01", CHI)]
    before = _away(chi=(["d1-pm"], []))
    assert new_conflicts(bookings, before, before, TEAM) == set()


def test_deadline_passed_only_after_it() -> None:
    deadline = datetime(2023, 5, 17, 11, 0, tzinfo=UTC)
    assert not deadline_passed(deadline, deadline - timedelta(hours=6))
    assert not deadline_passed(deadline, deadline)
    assert deadline_passed(deadline, deadline + timedelta(seconds=1))
    assert not deadline_passed(None, deadline)


def test_deadline_passed_reads_a_stored_time_without_zone_as_utc() -> None:
    stored = datetime(2023, 5, 17, 11, 0)  # SQLite hands UTC back without a zone
    assert not deadline_passed(stored, datetime(2023, 5, 17, 10, 59, tzinfo=UTC))
    assert deadline_passed(stored, datetime(2023, 5, 17, 11, 1, tzinfo=UTC))

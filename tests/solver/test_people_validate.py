"""The checker's people rules, on hand-written solutions."""

from __future__ import annotations

import pytest

from solver import Assignment, Solution, Status, Unscheduled, validate
from tests.solver.conftest import make_instance

pytestmark = pytest.mark.unit

TEAM = {
    "id": "a",
    "people": [
        {"id": "r1", "max_per_day": 1},
        {"id": "r2", "unavailable": ["t1"], "max_consecutive": 1},
    ],
}
INSTANCE = make_instance(
    [("a", "b"), ("a", "c"), {"participants": ["a", "d"], "persons": {"a": "r2"}}],
    slots=3,
    tables=3,
    people=[TEAM],
)


def _solution(*assignments: tuple[str, str, str | None], unscheduled: str = "") -> Solution:
    return Solution(
        status=Status.FEASIBLE,
        unscheduled=[Unscheduled(meeting=unscheduled, reason="-")] if unscheduled else [],
        assignments=[
            Assignment(meeting=m, slot=s, table=f"T{i + 1}", persons={"a": p} if p else {})
            for i, (m, s, p) in enumerate(assignments)
        ],
    )


def test_valid_people_schedule_has_no_violations() -> None:
    sol = _solution(("m1", "t1", "r1"), ("m3", "t2", "r2"), unscheduled="m2")

    assert validate(INSTANCE, sol) == []


def test_per_person_consecutive_limit_is_reported() -> None:
    sol = _solution(("m1", "t1", "r1"), ("m2", "t2", "r2"), ("m3", "t3", "r2"))

    assert validate(INSTANCE, sol) == [
        "'r2' of 'a' has more than 1 consecutive meetings up to slot t3"
    ]


def test_person_in_two_meetings_at_once_is_reported() -> None:
    sol = _solution(("m1", "t2", "r2"), ("m3", "t2", "r2"), ("m2", "t1", "r1"))

    assert validate(INSTANCE, sol) == ["'r2' of 'a' is in 2 meetings in slot t2"]


def test_absent_unknown_missing_and_wrong_required_person_are_reported() -> None:
    sol = _solution(("m1", "t1", "r2"), ("m2", "t2", None), ("m3", "t3", "r1"))
    sol.assignments[0].persons["b"] = "x"

    assert validate(INSTANCE, sol) == [
        "meeting 'm1': persons names 'b', which is not one of its participants with people",
        "meeting 'm1': 'r2' of 'a' is unavailable in t1",
        "meeting 'm2': no person named for 'a'",
        "meeting 'm3': 'r2' must attend for 'a', not 'r1'",
    ]


def test_per_person_daily_limit_is_reported() -> None:
    sol = _solution(("m1", "t1", "r1"), ("m2", "t2", "r1"), ("m3", "t3", "r2"))

    assert validate(INSTANCE, sol) == ["'r1' of 'a' has 2 meetings on day 1 (max 1)"]

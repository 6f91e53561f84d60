"""People: a meeting that names a required person is attended by that person."""

from __future__ import annotations

import pytest

from solver import Status, validate
from tests.solver.conftest import make_instance, quick_solve, slots_of

pytestmark = pytest.mark.unit

TEAM = {"id": "a", "people": [{"id": "r1"}, {"id": "r2", "unavailable": ["t1"]}]}


def test_required_person_attends_and_only_when_present() -> None:
    inst = make_instance(
        [{"participants": ["a", "b"], "persons": {"a": "r2"}}], slots=2, people=[TEAM]
    )

    sol = quick_solve(inst)

    assert [(a.slot, a.persons) for a in sol.assignments] == [("t2", {"a": "r2"})]
    assert validate(inst, sol) == []


def test_two_meetings_requiring_one_person_take_different_slots() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"], "persons": {"a": "r1"}},
            {"participants": ["a", "c"], "persons": {"a": "r1"}},
        ],
        slots=2,
        people=[TEAM],
    )

    sol = quick_solve(inst)

    assert sorted(slots_of(sol).values()) == ["t1", "t2"]


def test_required_person_never_present_leaves_the_meeting_out_with_reason() -> None:
    team = {"id": "a", "people": [{"id": "r1"}, {"id": "r2", "unavailable": ["t1", "t2"]}]}
    inst = make_instance(
        [{"participants": ["a", "b"], "persons": {"a": "r2"}}], slots=2, people=[team]
    )

    sol = quick_solve(inst)

    assert [(u.code, u.params["person"]) for u in sol.unscheduled] == [
        ("required_person_away", "r2")
    ]


def test_required_person_clash_with_require_all_is_infeasible() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"], "persons": {"a": "r1"}},
            {"participants": ["a", "c"], "persons": {"a": "r1"}},
        ],
        slots=1,
        people=[TEAM],
        require_all=True,
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE


@pytest.mark.parametrize(
    ("persons", "message"),
    [
        ({"a": "r9"}, "meetings[0].persons.a: unknown person 'r9' of 'a'"),
        ({"b": "r1"}, "meetings[0].persons.b: participant 'b' has no people"),
        ({"c": "r1"}, "meetings[0].persons.c: 'c' is not a participant of this meeting"),
    ],
)
def test_bad_required_person_is_invalid_naming_the_field(
    persons: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        make_instance([{"participants": ["a", "b"], "persons": persons}, ("c", "d")], people=[TEAM])


def test_fixed_meeting_whose_required_person_is_away_then_is_left_out_with_reason() -> None:
    inst = make_instance(
        [{"participants": ["a", "b"], "persons": {"a": "r2"}, "fixed_slot": "t1"}],
        slots=2,
        people=[TEAM],
    )

    sol = quick_solve(inst)

    assert sol.status == Status.OPTIMAL
    assert [u.code for u in sol.unscheduled] == ["required_person_away"]


def test_two_fixed_meetings_requiring_one_person_at_once_are_infeasible() -> None:
    inst = make_instance(
        [
            {"participants": ["a", p], "persons": {"a": "r1"}, "fixed_slot": "t2"}
            for p in ("b", "c")
        ],
        slots=2,
        people=[TEAM],
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE

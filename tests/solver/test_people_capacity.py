"""People: a team holds as many meetings at once as it has people present, and every
one of its meetings names who attends."""

from __future__ import annotations

from collections import Counter

import pytest

from solver import Status, validate
from solver.lp import solve_weight
from solver.problem import build
from tests.solver.conftest import make_instance, quick_solve, slots_of

pytestmark = pytest.mark.unit


def _team(*people: dict[str, object]) -> dict[str, object]:
    return {"id": "a", "people": list(people)}


def test_team_of_two_holds_two_meetings_at_once() -> None:
    inst = make_instance(
        [("a", "b"), ("a", "c")], slots=1, people=[_team({"id": "r1"}, {"id": "r2"})]
    )

    sol = quick_solve(inst)

    assert sol.status == Status.OPTIMAL
    assert sorted(a.persons["a"] for a in sol.assignments) == ["r1", "r2"]
    assert validate(inst, sol) == []


def test_team_holds_only_as_many_meetings_as_people_present() -> None:
    team = _team({"id": "r1"}, {"id": "r2", "unavailable": ["t2", "t3"]})
    inst = make_instance([("a", "b"), ("a", "c"), ("a", "d"), ("a", "e")], slots=3, people=[team])

    sol = quick_solve(inst)

    per_slot = Counter(slots_of(sol).values())
    assert sol.objective is not None and sol.objective.scheduled == 4
    assert per_slot == {"t1": 2, "t2": 1, "t3": 1}
    assert all(a.persons["a"] == "r1" for a in sol.assignments if a.slot != "t1")


def test_team_with_nobody_present_is_unavailable() -> None:
    team = _team({"id": "r1", "unavailable": ["t1"]}, {"id": "r2", "unavailable": ["t1"]})
    inst = make_instance([("a", "b")], slots=2, people=[team])

    sol = quick_solve(inst)

    assert slots_of(sol) == {"m1": "t2"}


def test_more_meetings_than_people_present_with_require_all_is_infeasible() -> None:
    team = _team({"id": "r1"}, {"id": "r2", "unavailable": ["t2"]})
    inst = make_instance(
        [("a", "b"), ("a", "c"), ("a", "d"), ("a", "e")], slots=2, people=[team], require_all=True
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE


def test_team_of_one_names_its_person() -> None:
    inst = make_instance([("a", "b")], slots=2, people=[_team({"id": "r1", "unavailable": ["t1"]})])

    sol = quick_solve(inst)

    assert [(a.slot, a.persons) for a in sol.assignments] == [("t2", {"a": "r1"})]


def test_participant_without_people_gets_no_persons() -> None:
    inst = make_instance([("a", "b")], slots=1)

    sol = quick_solve(inst)

    assert [a.persons for a in sol.assignments] == [{}]


def test_weight_lp_bound_counts_people_present() -> None:
    team = _team({"id": "r1"}, {"id": "r2", "unavailable": ["t2"]})
    inst = make_instance([("a", "b"), ("a", "c"), ("a", "d"), ("a", "e")], slots=2, people=[team])
    pr = build(inst)

    result = solve_weight(pr, [True] * pr.n_meetings, time_limit=5)

    assert result is not None
    assert result.bound == 3
    assert sum(t is not None for t in result.slots) == 3


def test_fixed_meetings_beyond_people_present_are_infeasible() -> None:
    team = _team({"id": "r1"}, {"id": "r2", "unavailable": ["t1"]})
    fixed = [{"participants": ["a", p], "fixed_slot": "t1"} for p in ("b", "c")]
    inst = make_instance(fixed, slots=2, people=[team])

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE

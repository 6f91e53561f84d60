"""People: per-day and consecutive limits hold for each person."""

from __future__ import annotations

import pytest

from solver import Solution, Status, validate
from tests.solver.conftest import make_instance, quick_solve

pytestmark = pytest.mark.unit

FOUR = [("a", "b"), ("a", "c"), ("a", "d"), ("a", "e")]


def _team(*people: dict[str, object]) -> dict[str, object]:
    return {"id": "a", "people": list(people)}


def _attended(sol: Solution, person: str) -> list[str]:
    return sorted(a.slot for a in sol.assignments if a.persons.get("a") == person)


def test_per_person_daily_limit_spreads_meetings_over_people() -> None:
    team = _team({"id": "r1", "max_per_day": 1}, {"id": "r2", "max_per_day": 2})
    inst = make_instance(FOUR, slots=4, people=[team])

    sol = quick_solve(inst)

    assert sol.objective is not None and sol.objective.scheduled == 3
    assert (len(_attended(sol, "r1")), len(_attended(sol, "r2"))) == (1, 2)
    assert validate(inst, sol) == []


def test_per_person_consecutive_limit_holds() -> None:
    team = _team(
        {"id": "r1", "max_consecutive": 1}, {"id": "r2", "unavailable": ["t1", "t2", "t3"]}
    )
    inst = make_instance(FOUR[:3], slots=3, people=[team])

    sol = quick_solve(inst)

    assert _attended(sol, "r1") == ["t1", "t3"]
    assert validate(inst, sol) == []


def test_per_person_limits_with_require_all_too_tight_is_infeasible() -> None:
    team = _team({"id": "r1", "max_per_day": 1}, {"id": "r2", "max_per_day": 1})
    inst = make_instance(FOUR[:3], slots=3, people=[team], require_all=True)

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE


def test_limits_of_a_team_of_one_are_its_own() -> None:
    inst = make_instance(FOUR[:3], slots=3, people=[_team({"id": "r1", "max_per_day": 2})])

    sol = quick_solve(inst)

    assert sol.objective is not None and sol.objective.scheduled == 2

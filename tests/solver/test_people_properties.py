"""Hypothesis properties over small random events with teams: nobody is ever in two
meetings at once, and every schedule the solver (or greedy) returns validates."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import Assignment, Instance, Solution, Status, Unscheduled, people, validate
from solver.greedy import compact
from solver.lp import solve_weight
from solver.problem import Problem, build
from tests.solver.conftest import quick_solve

pytestmark = pytest.mark.unit

PARTICIPANTS = ["a", "b", "c", "d"]


@st.composite
def team_events(draw: st.DrawFn, hard: bool = True) -> dict[str, Any]:
    """With ``hard``, also fixed slots and ``require_all``, which greedy does not promise."""
    n_slots = draw(st.integers(2, 4))
    slots = [
        {"id": f"t{i}", "session": "am" if i < 2 else "pm", "day": 1 + i // 3}
        for i in range(n_slots)
    ]
    slot_ids = [s["id"] for s in slots]
    participants = []
    for p in PARTICIPANTS:
        part: dict[str, Any] = {"id": p}
        if draw(st.booleans()):
            part["people"] = [
                {
                    "id": f"{p}{r}",
                    "unavailable": draw(st.lists(st.sampled_from(slot_ids), unique=True)),
                    "max_per_day": draw(st.none() | st.integers(0, 2)),
                    "max_consecutive": draw(st.none() | st.integers(1, 2)),
                }
                for r in range(draw(st.integers(1, 3)))
            ]
        participants.append(part)
    teams = {p["id"]: [q["id"] for q in p["people"]] for p in participants if "people" in p}
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(PARTICIPANTS), st.sampled_from(PARTICIPANTS)).filter(
                lambda pair: pair[0] != pair[1]
            ),
            min_size=1,
            max_size=8,
        )
    )
    meetings = []
    for i, (a, b) in enumerate(pairs):
        persons = {}
        if a in teams and draw(st.booleans()):
            persons[a] = draw(st.sampled_from(teams[a]))
        fixed = draw(st.none() | st.sampled_from(slot_ids)) if hard else None
        meetings.append(
            {"id": f"m{i}", "participants": [a, b], "persons": persons, "fixed_slot": fixed}
        )
    return {
        "slots": slots,
        "tables": [{"id": f"T{i}"} for i in range(draw(st.integers(1, 4)))],
        "participants": participants,
        "meetings": meetings,
        "options": {"require_all": hard and draw(st.booleans())},
    }


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _double_booked(sol: Solution) -> list[tuple[str, str, str]]:
    seats = Counter((p, who, a.slot) for a in sol.assignments for p, who in a.persons.items())
    return [seat for seat, n in seats.items() if n > 1]


@SETTINGS
@given(team_events())
def test_solver_never_puts_a_person_in_two_meetings_at_once(data: dict[str, Any]) -> None:
    inst = Instance.model_validate(data)

    sol = quick_solve(inst)

    assert sol.status in (Status.OPTIMAL, Status.INFEASIBLE)
    assert _double_booked(sol) == []
    assert not sol.has_schedule or validate(inst, sol) == []


@SETTINGS
@given(team_events(hard=False))
def test_greedy_schedule_with_its_persons_validates(data: dict[str, Any]) -> None:
    inst = Instance.model_validate(data)
    pr = build(inst)

    slots = compact(pr)

    assert validate(inst, _with_persons(pr, slots)) == []


@SETTINGS
@given(team_events(hard=False))
def test_weight_lp_schedule_with_its_persons_validates(data: dict[str, Any]) -> None:
    inst = Instance.model_validate(data)
    pr = build(inst)

    result = solve_weight(pr, [bool(d) for d in pr.domain], time_limit=5)

    assert result is not None
    assert validate(inst, _with_persons(pr, result.slots)) == []


def _with_persons(pr: Problem, slots: list[int | None]) -> Solution:
    """A solution of ``slots`` with the persons ``solver.people`` names and any free table."""
    slot_of = {m: t for m, t in enumerate(slots) if t is not None}
    persons = people.assign(pr, slot_of)
    return Solution(
        status=Status.FEASIBLE,
        assignments=[
            Assignment(
                meeting=pr.meeting_ids[m],
                slot=pr.slot_ids[t],
                table=f"T{sorted(u for u in slot_of if slot_of[u] == t).index(m)}",
                persons=persons.get(m, {}),
            )
            for m, t in slot_of.items()
        ],
        unscheduled=[
            Unscheduled(meeting=pr.meeting_ids[m], reason="-")
            for m in range(pr.n_meetings)
            if m not in slot_of
        ],
    )

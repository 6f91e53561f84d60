"""Hypothesis properties over small random events."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import Instance, Status, validate
from tests.solver.conftest import quick_solve, slots_of

pytestmark = pytest.mark.unit

PEOPLE = ["a", "b", "c", "d", "e"]


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    n_slots = draw(st.integers(2, 4))
    slots = [
        {"id": f"t{i}", "session": "am" if i < (n_slots + 1) // 2 else "pm", "day": 1}
        for i in range(n_slots)
    ]
    slot_ids = [s["id"] for s in slots]
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(PEOPLE), st.sampled_from(PEOPLE)).filter(
                lambda p: p[0] != p[1]
            ),
            min_size=1,
            max_size=7,
        )
    )
    meetings = []
    for i, (a, b) in enumerate(pairs):
        meetings.append(
            {
                "id": f"m{i}",
                "participants": [a, b],
                "weight": draw(st.integers(1, 3)),
                "allowed_slots": draw(
                    st.none() | st.lists(st.sampled_from(slot_ids), min_size=1, unique=True)
                ),
            }
        )
    people = [
        {
            "id": p,
            "capacity": draw(st.integers(1, 2)),
            "unavailable": draw(st.lists(st.sampled_from(slot_ids), max_size=1, unique=True)),
        }
        for p in PEOPLE
    ]
    return {
        "slots": slots,
        "tables": [{"id": f"T{i}"} for i in range(draw(st.integers(1, 3)))],
        "participants": people,
        "meetings": meetings,
    }


SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(events())
def test_any_returned_schedule_validates(data: dict[str, Any]) -> None:
    inst = Instance.model_validate(data)

    sol = quick_solve(inst)

    assert sol.status == Status.OPTIMAL
    assert validate(inst, sol) == []


@SETTINGS
@given(events())
def test_adding_a_table_never_lowers_scheduled_weight(data: dict[str, Any]) -> None:
    before = quick_solve(Instance.model_validate(data))
    data["tables"].append({"id": "extra"})

    after = quick_solve(Instance.model_validate(data))

    assert before.objective is not None and after.objective is not None
    assert after.objective.scheduled_weight >= before.objective.scheduled_weight


@SETTINGS
@given(events(), st.data())
def test_fixed_meetings_stay(data: dict[str, Any], draw: st.DataObject) -> None:
    first = quick_solve(Instance.model_validate(data))
    placed = slots_of(first)
    if not placed:
        return
    meeting = draw.draw(st.sampled_from(sorted(placed)))
    for m in data["meetings"]:
        if m["id"] == meeting:
            m["fixed_slot"] = placed[meeting]

    again = quick_solve(Instance.model_validate(data))

    assert slots_of(again)[meeting] == placed[meeting]

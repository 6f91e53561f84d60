"""The local search for fewer breaks (solver.compaction): it keeps every rule and the
same meetings, never adds a break, and closes a gap a single move or swap can close."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given

from solver import Instance, validate
from solver.compaction import fewer_breaks
from solver.greedy import first_fit
from solver.problem import build
from solver.validate import break_counts
from tests.solver.test_people_properties import SETTINGS, _with_persons, team_events

pytestmark = pytest.mark.unit


def _breaks(pr: Any, slots: list[int | None]) -> int:
    return sum(break_counts(pr, {m: t for m, t in enumerate(slots) if t is not None}))


@SETTINGS
@given(team_events(hard=False))
def test_compaction_keeps_the_rules_and_the_meetings_and_never_adds_a_break(
    data: dict[str, Any],
) -> None:
    inst = Instance.model_validate(data)
    pr = build(inst)
    start = first_fit(pr)

    moved = fewer_breaks(pr, start, time.monotonic() + 5)

    assert validate(inst, _with_persons(pr, moved)) == []
    assert [t is None for t in moved] == [t is None for t in start]
    assert _breaks(pr, moved) <= _breaks(pr, start)


def _event(meetings: list[tuple[str, str]], fixed: dict[int, str] | None = None) -> Instance:
    fixed = fixed or {}
    return Instance.model_validate(
        {
            "slots": [{"id": f"t{i}", "session": "am", "day": 1} for i in range(4)],
            "tables": [{"id": "T0"}, {"id": "T1"}],
            "participants": [{"id": p} for p in "abcd"],
            "meetings": [
                {"id": f"m{i}", "participants": [a, b], "fixed_slot": fixed.get(i)}
                for i, (a, b) in enumerate(meetings)
            ],
        }
    )


def test_a_meeting_moves_into_its_participants_gap() -> None:
    # a meets b at t0 and c at t2: one break for a, closed by moving a-c to t1
    inst = _event([("a", "b"), ("a", "c")])
    pr = build(inst)
    start = [0, 2]
    assert _breaks(pr, start) == 1

    moved = fewer_breaks(pr, start, time.monotonic() + 5)

    assert _breaks(pr, moved) == 0
    assert validate(inst, _with_persons(pr, moved)) == []


def test_a_fixed_meeting_stays_where_it_is() -> None:
    inst = _event([("a", "b"), ("a", "c")], fixed={0: "t0", 1: "t2"})
    pr = build(inst)

    assert fewer_breaks(pr, [0, 2], time.monotonic() + 5) == [0, 2]


def test_a_swap_closes_a_gap_no_single_move_can() -> None:
    # a: t0 (with b, fixed) and t2 (with c); c is busy with d at t1, so a-c cannot move
    # there (and moving c-d alone gains nothing), but a-c and c-d can trade slots: a then
    # meets at t0 and t1, c at t1 and t2, and nobody is left with a gap
    inst = _event([("a", "b"), ("a", "c"), ("c", "d")], fixed={0: "t0"})
    pr = build(inst)
    start = [0, 2, 1]
    assert _breaks(pr, start) == 1

    moved = fewer_breaks(pr, start, time.monotonic() + 5)

    assert _breaks(pr, moved) == 0
    assert validate(inst, _with_persons(pr, moved)) == []

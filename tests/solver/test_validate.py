"""The solver-independent checker and the objective it recomputes."""

from __future__ import annotations

import pytest

from solver import Assignment, Solution, Status, Unscheduled, validate
from solver.problem import build
from solver.validate import break_counts, recompute
from tests.solver.conftest import make_instance

pytestmark = pytest.mark.unit


def _solution(*assignments: tuple[str, str, str], unscheduled: tuple[str, ...] = ()) -> Solution:
    return Solution(
        status=Status.FEASIBLE,
        assignments=[Assignment(meeting=m, slot=s, table=t) for m, s, t in assignments],
        unscheduled=[Unscheduled(meeting=m, reason="-") for m in unscheduled],
    )


def test_valid_schedule_has_no_violations() -> None:
    inst = make_instance([("a", "b"), ("a", "c")])

    assert validate(inst, _solution(("m1", "t1", "T1"), ("m2", "t2", "T1"))) == []


def test_double_booking_is_reported() -> None:
    inst = make_instance([("a", "b"), ("a", "c")])

    errors = validate(inst, _solution(("m1", "t1", "T1"), ("m2", "t1", "T2")))

    assert errors == ["'a' has 2 meetings in slot t1 (capacity 1)"]


def test_same_table_twice_in_a_slot_is_reported() -> None:
    inst = make_instance([("a", "b"), ("c", "d")])

    errors = validate(inst, _solution(("m1", "t1", "T1"), ("m2", "t1", "T1")))

    assert errors == ["table T1 holds 2 meetings in slot t1"]


def test_missing_meeting_and_require_all_are_reported() -> None:
    inst = make_instance([("a", "b"), ("c", "d")], require_all=True)

    errors = validate(inst, _solution(("m1", "t1", "T1")))

    assert errors == [
        "meeting 'm2' neither scheduled nor listed as unscheduled",
        "meeting 'm2' not scheduled but all are required",
    ]


def test_precedence_violation_is_reported() -> None:
    inst = make_instance([{"participants": ["a", "b"], "after": ["m2"]}, ("c", "d")])

    errors = validate(inst, _solution(("m1", "t1", "T1"), ("m2", "t1", "T2")))

    assert errors == ["meeting 'm2' must come before 'm1'"]


def test_host_meeting_away_from_home_table_is_reported() -> None:
    inst = make_instance([("h", "a")], tables=[{"id": "H", "host": "h"}, {"id": "T"}])

    errors = validate(inst, _solution(("m1", "t1", "T")))

    assert errors == ["meeting 'm1': at table T, not at a home table of h"]


def test_breaks_count_idle_runs_between_meetings_inside_a_session() -> None:
    slots = [{"id": f"{s}{k}", "session": s, "day": 1} for s in ("am", "pm") for k in (1, 2, 3)]
    inst = make_instance([("a", "b"), ("a", "c"), ("a", "d"), ("a", "e")], slots=slots, tables=1)
    pr = build(inst)
    # a meets at am1, am3 (one break), pm1 (new session: no break), pm3 (one break)
    slot_of = {0: 0, 1: 2, 2: 3, 3: 5}

    counts = break_counts(pr, slot_of)

    assert counts[pr.person_index["a"]] == 2
    assert recompute(pr, slot_of).breaks == 2


def test_min_share_is_the_worst_participants_fraction() -> None:
    inst = make_instance([("a", "b"), ("a", "c")])
    pr = build(inst)

    objective = recompute(pr, {0: 0})

    assert objective.min_share == 0.0
    assert objective.scheduled == 1

"""Fairness after weight: nobody left at zero whom a schedule of the same weight gives a
meeting, the worst-off share raised, its bound, and the ``min_meetings`` floor."""

from __future__ import annotations

import time

import pytest

from solver import Solution, Status, solve, validate
from solver.neighbourhood import raise_worst_off
from solver.problem import build
from solver.runner import Runner
from solver.solution import Assignment, Unscheduled
from solver.validate import recompute, zero_meeting
from tests.solver.conftest import make_instance, quick_solve, slots_of
from tooling import synthetic

pytestmark = pytest.mark.unit


def _one_host_slot(meetings: list[object], slots: int = 2, **options: object):  # type: ignore[no-untyped-def]
    """Host ``h`` is there in slot t1 only, so only one of its meetings takes place."""
    return make_instance(
        meetings,  # type: ignore[arg-type]
        slots=slots,
        people=[{"id": "h", "unavailable": [f"t{i}" for i in range(2, slots + 1)]}],
        **options,
    )


def test_coverage_prefers_the_schedule_that_leaves_nobody_at_zero() -> None:
    # both {a-h, a-g} and {b-h, a-g} have weight 2; only the second gives b a meeting
    inst = _one_host_slot([("a", "h"), ("a", "g"), ("b", "h")])

    sol = quick_solve(inst)

    assert sol.status == Status.OPTIMAL
    assert set(slots_of(sol)) == {"m2", "m3"}
    assert sol.objective is not None
    assert sol.objective.scheduled_weight == 2
    assert sol.objective.zero_meeting == 0


def test_worst_off_share_is_raised_at_the_same_weight() -> None:
    # h has 3 slots for 4 meetings, c and d have only h: h meets c, d and a (a 2/2,
    # b 2/3) or b (a 1/2, b 3/3); the first is fairer at the same weight
    inst = make_instance(
        [("a", "h"), ("a", "g"), ("b", "h"), ("b", "k"), ("b", "l"), ("c", "h"), ("d", "h")],
        slots=3,
        tables=4,
    )

    sol = quick_solve(inst)

    assert sol.objective is not None
    assert sol.objective.scheduled_weight == 6
    assert sol.objective.zero_meeting == 0
    assert "m1" in slots_of(sol)
    assert sol.objective.min_share == pytest.approx(2 / 3, abs=1e-6)
    assert sol.bound.min_share is not None
    assert sol.bound.min_share >= sol.objective.min_share


def test_weight_still_ranks_above_coverage() -> None:
    # one slot: a-h (weight 3) alone beats b-h + a-g (weight 2), leaving b and g at zero
    inst = make_instance(
        [{"participants": ["a", "h"], "weight": 3}, ("b", "h"), ("a", "g")], slots=1
    )

    sol = quick_solve(inst)

    assert slots_of(sol) == {"m1": "t1"}
    assert sol.objective is not None
    assert sol.objective.zero_meeting == 2
    assert sol.bound.zero_meeting == 2  # proved: every schedule of weight 3 leaves two out
    assert sol.bound.min_share == 0.0


def test_min_meetings_floor_ranks_above_weight() -> None:
    inst = make_instance(
        [{"participants": ["a", "h"], "weight": 3}, ("b", "h"), ("a", "g")],
        slots=1,
        min_meetings=1,
    )

    sol = quick_solve(inst)

    assert sol.status == Status.OPTIMAL
    assert set(slots_of(sol)) == {"m2", "m3"}
    assert sol.objective is not None
    assert sol.objective.scheduled_weight == 2
    assert sol.objective.floor == 4
    assert sol.objective.zero_meeting == 0
    assert validate(inst, sol) == []


def test_min_meetings_floor_is_capped_by_what_a_participant_can_get() -> None:
    # b has one meeting: its floor is 1 although N = 2; a gets both of its meetings
    inst = make_instance([("a", "b"), ("a", "c")], slots=2, min_meetings=2)

    sol = quick_solve(inst)

    assert sol.objective is not None
    assert sol.objective.scheduled == 2
    assert sol.objective.floor == 4


def test_zero_meeting_counts_only_participants_with_a_common_free_slot() -> None:
    inst = make_instance(
        [("a", "b"), ("c", "d"), ("e", "f")],
        slots=2,
        people=[{"id": "e", "unavailable": ["t1"]}, {"id": "f", "unavailable": ["t2"]}],
    )
    # a-b scheduled; c-d could have been; e and f are never free together
    sol = Solution(
        status=Status.FEASIBLE,
        assignments=[Assignment(meeting="m1", slot="t1", table="T1")],
        unscheduled=[
            Unscheduled(meeting="m2", reason="left out"),
            Unscheduled(meeting="m3", reason="never together"),
        ],
    )

    assert zero_meeting(inst, {"m1"}) == ["c", "d"]
    assert recompute(build(inst), {0: 0}).zero_meeting == 2
    assert validate(inst, sol) == []


def test_large_event_path_gives_the_zero_participant_a_meeting() -> None:
    # the neighbourhood search that events above FAIRNESS_CP_MAX meetings use
    inst = _one_host_slot([("a", "h"), ("a", "g"), ("b", "h")])
    pr = build(inst)
    runner = Runner(pr, time.monotonic(), 10, 1, 1, True, None, None)
    runner.local_phase = raise_worst_off
    unfair: list[int | None] = [0, 1, None]  # a-h at t1, a-g at t2: b at zero

    got = runner.run_phases(unfair, ["coverage"], [("weight", 2)], with_breaks=False)

    assert got[2] == 0 and got[0] is None
    assert recompute(pr, {m: t for m, t in enumerate(got) if t is not None}).zero_meeting == 0
    assert runner.bound.min_share is not None and runner.bound.min_share >= 0.5


def test_synthetic_event_share_bound_is_at_least_the_share_reached() -> None:
    inst = synthetic.event(participants=40, meetings=120, tables=4, days=1, per_session=5, seed=3)

    sol = solve(inst, time_limit=4, workers=2)

    assert sol.objective is not None and sol.bound.min_share is not None
    assert sol.bound.min_share >= sol.objective.min_share
    scheduled = {a.meeting for a in sol.assignments}
    assert sol.objective.zero_meeting == len(zero_meeting(inst, scheduled))


def test_every_meeting_scheduled_has_share_bound_one_and_nobody_at_zero() -> None:
    inst = make_instance([("a", "b"), ("a", "c")], slots=2, require_all=True)

    sol = quick_solve(inst)

    assert sol.objective is not None
    assert (sol.objective.min_share, sol.objective.zero_meeting) == (1.0, 0)
    assert (sol.bound.min_share, sol.bound.zero_meeting) == (1.0, 0)


def test_large_event_path_raises_the_worst_off_share() -> None:
    inst = make_instance(
        [("a", "h"), ("a", "g"), ("b", "h"), ("b", "k"), ("b", "l"), ("c", "h"), ("d", "h")],
        slots=3,
        tables=4,
    )
    pr = build(inst)
    runner = Runner(pr, time.monotonic(), 10, 1, 1, True, None, None)
    runner.local_phase = raise_worst_off
    # h meets b, c, d: a has 1 of 2 meetings; the fair one has h meet a instead of b
    start: list[int | None] = [None, 1, 0, 1, 2, 1, 2]

    got = runner.run_phases(start, ["coverage", "fairness"], [("weight", 6)], with_breaks=False)

    objective = recompute(pr, {m: t for m, t in enumerate(got) if t is not None})
    assert objective.scheduled_weight == 6
    assert objective.min_share == pytest.approx(2 / 3, abs=1e-6)


def test_large_event_path_lifts_everyone_to_the_floor_before_weight() -> None:
    inst = make_instance(
        [{"participants": ["a", "h"], "weight": 3}, ("b", "h"), ("a", "g")],
        slots=1,
        min_meetings=1,
    )
    pr = build(inst)
    runner = Runner(pr, time.monotonic(), 10, 1, 1, True, None, None)
    runner.local_phase = raise_worst_off

    got = runner.run_phases([0, None, None], ["floor", "weight"], with_breaks=False)

    assert got == [None, 0, 0]


def test_zero_meeting_reads_people_presence_and_required_persons() -> None:
    team = {
        "id": "a",
        "people": [
            {"id": "r1", "unavailable": ["t2"]},
            {"id": "r2", "unavailable": ["t1", "t2"]},
        ],
    }
    inst = make_instance(
        [
            ("a", "b"),  # only r1 is there, in t1, when b is away: never together
            {"participants": ["a", "c"], "persons": {"a": "r2"}},  # r2 is never there
            {"participants": ["a", "d"], "persons": {"a": "r1"}},  # r1 and d in t1
        ],
        slots=2,
        people=[team, {"id": "b", "unavailable": ["t1"]}],
    )

    assert zero_meeting(inst, set()) == ["a", "d"]

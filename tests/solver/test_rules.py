"""Each hard rule on a tiny instance, once satisfiable and once not."""

from __future__ import annotations

import pytest

from solver import Status, validate
from tests.solver.conftest import make_instance, quick_solve, slots_of

pytestmark = pytest.mark.unit


def test_meetings_of_one_participant_get_distinct_slots() -> None:
    inst = make_instance([("a", "b"), ("a", "c"), ("a", "d")], slots=3)

    sol = quick_solve(inst)

    assert sol.status == Status.OPTIMAL
    assert sorted(slots_of(sol).values()) == ["t1", "t2", "t3"]


def test_more_meetings_than_slots_with_require_all_is_infeasible_with_reason() -> None:
    inst = make_instance([("a", "b"), ("a", "c"), ("a", "d")], slots=2, require_all=True)

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE
    assert [(r.code, r.params["participant"]) for r in sol.diagnosis] == [
        ("too_many_meetings", "a")
    ]


def test_more_meetings_than_slots_leaves_one_unscheduled_with_reason() -> None:
    inst = make_instance([("a", "b"), ("a", "c"), ("a", "d")], slots=2)

    sol = quick_solve(inst)

    assert sol.status == Status.OPTIMAL
    assert sol.objective is not None and sol.objective.scheduled == 2
    assert len(sol.unscheduled) == 1
    assert sol.unscheduled[0].code == "participant_booked"
    assert sol.unscheduled[0].params["booked"] == [2, 0]


def test_capacity_two_lets_a_participant_meet_twice_at_once() -> None:
    inst = make_instance(
        [("a", "b"), ("a", "c")], slots=1, people=[{"id": "a", "capacity": 2}], require_all=True
    )

    sol = quick_solve(inst)

    assert sol.status == Status.OPTIMAL
    assert slots_of(sol) == {"m1": "t1", "m2": "t1"}


def test_unavailable_slots_are_avoided() -> None:
    inst = make_instance([("a", "b")], slots=3, people=[{"id": "a", "unavailable": ["t1", "t2"]}])

    sol = quick_solve(inst)

    assert slots_of(sol) == {"m1": "t3"}


def test_never_both_available_is_infeasible_when_required() -> None:
    inst = make_instance(
        [("a", "b")],
        slots=2,
        people=[{"id": "a", "unavailable": ["t1"]}, {"id": "b", "unavailable": ["t2"]}],
        require_all=True,
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE
    assert [(r.code, r.params["meeting"]) for r in sol.diagnosis] == [("no_common_slot", "m1")]


def test_tables_limit_meetings_per_slot() -> None:
    inst = make_instance([("a", "b"), ("c", "d"), ("e", "f")], slots=2, tables=1)

    sol = quick_solve(inst)

    assert sol.objective is not None and sol.objective.scheduled == 2
    assert sorted(slots_of(sol).values()) == ["t1", "t2"]
    assert (sol.unscheduled[0].code, sol.unscheduled[0].params["tables_full"]) == ("tables_full", 2)


def test_too_few_tables_with_require_all_is_infeasible() -> None:
    inst = make_instance([("a", "b"), ("c", "d"), ("e", "f")], slots=1, tables=2, require_all=True)

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE


def test_home_table_hosts_all_its_hosts_meetings_and_nobody_else() -> None:
    inst = make_instance(
        [("h", "a"), ("h", "b"), ("c", "d")],
        slots=2,
        tables=[{"id": "home", "host": "h"}, {"id": "T2"}],
        require_all=True,
    )

    sol = quick_solve(inst)

    tables = {a.meeting: a.table for a in sol.assignments}
    assert sol.status == Status.OPTIMAL
    assert tables == {"m1": "home", "m2": "home", "m3": "T2"}


def test_home_table_caps_its_host_at_one_meeting_per_slot_even_with_representatives() -> None:
    inst = make_instance(
        [("h", "a"), ("h", "b")],
        slots=1,
        tables=[{"id": "home", "host": "h"}, {"id": "T2"}],
        people=[{"id": "h", "capacity": 2}],
        require_all=True,
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE


def test_max_per_day_holds() -> None:
    slots = [{"id": f"d{d}-{k}", "session": f"d{d}", "day": d} for d in (1, 2) for k in (1, 2)]
    inst = make_instance(
        [("a", "b"), ("a", "c"), ("a", "d")],
        slots=slots,
        people=[{"id": "a", "max_per_day": 1}],
    )

    sol = quick_solve(inst)

    days = sorted(s[:2] for s in slots_of(sol).values())
    assert days == ["d1", "d2"]


def test_max_per_day_with_require_all_is_infeasible() -> None:
    inst = make_instance(
        [("a", "b"), ("a", "c")], slots=3, people=[{"id": "a", "max_per_day": 1}], require_all=True
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE


def test_max_consecutive_leaves_a_gap() -> None:
    inst = make_instance(
        [("a", "b"), ("a", "c"), ("a", "d")],
        slots=4,
        people=[{"id": "a", "max_consecutive": 2}],
        require_all=True,
    )

    sol = quick_solve(inst)

    assert sol.status == Status.OPTIMAL
    assert sorted(slots_of(sol).values()) in (["t1", "t2", "t4"], ["t1", "t3", "t4"])


def test_max_consecutive_with_require_all_is_infeasible_when_no_gap_fits() -> None:
    inst = make_instance(
        [("a", "b"), ("a", "c"), ("a", "d")],
        slots=3,
        people=[{"id": "a", "max_consecutive": 2}],
        require_all=True,
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE


def test_allowed_slots_are_respected() -> None:
    inst = make_instance([{"participants": ["a", "b"], "allowed_slots": ["t3"]}], slots=3)

    sol = quick_solve(inst)

    assert slots_of(sol) == {"m1": "t3"}


def test_fixed_slot_is_kept() -> None:
    inst = make_instance([{"participants": ["a", "b"], "fixed_slot": "t2"}], slots=3)

    sol = quick_solve(inst)

    assert slots_of(sol) == {"m1": "t2"}


def test_fixed_meeting_in_unavailable_slot_is_infeasible_with_reason() -> None:
    inst = make_instance(
        [{"participants": ["a", "b"], "fixed_slot": "t2"}],
        slots=3,
        people=[{"id": "b", "unavailable": ["t2"]}],
        require_all=True,
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE
    assert [(r.code, r.params["unavailable"]) for r in sol.diagnosis] == [
        ("fixed_unavailable", ["b"])
    ]


def test_two_fixed_meetings_of_one_person_in_one_slot_are_infeasible() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"], "fixed_slot": "t1"},
            {"participants": ["a", "c"], "fixed_slot": "t1"},
        ]
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE
    assert [(r.code, r.params["participant"]) for r in sol.diagnosis] == [("fixed_conflict", "a")]


def test_precedence_orders_meetings() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"], "after": ["m2"]},
            {"participants": ["c", "d"]},
        ],
        slots=2,
        require_all=True,
    )

    sol = quick_solve(inst)

    assert slots_of(sol) == {"m1": "t2", "m2": "t1"}


def test_precedence_cycle_is_infeasible_with_reason() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"], "after": ["m2"]},
            {"participants": ["c", "d"], "after": ["m1"]},
        ],
        slots=3,
        require_all=True,
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE
    assert sol.diagnosis[0].code == "precedence_cycle"


def test_keep_previous_keeps_published_slot() -> None:
    inst = make_instance(
        [{"participants": ["a", "b"], "previous_slot": "t3", "previous_table": "T2"}],
        slots=3,
        keep_previous=True,
    )

    sol = quick_solve(inst)

    assert [(a.slot, a.table) for a in sol.assignments] == [("t3", "T2")]


def test_moves_are_counted_and_minimised_when_moving_is_allowed() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"], "previous_slot": "t1"},
            {"participants": ["a", "c"], "previous_slot": "t1"},
        ],
        slots=2,
        keep_previous=False,
    )

    sol = quick_solve(inst)

    assert sol.objective is not None
    assert sol.objective.scheduled == 2
    assert sol.objective.moved == 1


def test_breaks_are_minimised_within_a_session() -> None:
    inst = make_instance([("a", "b"), ("a", "c")], slots=5, tables=1, require_all=True)

    sol = quick_solve(inst)

    slots = sorted(int(s[1:]) for s in slots_of(sol).values())
    assert sol.status == Status.OPTIMAL
    assert sol.objective is not None and sol.objective.breaks == 0
    assert slots[1] - slots[0] == 1


def test_weight_decides_which_meeting_is_left_out() -> None:
    inst = make_instance(
        [{"participants": ["a", "b"], "weight": 1}, {"participants": ["a", "c"], "weight": 3}],
        slots=1,
    )

    sol = quick_solve(inst)

    assert slots_of(sol) == {"m2": "t1"}
    assert sol.bound.scheduled_weight == 3


def test_fairness_gives_everyone_a_share() -> None:
    # one table, two slots: a and b asked twice, c and d once; both choices weigh 2
    inst = make_instance([("a", "b"), ("a", "b"), ("c", "d")], slots=2, tables=1)

    sol = quick_solve(inst)

    assert sol.objective is not None
    assert sol.objective.scheduled == 2
    assert sol.objective.min_share == 0.5
    assert "m3" in slots_of(sol)


def test_fairness_max_diff_bounds_break_spread() -> None:
    # without the bound, a would take a break; with d = 0 nobody may
    inst = make_instance(
        [("a", "b"), ("a", "c")],
        slots=3,
        people=[{"id": "a", "unavailable": ["t2"]}],
        require_all=True,
        fairness_max_diff=0,
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE


def test_fairness_max_diff_can_cost_breaks() -> None:
    # a and b must break (a is away in t2); with d = 0, c and d must break as well,
    # although without the bound they would meet back to back
    inst = make_instance(
        [("a", "b"), ("a", "b"), ("c", "d"), ("c", "d")],
        slots=3,
        people=[{"id": "a", "unavailable": ["t2"]}],
        require_all=True,
        fairness_max_diff=0,
    )

    sol = quick_solve(inst)

    assert sol.status == Status.OPTIMAL
    assert sol.objective is not None
    assert sol.objective.breaks == 4
    assert sol.bound.breaks == 4
    assert validate(inst, sol) == []


def test_every_solution_validates() -> None:
    inst = make_instance([("a", "b"), ("b", "c"), ("c", "a"), ("a", "d")], slots=3)

    sol = quick_solve(inst)

    assert validate(inst, sol) == []


def test_fixed_meetings_beyond_a_daily_limit_are_infeasible_not_a_broken_schedule() -> None:
    inst = make_instance(
        [{"participants": ["a", p], "fixed_slot": t} for p, t in (("b", "t1"), ("c", "t2"))],
        slots=2,
        people=[{"id": "a", "max_per_day": 1}],
    )

    sol = quick_solve(inst)

    assert sol.status == Status.INFEASIBLE

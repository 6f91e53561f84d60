"""Every reason code on a tiny instance: the code and its parameters (ids and counts),
which is what an application renders; the English text is for the command line."""

from __future__ import annotations

from typing import Any

import pytest

from solver import Solution, Status, solve
from solver.api import solve_data
from solver.solution import Reason
from tests.solver.conftest import make_instance, quick_solve

pytestmark = pytest.mark.unit


def _only_unscheduled(sol: Solution) -> tuple[str, dict[str, Any]]:
    assert sol.has_schedule
    assert len(sol.unscheduled) == 1
    return sol.unscheduled[0].code, sol.unscheduled[0].params


def _diagnosis(sol: Solution) -> list[tuple[str, dict[str, Any]]]:
    assert sol.status == Status.INFEASIBLE
    assert sol.reasons == [r.text for r in sol.diagnosis]
    return [(r.code, r.params) for r in sol.diagnosis]


def test_reason_participant_booked_counts_the_busy_slots() -> None:
    inst = make_instance([("a", "b"), ("a", "c"), ("a", "d")], slots=2)

    code, params = _only_unscheduled(quick_solve(inst))

    assert code == "participant_booked"
    assert params["booked"] == [2, 0]
    assert params["slots"] == ["t1", "t2"]
    assert params["tables_full"] == params["daily_limit"] == params["other"] == 0


def test_reason_tables_full_counts_the_slots_without_a_table() -> None:
    inst = make_instance([("a", "b"), ("c", "d"), ("e", "f")], slots=2, tables=1)

    code, params = _only_unscheduled(quick_solve(inst))

    assert code == "tables_full"
    assert params["tables_full"] == 2
    assert params["booked"] == [0, 0]


def test_reason_daily_limit_counts_the_slots_of_a_full_day() -> None:
    inst = make_instance([("a", "b"), ("a", "c")], slots=3, people=[{"id": "a", "max_per_day": 1}])

    code, params = _only_unscheduled(quick_solve(inst))

    assert code == "daily_limit"
    assert params["daily_limit"] == 2
    assert params["booked"] == [1, 0]


def test_reason_order_or_consecutive_when_a_run_would_be_too_long() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"], "allowed_slots": ["t1"]},
            {"participants": ["a", "c"], "allowed_slots": ["t3"]},
            {"participants": ["a", "d"], "allowed_slots": ["t2"]},
        ],
        slots=3,
        people=[{"id": "a", "max_consecutive": 1}],
    )

    code, params = _only_unscheduled(quick_solve(inst))

    assert code == "order_or_consecutive"
    assert (params["slots"], params["other"], params["booked"]) == (["t2"], 1, [0, 0])


def test_reason_no_common_slot_names_the_pair() -> None:
    inst = make_instance(
        [("a", "b"), ("c", "d")],
        slots=2,
        people=[{"id": "a", "unavailable": ["t1"]}, {"id": "b", "unavailable": ["t2"]}],
    )

    code, params = _only_unscheduled(quick_solve(inst))

    assert (code, params) == (
        "no_common_slot",
        {"participants": ["a", "b"], "within_allowed": False},
    )


def test_reason_no_common_slot_within_allowed_slots() -> None:
    inst = make_instance(
        [{"participants": ["a", "b"], "allowed_slots": ["t1"]}, ("c", "d")],
        slots=2,
        people=[{"id": "a", "unavailable": ["t1"]}],
    )

    code, params = _only_unscheduled(quick_solve(inst))

    assert (code, params) == (
        "no_common_slot",
        {"participants": ["a", "b"], "within_allowed": True},
    )


def test_reason_no_allowed_slot() -> None:
    inst = make_instance([{"participants": ["a", "b"], "allowed_slots": []}, ("c", "d")])

    code, params = _only_unscheduled(quick_solve(inst))

    assert (code, params) == ("no_allowed_slot", {"participants": ["a", "b"]})


def test_reason_fixed_unavailable_names_who_is_away() -> None:
    inst = make_instance(
        [{"participants": ["a", "b"], "fixed_slot": "t2"}],
        slots=3,
        people=[{"id": "b", "unavailable": ["t2"]}],
        require_all=True,
    )

    sol = quick_solve(inst)

    assert _diagnosis(sol) == [
        (
            "fixed_unavailable",
            {"meeting": "m1", "participants": ["a", "b"], "slot": "t2", "unavailable": ["b"]},
        )
    ]
    assert sol.reasons == ["meeting m1 (a – b) fixed to slot t2 but b is unavailable then"]


def test_reason_fixed_not_allowed() -> None:
    inst = make_instance(
        [{"participants": ["a", "b"], "fixed_slot": "t2", "allowed_slots": ["t1"]}, ("c", "d")]
    )

    code, params = _only_unscheduled(quick_solve(inst))

    assert (code, params) == ("fixed_not_allowed", {"participants": ["a", "b"], "slot": "t2"})


def test_reason_blocked_by_fixed_lists_the_slots_taken() -> None:
    inst = make_instance(
        [{"participants": ["a", "c"], "fixed_slot": "t1"}, {"participants": ["a", "b"]}],
        slots=2,
        people=[{"id": "b", "unavailable": ["t2"]}],
    )

    code, params = _only_unscheduled(quick_solve(inst))

    assert (code, params) == ("blocked_by_fixed", {"participants": ["a", "b"], "slots": ["t1"]})


def test_reason_order_window_when_no_slot_fits_between() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"]},
            {"participants": ["c", "d"], "after": ["m1"]},
            {"participants": ["e", "f"], "after": ["m2"]},
        ],
        slots=2,
        require_all=True,
    )

    assert _diagnosis(quick_solve(inst))[0][0] == "order_window"


def test_reason_fixed_conflict_names_participant_slot_and_counts() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"], "fixed_slot": "t1"},
            {"participants": ["a", "c"], "fixed_slot": "t1"},
        ]
    )

    assert _diagnosis(quick_solve(inst)) == [
        ("fixed_conflict", {"participant": "a", "slot": "t1", "meetings": 2, "capacity": 1})
    ]


def test_reason_fixed_tables_counts_meetings_and_tables() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"], "fixed_slot": "t1"},
            {"participants": ["c", "d"], "fixed_slot": "t1"},
        ],
        tables=1,
    )

    assert _diagnosis(quick_solve(inst)) == [
        ("fixed_tables", {"slot": "t1", "meetings": 2, "tables": 1})
    ]


def test_reason_fixed_order_names_both_meetings_and_slots() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"], "fixed_slot": "t1", "after": ["m2"]},
            {"participants": ["c", "d"], "fixed_slot": "t2"},
        ]
    )

    assert _diagnosis(quick_solve(inst)) == [
        ("fixed_order", {"meeting": "m1", "slot": "t1", "before": "m2", "before_slot": "t2"})
    ]


def test_reason_precedence_cycle_lists_the_meetings() -> None:
    inst = make_instance(
        [
            {"participants": ["a", "b"], "after": ["m2"]},
            {"participants": ["c", "d"], "after": ["m1"]},
        ],
        require_all=True,
    )

    (code, params), *_ = _diagnosis(quick_solve(inst))

    assert code == "precedence_cycle"
    assert sorted(params["cycle"][:-1]) == ["m1", "m2"]
    assert params["cycle"][0] == params["cycle"][-1]


def test_reason_too_many_meetings_counts_what_fits() -> None:
    inst = make_instance([("a", "b"), ("a", "c"), ("a", "d")], slots=2, require_all=True)

    assert _diagnosis(quick_solve(inst)) == [
        (
            "too_many_meetings",
            {"participant": "a", "meetings": 3, "fit": 2, "slots": ["t1", "t2"], "capacity": 1},
        )
    ]


def test_reason_too_few_table_slots_counts_them() -> None:
    inst = make_instance([("a", "b"), ("c", "d"), ("e", "f")], slots=1, tables=2, require_all=True)

    assert _diagnosis(quick_solve(inst)) == [
        ("too_few_table_slots", {"meetings": 3, "table_slots": 2, "tables": 2})
    ]


def test_reason_no_feasible_schedule_after_search() -> None:
    # an odd cycle of meetings in two slots: every participant is free, but no colouring
    inst = make_instance([("a", "b"), ("b", "c"), ("a", "c")], slots=2, tables=3, require_all=True)

    assert _diagnosis(quick_solve(inst)) == [("no_feasible_schedule", {"require_all": True})]


def test_reason_time_limit_when_nothing_is_found_in_time() -> None:
    inst = make_instance([("a", "b"), ("b", "c"), ("a", "c")], slots=3, require_all=True)

    sol = solve(inst, time_limit=0, workers=1)

    if sol.status == Status.UNKNOWN:  # the greedy start may still beat a zero budget
        assert [(r.code, r.params) for r in sol.diagnosis] == [("time_limit", {"seconds": 0})]
    else:
        assert sol.has_schedule


def test_reason_invalid_names_the_field() -> None:
    sol = solve_data({"slots": [], "tables": [], "participants": [], "meetings": [{"id": "m"}]})

    assert sol.status == Status.INVALID
    assert sol.diagnosis[0] == Reason(
        code="invalid",
        params={"field": "meetings.0.participants", "message": "Field required"},
        text="meetings.0.participants: Field required",
    )


def test_solution_without_codes_still_reads() -> None:
    old = {
        "status": "INFEASIBLE",
        "unscheduled": [{"meeting": "m1", "reason": "no common slot"}],
        "reasons": ["a has 3 meetings"],
    }

    sol = Solution.model_validate(old)

    assert (sol.unscheduled[0].code, sol.unscheduled[0].params) == ("", {})
    assert (sol.reasons, sol.diagnosis) == (["a has 3 meetings"], [])


def test_summary_counts_unscheduled_meetings_by_code() -> None:
    inst = make_instance([("a", "b"), ("c", "d"), ("e", "f")], slots=2, tables=1)

    summary = quick_solve(inst).summary()

    assert "unscheduled(tables_full=1)" in summary

"""Running a solve: progress, stopping from another thread, INVALID input, logging."""

from __future__ import annotations

import logging
import threading

import pytest

from solver import Progress, Status, solve, validate
from solver.api import solve_data
from tests.solver.conftest import make_instance
from tooling import synthetic

pytestmark = pytest.mark.unit


def test_progress_callback_reports_each_improving_schedule() -> None:
    inst = make_instance([("a", "b"), ("a", "c"), ("b", "c")], slots=4, require_all=True)
    seen: list[Progress] = []

    sol = solve(inst, time_limit=10, workers=1, deterministic=True, progress_callback=seen.append)

    assert sol.status == Status.OPTIMAL
    assert seen
    assert seen[-1].phase == "breaks"
    assert seen[-1].objective == sol.objective.breaks  # type: ignore[union-attr]


def test_stop_event_set_before_search_keeps_the_first_schedule() -> None:
    inst = synthetic.event(participants=30, meetings=60, tables=3, days=1, per_session=4, seed=7)
    stop = threading.Event()
    stop.set()

    sol = solve(inst, time_limit=30, stop_event=stop)

    assert sol.status == Status.FEASIBLE
    assert sol.assignments
    assert validate(inst, sol) == []


def test_invalid_instance_data_gives_invalid_status_naming_the_field() -> None:
    sol = solve_data({"slots": [], "tables": [], "participants": [], "meetings": [{"id": "m"}]})

    assert sol.status == Status.INVALID
    assert "meetings.0.participants: Field required" in sol.reasons


def test_solver_logs_go_to_logging_not_stdout(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    inst = make_instance([("a", "b")], slots=2)

    with caplog.at_level(logging.DEBUG, logger="solver"):
        solve(inst, time_limit=5, workers=1, deterministic=True)

    assert capsys.readouterr().out == ""
    assert any("phase breaks" in r.message for r in caplog.records)


def test_synthetic_event_beats_greedy_on_weight() -> None:
    from solver.greedy import first_fit
    from solver.problem import build
    from solver.validate import recompute

    inst = synthetic.event(participants=40, meetings=120, tables=4, days=1, per_session=5, seed=3)
    pr = build(inst)
    greedy = recompute(pr, {m: t for m, t in enumerate(first_fit(pr)) if t is not None})

    sol = solve(inst, time_limit=5, workers=2)

    assert sol.objective is not None
    assert sol.objective.scheduled_weight >= greedy.scheduled_weight
    assert sol.objective.scheduled_weight <= (sol.bound.scheduled_weight or 0)

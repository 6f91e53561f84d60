"""Which CP-SAT workers the break phase runs (a configuration, not a speed claim)."""

from __future__ import annotations

import time

import pytest

from solver.problem import build
from solver.runner import Runner
from tests.solver.conftest import make_instance

pytestmark = pytest.mark.unit


def _runner(workers: int) -> Runner:
    inst = make_instance([("a", "b"), ("a", "c")], slots=3, require_all=True)
    return Runner(build(inst), time.monotonic(), 10, workers, 0, False, None, None)


def test_break_phase_with_two_workers_runs_two_seeded_core_searches() -> None:
    solver = _runner(2).make_solver(5.0, "breaks")

    assert list(solver.parameters.subsolvers) == ["core", "core_seeded"]
    assert solver.parameters.num_full_subsolvers == 2
    assert 'name: "core_seeded"' in str(solver.parameters)
    assert "optimize_with_core: true" in str(solver.parameters)


def test_break_phase_with_three_workers_keeps_core_beside_the_lp_workers() -> None:
    solver = _runner(3).make_solver(5.0, "breaks")

    assert list(solver.parameters.subsolvers) == ["core", "default_lp", "no_lp"]


def test_other_phases_keep_the_default_portfolio() -> None:
    solver = _runner(2).make_solver(5.0, "weight")

    assert list(solver.parameters.subsolvers) == []

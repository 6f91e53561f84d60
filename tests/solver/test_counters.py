"""The sequential counter behind the per-slot capacity counters is exact."""

from __future__ import annotations

import itertools

import pytest
from ortools.sat.python import cp_model

from solver.model.counters import running_counts

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("k", [1, 2, 4])
def test_running_counts_say_exactly_how_many_literals_are_true(k: int) -> None:
    for values in itertools.product([0, 1], repeat=5):
        model = cp_model.CpModel()
        lits = [model.new_bool_var(f"x{i}") for i in range(5)]
        at_least = running_counts(model, lits, k)
        for lit, value in zip(lits, values, strict=True):
            model.add(lit == value)
        solver = cp_model.CpSolver()

        assert solver.solve(model) == cp_model.OPTIMAL
        got = {j: solver.boolean_value(c) for j, c in at_least.items()}
        assert got == {j: sum(values) >= j for j in range(1, k + 2)}

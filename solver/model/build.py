"""Assemble the CP-SAT model from the rule modules."""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model import (
    assign,
    capacity,
    consecutive,
    counters,
    daily,
    implied,
    people,
    precedence,
    tables,
)
from solver.model.objectives import breaks
from solver.model.variables import Variables
from solver.problem import Problem


def build(
    problem: Problem,
    active: list[bool],
    *,
    with_implied: bool = True,
    with_breaks: bool = True,
    require_all: bool | None = None,
    with_fairness: bool = True,
    cheaper_counter: bool = True,
) -> tuple[cp_model.CpModel, Variables]:
    """Every hard rule of the instance; ``active[m]`` is False for meetings that cannot
    take place at all (they keep no variables). ``with_fairness=False`` drops the hard
    bound on the spread of break counts: a relaxation."""
    opts = problem.instance.options
    model = cp_model.CpModel()
    model.name = problem.instance.name
    v = Variables.create(model, problem, active)
    if require_all is None:
        require_all = opts.require_all
    assign.add(model, problem, v, require_all)
    need_breaks = with_breaks or (opts.fairness_max_diff is not None and with_fairness)
    need_busy = need_breaks or any(k is not None for k in problem.max_consecutive)
    capacity.add(model, problem, v, with_busy=need_busy)
    tables.add(model, problem, v)
    people.add(model, problem, v)
    daily.add(model, problem, v)
    consecutive.add(model, problem, v)
    precedence.add(model, problem, v)
    if with_implied and need_busy:
        implied.add(model, problem, v)
    if with_implied:
        counters.add(model, problem, v, cheaper_counter)
    if need_breaks:
        breaks.add(model, problem, v, require_all)
    if opts.fairness_max_diff is not None and with_fairness:
        breaks.add_fairness_bound(model, problem, v, opts.fairness_max_diff)
    return model, v

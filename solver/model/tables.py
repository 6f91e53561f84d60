"""Rule: no slot holds more meetings than there are tables; home tables host only their host.

A host's meetings go to its home table(s), so in any slot a host meets at most as many
partners as it has home tables, and the other meetings share the tables without a host.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Variables
from solver.problem import Problem


def add(model: cp_model.CpModel, problem: Problem, v: Variables) -> None:
    free: dict[int, list[cp_model.IntVar]] = {}
    home: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for m, xs in enumerate(v.x):
        h = problem.home_of[m]
        for t, lit in xs.items():
            if h is None:
                free.setdefault(t, []).append(lit)
            else:
                home.setdefault((h, t), []).append(lit)
    n_free = len(problem.free_tables)
    for lits in free.values():
        if len(lits) > n_free:
            model.add(sum(lits) <= n_free)
    for (h, _t), lits in home.items():
        n_home = len(problem.home_tables[h])
        if len(lits) > n_home:
            model.add(sum(lits) <= n_home)

"""Rule: a participant never holds more meetings at once than its representatives.

``define_busy`` adds ``busy[p@t]`` ("p has a meeting in slot t"), which the break and
consecutive-meeting terms read; for one representative it replaces the at-most-one.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Variables
from solver.problem import Problem


def _by_slot(problem: Problem, v: Variables, p: int) -> dict[int, list[cp_model.IntVar]]:
    by_slot: dict[int, list[cp_model.IntVar]] = {}
    for m in problem.meetings_of[p]:
        for t, lit in v.x[m].items():
            by_slot.setdefault(t, []).append(lit)
    return by_slot


def add(model: cp_model.CpModel, problem: Problem, v: Variables, with_busy: bool) -> None:
    for p in range(problem.n_people):
        cap = problem.capacity[p]
        by_slot = _by_slot(problem, v, p)
        if with_busy:
            _define_busy(model, problem, v, p, by_slot)
            continue
        for lits in by_slot.values():
            if len(lits) > cap:
                if cap == 1:
                    model.add_at_most_one(lits)
                else:
                    model.add(sum(lits) <= cap)


def _define_busy(
    model: cp_model.CpModel,
    problem: Problem,
    v: Variables,
    p: int,
    by_slot: dict[int, list[cp_model.IntVar]],
) -> None:
    cap = problem.capacity[p]
    pid = problem.person_ids[p]
    for t in sorted(by_slot):
        lits = by_slot[t]
        if len(lits) == 1:
            v.busy[p][t] = lits[0]
            continue
        busy = model.new_bool_var(f"busy[{pid}@{problem.slot_ids[t]}]")
        if cap == 1:
            model.add(sum(lits) == busy)
        else:
            model.add(sum(lits) <= cap)
            model.add_max_equality(busy, lits)
        v.busy[p][t] = busy

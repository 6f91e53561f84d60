"""Rule: at most ``max_consecutive`` meetings in a row (adjacent slots of one session)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Variables
from solver.problem import Problem


def add(model: cp_model.CpModel, problem: Problem, v: Variables) -> None:
    for p, k in enumerate(problem.max_consecutive):
        if k is None:
            continue
        busy = v.busy[p]
        for run in problem.runs:
            for i in range(len(run) - k):
                window = [busy[t] for t in run[i : i + k + 1] if t in busy]
                if len(window) > k:
                    model.add(sum(window) <= k)

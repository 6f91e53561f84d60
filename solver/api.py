"""``solve(instance) -> Solution``: presolve, a constructive first schedule, then CP-SAT
in lexicographic phases (scheduled weight, fairness, moves, breaks), each fixing the
level reached by the previous one and starting from its schedule.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver import diagnose, greedy
from solver.instance import Instance
from solver.model import Variables
from solver.model import build as build_model
from solver.model.objectives import breaks, fairness, moves, weight
from solver.problem import Problem, build
from solver.solution import Assignment, Bound, Solution, Status, Unscheduled
from solver.tables import assign_tables
from solver.validate import recompute, validate

log = logging.getLogger("solver")


@dataclass(frozen=True)
class Progress:
    """What a progress callback receives on every improving schedule."""

    phase: str
    elapsed: float
    objective: float
    bound: float


ProgressCallback = Callable[[Progress], None]

# share of the remaining time each phase may use (the last one gets the rest)
_BUDGET = {"weight": 0.6, "fairness": 0.3, "moves": 0.3, "breaks": 1.0}


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(
        self, phase: str, t0: float, callback: ProgressCallback | None, stop: threading.Event | None
    ) -> None:
        super().__init__()
        self.phase, self.t0, self.callback, self.stop = phase, t0, callback, stop

    def on_solution_callback(self) -> None:
        if self.callback is not None:
            self.callback(
                Progress(
                    phase=self.phase,
                    elapsed=time.monotonic() - self.t0,
                    objective=self.objective_value,
                    bound=self.best_objective_bound,
                )
            )
        if self.stop is not None and self.stop.is_set():
            self.stop_search()


def solve(
    instance: Instance,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    deterministic: bool = False,
    progress_callback: ProgressCallback | None = None,
    stop_event: threading.Event | None = None,
) -> Solution:
    """Schedule ``instance``; the returned solution has been checked by ``validate``."""
    t0 = time.monotonic()
    problem = build(instance)
    reasons = diagnose.presolve(problem)
    if reasons:
        log.info("infeasible before search: %s", reasons[0])
        return Solution(
            status=Status.INFEASIBLE,
            reasons=reasons,
            solve_seconds=round(time.monotonic() - t0, 3),
        )
    runner = _Runner(problem, t0, time_limit, workers, seed, deterministic,
                     progress_callback, stop_event)
    return runner.run()


class _Runner:
    def __init__(
        self,
        problem: Problem,
        t0: float,
        time_limit: float,
        workers: int,
        seed: int,
        deterministic: bool,
        callback: ProgressCallback | None,
        stop: threading.Event | None,
    ) -> None:
        self.pr = problem
        self.t0, self.time_limit = t0, time_limit
        self.workers, self.seed, self.deterministic = max(1, workers), seed, deterministic
        self.callback, self.stop = callback, stop
        self.opts = problem.instance.options
        self.active = [bool(d) for d in problem.domain]
        self.best: list[int | None] | None = None
        self.proved = True
        self.bound = Bound()
        self.infeasible = False
        self.stopped = False

    def remaining(self) -> float:
        return self.time_limit - (time.monotonic() - self.t0)

    def run(self) -> Solution:
        pr = self.pr
        first = greedy.compact(pr)
        complete = all(first[m] is not None for m in range(pr.n_meetings) if self.active[m])
        if complete or not self.opts.require_all:
            self.best = first
        model, v = build_model(pr, self.active)
        total_live = sum(pr.weight[m] for m in range(pr.n_meetings) if self.active[m])

        phases: list[tuple[str, cp_model.LinearExprT, bool]] = []
        if not self.opts.require_all and not complete:
            phases.append(("weight", weight.expression(pr, v), True))
            phases.append(("fairness", fairness.expression(model, pr, v), True))
        if self.opts.require_all or complete:
            self.bound.scheduled_weight = total_live
        if not self.opts.keep_previous and any(p is not None for p in pr.previous):
            phases.append(("moves", moves.expression(pr, v), False))
        phases.append(("breaks", breaks.expression(v), False))

        hint = self.best if self.best is not None else first
        for name, expr, maximize in phases:
            if self.stopped or self.infeasible:
                break
            if name == "fairness" and self.best is not None and all(
                self.best[m] is not None for m in range(pr.n_meetings) if self.active[m]
            ):
                continue
            hint = self._phase(model, v, name, expr, maximize, hint)
        return self._finish()

    def _phase(
        self,
        model: cp_model.CpModel,
        v: Variables,
        name: str,
        expr: cp_model.LinearExprT,
        maximize: bool,
        hint: list[int | None],
    ) -> list[int | None]:
        budget = max(0.1, self.remaining() * _BUDGET[name])
        model.clear_hints()
        for m, xs in enumerate(v.x):
            for t, lit in xs.items():
                model.add_hint(lit, hint[m] == t)
        if maximize:
            model.maximize(expr)
        else:
            model.minimize(expr)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = self.workers
        p.random_seed = self.seed
        if self.deterministic:
            p.num_workers = 1
            p.max_deterministic_time = budget
        else:
            p.max_time_in_seconds = budget
        if name == "breaks" and self.workers <= 4:
            # core-based search proves low break counts where the default portfolio stalls
            p.subsolvers.extend(["core", "default_lp", "no_lp", "max_lp"][: p.num_workers])
        p.log_search_progress = log.isEnabledFor(logging.DEBUG)
        p.log_to_stdout = False
        solver.log_callback = log.debug
        reporter = _Reporter(name, self.t0, self.callback, self.stop)
        watcher = _StopWatcher(self.stop, solver)
        with watcher:
            status = solver.solve(model, reporter)
        if watcher.fired:
            self.stopped = True
        log.info(
            "phase %s: %s objective=%s bound=%s after %.2fs",
            name, solver.status_name(status),
            solver.objective_value if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None,
            solver.best_objective_bound, time.monotonic() - self.t0,
        )
        if status == cp_model.INFEASIBLE:
            self.infeasible = True
            return hint
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.proved = False
            if name == "breaks" and self.best is not None:
                self.bound.breaks = None
            return hint
        if status != cp_model.OPTIMAL:
            self.proved = False
        value = round(solver.objective_value)
        bound = solver.best_objective_bound
        if name == "weight":
            self.bound.scheduled_weight = math.floor(bound + 1e-6)
        if name == "breaks":
            self.bound.breaks = max(0, math.ceil(bound - 1e-6))
        slots: list[int | None] = [None] * self.pr.n_meetings
        for m, xs in enumerate(v.x):
            for t, lit in xs.items():
                if solver.boolean_value(lit):
                    slots[m] = t
        self.best = slots
        if maximize:
            model.add(expr >= value)
        else:
            model.add(expr <= value)
        return slots

    def _finish(self) -> Solution:
        pr = self.pr
        elapsed = round(time.monotonic() - self.t0, 3)
        if self.infeasible and self.best is None or (
            self.infeasible and self.opts.require_all
        ):
            return Solution(
                status=Status.INFEASIBLE,
                reasons=["no schedule satisfies every hard rule"
                         + (" with every meeting scheduled" if self.opts.require_all else "")],
                solve_seconds=elapsed,
            )
        if self.best is None:
            return Solution(
                status=Status.UNKNOWN,
                reasons=[f"no schedule found within {self.time_limit:g}s"],
                solve_seconds=elapsed,
            )
        solution = _to_solution(pr, self.best)
        solution.status = Status.OPTIMAL if self.proved and not self.stopped else Status.FEASIBLE
        solution.bound = self.bound
        solution.solve_seconds = round(time.monotonic() - self.t0, 3)
        errors = validate(pr.instance, solution)
        if errors:  # a bug: never hand out a schedule that breaks a rule
            raise RuntimeError("solver produced an invalid schedule: " + "; ".join(errors[:5]))
        return solution


def _to_solution(pr: Problem, slots: list[int | None]) -> Solution:
    slot_of = {m: t for m, t in enumerate(slots) if t is not None}
    table_of = assign_tables(pr, slot_of)
    assignments = [
        Assignment(meeting=pr.meeting_ids[m], slot=pr.slot_ids[t], table=table_of.get(m))
        for m, t in sorted(slot_of.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    unscheduled = [
        Unscheduled(meeting=pr.meeting_ids[m], reason=diagnose.explain(pr, slot_of, m))
        for m in range(pr.n_meetings)
        if m not in slot_of
    ]
    fresh = build(pr.instance)
    return Solution(
        status=Status.FEASIBLE,
        assignments=assignments,
        unscheduled=unscheduled,
        objective=recompute(fresh, slot_of),
    )


class _StopWatcher:
    """Stops the running search when another thread sets ``stop``."""

    def __init__(self, stop: threading.Event | None, solver: cp_model.CpSolver) -> None:
        self.stop, self.solver = stop, solver
        self.fired = False
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _StopWatcher:
        if self.stop is not None:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def _watch(self) -> None:
        assert self.stop is not None
        while not self._done.is_set():
            if self.stop.wait(0.05):
                self.fired = True
                self.solver.stop_search()
                return

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()

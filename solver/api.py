"""``solve(instance) -> Solution``: presolve, a constructive first schedule, then CP-SAT
in lexicographic phases, each fixing the level reached by the previous one and starting
from its schedule: (with ``options.min_meetings``) the floor, scheduled weight, fairness
(participants with a meeting, then the worst-off share), moves, breaks.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from ortools.sat.python import cp_model
from pydantic import ValidationError

from solver import compaction, diagnose, greedy, people
from solver.decompose import improve_by_session
from solver.instance import Instance
from solver.lp import solve_weight
from solver.model import build as build_model
from solver.neighbourhood import raise_worst_off
from solver.problem import Problem, build
from solver.runner import (
    FAIRNESS_CP_MAX,
    Progress,
    ProgressCallback,
    Runner,
    is_fair,
    read_slots,
)
from solver.solution import Assignment, Reason, Solution, Status, Unscheduled
from solver.tables import assign_tables
from solver.validate import break_counts, recompute, validate

log = logging.getLogger("solver")

__all__ = ["Progress", "ProgressCallback", "solve", "solve_data"]


DECOMPOSE_ABOVE = 300  # meetings
LP_ABOVE = 300  # meetings


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
        log.info("infeasible before search: %s", reasons[0].text)
        return Solution(
            status=Status.INFEASIBLE,
            diagnosis=reasons,
            solve_seconds=round(time.monotonic() - t0, 3),
        )
    runner = _Runner(
        problem, t0, time_limit, workers, seed, deterministic, progress_callback, stop_event
    )
    return runner.run()


class _Runner(Runner):
    """The whole solve on top of the phase runner: a greedy or leanest-model first
    schedule, the weight LP on large events, the phases (session by session on large
    multi-session events), then the validated ``Solution``."""

    def run(self) -> Solution:
        pr = self.pr
        if pr.n_meetings > FAIRNESS_CP_MAX:
            self.local_phase = raise_worst_off
        first = greedy.compact(pr)
        complete = all(first[m] is not None for m in range(pr.n_meetings) if self.active[m])
        if (complete or not self.require_all) and is_fair(pr, first):
            self.best = first
            self.report(
                "weight", first, sum(w for w, a in zip(pr.weight, self.active, strict=True) if a)
            )
        else:
            complete = False
        if self.require_all or complete:
            self.bound.scheduled_weight = sum(
                pr.weight[m] for m in range(pr.n_meetings) if self.active[m]
            )
        hint: list[int | None] = self.best if self.best is not None else [None] * pr.n_meetings
        if self.require_all and self.best is None:
            hint = self._first_schedule(hint)
        names = [] if self.require_all or complete else ["weight", "coverage", "fairness"]
        if names and self.opts.min_meetings is not None:
            names.insert(0, "floor")
        if not self.opts.keep_previous and any(p is not None for p in pr.previous):
            names.append("moves")
        levels: list[tuple[str, int]] = []
        if complete and not self.require_all:
            levels.append(("weight", self.bound.scheduled_weight or 0))
        if "weight" in names and pr.n_meetings > LP_ABOVE:
            hint = self._weight_by_lp(hint, names, levels)
        if _decompose(pr):
            hint = self.run_phases(hint, names, levels, with_breaks=False)
            if not (self.stopped or self.infeasible):
                self.best = improve_by_session(self, self.before_breaks(self.best or hint))
            self.proved = False  # breaks are minimised per session only
        else:
            self.run_phases(hint, names, levels)
        return self._finish()

    def before_breaks(self, slots: list[int | None]) -> list[int | None]:
        """On large events, fewer breaks by moves and swaps of single meetings
        (``solver.compaction``) before the break models: cheap (a second on 1,500
        meetings), and a far better start for them (demo-size event at 60 s: 656 breaks
        after weight and fairness, 247 after this, 120 after the session models; 503
        without it). Kept only when it validates."""
        if self.pr.n_meetings <= DECOMPOSE_ABOVE:
            return slots
        start = time.monotonic()
        moved = compaction.fewer_breaks(self.pr, slots, start + min(15.0, 0.2 * self.remaining()))
        if moved == slots or validate(self.pr.instance, _to_solution(self.pr, moved)):
            return slots
        before, after = (
            sum(break_counts(self.pr, {m: t for m, t in enumerate(s) if t is not None}))
            for s in (slots, moved)
        )
        log.info(
            "compaction: breaks %d -> %d after %.2fs", before, after, time.monotonic() - start
        )
        self.best = moved
        return moved

    def _first_schedule(self, hint: list[int | None]) -> list[int | None]:
        """Every meeting must take place and greedy found no way: any schedule, from the
        leanest model (no break variables, no fairness, no redundant constraints), as a
        complete hint. On B2BSP ticf-14crafa (an edge colouring with as many slots as
        its busiest participant has meetings) this takes 0.3 s, while the model with
        breaks and counters often finds no schedule at all in a minute."""
        model, v = build_model(
            self.pr,
            self.active,
            with_implied=False,
            with_breaks=False,
            require_all=True,
            with_fairness=False,
        )
        solver = self.make_solver(max(0.1, self.remaining() * 0.2), "first")
        status = self.run_solver(solver, model, "first")
        log.info(
            "first schedule: %s after %.2fs",
            solver.status_name(status),
            time.monotonic() - self.t0,
        )
        if status == cp_model.INFEASIBLE:
            self.infeasible = True  # a relaxation of the whole problem
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return hint
        slots = read_slots(solver, v, self.pr.n_meetings)
        if is_fair(self.pr, slots):
            self.best = slots
        return slots

    def _weight_by_lp(
        self, hint: list[int | None], names: list[str], levels: list[tuple[str, int]]
    ) -> list[int | None]:
        # fairness later, from the LP of runner._fairness_bounds at the weight reached
        result = solve_weight(self.pr, self.active, self.remaining() * 0.4, fairness=False)
        if result is None:
            return hint
        self.bound.scheduled_weight = result.bound
        value = sum(self.pr.weight[m] for m, t in enumerate(result.slots) if t is not None)
        old = sum(self.pr.weight[m] for m, t in enumerate(hint) if t is not None)
        if value >= old:
            hint = self.best = result.slots
            self.report("weight", result.slots, result.bound)
        if "floor" not in names and (result.integral or value == result.bound):
            names.remove("weight")
            levels.append(("weight", result.bound))
        return hint

    def _finish(self) -> Solution:
        pr = self.pr
        elapsed = round(time.monotonic() - self.t0, 3)
        if self.best is not None and not _fixed_placed(pr, self.best):
            # greedy or the LP's rounding could not place a fixed meeting (rules among fixed
            # meetings that presolve does not check, such as daily limits): not a schedule
            self.best = None
        if (self.infeasible and self.best is None) or (self.infeasible and self.opts.require_all):
            every = self.opts.require_all
            text = "no schedule satisfies every hard rule" + (
                " with every meeting scheduled" if every else ""
            )
            return Solution(
                status=Status.INFEASIBLE,
                diagnosis=[
                    Reason(code="no_feasible_schedule", params={"require_all": every}, text=text)
                ],
                solve_seconds=elapsed,
            )
        if self.best is None:
            limit = Reason(
                code="time_limit",
                params={"seconds": self.time_limit},
                text=f"no schedule found within {self.time_limit:g}s",
            )
            return Solution(status=Status.UNKNOWN, diagnosis=[limit], solve_seconds=elapsed)
        solution = _to_solution(pr, self.best)
        solution.status = Status.OPTIMAL if self.proved and not self.stopped else Status.FEASIBLE
        solution.bound = self.bound
        objective = solution.objective
        if self.bound.min_share is None and objective is not None and objective.min_share >= 1:
            self.bound.min_share, self.bound.zero_meeting = 1.0, 0
        solution.solve_seconds = round(time.monotonic() - self.t0, 3)
        errors = validate(pr.instance, solution)
        if errors:  # a bug: never hand out a schedule that breaks a rule
            raise RuntimeError("solver produced an invalid schedule: " + "; ".join(errors[:5]))
        return solution


def _fixed_placed(pr: Problem, slots: list[int | None]) -> bool:
    return all(
        slots[m] is not None for m, t in enumerate(pr.fixed) if t is not None and pr.domain[m]
    )


def _decompose(pr: Problem) -> bool:
    """Large multi-session events are solved session by session after a session plan."""
    return (
        len(pr.runs) > 1
        and pr.n_meetings > DECOMPOSE_ABOVE
        and pr.instance.options.fairness_max_diff is None
        and not pr.instance.options.require_all
        # per-person limits span sessions of a day, which a session's model does not see
        and not any(team.needs_variables for team in pr.teams.values())
    )


def _to_solution(pr: Problem, slots: list[int | None]) -> Solution:
    slot_of = {m: t for m, t in enumerate(slots) if t is not None}
    table_of = assign_tables(pr, slot_of)
    persons = people.assign(pr, slot_of)
    assignments = [
        Assignment(
            meeting=pr.meeting_ids[m],
            slot=pr.slot_ids[t],
            table=table_of.get(m),
            persons=persons.get(m, {}),
        )
        for m, t in sorted(slot_of.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    reasons = diagnose.explain_all(pr, slot_of)
    unscheduled = [
        Unscheduled(meeting=pr.meeting_ids[m], reason=r.text, code=r.code, params=r.params)
        for m, r in reasons.items()
    ]
    fresh = build(pr.instance)
    return Solution(
        status=Status.FEASIBLE,
        assignments=assignments,
        unscheduled=unscheduled,
        objective=recompute(fresh, slot_of),
    )


def solve_data(data: object, **kwargs: Any) -> Solution:
    """``solve`` for instance JSON data that may be wrong: status INVALID says where."""
    try:
        instance = Instance.model_validate(data)
    except ValidationError as exc:
        reasons = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            text = f"{loc}: {msg}" if loc else msg
            reasons.append(Reason(code="invalid", params={"field": loc, "message": msg}, text=text))
        return Solution(status=Status.INVALID, diagnosis=reasons)
    return solve(instance, **kwargs)

"""Fewer breaks on large events: a local search that moves one meeting at a time.

On events of thousands of meetings the session models of ``solver.decompose`` get a few
seconds each and improve their hint slowly: after scheduled weight and fairness, the
schedule of the weight LP keeps most of its idle gaps. This search is cheap and greedy:
take a meeting out, put it back into the slot (of any session) where it fits every rule
and leaves its two participants the fewest breaks, keep the move when it lowers them;
pass over the meetings until no move helps or the time is up. It never changes which
meetings are scheduled (so weight, coverage and shares stay), never moves a fixed
meeting or one at its previous slot, and is skipped under a hard fairness bound on
breaks (B2BSP's ``d``), which a single move could break. The caller validates the
result and keeps the schedule it had if anything is wrong.
"""

from __future__ import annotations

import time

from solver import people
from solver.greedy import State
from solver.problem import Problem


def fewer_breaks(pr: Problem, slots: list[int | None], deadline: float) -> list[int | None]:
    """``slots`` with meetings moved to lower the total of breaks (or ``slots`` itself)."""
    if pr.instance.options.fairness_max_diff is not None:
        return slots
    state = State(pr)
    order = sorted(
        (m for m, t in enumerate(slots) if t is not None), key=lambda m: pr.fixed[m] is None
    )
    # Teams' people as the final solution names them: greedy's own first-free choice,
    # meeting by meeting, may paint itself into a corner another assignment avoids.
    named = people.assign(pr, {m: t for m, t in enumerate(slots) if t is not None})
    for m in order:
        t = slots[m]
        assert t is not None
        persons = {
            pr.person_index[pid]: pr.teams[pr.person_index[pid]].person_ids.index(rid)
            for pid, rid in named.get(m, {}).items()
        }
        if not state.fits(m, t):  # a team without a valid assignment: leave it
            return slots
        state.place(m, t, persons)
    movable = [
        m
        for m in order
        if pr.fixed[m] is None and not (pr.previous[m] is not None and pr.previous[m] == slots[m])
    ]
    can_move = set(movable)
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for m in movable:
            if time.monotonic() >= deadline:
                break
            if _move(state, m) or _swap(state, m, can_move):
                improved = True
    return list(state.slot)


def _swap(state: State, m: int, can_move: set[int]) -> bool:
    """Exchange the slots of ``m`` and a meeting of one of its participants, when both
    fit and their participants have fewer breaks in all."""
    pr = state.pr
    t1 = state.slot[m]
    assert t1 is not None
    for p in pr.ends[m]:
        for n in pr.meetings_of[p]:
            t2 = state.slot[n]
            if n == m or n not in can_move or t2 is None or t2 == t1:
                continue
            if t1 not in pr.domain[n] or t2 not in pr.domain[m]:
                continue
            who = {*pr.ends[m], *pr.ends[n]}
            runs = [pr.runs[r] for r in {pr.session_of[t1], pr.session_of[t2]}]
            before = sum(_run_breaks(state.load[q], run, None) for q in who for run in runs)
            was_m, was_n = state.remove(m), state.remove(n)
            if state.fits(m, t2):
                state.place(m, t2)
                if state.fits(n, t1):
                    state.place(n, t1)
                    after = sum(_run_breaks(state.load[q], run, None) for q in who for run in runs)
                    if after < before:
                        return True
                    state.remove(n)
                state.remove(m)
            state.place(m, t1, was_m)  # both back as they were
            state.place(n, t2, was_n)
    return False


def _move(state: State, m: int) -> bool:
    """Put ``m`` where its participants have the fewest breaks; whether that moved it."""
    pr = state.pr
    here = state.slot[m]
    assert here is not None
    a, b = pr.ends[m]
    persons = state.remove(m)
    # Only the candidate's session changes: the breaks elsewhere are the same for all.
    without = {p: [_run_breaks(state.load[p], run, None) for run in pr.runs] for p in (a, b)}
    total = {p: sum(without[p]) for p in (a, b)}

    def cost(t: int) -> int:
        r = pr.session_of[t]
        run = pr.runs[r]
        return sum(total[p] - without[p][r] + _run_breaks(state.load[p], run, t) for p in (a, b))

    best, best_cost = here, cost(here)
    for t in pr.domain[m]:
        if t == here or not state.fits(m, t):
            continue
        c = cost(t)
        if c < best_cost:
            best, best_cost = t, c
    if best != here and state.fits(m, best):
        state.place(m, best)
        return True
    state.place(m, here, persons)
    return False


def _run_breaks(load: list[int], run: list[int], extra: int | None) -> int:
    """Idle stretches between meetings in one session run (``extra``: one more busy slot)."""
    n = 0
    seen = idle = False
    for u in run:
        if load[u] or u == extra:
            if seen and idle:
                n += 1
            seen, idle = True, False
        elif seen:
            idle = True
    return n

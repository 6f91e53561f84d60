"""Fairness on large events: CP-SAT on the neighbourhood of the worst-off participants.

A whole-event fairness model of thousands of meetings would only cost time. Instead the
meetings of the participants a phase is about (at zero, at the lowest share, below the
``min_meetings`` floor), of their partners, and of their partners' partners while the
neighbourhood stays small, are left free; every other meeting keeps its slot (or stays
out). With the levels reached so far (the weight) as constraints and the current
schedule as a complete hint, CP-SAT raises the phase's level in that neighbourhood; a
few rounds, each on the participants still worst off.
"""

from __future__ import annotations

import dataclasses
import logging
import time

from solver.model.objectives.fairness import SCALE
from solver.problem import Problem
from solver.runner import Runner, phase_value

log = logging.getLogger("solver")

MAX_FREE = 600  # meetings left free in one neighbourhood
ROUNDS = 3
SHARE = {"floor": 0.3, "coverage": 0.4, "fairness": 0.2}  # of the remaining time


def raise_worst_off(
    runner: Runner, name: str, slots: list[int | None], levels: list[tuple[str, int]]
) -> tuple[list[int | None], int]:
    """A schedule at least as good on ``levels`` and better (or equal) on phase ``name``,
    with the level it reaches."""
    value = phase_value(runner, name, slots)
    end = time.monotonic() + runner.remaining() * SHARE[name]
    for r in range(ROUNDS):
        if runner.stopped or runner.remaining() < 1:
            break
        free, whole = _neighbourhood(runner, name, slots)
        if not free:
            break
        # all the time when every target is in; else a share, for the next targets
        limit = max(0.5, (end - time.monotonic()) / (1 if whole else ROUNDS - r))
        sub = runner.child(_restricted(runner, slots, free), limit)
        sub.best = list(slots)
        sub.run_phases(slots, [name], levels, with_breaks=False)
        log.info(
            "neighbourhood %s round %d: %d free meetings, level %s -> %s",
            name,
            r + 1,
            len(free),
            value,
            phase_value(runner, name, sub.best or slots),
        )
        runner.stopped = runner.stopped or sub.stopped
        got = sub.best or slots
        better = phase_value(runner, name, got)
        if better <= value:
            break
        slots, value = got, better
    return slots, value


def _scheduled(runner: Runner, slots: list[int | None]) -> list[int]:
    got = [0] * runner.pr.n_people
    for m, t in enumerate(slots):
        if t is not None:
            for p in runner.pr.ends[m]:
                got[p] += 1
    return got


def _targets(runner: Runner, name: str, slots: list[int | None]) -> list[int]:
    """The participants the phase is about, worst off first."""
    live, got = runner.live_count, _scheduled(runner, slots)
    people = [p for p, n in enumerate(live) if n]
    if name == "coverage":
        return [p for p in people if got[p] == 0]
    if name == "floor":
        n = runner.opts.min_meetings or 0
        short = [p for p in people if got[p] < min(n, live[p])]
        return sorted(short, key=lambda p: got[p] - min(n, live[p]))
    share = {p: SCALE * got[p] // live[p] for p in people}
    low = min(share.values(), default=SCALE)
    return sorted((p for p in people if share[p] <= low), key=lambda p: share[p])


def _neighbourhood(
    runner: Runner, name: str, slots: list[int | None]
) -> tuple[set[int], bool]:
    """Meetings left free: those of the targets, then of their partners, up to
    ``MAX_FREE``; and whether every target's meetings are in."""
    pr = runner.pr
    free: set[int] = set()
    ring = _targets(runner, name, slots)
    seen = set(ring)
    for hop in range(2):
        nxt: list[int] = []
        for p in ring:
            ms = [m for m in pr.meetings_of[p] if runner.active[m] and m not in free]
            if free and len(free) + len(ms) > MAX_FREE:
                return free, hop > 0
            free.update(ms)
            for m in ms:
                q = pr.ends[m][0] if pr.ends[m][1] == p else pr.ends[m][1]
                if q not in seen:
                    seen.add(q)
                    nxt.append(q)
        ring = nxt
    return free, True


def _restricted(runner: Runner, slots: list[int | None], free: set[int]) -> Problem:
    """The problem with every meeting outside ``free`` fixed where it is (or left out)."""
    pr = runner.pr
    domain = [
        pr.domain[m] if m in free else ([t] if (t := slots[m]) is not None else [])
        for m in range(pr.n_meetings)
    ]
    fixed = [pr.fixed[m] if m in free else slots[m] for m in range(pr.n_meetings)]
    return dataclasses.replace(pr, domain=domain, fixed=fixed)

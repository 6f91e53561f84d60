"""Large events: fewer breaks session by session.

Breaks never cross sessions, so once every meeting has its session, each session is an
independent small slot model. Keeping each meeting in its session (and every meeting
scheduled), we minimise the moves and then the breaks of one session at a time,
starting from the current schedule, which stays valid throughout.
"""

from __future__ import annotations

import dataclasses
import time

from solver.runner import Runner


def improve_by_session(runner: Runner, slots: list[int | None]) -> list[int | None]:
    """A schedule with the same meetings in the same sessions and fewer breaks."""
    pr = runner.pr
    slots = list(slots)
    runs = len(pr.runs)
    for r in range(runs):
        if runner.stopped or runner.remaining() < 1:
            runner.proved = False
            break
        domain = [
            [t for t in pr.domain[m] if pr.session_of[t] == r]
            if slots[m] is not None and pr.session_of[slots[m]] == r  # type: ignore[index]
            else []
            for m in range(pr.n_meetings)
        ]
        if not any(domain):
            continue
        sub = Runner(
            dataclasses.replace(pr, domain=domain),
            time.monotonic(),
            max(0.5, runner.remaining() / (runs - r)),
            runner.workers,
            runner.seed,
            runner.deterministic,
            runner.callback,
            runner.stop,
        )
        sub.require_all = True
        sub.best = list(slots)
        names = [] if pr.instance.options.keep_previous else ["moves"]
        got = sub.run_phases(slots, names)
        if sub.best is not None:
            got = sub.best
        for m in range(pr.n_meetings):
            if domain[m] and got[m] is not None:
                slots[m] = got[m]
        runner.stopped = runner.stopped or sub.stopped
    return slots

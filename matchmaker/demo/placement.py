"""Where each accepted meeting is planned: a session both sides attend, within limits."""

from __future__ import annotations

from matchmaker.demo.organisations import SESSION_LOAD, Org

# The share of the event's table-slots the planned meetings may fill in a session.
TABLE_LOAD = 0.95


class Placement:
    """Plans each accepted meeting into a session both sides attend, within load limits.

    This is not the schedule (the solver makes that); it keeps the generated event
    feasible-ish: no organisation or session is planned beyond what it can hold.
    """

    def __init__(self, codes: list[str], session_cap: int) -> None:
        self.load = {code: 0 for code in codes}
        self.cap = session_cap

    def find(self, a: Org, b: Org) -> str | None:
        best: str | None = None
        best_score = float("inf")
        for code, reps_a in a.presence.items():
            reps_b = b.presence.get(code, 0)
            shared = not (a.home_table or b.home_table)
            if not reps_b or (shared and self.load[code] >= self.cap):
                continue
            la, lb = a.load.get(code, 0), b.load.get(code, 0)
            if la >= SESSION_LOAD * reps_a or lb >= SESSION_LOAD * reps_b:
                continue
            day = code[: code.index("-")]
            if a.day_load.get(day, 0) >= a.day_cap[day] or b.day_load.get(day, 0) >= b.day_cap[day]:
                continue
            score = la / (SESSION_LOAD * reps_a) + lb / (SESSION_LOAD * reps_b)
            score += self.load[code] / self.cap if shared else 0.0
            if score < best_score:
                best, best_score = code, score
        return best

    def commit(self, a: Org, b: Org, code: str) -> None:
        day = code.split("-")[0]
        if not (a.home_table or b.home_table):
            self.load[code] += 1  # at a shared table
        for org in (a, b):
            org.load[code] = org.load.get(code, 0) + 1
            org.day_load[day] = org.day_load.get(day, 0) + 1
            org.meetings += 1

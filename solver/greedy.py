"""Greedy first-fit: what most event tools do, and our constructive first schedule.

Meetings are taken one by one (fixed ones first) and put into the earliest slot where
both participants are free, a table is left and every hard rule still holds. Never
moves a meeting once placed, so it may leave meetings out that a solver can fit. A
team's meetings each take the first of its people who is present and free then and
within their own limits (the required person, if any).
"""

from __future__ import annotations

from solver.problem import Problem, host_capacity


class State:
    def __init__(self, problem: Problem) -> None:
        self.pr = problem
        self.load = [[0] * problem.n_slots for _ in range(problem.n_people)]
        self.free_used = [0] * problem.n_slots
        self.home_used: dict[tuple[int, int], int] = {}
        self.per_day: list[dict[int, int]] = [{} for _ in range(problem.n_people)]
        self.placed = [0] * problem.n_people
        self.slot: list[int | None] = [None] * problem.n_meetings
        self.successors: list[list[int]] = [[] for _ in range(problem.n_meetings)]
        self.attends: dict[tuple[int, int], set[int]] = {}  # (team, person) -> their slots
        self.attendee: dict[tuple[int, int], int] = {}  # (meeting, team) -> its person
        for m, befores in enumerate(problem.after):
            for a in befores:
                self.successors[a].append(m)

    def fits(self, m: int, t: int) -> bool:
        pr = self.pr
        a, b = pr.ends[m]
        if not (self._participant_fits(m, a, t) and self._participant_fits(m, b, t)):
            return False
        h = pr.home_of[m]
        if h is None:
            if self.free_used[t] >= len(pr.free_tables):
                return False
        elif self.home_used.get((h, t), 0) >= host_capacity(pr, h):
            return False
        for a_ in pr.after[m]:
            s = self.slot[a_]
            if s is not None and s >= t:
                return False
        for n in self.successors[m]:
            s = self.slot[n]
            if s is not None and s <= t:
                return False
        return True

    def _participant_fits(self, m: int, p: int, t: int) -> bool:
        pr = self.pr
        if self.load[p][t] >= pr.capacity[p]:
            return False
        limit = pr.max_per_day[p]
        if limit is not None and self.per_day[p].get(pr.day_of[t], 0) >= limit:
            return False
        k = pr.max_consecutive[p]
        if k is not None and self._run_length(p, t) > k:
            return False
        return not (p in pr.teams and pr.teams[p].size > 1 and self._person(m, p, t) is None)

    def _run_length(self, p: int, t: int) -> int:
        """Length of p's run of busy slots through t if it also met in t."""
        pr, load = self.pr, self.load[p]
        run = pr.runs[pr.session_of[t]]
        i = run.index(t)
        n = 1
        j = i - 1
        while j >= 0 and load[run[j]] > 0:
            n, j = n + 1, j - 1
        j = i + 1
        while j < len(run) and load[run[j]] > 0:
            n, j = n + 1, j + 1
        return n

    def _person(self, m: int, p: int, t: int) -> int | None:
        """The first of team ``p``'s people who can attend meeting ``m`` in slot ``t``."""
        pr, team = self.pr, self.pr.teams[p]
        required = pr.required.get((m, p))
        for r in [required] if required is not None else team.present(t):
            slots = self.attends.get((p, r), set())
            if t in slots or t in team.away[r]:
                continue
            limit = team.max_per_day[r]
            if limit is not None and sum(pr.day_of[u] == pr.day_of[t] for u in slots) >= limit:
                continue
            k = team.max_consecutive[r]
            if k is not None and _streak(pr, slots, t) > k:
                continue
            return r
        return None

    def place(self, m: int, t: int, persons: dict[int, int] | None = None) -> None:
        """Put ``m`` into ``t`` (after ``fits``); ``persons``: who attends for a team, as
        ``remove`` returned it (putting a meeting back as it was)."""
        pr = self.pr
        for p in pr.ends[m]:
            if p in pr.teams and pr.teams[p].size > 1:
                r = persons[p] if persons and p in persons else self._person(m, p, t)
                assert r is not None  # place follows fits
                self.attends.setdefault((p, r), set()).add(t)
                self.attendee[(m, p)] = r
            self.load[p][t] += 1
            self.placed[p] += 1
            d = pr.day_of[t]
            self.per_day[p][d] = self.per_day[p].get(d, 0) + 1
        h = pr.home_of[m]
        if h is None:
            self.free_used[t] += 1
        else:
            self.home_used[(h, t)] = self.home_used.get((h, t), 0) + 1
        self.slot[m] = t

    def remove(self, m: int) -> dict[int, int]:
        """Take a placed meeting out again (the local search of ``solver.compaction``);
        who attended it for each team."""
        pr, t = self.pr, self.slot[m]
        assert t is not None
        persons = {}
        for p in pr.ends[m]:
            r = self.attendee.pop((m, p), None)
            if r is not None:
                self.attends[(p, r)].discard(t)
                persons[p] = r
            self.load[p][t] -= 1
            self.placed[p] -= 1
            self.per_day[p][pr.day_of[t]] -= 1
        h = pr.home_of[m]
        if h is None:
            self.free_used[t] -= 1
        else:
            self.home_used[(h, t)] -= 1
        self.slot[m] = None
        return persons


def _streak(pr: Problem, slots: set[int], t: int) -> int:
    """Length of the run of ``slots`` through t (in t's session) if t were added."""
    run = pr.runs[pr.session_of[t]]
    i = run.index(t)
    n, j = 1, i - 1
    while j >= 0 and run[j] in slots:
        n, j = n + 1, j - 1
    j = i + 1
    while j < len(run) and run[j] in slots:
        n, j = n + 1, j + 1
    return n


def first_fit(problem: Problem, order: list[int] | None = None) -> list[int | None]:
    """Slot index per meeting (None = left out), in request order after fixed meetings."""
    state = State(problem)
    fixed = [m for m in range(problem.n_meetings) if problem.fixed[m] is not None]
    for m in fixed:
        t = problem.fixed[m]
        if t is not None and problem.domain[m] and state.fits(m, t):
            state.place(m, t)
    rest = order if order is not None else range(problem.n_meetings)
    for m in rest:
        if state.slot[m] is not None or problem.fixed[m] is not None:
            continue
        for t in problem.domain[m]:
            if state.fits(m, t):
                state.place(m, t)
                break
    return state.slot


def compact(problem: Problem) -> list[int | None]:
    """A first schedule that also tries to keep each participant's meetings together:
    most constrained meetings first, each into the fitting slot next to its participants'
    other meetings (fewest new breaks), else the earliest."""
    state = State(problem)
    for m in range(problem.n_meetings):
        t = problem.fixed[m]
        if t is not None and problem.domain[m] and state.fits(m, t):
            state.place(m, t)
    size = [len(ms) for ms in problem.meetings_of]
    order = sorted(
        (m for m in range(problem.n_meetings) if state.slot[m] is None),
        key=lambda m: (
            -max(size[p] for p in problem.ends[m]),
            len(problem.domain[m]),
            -problem.weight[m],
        ),
    )
    for m in order:
        best, best_score = None, None
        a, b = problem.ends[m]
        for t in problem.domain[m]:
            if not state.fits(m, t):
                continue
            score = 0
            run = problem.session_of[t]
            for p in (a, b):
                load = state.load[p]
                if any(
                    0 <= u < problem.n_slots and problem.session_of[u] == run and load[u]
                    for u in (t - 1, t + 1)
                ):
                    score -= 2
                elif state.placed[p]:
                    score += 1
            if best_score is None or score < best_score:
                best, best_score = t, score
        if best is not None:
            state.place(m, best)
    return state.slot


def complete(problem: Problem, partial: list[int | None]) -> list[int | None]:
    """Keep ``partial`` where it fits (in order), then add the rest first-fit."""
    state = State(problem)
    for m, t in enumerate(partial):
        if t is not None and problem.fixed[m] is not None and state.fits(m, t):
            state.place(m, t)
    for m, t in enumerate(partial):
        if t is not None and state.slot[m] is None and state.fits(m, t):
            state.place(m, t)
    for m in sorted(range(problem.n_meetings), key=lambda m: -problem.weight[m]):
        if state.slot[m] is not None:
            continue
        for t in problem.domain[m]:
            if state.fits(m, t):
                state.place(m, t)
                break
    return state.slot

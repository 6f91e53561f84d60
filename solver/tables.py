"""Tables are assigned after slots: home tables first, then a stable first-fit.

A meeting that kept its previous slot keeps its previous table when that table is still
free, so a re-solve does not shuffle people who did not move.
"""

from __future__ import annotations

from solver.problem import Problem


def assign_tables(problem: Problem, slot_of: dict[int, int]) -> dict[int, str | None]:
    """Table id per scheduled meeting (None only when the instance has no tables)."""
    meetings = problem.instance.meetings
    by_slot: dict[int, list[int]] = {}
    for m, t in slot_of.items():
        by_slot.setdefault(t, []).append(m)
    table_of: dict[int, str | None] = {}
    for t, ms in by_slot.items():
        taken: set[str] = set()
        ms = sorted(ms)

        def keeps(m: int, t: int = t) -> bool:
            return problem.previous[m] == t and meetings[m].previous_table is not None

        # 1. hosted meetings at their host's home table(s), previous table first
        for m in sorted((m for m in ms if problem.home_of[m] is not None), key=keeps, reverse=True):
            h = problem.home_of[m]
            assert h is not None
            homes = list(problem.home_tables[h])
            a, b = problem.ends[m]
            other = b if h == a else a
            homes += problem.home_tables.get(other, [])
            prev = meetings[m].previous_table
            if keeps(m) and prev in homes and prev not in taken:
                choice: str | None = prev
            else:
                choice = next((x for x in homes if x not in taken), None)
            table_of[m] = choice
            if choice is not None:
                taken.add(choice)
        # 2. meetings that kept their slot keep their table
        rest = [m for m in ms if problem.home_of[m] is None]
        free = [x for x in problem.free_tables]
        free_set = set(free)
        for m in rest:
            prev = meetings[m].previous_table
            if keeps(m) and prev in free_set and prev not in taken:
                table_of[m] = prev
                taken.add(prev)  # type: ignore[arg-type]
        # 3. the others first-fit
        it = iter(x for x in free if x not in taken)
        for m in rest:
            if m not in table_of:
                table_of[m] = next(it, None)
    return table_of

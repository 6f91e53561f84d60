"""Per-slot capacity again, as sequential counters (order-encoded running counts).

``sum(lits) <= k`` as one linear constraint propagates well but teaches the clause
learning little: its explanations name every true literal. The same bound as a chain
of "at least j of the first i literals" booleans (Sinz's sequential counter, the CNF
encoding the B2BSP paper's MaxSAT models use) gives the solver partial counts to learn
clauses about. On the tight B2BSP instances (236 meetings for 240 table places) this is
the difference between proving the optimum in about a second and not in a minute.

One counter per slot, redundant: the meetings at shared tables (at most the number of
shared tables) or, when there are no home tables and it is cheaper, the busy
participants (at most twice the number of tables). It costs ``lits × bound``
booleans, so it is only added to small models (see ``add``).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import Variables
from solver.problem import Problem

MAX_AUX = 300_000  # booleans; B2BSP's largest instance needs about 200,000


Group = tuple[list[cp_model.IntVar], int]


def _groups(problem: Problem, v: Variables, cheaper: bool = True) -> list[Group]:
    """The cheaper of the two counters. Both at once cost more than they give: on B2BSP
    ticf-14crafa the busy counters alone find the optimum in 8-19 s, both together in
    25-45 s or not within a minute; on ticf-13crafc the meeting counters alone take
    4-5 s, both 18-43 s."""
    n_free = len(problem.free_tables)
    meetings: dict[int, list[cp_model.IntVar]] = {}
    for m, xs in enumerate(v.x):
        if problem.home_of[m] is None:
            for t, lit in xs.items():
                meetings.setdefault(t, []).append(lit)
    by_meeting = [(lits, n_free) for lits in meetings.values() if len(lits) > n_free]
    if problem.home_tables or not any(v.busy):
        return by_meeting
    busy: dict[int, list[cp_model.IntVar]] = {}
    for by_slot in v.busy:
        for t, lit in by_slot.items():
            busy.setdefault(t, []).append(lit)
    by_busy = [(lits, 2 * n_free) for lits in busy.values() if len(lits) > 2 * n_free]
    if not (by_meeting and by_busy):
        return by_meeting or by_busy
    if (_cost(by_meeting) <= _cost(by_busy)) == cheaper:
        return by_meeting
    return by_busy


def _cost(groups: list[Group]) -> int:
    return sum(len(lits) * (k + 1) for lits, k in groups)


def add(model: cp_model.CpModel, problem: Problem, v: Variables, cheaper: bool = True) -> None:
    """Nothing when the counter would need more than ``MAX_AUX`` booleans.
    ``cheaper=False`` takes the other counter, where there are two: which one helps
    more varies by instance, so a second run can hedge with the other."""
    groups = _groups(problem, v, cheaper)
    if _cost(groups) > MAX_AUX:
        return
    for lits, k in groups:
        at_least = running_counts(model, lits, k)
        model.add(at_least[k + 1] == 0)


def running_counts(
    model: cp_model.CpModel, lits: list[cp_model.IntVar], k: int
) -> dict[int, cp_model.IntVar]:
    """Booleans ``c[j] <-> sum(lits) >= j`` for j = 1..k+1, built as a chain over
    prefixes: ``c_i[j] <-> c_{i-1}[j] or (lits[i] and c_{i-1}[j-1])``."""
    prev: dict[int, cp_model.IntVar] = {}
    for i, x in enumerate(lits):
        cur: dict[int, cp_model.IntVar] = {}
        for j in range(1, min(i + 1, k + 1) + 1):
            kept = prev.get(j)  # already j among the earlier literals
            below = prev.get(j - 1)  # j - 1 among them, so x makes j
            c = model.new_bool_var("")
            if kept is not None:
                model.add_implication(kept, c)
            if j == 1:
                model.add_implication(x, c)
                model.add_bool_or([c.Not(), x, *([kept] if kept is not None else [])])
            else:
                assert below is not None  # j <= i + 1, so j - 1 <= i was reachable
                model.add_bool_or([c, x.Not(), below.Not()])
                if kept is not None:
                    model.add_bool_or([c.Not(), kept, x])
                    model.add_bool_or([c.Not(), kept, below])
                else:
                    model.add_implication(c, x)
                    model.add_implication(c, below)
            cur[j] = c
        prev = cur
    return prev

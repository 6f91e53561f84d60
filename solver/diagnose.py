"""Simple causes found before search, and reasons for unscheduled meetings.

``presolve`` narrows each meeting's possible slots with cheap reasoning (fixed meetings
block their participants' slots; with ``require_all``, precedence chains bound how early
or late a meeting can be) and returns the reasons why the instance cannot be solved at
all, when a simple one exists. ``explain`` says, for a meeting left out of a schedule,
what a person could change.
"""

from __future__ import annotations

from collections import Counter

from solver.problem import Problem, host_capacity, slot_capacity
from solver.solution import Reason


def presolve(problem: Problem) -> list[Reason]:
    """Narrow ``problem.domain`` in place; return reasons for infeasibility (maybe none)."""
    reasons: list[Reason] = []
    pr = problem
    require_all = pr.instance.options.require_all
    if require_all:
        for m, why in pr.why_empty.items():
            reasons.append(_of_meeting(pr, m, why, " "))
    reasons += _fixed_conflicts(pr)
    reasons += _blocked_by_fixed(pr)
    cycle = _precedence_cycle(pr)
    if cycle and require_all:
        ids = [pr.meeting_ids[m] for m in cycle]
        reasons.append(
            Reason(
                code="precedence_cycle",
                params={"cycle": ids},
                text="precedence cycle: " + " → ".join(ids),
            )
        )
    if require_all and not cycle:
        reasons += _precedence_windows(pr)
    if require_all:
        reasons += _too_many_meetings(pr)
        total = pr.n_meetings
        cap = pr.n_tables * pr.n_slots
        if total > cap:
            reasons.append(
                Reason(
                    code="too_few_table_slots",
                    params={"meetings": total, "table_slots": cap, "tables": pr.n_tables},
                    text=f"{total} meetings but only {cap} table-slots ({pr.n_tables} tables)",
                )
            )
    return reasons


def _of_meeting(pr: Problem, m: int, why: Reason, separator: str) -> Reason:
    """A meeting's reason as a reason of the whole answer: its id named in front."""
    return Reason(
        code=why.code,
        params={"meeting": pr.meeting_ids[m], **why.params},
        text=f"meeting {pr.meeting_ids[m]} ({pr.meeting_label(m)}){separator}{why.text}",
    )


def _pair(pr: Problem, m: int) -> list[str]:
    return [pr.person_ids[p] for p in pr.ends[m]]


def _fixed_conflicts(pr: Problem) -> list[Reason]:
    reasons = []
    load: Counter[tuple[int, int]] = Counter()
    per_slot: Counter[int] = Counter()
    for m, t in enumerate(pr.fixed):
        if t is None or not pr.domain[m]:
            continue
        per_slot[t] += 1
        for p in pr.ends[m]:
            load[(p, t)] += 1
    for (p, t), n in sorted(load.items()):
        cap = slot_capacity(pr, p, t)
        if n > cap:
            reasons.append(
                Reason(
                    code="fixed_conflict",
                    params={
                        "participant": pr.person_ids[p],
                        "slot": pr.slot_ids[t],
                        "meetings": n,
                        "capacity": cap,
                    },
                    text=f"{pr.labels[p]} has {n} fixed meetings in slot {pr.slot_ids[t]} "
                    f"but can hold {cap} at once",
                )
            )
    for t, n in sorted(per_slot.items()):
        if n > pr.n_tables:
            reasons.append(
                Reason(
                    code="fixed_tables",
                    params={"slot": pr.slot_ids[t], "meetings": n, "tables": pr.n_tables},
                    text=f"{n} fixed meetings in slot {pr.slot_ids[t]} for {pr.n_tables} tables",
                )
            )
    for m, befores in enumerate(pr.after):
        for a in befores:
            ta, tm = pr.fixed[a], pr.fixed[m]
            if ta is not None and tm is not None and ta >= tm and pr.domain[a] and pr.domain[m]:
                reasons.append(
                    Reason(
                        code="fixed_order",
                        params={
                            "meeting": pr.meeting_ids[m],
                            "slot": pr.slot_ids[tm],
                            "before": pr.meeting_ids[a],
                            "before_slot": pr.slot_ids[ta],
                        },
                        text=f"meeting {pr.meeting_ids[a]} is fixed to {pr.slot_ids[ta]}, "
                        f"not before meeting {pr.meeting_ids[m]} fixed to {pr.slot_ids[tm]}",
                    )
                )
    return reasons


def _blocked_by_fixed(pr: Problem) -> list[Reason]:
    """Remove slots where a participant's fixed meetings already use all its capacity."""
    load: Counter[tuple[int, int]] = Counter()
    for m, t in enumerate(pr.fixed):
        if t is not None and pr.domain[m]:
            for p in pr.ends[m]:
                load[(p, t)] += 1
    if not load:
        return []
    reasons = []
    for m, dom in enumerate(pr.domain):
        if pr.fixed[m] is not None or not dom:
            continue
        a, b = pr.ends[m]
        new = [
            t
            for t in dom
            if load[(a, t)] < slot_capacity(pr, a, t) and load[(b, t)] < slot_capacity(pr, b, t)
        ]
        if len(new) < len(dom):
            pr.domain[m] = new
            if not new:
                pr.why_empty[m] = Reason(
                    code="blocked_by_fixed",
                    params={"participants": _pair(pr, m), "slots": [pr.slot_ids[t] for t in dom]},
                    text=f"every slot where {pr.labels[a]} and {pr.labels[b]} can both meet "
                    "is taken by a fixed meeting",
                )
                if pr.instance.options.require_all:
                    reasons.append(_of_meeting(pr, m, pr.why_empty[m], ": "))
    return reasons


def _precedence_cycle(pr: Problem) -> list[int]:
    color = [0] * pr.n_meetings
    stack: list[int] = []

    def visit(m: int) -> list[int]:
        color[m] = 1
        stack.append(m)
        for a in pr.after[m]:
            if color[a] == 1:
                return [*stack[stack.index(a) :], a]
            if color[a] == 0:
                found = visit(a)
                if found:
                    return found
        stack.pop()
        color[m] = 2
        return []

    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * pr.n_meetings + 100))
    try:
        for m in range(pr.n_meetings):
            if color[m] == 0 and pr.after[m]:
                found = visit(m)
                if found:
                    return found[::-1]
    finally:
        sys.setrecursionlimit(limit)
    return []


def _precedence_windows(pr: Problem) -> list[Reason]:
    """With every meeting required, a meeting comes after all its predecessors: narrow
    domains to [earliest, latest] windows until nothing changes."""
    succ: list[list[int]] = [[] for _ in range(pr.n_meetings)]
    for m, befores in enumerate(pr.after):
        for a in befores:
            succ[a].append(m)
    if not any(pr.after):
        return []
    changed = True
    while changed:
        changed = False
        for m in range(pr.n_meetings):
            dom = pr.domain[m]
            if not dom:
                continue
            lo = max((pr.domain[a][0] + 1 for a in pr.after[m] if pr.domain[a]), default=dom[0])
            hi = min((pr.domain[n][-1] - 1 for n in succ[m] if pr.domain[n]), default=dom[-1])
            new = [t for t in dom if lo <= t <= hi]
            if len(new) < len(dom):
                pr.domain[m] = new
                changed = True
                if not new:
                    pr.why_empty[m] = Reason(
                        code="order_window",
                        params={"participants": _pair(pr, m)},
                        text="its required order with other meetings leaves no slot",
                    )
                    return [
                        _of_meeting(
                            pr,
                            m,
                            pr.why_empty[m].model_copy(
                                update={
                                    "text": "no slot fits between the meetings that must "
                                    "come before and after it"
                                }
                            ),
                            ": ",
                        )
                    ]
    return []


def _too_many_meetings(pr: Problem) -> list[Reason]:
    """Hall's condition per participant: its meetings need distinct slots (up to its
    capacity) among the slots where each can take place."""
    reasons = []
    for p, ms in enumerate(pr.meetings_of):
        live = [m for m in ms if pr.domain[m]]
        if not live:
            continue
        cap = min(pr.capacity[p], host_capacity(pr, p))
        matched = _matching_size([pr.domain[m] for m in live], cap)
        if matched < len(live):
            usable = sorted({t for m in live for t in pr.domain[m]})
            reasons.append(
                Reason(
                    code="too_many_meetings",
                    params={
                        "participant": pr.person_ids[p],
                        "meetings": len(live),
                        "fit": matched,
                        "slots": [pr.slot_ids[t] for t in usable],
                        "capacity": cap,
                    },
                    text=f"{pr.labels[p]} has {len(live)} meetings but they fit in at most "
                    f"{matched} (usable slots: {len(usable)} × capacity {cap}); "
                    "free more slots or drop a meeting",
                )
            )
    return reasons


def _matching_size(domains: list[list[int]], cap: int) -> int:
    owner: dict[tuple[int, int], int] = {}

    def augment(i: int, seen: set[tuple[int, int]]) -> bool:
        for t in domains[i]:
            for c in range(cap):
                key = (t, c)
                if key in seen:
                    continue
                seen.add(key)
                if key not in owner or augment(owner[key], seen):
                    owner[key] = i
                    return True
        return False

    return sum(1 for i in range(len(domains)) if augment(i, set()))


class _Usage:
    """How full every participant, day and table is in a schedule."""

    def __init__(self, pr: Problem, slot_of: dict[int, int]) -> None:
        self.load: Counter[tuple[int, int]] = Counter()
        self.per_day: Counter[tuple[int, int]] = Counter()
        self.free_used: Counter[int] = Counter()
        self.home_used: Counter[tuple[int, int]] = Counter()
        for n, t in slot_of.items():
            for p in pr.ends[n]:
                self.load[(p, t)] += 1
                self.per_day[(p, pr.day_of[t])] += 1
            h = pr.home_of[n]
            if h is None:
                self.free_used[t] += 1
            else:
                self.home_used[(h, t)] += 1


def explain_all(pr: Problem, slot_of: dict[int, int]) -> dict[int, Reason]:
    """A reason for every meeting left out of the schedule."""
    usage = _Usage(pr, slot_of)
    return {m: explain(pr, slot_of, m, usage) for m in range(pr.n_meetings) if m not in slot_of}


# the main cause of a meeting left out although slots were possible, by the count kept
CAUSES = (
    ("booked_a", "participant_booked"),
    ("booked_b", "participant_booked"),
    ("tables_full", "tables_full"),
    ("daily_limit", "daily_limit"),
    ("other", "order_or_consecutive"),
)


def explain(pr: Problem, slot_of: dict[int, int], m: int, usage: _Usage | None = None) -> Reason:
    """Why meeting ``m`` is not in the schedule, in terms a person can act on.

    With possible slots, ``params`` count for each of them the first cause that rules
    it out (``booked``: per participant, then ``tables_full``, ``daily_limit``,
    ``other``), and ``code`` names the cause that rules out the most."""
    if m in pr.why_empty or not pr.domain[m]:
        return pr.why_empty.get(m) or Reason(
            code="no_slot", params={"participants": _pair(pr, m)}, text="no slot is possible for it"
        )
    counts = _count_causes(pr, m, usage or _Usage(pr, slot_of))
    best = max(CAUSES, key=lambda cause: counts[cause[0]])  # first of equals wins
    return Reason(
        code=best[1],
        params={
            "participants": _pair(pr, m),
            "slots": [pr.slot_ids[t] for t in pr.domain[m]],
            "booked": [counts["booked_a"], counts["booked_b"]],
            "tables_full": counts["tables_full"],
            "daily_limit": counts["daily_limit"],
            "other": counts["other"],
        },
        text=_explain_text(pr, m, counts),
    )


def _count_causes(pr: Problem, m: int, usage: _Usage) -> Counter[str]:
    a, b = pr.ends[m]
    load, per_day = usage.load, usage.per_day
    free_used, home_used = usage.free_used, usage.home_used
    counts: Counter[str] = Counter()
    home = pr.home_of[m]
    for t in pr.domain[m]:
        if load[(a, t)] >= slot_capacity(pr, a, t):
            counts["booked_a"] += 1
        elif load[(b, t)] >= slot_capacity(pr, b, t):
            counts["booked_b"] += 1
        elif (home is None and free_used[t] >= len(pr.free_tables)) or (
            home is not None and home_used[(home, t)] >= host_capacity(pr, home)
        ):
            counts["tables_full"] += 1
        elif any(
            pr.max_per_day[p] is not None and per_day[(p, pr.day_of[t])] >= (pr.max_per_day[p] or 0)
            for p in (a, b)
        ):
            counts["daily_limit"] += 1
        else:
            counts["other"] += 1
    return counts


def _explain_text(pr: Problem, m: int, counts: Counter[str]) -> str:
    a, b = pr.ends[m]
    parts = []
    if counts["booked_a"]:
        parts.append(f"{pr.labels[a]} is already booked in {counts['booked_a']}")
    if counts["booked_b"]:
        parts.append(f"{pr.labels[b]} is already booked in {counts['booked_b']}")
    if counts["tables_full"]:
        parts.append(f"all tables are taken in {counts['tables_full']}")
    if counts["daily_limit"]:
        parts.append(f"a daily meeting limit is reached in {counts['daily_limit']}")
    if counts["other"]:
        parts.append(
            f"{counts['other']} would break an order or consecutive-meeting rule, or displace "
            "higher-weight meetings"
        )
    return (
        f"{pr.labels[a]} and {pr.labels[b]} can both meet only in "
        f"{pr.slots_text(pr.domain[m])} ({len(pr.domain[m])} slots): "
        + "; ".join(parts)
        + ". Adding availability, tables or raising its priority would help."
    )

"""An ``Instance`` turned into integer indices, with each meeting's possible slots.

Everything the model, the greedy baseline, the diagnosis and the validator share lives
here, so that they all agree on what "possible" means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from solver.instance import Instance
from solver.solution import Reason


@dataclass
class Problem:
    instance: Instance
    slot_ids: list[str]
    slot_index: dict[str, int]
    session_of: list[int]  # index of the session run of each slot
    runs: list[list[int]]  # maximal runs of consecutive slots that share a session
    day_of: list[int]
    days: dict[int, list[int]]
    person_ids: list[str]
    person_index: dict[str, int]
    capacity: list[int]
    unavailable: list[set[int]]
    max_per_day: list[int | None]
    max_consecutive: list[int | None]
    labels: list[str]
    meeting_ids: list[str]
    meeting_index: dict[str, int]
    ends: list[tuple[int, int]]
    weight: list[int]
    fixed: list[int | None]  # slot the meeting must take (fixed_slot, or kept previous_slot)
    previous: list[int | None]
    after: list[list[int]]
    domain: list[list[int]]  # slots a meeting may take, before looking at other meetings
    meetings_of: list[list[int]]
    home_tables: dict[int, list[str]]  # participant -> ids of its home tables
    home_of: list[int | None]  # meeting -> participant whose home table it uses
    free_tables: list[str]
    n_tables: int
    why_empty: dict[int, Reason] = field(default_factory=dict)

    @property
    def n_slots(self) -> int:
        return len(self.slot_ids)

    @property
    def n_people(self) -> int:
        return len(self.person_ids)

    @property
    def n_meetings(self) -> int:
        return len(self.meeting_ids)

    def meeting_label(self, m: int) -> str:
        a, b = self.ends[m]
        return f"{self.labels[a]} – {self.labels[b]}"

    def slots_text(self, slots: list[int], limit: int = 6) -> str:
        """Describe a set of slots by session run ("d2-am (9 slots)") for messages."""
        by_run: dict[int, list[int]] = {}
        for t in slots:
            by_run.setdefault(self.session_of[t], []).append(t)
        parts = []
        for r, ts in by_run.items():
            name = self.instance.slots[self.runs[r][0]].session
            if len(ts) == len(self.runs[r]):
                parts.append(f"all of session {name}")
            elif len(ts) <= 2:
                parts.append(", ".join(self.slot_ids[t] for t in ts))
            else:
                parts.append(f"{len(ts)} slots of session {name}")
        if len(parts) > limit:
            parts = [*parts[:limit], f"… ({len(parts) - limit} more sessions)"]
        return "; ".join(parts)


def _runs(instance: Instance) -> tuple[list[int], list[list[int]]]:
    """Each slot's run, and the runs: maximal stretches of slots in one session."""
    session_of: list[int] = []
    runs: list[list[int]] = []
    for i, s in enumerate(instance.slots):
        if i == 0 or instance.slots[i - 1].session != s.session:
            runs.append([])
        runs[-1].append(i)
        session_of.append(len(runs) - 1)
    return session_of, runs


def _tables(
    instance: Instance, person_index: dict[str, int]
) -> tuple[dict[int, list[str]], list[str]]:
    """Home tables by host, and the tables free for any meeting."""
    home_tables: dict[int, list[str]] = {}
    free_tables: list[str] = []
    for t in instance.tables:
        if t.host is None:
            free_tables.append(t.id)
        else:
            home_tables.setdefault(person_index[t.host], []).append(t.id)
    return home_tables, free_tables


def build(instance: Instance) -> Problem:
    slot_ids = [s.id for s in instance.slots]
    slot_index = {s: i for i, s in enumerate(slot_ids)}
    session_of, runs = _runs(instance)
    day_of = [s.day for s in instance.slots]
    days: dict[int, list[int]] = {}
    for i, d in enumerate(day_of):
        days.setdefault(d, []).append(i)

    person_ids = [p.id for p in instance.participants]
    person_index = {p: i for i, p in enumerate(person_ids)}
    unavailable = [{slot_index[s] for s in p.unavailable} for p in instance.participants]
    home_tables, free_tables = _tables(instance, person_index)

    meeting_ids = [m.id for m in instance.meetings]
    meeting_index = {m: i for i, m in enumerate(meeting_ids)}
    ends: list[tuple[int, int]] = []
    fixed: list[int | None] = []
    previous: list[int | None] = []
    domain: list[list[int]] = []
    home_of: list[int | None] = []
    why_empty: dict[int, Reason] = {}
    labels = [p.label for p in instance.participants]
    keep = instance.options.keep_previous
    all_slots = list(range(len(slot_ids)))
    for i, m in enumerate(instance.meetings):
        a, b = person_index[m.participants[0]], person_index[m.participants[1]]
        ends.append((a, b))
        home_of.append(a if a in home_tables else (b if b in home_tables else None))
        allowed = (
            all_slots if m.allowed_slots is None else sorted(slot_index[s] for s in m.allowed_slots)
        )
        both = [t for t in allowed if t not in unavailable[a] and t not in unavailable[b]]
        prev = slot_index[m.previous_slot] if m.previous_slot is not None else None
        previous.append(prev)
        fix = slot_index[m.fixed_slot] if m.fixed_slot is not None else None
        if fix is None and keep and prev is not None and prev in both:
            fix = prev
        fixed.append(fix)
        if fix is not None:
            dom = [fix] if fix in both else []
            if not dom:
                away = [fix in unavailable[a], fix in unavailable[b]]
                why_empty[i] = _fixed_empty(
                    m.participants, [labels[a], labels[b]], away, slot_ids[fix]
                )
        else:
            dom = both
            if not dom:
                restricted = m.allowed_slots is not None
                why_empty[i] = _never_together(m.participants, labels, a, b, allowed, restricted)
        domain.append(dom)

    meetings_of: list[list[int]] = [[] for _ in person_ids]
    for i, (a, b) in enumerate(ends):
        meetings_of[a].append(i)
        meetings_of[b].append(i)

    return Problem(
        instance=instance,
        slot_ids=slot_ids,
        slot_index=slot_index,
        session_of=session_of,
        runs=runs,
        day_of=day_of,
        days=days,
        person_ids=person_ids,
        person_index=person_index,
        capacity=[p.capacity for p in instance.participants],
        unavailable=unavailable,
        max_per_day=[p.max_per_day for p in instance.participants],
        max_consecutive=[p.max_consecutive for p in instance.participants],
        labels=labels,
        meeting_ids=meeting_ids,
        meeting_index=meeting_index,
        ends=ends,
        weight=[m.weight for m in instance.meetings],
        fixed=fixed,
        previous=previous,
        after=[[meeting_index[a] for a in m.after] for m in instance.meetings],
        domain=domain,
        meetings_of=meetings_of,
        home_tables=home_tables,
        home_of=home_of,
        free_tables=free_tables,
        n_tables=len(instance.tables),
        why_empty=why_empty,
    )


def _fixed_empty(pair: list[str], labels: list[str], away: list[bool], slot: str) -> Reason:
    who = [p for p, off in zip(pair, away, strict=True) if off]
    names = [label for label, off in zip(labels, away, strict=True) if off]
    if who:
        return Reason(
            code="fixed_unavailable",
            params={"participants": pair, "slot": slot, "unavailable": who},
            text=f"fixed to slot {slot} but {' and '.join(names)} is unavailable then",
        )
    return Reason(
        code="fixed_not_allowed",
        params={"participants": pair, "slot": slot},
        text=f"fixed to slot {slot} but that slot is not allowed",
    )


def _never_together(
    pair: list[str], labels: list[str], a: int, b: int, allowed: list[int], restricted: bool
) -> Reason:
    if not allowed:
        return Reason(
            code="no_allowed_slot", params={"participants": pair}, text="it has no allowed slot"
        )
    return Reason(
        code="no_common_slot",
        params={"participants": pair, "within_allowed": restricted},
        text=f"{labels[a]} and {labels[b]} are never available at the same time"
        + (" within its allowed slots" if restricted else ""),
    )


def host_capacity(problem: Problem, p: int) -> int:
    """Meetings participant ``p`` can hold at once (home tables limit a host)."""
    cap = problem.capacity[p]
    if p in problem.home_tables:
        cap = min(cap, len(problem.home_tables[p]))
    return cap

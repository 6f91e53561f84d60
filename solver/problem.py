"""An ``Instance`` turned into integer indices, with each meeting's possible slots.

Everything the model, the greedy baseline, the diagnosis and the validator share lives
here, so that they all agree on what "possible" means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from solver.instance import Instance, Participant
from solver.solution import Reason


@dataclass
class Team:
    """A participant's people, by index: who is away when, and their own limits.

    The participant's ``unavailable`` holds the slots where nobody is present and its
    ``capacity`` the number of people; with one person, that person's limits are folded
    into the participant's, so a team of one is an ordinary participant."""

    person_ids: list[str]
    labels: list[str]
    away: list[set[int]]  # person -> slots they are absent (their own or the participant's)
    max_per_day: list[int | None]
    max_consecutive: list[int | None]

    @property
    def size(self) -> int:
        return len(self.person_ids)

    def present(self, t: int) -> list[int]:
        return [r for r, away in enumerate(self.away) if t not in away]

    @property
    def needs_variables(self) -> bool:
        """Whether the model needs to know who attends which meeting: only per-person
        limits couple slots; without them, per-slot counts decide it (see
        ``solver.model.people``)."""
        return self.size > 1 and any(
            k is not None for k in (*self.max_per_day, *self.max_consecutive)
        )


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
    teams: dict[int, Team] = field(default_factory=dict)  # participant -> its people
    required: dict[tuple[int, int], int] = field(default_factory=dict)  # (m, p) -> person

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
    unavailable, capacity, max_per_day, max_consecutive, teams = _participants(instance, slot_index)
    home_tables, free_tables = _tables(instance, person_index)

    meeting_ids = [m.id for m in instance.meetings]
    meeting_index = {m: i for i, m in enumerate(meeting_ids)}
    ends: list[tuple[int, int]] = []
    fixed: list[int | None] = []
    previous: list[int | None] = []
    domain: list[list[int]] = []
    home_of: list[int | None] = []
    why_empty: dict[int, Reason] = {}
    required: dict[tuple[int, int], int] = {}
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
        both = _with_required(i, m.persons, both, teams, person_index, required)
        prev = slot_index[m.previous_slot] if m.previous_slot is not None else None
        previous.append(prev)
        fix = slot_index[m.fixed_slot] if m.fixed_slot is not None else None
        if fix is None and keep and prev is not None and prev in both:
            fix = prev
        fixed.append(fix)
        dom = both if fix is None else [fix] if fix in both else []
        domain.append(dom)
        if dom:
            continue
        window = allowed if fix is None else [fix] if fix in allowed else []
        if m.persons and _common_slot(a, b, window, unavailable):
            why_empty[i] = _person_away(m.persons, m.participants, teams, person_index)
        elif fix is not None:
            away = [fix in unavailable[a], fix in unavailable[b]]
            why_empty[i] = _fixed_empty(m.participants, [labels[a], labels[b]], away, slot_ids[fix])
        else:
            restricted = m.allowed_slots is not None
            why_empty[i] = _never_together(m.participants, labels, a, b, allowed, restricted)

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
        capacity=capacity,
        unavailable=unavailable,
        max_per_day=max_per_day,
        max_consecutive=max_consecutive,
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
        teams=teams,
        required=required,
    )


def _participants(
    instance: Instance, slot_index: dict[str, int]
) -> tuple[list[set[int]], list[int], list[int | None], list[int | None], dict[int, Team]]:
    """Each participant's unavailable slots, capacity and limits, with those of its
    people folded in, and its people (``teams``)."""
    unavailable = [{slot_index[s] for s in p.unavailable} for p in instance.participants]
    capacity = [p.capacity for p in instance.participants]
    max_per_day = [p.max_per_day for p in instance.participants]
    max_consecutive = [p.max_consecutive for p in instance.participants]
    teams = {
        i: _team(part, slot_index, unavailable[i])
        for i, part in enumerate(instance.participants)
        if part.people
    }
    for i, team in teams.items():
        unavailable[i] |= set.intersection(*team.away)
        capacity[i] = team.size
        if team.size == 1:
            max_per_day[i] = _tighter(max_per_day[i], team.max_per_day[0])
            max_consecutive[i] = _tighter(max_consecutive[i], team.max_consecutive[0])
    return unavailable, capacity, max_per_day, max_consecutive, teams


def _team(part: Participant, slot_index: dict[str, int], unavailable: set[int]) -> Team:
    people = part.people or []
    return Team(
        person_ids=[q.id for q in people],
        labels=[q.label for q in people],
        away=[unavailable | {slot_index[s] for s in q.unavailable} for q in people],
        max_per_day=[q.max_per_day for q in people],
        max_consecutive=[q.max_consecutive for q in people],
    )


def _with_required(
    m: int,
    persons: dict[str, str],
    slots: list[int],
    teams: dict[int, Team],
    person_index: dict[str, int],
    required: dict[tuple[int, int], int],
) -> list[int]:
    """The slots where meeting ``m``'s required persons are present; records them."""
    for p_id, person in persons.items():
        p = person_index[p_id]
        r = required[(m, p)] = teams[p].person_ids.index(person)
        slots = [t for t in slots if t not in teams[p].away[r]]
    return slots


def _tighter(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _common_slot(a: int, b: int, allowed: list[int], unavailable: list[set[int]]) -> bool:
    """Whether the two sides would have a common slot if nobody in particular had to come."""
    return any(t not in unavailable[a] and t not in unavailable[b] for t in allowed)


def _person_away(
    persons: dict[str, str],
    pair: list[str],
    teams: dict[int, Team],
    person_index: dict[str, int],
) -> Reason:
    p_id, person = next(iter(persons.items()))
    team = teams[person_index[p_id]]
    label = team.labels[team.person_ids.index(person)]
    return Reason(
        code="required_person_away",
        params={"participants": pair, "participant": p_id, "person": person},
        text=f"{label}, who must attend for {p_id}, is never available when it could take place",
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


def slot_capacity(problem: Problem, p: int, t: int) -> int:
    """Meetings participant ``p`` can hold in slot ``t``: its people present then, if any."""
    team = problem.teams.get(p)
    return problem.capacity[p] if team is None else len(team.present(t))

"""The problem as the solver contract describes it: slots, tables, participants, meetings.

These pydantic models read and write exactly the instance JSON of
``../shared/SOLVER-CONTRACT.md``; the web application builds the same objects in memory.
Cross references (unknown ids, duplicates, a meeting with one participant) are checked
when an ``Instance`` is built, and every error names the offending field.
"""

from __future__ import annotations

from collections import Counter
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=False)


class Slot(_Model):
    id: str
    session: str = "1"
    day: int = 1
    start: str | None = None
    end: str | None = None


class Table(_Model):
    id: str
    host: str | None = None


class Person(_Model):
    """One of the people who attend for a participant (a team's representative)."""

    id: str
    name: str | None = None
    unavailable: list[str] = Field(default_factory=list)
    max_per_day: int | None = Field(default=None, ge=0)
    max_consecutive: int | None = Field(default=None, ge=1)

    @property
    def label(self) -> str:
        return self.name or self.id


class Participant(_Model):
    """``people`` (optional): who attends for it; when given, ``capacity`` is derived
    (as many meetings at once as people present) and every meeting names its person."""

    id: str
    name: str | None = None
    capacity: int = Field(default=1, ge=1)
    unavailable: list[str] = Field(default_factory=list)
    max_per_day: int | None = Field(default=None, ge=0)
    max_consecutive: int | None = Field(default=None, ge=1)
    people: list[Person] | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


class Meeting(_Model):
    id: str
    participants: list[str]
    weight: int = Field(default=1, ge=0)
    allowed_slots: list[str] | None = None
    fixed_slot: str | None = None
    previous_slot: str | None = None
    previous_table: str | None = None
    after: list[str] = Field(default_factory=list)
    persons: dict[str, str] = Field(default_factory=dict)  # participant -> required person

    @model_validator(mode="after")
    def _two_distinct(self) -> Self:
        if len(self.participants) != 2:
            raise ValueError(
                f"meeting {self.id!r} must have exactly two participants, "
                f"got {len(self.participants)}"
            )
        if self.participants[0] == self.participants[1]:
            raise ValueError(f"meeting {self.id!r} has the same participant twice")
        return self


class Options(_Model):
    require_all: bool = False
    fairness_max_diff: int | None = Field(default=None, ge=0)
    keep_previous: bool = True
    # everyone first gets min(N, what they can get) meetings, ranked above weight
    min_meetings: int | None = Field(default=None, ge=1)


def _duplicates(ids: list[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


class Instance(_Model):
    name: str = "instance"
    slots: list[Slot]
    tables: list[Table]
    participants: list[Participant]
    meetings: list[Meeting]
    options: Options = Field(default_factory=Options)

    @model_validator(mode="after")
    def _references(self) -> Self:
        errors: list[str] = []
        for kind, ids in (
            ("slots", [s.id for s in self.slots]),
            ("tables", [t.id for t in self.tables]),
            ("participants", [p.id for p in self.participants]),
            ("meetings", [m.id for m in self.meetings]),
        ):
            for dup in _duplicates(ids):
                errors.append(f"{kind}: duplicate id {dup!r}")
        slots = {s.id for s in self.slots}
        people = {p.id for p in self.participants}
        meetings = {m.id for m in self.meetings}
        for i, t in enumerate(self.tables):
            if t.host is not None and t.host not in people:
                errors.append(f"tables[{i}].host: unknown participant {t.host!r}")
        for i, p in enumerate(self.participants):
            for s in p.unavailable:
                if s not in slots:
                    errors.append(f"participants[{i}].unavailable: unknown slot {s!r}")
            errors += _people_references(i, p, slots)
        tables = {t.id for t in self.tables}
        teams = {p.id: {q.id for q in p.people} for p in self.participants if p.people}
        for i, m in enumerate(self.meetings):
            errors += _meeting_references(i, m, slots, people, meetings, tables)
            errors += _persons_references(i, m, teams)
        if errors:
            raise ValueError("; ".join(errors))
        return self


def _meeting_references(
    i: int, m: Meeting, slots: set[str], people: set[str], meetings: set[str], tables: set[str]
) -> list[str]:
    """What meeting ``i`` refers to that does not exist (or is itself, in ``after``)."""
    errors = [
        f"meetings[{i}].participants: unknown participant {p_id!r}"
        for p_id in m.participants
        if p_id not in people
    ]
    errors += [
        f"meetings[{i}].allowed_slots: unknown slot {s!r}"
        for s in m.allowed_slots or []
        if s not in slots
    ]
    for field in ("fixed_slot", "previous_slot"):
        value = getattr(m, field)
        if value is not None and value not in slots:
            errors.append(f"meetings[{i}].{field}: unknown slot {value!r}")
    if m.previous_table is not None and m.previous_table not in tables:
        errors.append(f"meetings[{i}].previous_table: unknown table {m.previous_table!r}")
    for a in m.after:
        if a not in meetings:
            errors.append(f"meetings[{i}].after: unknown meeting {a!r}")
        elif a == m.id:
            errors.append(f"meetings[{i}].after: meeting {a!r} cannot follow itself")
    return errors


def _people_references(i: int, p: Participant, slots: set[str]) -> list[str]:
    """Participant ``i``'s people: at least one, distinct ids, known slots."""
    if p.people is None:
        return []
    if not p.people:
        return [f"participants[{i}].people: empty (leave it out for no people)"]
    errors = [
        f"participants[{i}].people: duplicate person id {dup!r}"
        for dup in _duplicates([q.id for q in p.people])
    ]
    for j, q in enumerate(p.people):
        errors += [
            f"participants[{i}].people[{j}].unavailable: unknown slot {s!r}"
            for s in q.unavailable
            if s not in slots
        ]
    return errors


def _persons_references(i: int, m: Meeting, teams: dict[str, set[str]]) -> list[str]:
    """Meeting ``i``'s required persons: one of its participants' own people."""
    errors = []
    for p_id, person in m.persons.items():
        field = f"meetings[{i}].persons.{p_id}"
        if p_id not in m.participants:
            errors.append(f"{field}: {p_id!r} is not a participant of this meeting")
        elif p_id not in teams:
            errors.append(f"{field}: participant {p_id!r} has no people")
        elif person not in teams[p_id]:
            errors.append(f"{field}: unknown person {person!r} of {p_id!r}")
    return errors

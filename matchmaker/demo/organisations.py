"""The organisations planned in memory, their representatives and capacities.

An ``Org`` carries what the later steps need (presence per session, capacity,
appetite, planned load) until it is inserted as an ``Organisation`` row; its
profile is drawn in ``matchmaker.demo.profiles``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from matchmaker.demo.calendar import Calendar
from matchmaker.demo.rows import insert_rows
from matchmaker.demo.rules import limit
from matchmaker.demo.vocab import tag_labels
from matchmaker.models import Organisation, OrgKind
from matchmaker.rules import EventRules
from matchmaker.text import fold

# No organisation gets more accepted meetings than this share of its usable slots.
LOAD_FACTOR = 0.65
# Planned meetings per representative and session (of 9 slots).
SESSION_LOAD = 6

TWO_REPS: dict[OrgKind, float] = {
    OrgKind.startup: 0.10,
    OrgKind.ocop: 0.08,
    OrgKind.tech_firm: 0.20,
    OrgKind.university: 0.15,
    OrgKind.association: 0.30,
    OrgKind.agency: 0.20,
    OrgKind.investor: 0.35,
}


@dataclass
class Rep:
    sessions: list[str]
    cap: int


@dataclass
class Org:
    index: int
    kind: OrgKind
    name: str
    province: str
    sectors: list[str]
    offers: list[str]
    seeks: list[str]
    stage: str = ""
    website: str = ""
    description: str = ""
    reps: list[Rep] = field(default_factory=list)
    home_table: bool = False
    presence: dict[str, int] = field(default_factory=dict)  # session code -> reps present
    day_cap: dict[str, int] = field(default_factory=dict)  # "d1" -> meetings that fit
    load: dict[str, int] = field(default_factory=dict)  # session code -> planned meetings
    day_load: dict[str, int] = field(default_factory=dict)
    cap: int = 0
    appetite: int = 0
    meetings: int = 0
    pending_out: int = 0
    row_id: int | None = None

    @property
    def id(self) -> int:
        assert self.row_id is not None
        return self.row_id


def choose_hosts(orgs: list[Org], n_home: int) -> list[Org]:
    """The organisations with a home table: the first investors, then agencies."""
    hosts = [o for o in orgs if o.kind is OrgKind.investor][: (n_home + 1) // 2]
    hosts += [o for o in orgs if o.kind is OrgKind.agency][: n_home - len(hosts)]
    for org in hosts:
        org.home_table = True
    return hosts


def plan_reps(rng: random.Random, org: Org, calendar: Calendar, rules: EventRules) -> None:
    """Give ``org`` one or two representatives, and derive its capacity and appetite."""
    two = not org.home_table and rng.random() < TWO_REPS[org.kind]
    codes = calendar.codes
    for _ in range(2 if two else 1):
        rep_sessions = calendar.all_codes if org.home_table else _sessions_for(rng, codes)
        cap = _rep_cap(rep_sessions, calendar.slots_per_session, rules)
        org.reps.append(Rep(rep_sessions, cap))
    org.cap = sum(rep.cap for rep in org.reps)
    for rep in org.reps:
        for code in rep.sessions:
            org.presence[code] = org.presence.get(code, 0) + 1
        for day_codes in codes:
            present = sum(1 for code in day_codes if code in rep.sessions)
            if present:
                day_key = day_codes[0].split("-")[0]
                fits = min(limit(rules.max_per_day), SESSION_LOAD * present)
                org.day_cap[day_key] = org.day_cap.get(day_key, 0) + fits
    org.appetite = max(2, round(org.cap * rng.uniform(0.55, 1.0)))


def _sessions_for(rng: random.Random, codes: list[list[str]]) -> list[str]:
    """Session codes a representative attends: mostly all, some one or two days."""
    days = len(codes)
    roll = rng.random()
    if roll < 0.68:
        chosen = list(range(days))
    elif roll < 0.84:
        chosen = sorted(rng.sample(range(days), min(2, days)))
    elif roll < 0.94:
        chosen = [rng.randrange(days)]
    else:  # mornings only or afternoons only
        half = rng.randrange(2)
        return [codes[d][half] for d in range(days)]
    return [code for d in chosen for code in codes[d]]


def _rep_cap(sessions: list[str], slots_per_session: int, rules: EventRules) -> int:
    days = len({code.split("-")[0] for code in sessions})
    usable = len(sessions) * slots_per_session
    return min(
        int(LOAD_FACTOR * usable), limit(rules.max_meetings), limit(rules.max_per_day) * days
    )


def insert_orgs(session: Session, event_id: int, orgs: list[Org]) -> None:
    """Insert the organisations and note each one's new id (names are unique)."""
    created = datetime(2023, 4, 3, 2, 0, tzinfo=UTC)
    org_rows = [
        dict(
            event_id=event_id,
            name=org.name,
            name_folded=fold(org.name),
            kind=org.kind,
            sectors=org.sectors,
            province=org.province,
            stage=org.stage,
            website=org.website,
            description=org.description,
            offers=org.offers,
            seeks=org.seeks,
            offers_text=f"{org.name} có thể hỗ trợ: {tag_labels(org.offers)}.",
            seeks_text=f"Đang tìm kiếm: {tag_labels(org.seeks)}.",
            created_at=created + timedelta(minutes=37 * org.index),
        )
        for org in orgs
    ]
    insert_rows(session, Organisation, org_rows)
    org_ids = dict(
        session.exec(
            select(Organisation.name, Organisation.id).where(Organisation.event_id == event_id)
        ).all()
    )
    for org in orgs:
        org.row_id = org_ids[org.name]

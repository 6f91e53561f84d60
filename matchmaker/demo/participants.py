"""The representatives as participants: names, titles, e-mail addresses, phones."""

from __future__ import annotations

import random

from sqlmodel import Session

from matchmaker.demo import names as N
from matchmaker.demo.organisations import Org
from matchmaker.demo.rows import insert_rows
from matchmaker.models import OrgKind, Participant
from matchmaker.text import fold, slugify

SPEAKS_ENGLISH: dict[OrgKind, float] = {
    OrgKind.startup: 0.45,
    OrgKind.ocop: 0.05,
    OrgKind.tech_firm: 0.60,
    OrgKind.university: 0.60,
    OrgKind.association: 0.50,
    OrgKind.agency: 0.25,
    OrgKind.investor: 0.80,
}


def _person(rng: random.Random) -> tuple[str, str, str]:
    family = rng.choices([n for n, _ in N.FAMILY_NAMES], weights=[w for _, w in N.FAMILY_NAMES])[0]
    if rng.random() < 0.55:
        middle, given = rng.choice(N.MIDDLE_MALE), rng.choice(N.GIVEN_MALE)
    else:
        middle, given = rng.choice(N.MIDDLE_FEMALE), rng.choice(N.GIVEN_FEMALE)
    return f"{family} {middle} {given}", family, given


def _title(rng: random.Random, org: Org, rep: int) -> str:
    if org.kind is OrgKind.agency:
        if org.name.startswith("Sở"):
            pool = N.TITLES["agency_so"]
        elif "UBND" in org.name:
            pool = N.TITLES["agency_ubnd"]
        else:
            pool = N.TITLES["agency_other"]
    else:
        pool = N.TITLES[org.kind.value]
    return pool[0] if rep == 0 and rng.random() < 0.4 else rng.choice(pool[1:] or pool)


_MOBILE_PREFIXES = (
    "090",
    "091",
    "093",
    "094",
    "097",
    "098",
    "086",
    "070",
    "076",
    "077",
    "079",
    "081",
    "083",
    "084",
    "085",
    "088",
    "089",
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
)


def _phone(rng: random.Random) -> str:
    digits = f"{rng.randrange(10_000_000):07d}"
    return f"{rng.choice(_MOBILE_PREFIXES)} {digits[:3]} {digits[3:]}"


def insert_participants(session: Session, rng: random.Random, orgs: list[Org]) -> int:
    """Insert a participant for every planned representative; returns how many."""
    participants = []
    emails: set[str] = set()
    for org in orgs:
        for r, rep in enumerate(org.reps):
            full, family, given = _person(rng)
            mailbox = f"{slugify(given, separator='')}.{slugify(family, separator='')}"
            mailbox += str(org.index + 1)
            email = f"{mailbox}@example.vn"
            suffix = 2
            while email in emails:
                email = f"{mailbox}-{suffix}@example.vn"
                suffix += 1
            emails.add(email)
            languages = ["vi", "en"] if rng.random() < SPEAKS_ENGLISH[org.kind] else ["vi"]
            participants.append(
                dict(
                    organisation_id=org.id,
                    full_name=full,
                    name_folded=fold(full),
                    title=_title(rng, org, r),
                    email=email,
                    phone=_phone(rng),
                    languages=languages,
                    available_sessions=rep.sessions,
                )
            )
    insert_rows(session, Participant, participants)
    return len(participants)

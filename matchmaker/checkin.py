"""Check-in at the registration desk: find a representative by name or by the code in
the QR printed on their agenda, check them in for today, count and flag.

Rules:

- A person checks in once per event day (the day whose date is today in the event's
  time zone, by ``matchmaker.clock``). Checking in again is harmless: it answers with
  the first check-in (the database refuses a second row for the same person and day).
  Each new check-in and each undo is in the audit log.
- The check-in code is random (``CODE_LENGTH`` letters and digits without the ones
  people confuse: 0/O, 1/I/L), given to a person the first time their agenda or the
  desk needs it, and unique. It is not the database id and it opens nothing: a stolen
  code can only check its person in.
- A person is *late* when they have not checked in and their first meeting of the
  day (a scheduled meeting they attend) starts within ``LATE_LEAD`` or has started.
  A side of a meeting with no named attendee is expected as "any of the team": it is
  late when nobody of the organisation has checked in.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import segno
from sqlalchemy import ColumnElement, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from matchmaker import audit
from matchmaker.clock import as_utc, utcnow
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    CheckIn,
    Day,
    Event,
    EventSession,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    Slot,
)
from matchmaker.text import fold

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 10
LATE_LEAD = timedelta(minutes=10)
SEARCH_LIMIT = 25
_NOT_CODE = re.compile(r"[^A-Z0-9]")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """What a scanner or a person typed, as a stored code: upper case, no spaces or
    dashes; a scanned address keeps its last part."""
    last = typed.strip().rstrip("/").rsplit("/", 1)[-1]
    return _NOT_CODE.sub("", last.upper())[: CODE_LENGTH * 2]


@lru_cache(maxsize=4096)
def qr_svg(code: str, *, title: str = "") -> str:
    """The code as an inline SVG QR code (a regular QR code: phone cameras, the
    browser's BarcodeDetector and desk scanners read it; a Micro QR they may not).
    Remembered: a person's code never changes and their agenda shows it each time."""
    return str(segno.make_qr(code, error="m").svg_inline(scale=4, title=title or None))


def ensure_codes(session: Session, people: Iterable[Participant]) -> None:
    """Give each person without a check-in code one. Two requests giving codes at the
    same moment cannot both win: the update only fills an empty code, and the row is
    read back."""
    for person in people:
        if person.checkin_code or person.id is None:
            continue
        session.execute(
            update(Participant)
            .where(col(Participant.id) == person.id, col(Participant.checkin_code).is_(None))
            .values(checkin_code=new_code())
        )
        session.refresh(person)


def code_of(session: Session, person: Participant) -> str:
    ensure_codes(session, [person])
    return person.checkin_code or ""


def local_today(event: Event, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(event.timezone)).date()


def event_day(session: Session, event: Event, now: datetime | None = None) -> Day | None:
    """Today's day of the event, or None when the event does not run today."""
    return session.exec(
        select(Day).where(Day.event_id == event.id, Day.on_date == local_today(event, now))
    ).first()


def days_of(session: Session, event: Event) -> list[Day]:
    return list(session.exec(select(Day).where(Day.event_id == event.id).order_by(col(Day.number))))


@dataclass(frozen=True)
class DeskPerson:
    participant: Participant
    organisation: Organisation
    checked_in_at: datetime | None  # today's check-in


def _event_person(session: Session, event: Event, participant_id: int) -> Participant:
    row = session.exec(
        select(Participant)
        .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
        .where(col(Participant.id) == participant_id, Organisation.event_id == event.id)
    ).first()
    if row is None:
        raise NotFound(N_("No such participant."))
    return row


def _checked_in_today(session: Session, day: Day | None, ids: Sequence[int]) -> dict[int, datetime]:
    if day is None or not ids:
        return {}
    rows = session.exec(
        select(CheckIn.participant_id, CheckIn.at).where(
            CheckIn.day_id == day.id, col(CheckIn.participant_id).in_(ids)
        )
    ).all()
    return {pid: as_utc(at) for pid, at in rows if at is not None}  # type: ignore[misc]


def find_people(
    session: Session, event: Event, query: str, *, limit: int = SEARCH_LIMIT
) -> list[DeskPerson]:
    """Representatives whose name or organisation matches ``query`` (diacritics
    ignored), or the one whose check-in code it is; with today's check-in."""
    folded = fold(query)
    if not folded:
        return []
    pattern = f"%{folded}%"
    code = normalise_code(query)
    matches: list[ColumnElement[bool]] = [
        col(Participant.name_folded).like(pattern),
        col(Organisation.name_folded).like(pattern),
    ]
    if len(code) == CODE_LENGTH:
        matches.append(col(Participant.checkin_code) == code)
    rows = session.exec(
        select(Participant, Organisation)
        .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
        .where(Organisation.event_id == event.id, or_(*matches))
        .order_by(col(Participant.name_folded), col(Organisation.name_folded), col(Participant.id))
        .limit(limit)
    ).all()
    done = _checked_in_today(session, event_day(session, event), [p.id for p, _ in rows if p.id])
    return [DeskPerson(p, o, done.get(p.id or 0)) for p, o in rows]


def desk_person(session: Session, event: Event, participant_id: int) -> DeskPerson:
    person = _event_person(session, event, participant_id)
    organisation = session.get(Organisation, person.organisation_id)
    assert organisation is not None
    done = _checked_in_today(session, event_day(session, event), [participant_id])
    return DeskPerson(person, organisation, done.get(participant_id))


@dataclass(frozen=True)
class CheckInResult:
    person: DeskPerson
    created: bool  # False: the person had already checked in today


def check_in(session: Session, event: Event, participant_id: int, by: Account) -> CheckInResult:
    """Check the person in for today (idempotent)."""
    person = _event_person(session, event, participant_id)
    day = event_day(session, event)
    if day is None:
        raise DomainError(N_("The event does not run today: there is nobody to check in."))
    existing = session.exec(
        select(CheckIn).where(CheckIn.participant_id == participant_id, CheckIn.day_id == day.id)
    ).first()
    created = False
    if existing is None:
        try:
            with session.begin_nested():
                session.add(
                    CheckIn(participant_id=participant_id, day_id=day.id or 0, by_account_id=by.id)
                )
            created = True
        except IntegrityError:  # the same person scanned at two desks at once
            pass
    if created:
        audit.record(
            session, "checkin", event=event, account=by, participant=participant_id,
            day=day.number,
        )  # fmt: skip
    return CheckInResult(desk_person(session, event, person.id or 0), created)


def check_in_by_code(session: Session, event: Event, typed: str, by: Account) -> CheckInResult:
    code = normalise_code(typed)
    if not code:
        raise DomainError(N_("Scan a code or type it."), field="code")
    person = session.exec(
        select(Participant)
        .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
        .where(Participant.checkin_code == code, Organisation.event_id == event.id)
    ).first()
    if person is None:
        raise NotFoundAtField(N_("No one has the code %(code)s."), field="code", code=code)
    return check_in(session, event, person.id or 0, by)


class NotFoundAtField(DomainError):
    """An unknown code: said next to the scanner field (a 404 would be a whole page)."""

    status_code = 422


def undo_check_in(session: Session, event: Event, participant_id: int, by: Account) -> DeskPerson:
    """Take back today's check-in (checked in by mistake)."""
    _event_person(session, event, participant_id)
    day = event_day(session, event)
    existing = (
        session.exec(
            select(CheckIn).where(
                CheckIn.participant_id == participant_id, CheckIn.day_id == day.id
            )
        ).first()
        if day is not None
        else None
    )
    if existing is not None and day is not None:
        session.delete(existing)
        session.flush()
        audit.record(
            session, "checkin.undo", event=event, account=by, participant=participant_id,
            day=day.number,
        )  # fmt: skip
    return desk_person(session, event, participant_id)


def counts_per_day(session: Session, event: Event) -> list[tuple[Day, int]]:
    days = days_of(session, event)
    counts = dict(
        session.exec(
            select(CheckIn.day_id, func.count())
            .where(col(CheckIn.day_id).in_([d.id for d in days]))
            .group_by(col(CheckIn.day_id))
        ).all()
    )
    return [(d, int(counts.get(d.id or 0, 0))) for d in days]


@dataclass
class LateArrival:
    """A person (or a team with nobody named) expected soon and not checked in."""

    organisation: Organisation
    person: Participant | None  # None: any of the team is expected
    first_start: datetime
    table: MeetingTable | None
    team: list[Participant] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return self.first_start <= utcnow()


def _today_sides(
    session: Session, day: Day
) -> list[tuple[int, int | None, int, int | None, int | None, datetime]]:
    """Today's scheduled meetings as plain rows (org a, person a, org b, person b,
    table, start): at scale 10 a day holds 5,000 meetings, and loading them as objects
    every 30 s (the desk's status polls) cost most of the page."""
    rows = session.execute(
        sa_select(
            col(Meeting.org_a_id),
            col(Meeting.person_a_id),
            col(Meeting.org_b_id),
            col(Meeting.person_b_id),
            col(Meeting.table_id),
            col(Slot.start),
        )
        .join(Slot, col(Slot.id) == col(Meeting.slot_id))
        .join(EventSession, col(EventSession.id) == col(Slot.session_id))
        .where(
            col(EventSession.day_id) == day.id, col(Meeting.status) == MeetingStatus.scheduled
        )
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def late_arrivals(session: Session, event: Event) -> list[LateArrival]:
    """Who is not checked in although their first meeting today starts within
    ``LATE_LEAD`` (or has started), earliest first."""
    day = event_day(session, event)
    if day is None:
        return []
    now = utcnow()
    first: dict[tuple[int, int | None], tuple[datetime, int | None]] = {}
    for org_a, person_a, org_b, person_b, table_id, slot_start in _today_sides(session, day):
        start = as_utc(slot_start)
        assert start is not None
        for key in ((org_a, person_a), (org_b, person_b)):
            if key not in first or start < first[key][0]:
                first[key] = (start, table_id)
    due = {key: value for key, value in first.items() if value[0] - LATE_LEAD <= now}
    if not due:
        return []
    org_ids = {org_id for org_id, _ in due}
    orgs = {
        o.id: o for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
    }
    people = list(
        session.exec(select(Participant).where(col(Participant.organisation_id).in_(org_ids)))
    )
    checked = _checked_in_today(session, day, [p.id for p in people if p.id])
    teams: dict[int, list[Participant]] = {}
    for p in people:
        teams.setdefault(p.organisation_id, []).append(p)
    by_id = {p.id: p for p in people}
    tables = {
        t.id: t for t in session.exec(select(MeetingTable).where(MeetingTable.event_id == event.id))
    }
    late: list[LateArrival] = []
    for (org_id, person_id), (start, table_id) in due.items():
        team = teams.get(org_id, [])
        if person_id is None:
            if not team or any(p.id in checked for p in team):
                continue
        elif person_id in checked or person_id not in by_id:
            continue
        late.append(
            LateArrival(
                organisation=orgs[org_id],
                person=by_id.get(person_id) if person_id else None,
                first_start=start,
                table=tables.get(table_id),
                team=team,
            )
        )
    late.sort(
        key=lambda a: (
            a.first_start,
            a.organisation.name_folded,
            a.person.name_folded if a.person else "",
        )
    )
    return late

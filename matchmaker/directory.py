"""Finding organisations and participants: diacritic-insensitive search, filters, pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, func, select

from matchmaker.models import (
    Event,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Organisation,
    OrgKind,
    Participant,
    RequestStatus,
)
from matchmaker.text import fold

T = TypeVar("T")
PAGE_SIZE = 25


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class Activity:
    """An organisation's requests and meetings, as the organiser's participant page counts
    them; `attends` is the meetings with a slot that one representative attends."""

    sent: int
    sent_accepted: int
    received: int
    received_accepted: int
    received_pending: int
    meetings: int
    scheduled: int
    attends: int


def activity(session: Session, org: Organisation, person: Participant) -> Activity:
    def requests(column: str) -> dict[RequestStatus, int]:
        rows = session.exec(
            select(MeetingRequest.status, func.count())
            .where(getattr(MeetingRequest, column) == org.id)
            .group_by(MeetingRequest.status)
        ).all()
        return {RequestStatus(status): n for status, n in rows}

    sent, received = requests("from_org_id"), requests("to_org_id")
    meetings = session.exec(
        select(Meeting).where(
            or_(col(Meeting.org_a_id) == org.id, col(Meeting.org_b_id) == org.id),
            Meeting.status != MeetingStatus.cancelled,
        )
    ).all()
    placed = [m for m in meetings if m.slot_id is not None]

    def attended_by_person(m: Meeting) -> bool:
        mine = m.person_a_id if m.org_a_id == org.id else m.person_b_id
        return mine is None or mine == person.id  # unnamed: every representative comes

    return Activity(
        sent=sum(sent.values()),
        sent_accepted=sent.get(RequestStatus.accepted, 0),
        received=sum(received.values()),
        received_accepted=received.get(RequestStatus.accepted, 0),
        received_pending=received.get(RequestStatus.pending, 0),
        meetings=len(meetings),
        scheduled=len(placed),
        attends=sum(1 for m in placed if attended_by_person(m)),
    )


def counts_by_kind(session: Session, event: Event) -> dict[str, int]:
    rows = session.exec(
        select(Organisation.kind, func.count())
        .where(Organisation.event_id == event.id, col(Organisation.approved).is_(True))
        .group_by(Organisation.kind)
    ).all()
    found = {kind.value if isinstance(kind, OrgKind) else str(kind): n for kind, n in rows}
    return {kind.value: found.get(kind.value, 0) for kind in OrgKind}


@dataclass(frozen=True)
class KindCount:
    organisations: int
    people: int


def console_counts(session: Session, event: Event) -> dict[str, KindCount]:
    """Per kind, the organisations and their representatives the organiser's list shows
    (awaiting approval included, as in the list), so the cards and the list agree."""
    orgs = dict(
        session.exec(
            select(Organisation.kind, func.count())
            .where(Organisation.event_id == event.id)
            .group_by(Organisation.kind)
        ).all()
    )
    people = dict(
        session.exec(
            select(Organisation.kind, func.count())
            .select_from(Participant)
            .join(Organisation, col(Participant.organisation_id) == col(Organisation.id))
            .where(Organisation.event_id == event.id)
            .group_by(Organisation.kind)
        ).all()
    )
    return {
        kind.value: KindCount(int(orgs.get(kind, 0)), int(people.get(kind, 0))) for kind in OrgKind
    }


def _participant_conditions(
    event: Event, query: str, kind: OrgKind | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(Organisation.event_id) == event.id]
    if kind is not None:
        conditions.append(col(Organisation.kind) == kind)
    folded = fold(query)
    if folded:
        pattern = f"%{folded}%"
        conditions.append(
            or_(
                col(Participant.name_folded).like(pattern),
                col(Organisation.name_folded).like(pattern),
                col(Participant.email).like(pattern),
            )
        )
    return conditions


def matching_organisations(
    session: Session, event: Event, *, query: str = "", kind: OrgKind | None = None
) -> int:
    """How many organisations the people :func:`search_participants` finds belong to."""
    return int(
        session.exec(
            select(func.count(func.distinct(Organisation.id)))
            .select_from(Participant)
            .join(Organisation, col(Participant.organisation_id) == col(Organisation.id))
            .where(*_participant_conditions(event, query, kind))
        ).one()
    )


def search_participants(
    session: Session,
    event: Event,
    *,
    query: str = "",
    kind: OrgKind | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> Page[tuple[Participant, Organisation]]:
    """Representatives with their organisation, matching `query` in the person's
    name, the organisation's name or the email, ignoring Vietnamese diacritics."""
    conditions = _participant_conditions(event, query, kind)
    base = select(Participant, Organisation).join(
        Organisation, col(Participant.organisation_id) == col(Organisation.id)
    )
    count_stmt = (
        select(func.count())
        .select_from(Participant)
        .join(Organisation, col(Participant.organisation_id) == col(Organisation.id))
        .where(*conditions)
    )
    total = int(session.exec(count_stmt).one())
    page = max(1, page)
    rows = session.exec(
        base.where(*conditions)
        .order_by(col(Organisation.name_folded), col(Participant.name_folded), col(Participant.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(items=[(p, o) for p, o in rows], total=total, page=page, per_page=per_page)

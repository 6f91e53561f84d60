"""What to do next: the to-do lists on the participant's and the organiser's home pages.

Each list is read from the rows as they stand (nothing is stored): a to-do disappears
when the thing is done. Deadlines are compared with ``now`` (the app's clock unless a
caller passes one): a deadline has passed only once ``now`` is after it.
Services never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from matchmaker import availability, confirmations, profiles, publication
from matchmaker.agenda import AgendaItem, build_agenda
from matchmaker.clock import as_utc, utcnow
from matchmaker.i18n import N_
from matchmaker.models import (
    Event,
    HostConfirmation,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Notification,
    Organisation,
    Participant,
    RequestStatus,
    ScheduleVersion,
)
from matchmaker.requests import RequestRow, list_requests

__all__ = [
    "FIRST_REQUESTS",
    "SOON",
    "Missing",
    "OrganiserTodo",
    "ParticipantTodo",
    "deadline_passed",
    "missing_from_profile",
    "organiser_todo",
    "participant_todo",
]

FIRST_REQUESTS = 3  # requests answered inline on the home page; the rest on /requests
SOON = timedelta(hours=24)  # "near the deadline" for the organisers
LISTED = 10  # names shown under a count on the organiser's list


def deadline_passed(deadline: datetime | None, now: datetime) -> bool:
    """Whether `deadline` is behind us: strictly after it, never before or at it."""
    due = as_utc(deadline)
    return due is not None and now > due


# --- participants -----------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """A part of the profile still empty: what (a msgid) and where to fill it in."""

    label: str
    link: str


def missing_from_profile(org: Organisation) -> list[Missing]:
    """What a partner browsing the directory would miss on this organisation's card
    (the model keeps no photo or logo, so none is asked for)."""
    out = []
    if not org.description.strip():
        out.append(Missing(N_("A description of your organisation"), "/me/profile"))
    if not org.offers and not org.offers_text.strip():
        out.append(Missing(N_("What you offer"), "/me/profile"))
    if not org.seeks and not org.seeks_text.strip():
        out.append(Missing(N_("What you are looking for"), "/me/profile"))
    if not org.sectors:
        out.append(Missing(N_("Your sectors"), "/me/profile"))
    return out


@dataclass
class ParticipantTodo:
    now: datetime
    requests_waiting: int = 0
    first_requests: list[RequestRow] = field(default_factory=list)
    request_deadline: datetime | None = None  # the first expiry among those waiting
    slots_waiting: int = 0  # proposed slots of meetings the organisation hosts
    draft: ScheduleVersion | None = None
    today: list[AgendaItem] = field(default_factory=list)  # this person's, event time
    next_meeting: AgendaItem | None = None
    clashes: list[availability.Clash] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    sessions_attended: int = 0
    sessions_total: int = 0

    @property
    def host_deadline(self) -> datetime | None:
        return as_utc(self.draft.host_deadline) if self.draft else None

    @property
    def host_deadline_passed(self) -> bool:
        return deadline_passed(self.host_deadline, self.now)

    @property
    def nothing_to_do(self) -> bool:
        return not (self.requests_waiting or self.slots_waiting or self.clashes or self.missing)


def participant_todo(
    session: Session,
    event: Event,
    participant: Participant,
    org: Organisation,
    *,
    now: datetime | None = None,
) -> ParticipantTodo:
    """The home page's list for one representative: the organisation's requests and
    slots to answer, *their own* meetings today and next, conflicts, what the profile
    lacks."""
    todo = ParticipantTodo(now=now or utcnow())
    waiting = list_requests(session, org, incoming=True, status=RequestStatus.pending)
    todo.requests_waiting = len(waiting)
    # Oldest first: those are the ones that expire first.
    waiting.sort(key=lambda row: (row.request.created_at, row.request.id or 0))
    todo.first_requests = waiting[:FIRST_REQUESTS]
    expiries = [as_utc(row.request.expires_at) for row in waiting if row.request.expires_at]
    todo.request_deadline = min((e for e in expiries if e is not None), default=None)
    todo.draft = publication.open_draft(session, event)
    if todo.draft is not None:
        pending = confirmations.host_slots(session, event, org)
        todo.slots_waiting = sum(
            1 for row in pending if row.meeting.host_confirmation == HostConfirmation.pending
        )
    # The slot grid first: the agenda and the clash check then find their slots loaded.
    grid = availability.event_grid(session, event)
    agenda = build_agenda(session, event, org, participant)
    zone = ZoneInfo(event.timezone)
    today = todo.now.astimezone(zone).date()
    for day in agenda.days:
        for item in day.items:
            assert item.slot is not None
            if day.day == today:
                todo.today.append(item)
            end = as_utc(item.slot.end)
            if todo.next_meeting is None and end is not None and end > todo.now:
                todo.next_meeting = item
    todo.clashes = availability.event_clashes(session, event, [org.id or 0])
    todo.missing = missing_from_profile(org)
    todo.sessions_total = len(grid.session_codes)
    todo.sessions_attended = len(availability.presence(grid, participant).sessions)
    return todo


# --- organisers -------------------------------------------------------------------------


@dataclass
class OrganiserTodo:
    now: datetime
    approvals: int = 0
    requests_near_deadline: int = 0
    hosts_near_deadline: list[tuple[Organisation, int]] = field(default_factory=list)
    draft: ScheduleVersion | None = None
    hosts_unconfirmed: list[tuple[Organisation, int]] = field(default_factory=list)
    published: ScheduleVersion | None = None
    zero_meeting: list[Organisation] = field(default_factory=list)
    zero_meeting_count: int = 0
    clashes: list[availability.Clash] = field(default_factory=list)
    failed_emails: list[Notification] = field(default_factory=list)
    failed_email_count: int = 0
    changed_since_publication: int = 0

    @property
    def slots_unconfirmed(self) -> int:
        return sum(n for _, n in self.hosts_unconfirmed)

    @property
    def host_deadline(self) -> datetime | None:
        return as_utc(self.draft.host_deadline) if self.draft else None

    @property
    def host_deadline_passed(self) -> bool:
        return deadline_passed(self.host_deadline, self.now)

    @property
    def attention(self) -> int:
        """How many kinds of thing want the organisers now."""
        return sum(
            1
            for n in (
                self.approvals,
                self.requests_near_deadline,
                self.slots_unconfirmed,
                self.zero_meeting_count,
                len(self.clashes),
                self.failed_email_count,
                self.changed_since_publication,
                self.published is None and self.draft is None,
            )
            if n
        )


def _named_counts(
    session: Session, counts: dict[int, int], limit: int = LISTED
) -> list[tuple[Organisation, int]]:
    """Organisations with their counts, the largest first (ties by name)."""
    if not counts:
        return []
    orgs = session.exec(select(Organisation).where(col(Organisation.id).in_(list(counts)))).all()
    rows = sorted(((o, counts[o.id or 0]) for o in orgs), key=lambda r: (-r[1], r[0].name))
    return rows[:limit]


def _zero_meeting(
    session: Session, event: Event, version: ScheduleVersion
) -> tuple[list[Organisation], int]:
    """Listed organisations with no meeting in the published version."""
    ids = [int(k) for k in version.assignments or {}]
    met: set[int] = set()
    for a, b in session.exec(
        select(Meeting.org_a_id, Meeting.org_b_id).where(col(Meeting.id).in_(ids))
    ).all():
        met.update((a, b))
    orgs: Sequence[Organisation] = session.exec(
        select(Organisation)
        .where(Organisation.event_id == event.id, col(Organisation.approved).is_(True))
        .order_by(col(Organisation.name))
    ).all()
    without = [o for o in orgs if o.id not in met]
    return without[:LISTED], len(without)


def organiser_todo(session: Session, event: Event, *, now: datetime | None = None) -> OrganiserTodo:
    """What needs the organisers before and during the event, each a count."""
    todo = OrganiserTodo(now=now or utcnow())
    todo.approvals = len(profiles.pending_organisations(session, event))
    near: dict[int, int] = {}
    for to_org, n in session.exec(
        select(MeetingRequest.to_org_id, func.count())
        .where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status == RequestStatus.pending,
            col(MeetingRequest.expires_at).is_not(None),
            col(MeetingRequest.expires_at) > todo.now,
            col(MeetingRequest.expires_at) <= todo.now + SOON,
        )
        .group_by(col(MeetingRequest.to_org_id))
    ).all():
        near[to_org] = int(n)
    todo.requests_near_deadline = sum(near.values())
    todo.hosts_near_deadline = _named_counts(session, near)
    todo.draft = publication.open_draft(session, event)
    if todo.draft is not None:
        ids = [int(k) for k in todo.draft.assignments or {}]
        waiting: dict[int, int] = {}
        for m in session.exec(
            select(Meeting).where(
                col(Meeting.id).in_(ids),
                Meeting.status == MeetingStatus.scheduled,
                Meeting.host_confirmation == HostConfirmation.pending,
            )
        ).all():
            host = publication.host_of(m)
            waiting[host] = waiting.get(host, 0) + 1
        todo.hosts_unconfirmed = _named_counts(session, waiting, limit=len(waiting))
    todo.published = publication.current_version(session, event)
    if todo.published is not None:
        version = session.get(ScheduleVersion, todo.published.id)
        assert version is not None
        todo.zero_meeting, todo.zero_meeting_count = _zero_meeting(session, event, version)
        if todo.draft is None:
            now_placed = publication.snapshot(session, event)
            todo.changed_since_publication = len(
                publication.diff_versions(version, now_placed).changed
            )
    todo.clashes = availability.event_clashes(session, event)
    # The outbox is the site's, not an event's: every message the server refused.
    failed = select(Notification).where(
        Notification.send_error != "", col(Notification.sent_at).is_(None)
    )
    todo.failed_email_count = int(
        session.exec(select(func.count()).select_from(failed.subquery())).one()
    )
    todo.failed_emails = list(
        session.exec(failed.order_by(col(Notification.id).desc()).limit(5)).all()
    )
    return todo

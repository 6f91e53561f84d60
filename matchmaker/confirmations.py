"""Hosts accept their slots: publishing a schedule in two steps.

1. ``publication.release_draft``: the organiser releases a finished solve run as a
   *draft* (a ``ScheduleVersion`` of kind "draft" with the hosts' deadline); every
   scheduled meeting waits for its host's answer (``host_confirmation`` = pending; a
   meeting whose slot and table did not change since the previous version keeps an
   "accepted"), and each host organisation is told how many proposed slots wait for it.
2. Hosts answer (``accept`` / ``refuse``) until the deadline or until the final schedule is
   published. Refusing needs a reason; the slot then becomes unavailable for every
   representative of the host organisation (``Participant.unavailable_slots``), and
   ``scheduling.build_instance`` lets the refused meeting move anywhere else while the
   others keep their places, so a re-solve moves only the affected meetings.
3. ``publication.publish_final``: the current Meeting rows become the next published
   version (unanswered slots count as accepted).

This module owns the hosts' side: their proposed slots, their answers and the
organiser's view of the answers.

The host of a meeting is ``Meeting.host_org_id`` (the organisation that accepted the
request); for a meeting without one, the second organisation of the pair.
Participants' agendas show draft times with the host's answer; calendars only ever get
final times (``matchmaker.agenda``). Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from matchmaker import audit
from matchmaker.changes import lock_event
from matchmaker.clock import as_utc, utcnow
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    Event,
    HostConfirmation,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    ScheduleVersion,
    Slot,
)
from matchmaker.publication import host_of, open_draft

__all__ = [
    "HostSlot",
    "Progress",
    "accept",
    "accept_all",
    "answers_closed_reason",
    "host_slot",
    "host_slots",
    "progress",
    "refuse",
]

REASON_MAX = 500


def answers_closed_reason(draft: ScheduleVersion | None, now: datetime | None = None) -> str:
    """Why hosts can no longer answer (an English msgid), or "" while they can."""
    if draft is None:
        return N_("The final schedule has been published: answers are closed.")
    deadline = as_utc(draft.host_deadline)
    if deadline is not None and (now or utcnow()) > deadline:
        return N_("The deadline for answers has passed: unanswered slots count as accepted.")
    return ""


# --- hosts answer -----------------------------------------------------------------------


@dataclass(frozen=True)
class HostSlot:
    """One proposed slot as its host sees it."""

    meeting: Meeting
    slot: Slot
    table: MeetingTable | None
    counterpart: Organisation
    day: date  # the slot's date in the event's time zone


def _host_slot_rows(
    session: Session, event: Event, draft: ScheduleVersion, meetings: list[Meeting]
) -> list[HostSlot]:
    meetings = [
        m
        for m in meetings
        if m.status == MeetingStatus.scheduled
        and m.slot_id is not None
        and str(m.id) in (draft.assignments or {})
    ]
    slots = {
        s.id: s
        for s in session.exec(
            select(Slot).where(col(Slot.id).in_({m.slot_id for m in meetings}))
        ).all()
    }
    tables = {
        t.id: t
        for t in session.exec(
            select(MeetingTable).where(
                col(MeetingTable.id).in_({m.table_id for m in meetings if m.table_id})
            )
        ).all()
    }
    others = {m.org_a_id if host_of(m) == m.org_b_id else m.org_b_id for m in meetings}
    orgs = {
        o.id: o
        for o in session.exec(select(Organisation).where(col(Organisation.id).in_(others))).all()
    }
    zone = ZoneInfo(event.timezone)
    rows = [
        HostSlot(
            meeting=m,
            slot=slots[m.slot_id],
            table=tables.get(m.table_id) if m.table_id else None,
            counterpart=orgs[m.org_a_id if host_of(m) == m.org_b_id else m.org_b_id],
            day=as_utc(slots[m.slot_id].start).astimezone(zone).date(),  # type: ignore[union-attr]
        )
        for m in meetings
    ]
    rows.sort(key=lambda r: (r.slot.start, r.slot.position, r.meeting.id or 0))
    return rows


def _hosted_by(org: Organisation):  # type: ignore[no-untyped-def]
    return (col(Meeting.host_org_id) == org.id) | (
        col(Meeting.host_org_id).is_(None) & (col(Meeting.org_b_id) == org.id)
    )


def host_slots(session: Session, event: Event, org: Organisation) -> list[HostSlot]:
    """The slots proposed in the open draft for the meetings ``org`` hosts, in time order."""
    draft = open_draft(session, event)
    if draft is None:
        return []
    meetings = list(
        session.exec(select(Meeting).where(Meeting.event_id == event.id, _hosted_by(org))).all()
    )
    return _host_slot_rows(session, event, draft, meetings)


def host_slot(session: Session, event: Event, org: Organisation, meeting_id: int) -> HostSlot:
    """One proposed slot of ``org``'s; any other meeting is "not found"."""
    meeting = session.get(Meeting, meeting_id)
    draft = open_draft(session, event)
    if meeting is None or meeting.event_id != event.id or host_of(meeting) != org.id:
        raise NotFound(N_("No such proposed slot."))
    rows = _host_slot_rows(session, event, draft, [meeting]) if draft is not None else []
    if not rows:
        raise NotFound(N_("No such proposed slot."))
    return rows[0]


def _answerable(session: Session, event: Event, org: Organisation, meeting_id: int) -> HostSlot:
    # The event's write lock: answers, releases and publications never interleave.
    lock_event(session, event)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event.id or host_of(meeting) != org.id:
        raise NotFound(N_("No such proposed slot."))
    closed = answers_closed_reason(open_draft(session, event))
    if closed:
        raise Conflict(closed)
    row = host_slot(session, event, org, meeting_id)
    if row.meeting.host_confirmation == HostConfirmation.impossible:
        raise Conflict(
            N_("You marked this slot impossible; the organisers will propose another one.")
        )
    return row


def accept(
    session: Session, event: Event, org: Organisation, meeting_id: int, by: Account
) -> HostSlot:
    """The host accepts the proposed slot of one of its meetings."""
    row = _answerable(session, event, org, meeting_id)
    meeting = row.meeting
    meeting.host_confirmation = HostConfirmation.accepted
    meeting.host_refusal_reason = ""
    meeting.updated_at = utcnow()
    session.add(meeting)
    session.flush()
    return row


def waiting_slots(session: Session, event: Event, org: Organisation) -> list[HostSlot]:
    """The proposed slots ``org`` has not answered yet (empty once answers are closed)."""
    if answers_closed_reason(open_draft(session, event)):
        return []
    return [
        row
        for row in host_slots(session, event, org)
        if row.meeting.host_confirmation == HostConfirmation.pending
    ]


def accept_all(session: Session, event: Event, org: Organisation, by: Account) -> list[HostSlot]:
    """The host accepts every proposed slot it has not answered yet, in one step (slots
    it marked impossible stay so); the audit log keeps who did it and which meetings."""
    lock_event(session, event)
    closed = answers_closed_reason(open_draft(session, event))
    if closed:
        raise Conflict(closed)
    rows = waiting_slots(session, event, org)
    if not rows:
        raise Conflict(N_("No proposed slot is waiting for your answer."))
    now = utcnow()
    for row in rows:
        row.meeting.host_confirmation = HostConfirmation.accepted
        row.meeting.host_refusal_reason = ""
        row.meeting.updated_at = now
        session.add(row.meeting)
    session.flush()
    audit.record(
        session,
        "confirmation.accept_all",
        event=event,
        account=by,
        organisation=org.id,
        meetings=[row.meeting.id for row in rows],
    )
    return rows


def refuse(
    session: Session,
    event: Event,
    org: Organisation,
    meeting_id: int,
    reason: str,
    by: Account,
) -> HostSlot:
    """The host marks a proposed slot impossible (a reason is required). The slot becomes
    unavailable for every representative of the host organisation, and the meeting is
    no longer locked there, so the next solve moves it (and only what it displaces)."""
    reason = reason.strip()[:REASON_MAX]
    row = _answerable(session, event, org, meeting_id)
    if not reason:
        raise DomainError(N_("Say why this slot is impossible."), field="reason")
    meeting = row.meeting
    meeting.host_confirmation = HostConfirmation.impossible
    meeting.host_refusal_reason = reason
    meeting.locked = False
    meeting.updated_at = utcnow()
    session.add(meeting)
    for person in session.exec(
        select(Participant).where(Participant.organisation_id == org.id)
    ).all():
        codes = list(person.unavailable_slots or [])
        if row.slot.code not in codes:
            person.unavailable_slots = [*codes, row.slot.code]
            session.add(person)
    session.flush()
    return row


# --- the organiser follows the answers and publishes ------------------------------------


@dataclass(frozen=True)
class Refusal:
    meeting: Meeting
    slot: Slot
    table: MeetingTable | None
    host: Organisation
    counterpart: Organisation


@dataclass
class Progress:
    draft: ScheduleVersion
    accepted: int = 0
    impossible: int = 0
    pending: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    closed: str = ""  # why answers are closed, "" while open

    @property
    def total(self) -> int:
        return self.accepted + self.impossible + self.pending

    def share(self, count: int) -> float:
        return count / self.total if self.total else 0.0

    @property
    def deadline(self) -> datetime | None:
        return as_utc(self.draft.host_deadline)


def progress(session: Session, event: Event) -> Progress | None:
    """The hosts' answers to the open draft (None when no draft is open)."""
    draft = open_draft(session, event)
    if draft is None:
        return None
    result = Progress(draft=draft, closed=answers_closed_reason(draft))
    ids = [int(k) for k in draft.assignments or {}]
    meetings = (
        list(
            session.exec(
                select(Meeting)
                .where(
                    col(Meeting.id).in_(ids),
                    Meeting.status == MeetingStatus.scheduled,
                    col(Meeting.slot_id).is_not(None),
                )
                .order_by(col(Meeting.id))
            ).all()
        )
        if ids
        else []
    )
    refused: list[Meeting] = []
    for m in meetings:
        if m.host_confirmation == HostConfirmation.accepted:
            result.accepted += 1
        elif m.host_confirmation == HostConfirmation.impossible:
            result.impossible += 1
            refused.append(m)
        else:
            result.pending += 1
    result.refusals = _refusals(session, refused)
    return result


def _refusals(session: Session, refused: list[Meeting]) -> list[Refusal]:
    """The meetings whose host marked the slot impossible, in time order."""
    if not refused:
        return []
    slots = {
        s.id: s
        for s in session.exec(select(Slot).where(col(Slot.id).in_({m.slot_id for m in refused})))
    }
    tables = {
        t.id: t
        for t in session.exec(
            select(MeetingTable).where(
                col(MeetingTable.id).in_({m.table_id for m in refused if m.table_id})
            )
        )
    }
    org_ids = {m.org_a_id for m in refused} | {m.org_b_id for m in refused}
    orgs = {
        o.id: o for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
    }
    rows = []
    for m in refused:
        host = host_of(m)
        other = m.org_a_id if host == m.org_b_id else m.org_b_id
        rows.append(
            Refusal(
                meeting=m,
                slot=slots[m.slot_id],
                table=tables.get(m.table_id) if m.table_id else None,
                host=orgs[host],
                counterpart=orgs[other],
            )
        )
    rows.sort(key=lambda r: (r.slot.start, r.meeting.id or 0))
    return rows

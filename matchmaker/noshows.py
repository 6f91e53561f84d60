"""No-shows: one side of a meeting says the other did not come.

Rules:

- Either organisation of a scheduled meeting may report, from its agenda, that the
  *other* side did not come, once the meeting has started (``matchmaker.clock``) and on
  the meeting's own day (event time). The first report counts; a second one, from
  either side, is refused.
- The meeting's status becomes ``MeetingStatus.no_show``; ``no_show_org_id`` names the
  side that did not come, ``no_show_reported_by`` and ``no_show_at`` who said so and
  when. It keeps its ``slot_id`` and ``table_id`` for the record (the agenda, the
  report), and its ``sequence`` is raised.
- **The freed slot and table.** Occupancy counts meetings whose status is
  ``scheduled`` only (as ``changes``' legal targets and the solver's input do):
  a ``no_show`` or ``cancelled`` meeting (``models.FREED_STATUSES``) occupies neither
  its table nor its people's time, so on-site booking may place another meeting in
  that slot at that table. Whatever books a slot must therefore filter on
  ``status == scheduled``, never on ``slot_id IS NOT NULL``.
- An organiser can take a report back while the slot and table are still free (the
  meeting becomes ``scheduled`` again); each report and each undo is in the audit log.
- Repeated no-shows: a person (or, where nobody was named for the side, the
  organisation) reported absent ``REPEATED`` times or more is listed for the organisers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, or_, select

from matchmaker import audit
from matchmaker.clock import as_utc, utcnow
from matchmaker.db import loaded_by_id
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    Event,
    Meeting,
    MeetingStatus,
    Organisation,
    Participant,
    Slot,
)

REPEATED = 2


def _meeting(session: Session, event: Event, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event.id:
        raise NotFound(N_("No such meeting."))
    return meeting


def may_report(meeting: Meeting, slot: Slot | None, event: Event, now: datetime) -> bool:
    """Whether a side may report the other absent now (scheduled, started, same day)."""
    start = as_utc(slot.start) if slot is not None else None
    if meeting.status is not MeetingStatus.scheduled or start is None or start > now:
        return False
    zone = ZoneInfo(event.timezone)
    return start.astimezone(zone).date() == now.astimezone(zone).date()


def reportable_ids(session: Session, event: Event, meetings: Sequence[Meeting]) -> set[int]:
    """Of ``meetings``, those whose absent side may be reported now (for the agenda)."""
    now = utcnow()
    slot_ids = {m.slot_id for m in meetings if m.slot_id and m.status is MeetingStatus.scheduled}
    if not slot_ids:
        return set()
    slots = loaded_by_id(session, Slot, slot_ids)  # the agenda's, mostly
    return {
        m.id
        for m in meetings
        if m.id is not None and may_report(m, slots.get(m.slot_id or 0), event, now)
    }


def report_no_show(
    session: Session, event: Event, meeting_id: int, reporter_org_id: int, by: Account
) -> Meeting:
    """``reporter_org_id``'s side says the other side of the meeting did not come."""
    meeting = _meeting(session, event, meeting_id)
    if reporter_org_id not in (meeting.org_a_id, meeting.org_b_id):
        raise NotFound(N_("No such meeting."))
    if meeting.status is MeetingStatus.no_show:
        raise Conflict(N_("A no-show is already recorded for this meeting."))
    now = utcnow()
    slot = session.get(Slot, meeting.slot_id) if meeting.slot_id else None
    if not may_report(meeting, slot, event, now):
        raise DomainError(
            N_("A no-show can be reported only after the meeting has started, on its day.")
        )
    absent = meeting.org_b_id if reporter_org_id == meeting.org_a_id else meeting.org_a_id
    changed = session.execute(
        update(Meeting)
        .where(col(Meeting.id) == meeting.id, col(Meeting.status) == MeetingStatus.scheduled)
        .values(
            status=MeetingStatus.no_show,
            no_show_org_id=absent,
            no_show_reported_by=by.id,
            no_show_at=now,
            sequence=Meeting.sequence + 1,
            updated_at=now,
        )
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(N_("A no-show is already recorded for this meeting."))
    session.refresh(meeting)
    audit.record(
        session, "meeting.no_show", event=event, account=by, meeting=meeting.id,
        absent=absent, reported_by_org=reporter_org_id,
    )  # fmt: skip
    return meeting


def clear_no_show(session: Session, event: Event, meeting_id: int, by: Account) -> Meeting:
    """Take a report back: the meeting is scheduled again where it was, if that slot
    and table are still free and both sides have no other meeting then."""
    meeting = _meeting(session, event, meeting_id)
    if meeting.status is not MeetingStatus.no_show:
        raise Conflict(N_("No no-show is recorded for this meeting."))
    taken = session.exec(
        select(Meeting.id).where(
            Meeting.event_id == event.id,
            Meeting.status == MeetingStatus.scheduled,
            Meeting.slot_id == meeting.slot_id,
            or_(
                col(Meeting.table_id) == meeting.table_id,
                col(Meeting.org_a_id).in_([meeting.org_a_id, meeting.org_b_id]),
                col(Meeting.org_b_id).in_([meeting.org_a_id, meeting.org_b_id]),
            ),
        )
    ).first()
    if taken is not None:
        raise Conflict(
            N_("The slot or the table has been given to another meeting since; move it instead.")
        )
    meeting.status = MeetingStatus.scheduled
    meeting.no_show_org_id = meeting.no_show_reported_by = meeting.no_show_at = None
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    session.add(meeting)
    audit.record(session, "meeting.no_show.clear", event=event, account=by, meeting=meeting.id)
    return meeting


@dataclass
class Absentee:
    """Someone reported absent: a person, or an organisation nobody was named for."""

    organisation: Organisation
    person: Participant | None
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.meetings)


def no_shows(session: Session, event: Event) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.event_id == event.id, Meeting.status == MeetingStatus.no_show)
            .order_by(col(Meeting.no_show_at).desc(), col(Meeting.id))
        )
    )


def absentees(session: Session, event: Event, *, at_least: int = REPEATED) -> list[Absentee]:
    """Persons (or organisations) reported absent ``at_least`` times, most first."""
    found: dict[tuple[int, int | None], Absentee] = {}
    meetings = no_shows(session, event)
    org_ids = {m.no_show_org_id for m in meetings if m.no_show_org_id}
    orgs = {
        o.id: o for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
    }
    person_ids = {m.person_a_id for m in meetings} | {m.person_b_id for m in meetings}
    people = {
        p.id: p
        for p in session.exec(
            select(Participant).where(col(Participant.id).in_([i for i in person_ids if i]))
        )
    }
    for m in meetings:
        if m.no_show_org_id is None or m.no_show_org_id not in orgs:
            continue
        person_id = m.person_a_id if m.no_show_org_id == m.org_a_id else m.person_b_id
        key = (m.no_show_org_id, person_id)
        entry = found.setdefault(
            key, Absentee(orgs[m.no_show_org_id], people.get(person_id) if person_id else None)
        )
        entry.meetings.append(m)
    listed = [a for a in found.values() if a.count >= at_least]
    listed.sort(key=lambda a: (-a.count, a.organisation.name_folded))
    return listed

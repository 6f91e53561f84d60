"""Reminders before each meeting, and the second round of feedback a week after it.

``send_due_reminders(session, now)`` is one pass, safe to run as often and in as many
processes as one likes: ``matchmaker reminders`` runs it once (``--loop``: every
minute), and the job worker should call it each minute. Each pass writes

* a *reminder* to every person attending a live meeting that starts within the next
  ``reminder_minutes`` (the event's setting, else MATCHMAKER_REMINDER_MINUTES, 15 by
  default): the time, the table (or the video link of an online meeting) and the
  counterpart, in the recipient's language;
* a *follow-up* a week after a meeting ended (up to a week late, so a first run after an
  old event writes nothing): "did anything come of it?", linking to the feedback page.

Each is written once: a ``MeetingNotice(meeting, person, kind)`` row is inserted first,
with the database's "insert unless it exists" (``ON CONFLICT DO NOTHING`` on SQLite and
PostgreSQL), and the notification only when that row is new. Two passes at once queue
on the unique key; the second finds the row and writes nothing. Notifications are the
outbox: in the app at once, e-mailed by ``notifications.send_pending`` when SMTP is set
(``matchmaker reminders`` sends them right after each pass). A side whose person is not
named yet (an older schedule) is reminded through each of its representatives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from matchmaker import notifications
from matchmaker.clock import utcnow
from matchmaker.i18n import N_
from matchmaker.models import (
    Event,
    Meeting,
    MeetingNotice,
    MeetingStatus,
    MeetingTable,
    Organisation,
    Participant,
    Slot,
)
from matchmaker.rules import rules_of
from matchmaker.video import DEFAULT_VIDEO_BASE_URL, link_for

REMINDER = "reminder"
FOLLOW_UP = "follow_up"
DEFAULT_MINUTES = 15
FOLLOW_UP_AFTER = timedelta(days=7)
FOLLOW_UP_LATEST = timedelta(days=14)


@dataclass(frozen=True)
class Pass:
    reminders: int
    follow_ups: int


def send_due_reminders(
    session: Session,
    now: datetime | None = None,
    *,
    minutes: int = DEFAULT_MINUTES,
    video_base: str = DEFAULT_VIDEO_BASE_URL,
) -> Pass:
    """Write the reminders and follow-ups due at ``now`` that were not written yet."""
    now = now or utcnow()
    reminders = follow_ups = 0
    for event in session.exec(select(Event).order_by(col(Event.id))).all():
        lead = timedelta(minutes=rules_of(event).reminder_minutes or minutes)
        for meeting, slot in _live(session, event, Slot.start > now, Slot.start <= now + lead):
            reminders += _remind(session, meeting, slot, video_base)
        window = (Slot.end <= now - FOLLOW_UP_AFTER, Slot.end > now - FOLLOW_UP_LATEST)
        for meeting, slot in _live(session, event, *window):
            follow_ups += _follow_up(session, meeting, slot)
    return Pass(reminders, follow_ups)


def _live(session: Session, event: Event, *when: object) -> Sequence[tuple[Meeting, Slot]]:
    return session.exec(
        select(Meeting, Slot)
        .join(Slot, col(Slot.id) == col(Meeting.slot_id))
        .where(
            Meeting.event_id == event.id,
            Meeting.status == MeetingStatus.scheduled,
            *when,  # type: ignore[arg-type]
        )
        .order_by(col(Slot.start), col(Meeting.id))
    ).all()


def claim(session: Session, meeting_id: int, person_id: int, kind: str) -> bool:
    """Record that ``kind`` goes to the person for the meeting; False when it already
    went (here or in a process running at the same moment)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(MeetingNotice)
        .values(meeting_id=meeting_id, participant_id=person_id, kind=kind, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["meeting_id", "participant_id", "kind"])
        .returning(col(MeetingNotice.id))
    )
    # The new row's id, or nothing when it existed (a driver's rowcount may be -1 here).
    return session.execute(statement).first() is not None


def _sides(session: Session, meeting: Meeting) -> list[tuple[Participant, Organisation, str]]:
    """(recipient, the other organisation, who attends for it) for everyone attending."""
    orgs = {
        o.id: o
        for o in session.exec(
            select(Organisation).where(
                col(Organisation.id).in_([meeting.org_a_id, meeting.org_b_id])
            )
        )
    }
    people: dict[int, list[Participant]] = {meeting.org_a_id: [], meeting.org_b_id: []}
    for rep in session.exec(
        select(Participant)
        .where(col(Participant.organisation_id).in_(list(people)))
        .order_by(col(Participant.id))
    ):
        people[rep.organisation_id].append(rep)
    named = {meeting.org_a_id: meeting.person_a_id, meeting.org_b_id: meeting.person_b_id}

    def attending(org: int) -> list[Participant]:
        return [p for p in people[org] if named[org] in (None, p.id)]

    out = []
    for org, other in ((meeting.org_a_id, meeting.org_b_id), (meeting.org_b_id, meeting.org_a_id)):
        theirs = ", ".join(p.full_name for p in attending(other))
        out += [(person, orgs[other], theirs) for person in attending(org) if other in orgs]
    return out


def _remind(session: Session, meeting: Meeting, slot: Slot, video_base: str) -> int:
    table = session.get(MeetingTable, meeting.table_id) if meeting.table_id else None
    link = link_for(session, meeting, video_base)
    where = table.name if table else "—"
    if table is not None and table.zone:
        where = f"{table.name} ({table.zone})"
    written = 0
    for person, other, theirs in _sides(session, meeting):
        if not claim(session, meeting.id or 0, person.id or 0, REMINDER):
            continue
        params = {"org": other.name, "person": theirs or other.name, "when": slot.start,
                  "table": where, "link": link}  # fmt: skip
        notifications.notify(
            session,
            person,
            N_("Reminder: %(org)s at %(when)s, table %(table)s")
            if not link
            else N_("Reminder: %(org)s at %(when)s, online"),
            N_("Your meeting with %(person)s (%(org)s) starts at %(when)s at table %(table)s.")
            if not link
            else N_(
                "Your meeting with %(person)s (%(org)s) starts at %(when)s online. "
                "Join it at %(link)s"
            ),
            params,
            "/me/agenda",
        )
        written += 1
    return written


def _follow_up(session: Session, meeting: Meeting, slot: Slot) -> int:
    written = 0
    for person, other, theirs in _sides(session, meeting):
        if not claim(session, meeting.id or 0, person.id or 0, FOLLOW_UP):
            continue
        notifications.notify(
            session,
            person,
            N_("Did anything come of your meeting with %(org)s?"),
            N_(
                "A week ago you met %(person)s (%(org)s) at %(when)s. Did anything come of "
                "it? Two clicks tell the organisers, and help them plan the next event."
            ),
            {"org": other.name, "person": theirs or other.name, "when": slot.start},
            f"/me/feedback/{meeting.id}",
        )
        written += 1
    return written

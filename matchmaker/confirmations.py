"""Hosts accept their slots: publishing a schedule in two steps.

1. ``release_draft``: the organiser releases a finished solve run as a *draft*. The run is
   applied to the Meeting rows (as ``scheduling.publish`` does), a ``ScheduleVersion`` of
   kind "draft" with the hosts' deadline is stored, every scheduled meeting waits for its
   host's answer (``host_confirmation`` = pending; a meeting whose slot and table did not
   change since the previous version keeps an "accepted"), and each host organisation is
   told how many proposed slots wait for it.
2. Hosts answer (``accept`` / ``refuse``) until the deadline or until the final schedule is
   published. Refusing needs a reason; the slot then becomes unavailable for every
   representative of the host organisation (``Participant.unavailable_slots``), and
   ``scheduling.build_instance`` lets the refused meeting move anywhere else while the
   others keep their places, so a re-solve moves only the affected meetings.
3. ``publish_final``: the current Meeting rows become the next *final* version (unanswered
   slots count as accepted), with raised calendar sequences and agenda-change notices,
   exactly as ``scheduling.publish`` does for a run.

The host of a meeting is ``Meeting.host_org_id`` (the organisation that accepted the
request); for a meeting without one, the second organisation of the pair.
Participants' agendas show draft times with the host's answer; calendars only ever get
final times (``matchmaker.agenda``). Services never commit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from matchmaker import audit, notifications
from matchmaker.changes import lock_event
from matchmaker.clock import utcnow
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
    RunStatus,
    ScheduleVersion,
    Slot,
    SolveRun,
)
from matchmaker.scheduling import (
    PublishResult,
    VersionDiff,
    _snapshot,
    apply_run,
    current_version,
    diff_versions,
    notify_agenda_changes,
)

__all__ = [
    "DRAFT",
    "FINAL",
    "HostSlot",
    "Progress",
    "ReleaseResult",
    "accept",
    "answers_closed_reason",
    "host_of",
    "host_slot",
    "host_slots",
    "latest_version",
    "open_draft",
    "progress",
    "publish_final",
    "refuse",
    "release_draft",
]

DRAFT = "draft"
FINAL = "final"
REASON_MAX = 500


def _aware(value: datetime | None) -> datetime | None:
    """Stored times are UTC (SQLite hands them back without a zone)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def host_of(meeting: Meeting) -> int:
    """The organisation that confirms the meeting's slot."""
    return meeting.host_org_id if meeting.host_org_id is not None else meeting.org_b_id


def latest_version(session: Session, event: Event) -> ScheduleVersion | None:
    """The newest schedule version of either kind."""
    return session.exec(
        select(ScheduleVersion)
        .where(ScheduleVersion.event_id == event.id)
        .order_by(col(ScheduleVersion.number).desc())
    ).first()


def open_draft(session: Session, event: Event) -> ScheduleVersion | None:
    """The draft hosts are confirming: the newest version, when it is a draft."""
    # Every agenda page asks: look at the kind first, and load the (large) snapshot
    # of every meeting only when there is a draft.
    latest = session.exec(
        select(ScheduleVersion.id, ScheduleVersion.kind)
        .where(ScheduleVersion.event_id == event.id)
        .order_by(col(ScheduleVersion.number).desc())
    ).first()
    if latest is None or latest[1] != DRAFT:
        return None
    return session.get(ScheduleVersion, latest[0])


def answers_closed_reason(draft: ScheduleVersion | None, now: datetime | None = None) -> str:
    """Why hosts can no longer answer (an English msgid), or "" while they can."""
    if draft is None:
        return N_("The final schedule has been published: answers are closed.")
    deadline = _aware(draft.host_deadline)
    if deadline is not None and (now or utcnow()) > deadline:
        return N_("The deadline for answers has passed: unanswered slots count as accepted.")
    return ""


def _next_number(session: Session, event: Event) -> int:
    return (
        session.exec(
            select(func.max(ScheduleVersion.number)).where(ScheduleVersion.event_id == event.id)
        ).first()
        or 0
    ) + 1


def _store_version(session: Session, version: ScheduleVersion) -> None:
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("Another schedule was published meanwhile; reload and try again.") from exc


# --- the organiser releases a draft ---------------------------------------------------------


@dataclass
class ReleaseResult:
    version: ScheduleVersion
    pending: int  # meetings waiting for their host's answer
    kept: int  # meetings still accepted (same slot and table as before)
    hosts: int  # host organisations notified


def release_draft(
    session: Session, event: Event, run_id: int, deadline: datetime | None, by: Account
) -> ReleaseResult:
    """Apply a finished run to the meetings and release it as a draft for the hosts."""
    if deadline is None:
        raise DomainError(N_("Give the deadline for the hosts' answers."), field="deadline")
    deadline = _aware(deadline)
    assert deadline is not None
    if deadline <= utcnow():
        raise DomainError(N_("The deadline must be in the future."), field="deadline")
    lock_event(session, event)
    run = session.get(SolveRun, run_id)
    if run is None or run.event_id != event.id:
        raise NotFound("No such solve run.")
    if run.status not in (RunStatus.finished, RunStatus.stopped):
        raise Conflict("Only a finished run can be published.")
    previous = latest_version(session, event)
    if previous is not None and previous.run_id == run.id:
        raise Conflict(N_("This run is already the current schedule or draft."))
    before = dict(previous.assignments or {}) if previous is not None else {}
    apply_run(session, event, run)
    snapshot = _snapshot(session, event)
    version = ScheduleVersion(
        event_id=event.id or 0,
        number=_next_number(session, event),
        run_id=run.id,
        kind=DRAFT,
        published_by=by.id,
        host_deadline=deadline,
        assignments=snapshot,
    )
    _store_version(session, version)

    waiting: Counter[int] = Counter()
    kept = 0
    ids = sorted(int(k) for k in snapshot)
    now = utcnow()
    for m in session.exec(select(Meeting).where(col(Meeting.id).in_(ids))).all():
        same = before.get(str(m.id)) == snapshot[str(m.id)]
        if same and m.host_confirmation == HostConfirmation.accepted:
            kept += 1
            continue
        m.host_confirmation = HostConfirmation.pending
        m.host_refusal_reason = ""
        m.updated_at = now
        session.add(m)
        waiting[host_of(m)] += 1
    session.flush()
    for org_id, count in sorted(waiting.items()):
        notifications.notify_organisation(
            session,
            org_id,
            N_("%(count)s proposed slot is waiting for your confirmation")
            if count == 1
            else N_("%(count)s proposed slots are waiting for your confirmation"),
            N_(
                "The organisers of %(event)s propose times for the meetings you host. "
                "Accept each slot, or mark it impossible with a reason, by %(deadline)s; "
                "slots not answered by then count as accepted."
            ),
            {"count": count, "event": event.name_vi, "deadline": deadline},
            link="/me/confirmations",
        )
    audit.record(
        session, "schedule.draft", event=event, account=by, run_id=run.id,
        version=version.number, deadline=deadline.isoformat(), pending=sum(waiting.values()),
        kept=kept, hosts=len(waiting),
    )  # fmt: skip
    return ReleaseResult(
        version=version, pending=sum(waiting.values()), kept=kept, hosts=len(waiting)
    )


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
            day=_aware(slots[m.slot_id].start).astimezone(zone).date(),  # type: ignore[union-attr]
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
        return _aware(self.draft.host_deadline)


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
    if refused:
        slots = {
            s.id: s
            for s in session.exec(
                select(Slot).where(col(Slot.id).in_({m.slot_id for m in refused}))
            ).all()
        }
        tables = {
            t.id: t
            for t in session.exec(
                select(MeetingTable).where(
                    col(MeetingTable.id).in_({m.table_id for m in refused if m.table_id})
                )
            ).all()
        }
        org_ids = {m.org_a_id for m in refused} | {m.org_b_id for m in refused}
        orgs = {
            o.id: o
            for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
        }
        for m in refused:
            host = host_of(m)
            other = m.org_a_id if host == m.org_b_id else m.org_b_id
            result.refusals.append(
                Refusal(
                    meeting=m,
                    slot=slots[m.slot_id],
                    table=tables.get(m.table_id) if m.table_id else None,
                    host=orgs[host],
                    counterpart=orgs[other],
                )
            )
        result.refusals.sort(key=lambda r: (r.slot.start, r.meeting.id or 0))
    return result


def publish_final(session: Session, event: Event, by: Account) -> PublishResult:
    """Publish the meetings as they stand (the open draft, with any changes since) as the
    next final version: unanswered slots count as accepted; meetings whose slot or table
    differ from the previous final version get a raised calendar sequence, and every
    organisation whose agenda changed is notified."""
    lock_event(session, event)
    draft = open_draft(session, event)
    if draft is None:
        raise Conflict(N_("There is no draft waiting for the hosts; nothing to publish."))
    now = utcnow()
    for m in session.exec(
        select(Meeting).where(
            Meeting.event_id == event.id,
            Meeting.status == MeetingStatus.scheduled,
            Meeting.host_confirmation == HostConfirmation.pending,
        )
    ).all():
        m.host_confirmation = HostConfirmation.accepted
        m.updated_at = now
        session.add(m)
    session.flush()
    previous = current_version(session, event)
    snapshot = _snapshot(session, event)
    diff = (
        diff_versions(previous, snapshot)
        if previous is not None
        else VersionDiff(added=sorted(int(k) for k in snapshot))
    )
    version = ScheduleVersion(
        event_id=event.id or 0,
        number=_next_number(session, event),
        run_id=draft.run_id,
        kind=FINAL,
        published_by=by.id,
        assignments=snapshot,
    )
    _store_version(session, version)
    changed_orgs: set[int] = set()
    if diff.changed:
        for m in session.exec(select(Meeting).where(col(Meeting.id).in_(diff.changed))).all():
            changed_orgs.update((m.org_a_id, m.org_b_id))
            if previous is not None:
                m.sequence += 1
                m.updated_at = now
                session.add(m)
    session.flush()
    notify_agenda_changes(session, event, version, diff, changed_orgs)
    audit.record(
        session, "schedule.publish", event=event, account=by, run_id=draft.run_id,
        version=version.number, draft=draft.number, moved=len(diff.moved),
        added=len(diff.added), removed=len(diff.removed),
        notified_organisations=len(changed_orgs),
    )  # fmt: skip
    return PublishResult(version=version, diff=diff, changed_orgs=changed_orgs)

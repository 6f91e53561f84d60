"""Publishing: the one place where a schedule reaches the participants' agendas.

Three operations, each a whole step under the event's write lock (pretalx's
``schedule/domain/release.py`` is the model), used alike by the web, the CLI and the
benchmarks:

* ``release_draft``: a finished solve run becomes the *draft* the hosts confirm (see
  ``matchmaker.confirmations`` for the answers);
* ``publish_run``: a finished solve run becomes the next *published* version at once;
* ``publish_final``: the meetings as they stand after the hosts' answers become the
  next published version.

Each one takes the lock, checks the run, applies its proposal to the Meeting rows
(``scheduling.apply_run``, which refuses a double booking), stores the version numbered
within its kind (drafts are counted apart: a draft is never a publication), raises the
calendar sequence of every meeting whose place changed against the previous published
version, notifies the organisations whose agenda changed and writes the audit entry.

``preview_run`` and ``preview_final`` run the same code in a savepoint that is rolled
back, so what the organiser sees before publishing is what publishing then does.
Services never commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from matchmaker import audit, notifications
from matchmaker.changes import lock_event
from matchmaker.clock import as_utc, utcnow
from matchmaker.db import session_memo
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    Event,
    HostConfirmation,
    Meeting,
    MeetingStatus,
    RunStatus,
    ScheduleVersion,
    SolveRun,
)
from matchmaker.scheduling import apply_run

__all__ = [
    "DRAFT",
    "FINAL",
    "Disruption",
    "Publication",
    "Release",
    "VersionDiff",
    "current_version",
    "diff_versions",
    "host_of",
    "latest_version",
    "open_draft",
    "preview_final",
    "preview_run",
    "publish_final",
    "publish_run",
    "release_draft",
    "snapshot",
]

DRAFT = "draft"
FINAL = "final"

# {meeting id: {"slot": slot id, "table": table id, "persons": [person a, person b]}};
# "persons" only where someone is named (not in versions stored before people existed).
Snapshot = dict[str, dict[str, Any]]


def host_of(meeting: Meeting) -> int:
    """The organisation that confirms the meeting's slot."""
    return meeting.host_org_id if meeting.host_org_id is not None else meeting.org_b_id


# --- versions ------------------------------------------------------------------------------


def current_version(session: Session, event: Event) -> ScheduleVersion | None:
    """The newest published version: agendas and calendars show it."""
    return session_memo(
        session, ("current_version", event.id), lambda: _current_version(session, event)
    )


def _current_version(session: Session, event: Event) -> ScheduleVersion | None:
    return session.exec(
        select(ScheduleVersion)
        .where(ScheduleVersion.event_id == event.id, ScheduleVersion.kind == FINAL)
        .order_by(col(ScheduleVersion.number).desc())
        # The snapshot of every meeting is loaded only if read (most pages never do).
        .options(defer(ScheduleVersion.assignments))  # type: ignore[arg-type]
    ).first()


def latest_version(session: Session, event: Event) -> ScheduleVersion | None:
    """The newest version of either kind (ids grow in the order versions are stored)."""
    return session.exec(
        select(ScheduleVersion)
        .where(ScheduleVersion.event_id == event.id)
        .order_by(col(ScheduleVersion.id).desc())
    ).first()


def any_draft(session: Session, event: Event) -> bool:
    """Whether a draft was ever released to the hosts of `event`."""
    found = session.exec(
        select(ScheduleVersion.id).where(
            ScheduleVersion.event_id == event.id, ScheduleVersion.kind == DRAFT
        )
    ).first()
    return found is not None


def open_draft(session: Session, event: Event) -> ScheduleVersion | None:
    """The draft hosts are confirming: the newest version, when it is a draft."""
    return session_memo(session, ("open_draft", event.id), lambda: _open_draft(session, event))


def _open_draft(session: Session, event: Event) -> ScheduleVersion | None:
    # Every agenda page asks: look at the kind first, and load the (large) snapshot
    # of every meeting only when there is a draft.
    latest = session.exec(
        select(ScheduleVersion.id, ScheduleVersion.kind)
        .where(ScheduleVersion.event_id == event.id)
        .order_by(col(ScheduleVersion.id).desc())
    ).first()
    if latest is None or latest[1] != DRAFT:
        return None
    return session.get(ScheduleVersion, latest[0])


@dataclass
class VersionDiff:
    moved: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)

    @property
    def changed(self) -> list[int]:
        return sorted({*self.moved, *self.added, *self.removed})


def _assignments(version: ScheduleVersion | Snapshot | None) -> Snapshot:
    if version is None:
        return {}
    if isinstance(version, ScheduleVersion):
        return dict(version.assignments or {})
    return dict(version)


def _place(entry: dict[str, Any], other: dict[str, Any]) -> tuple[Any, ...]:
    """What a diff compares: persons only where both versions record them (an older
    version's silence about people is not a change)."""
    persons = entry.get("persons") if "persons" in other else None
    return entry.get("slot"), entry.get("table"), persons


def diff_versions(
    old: ScheduleVersion | Snapshot | None, new: ScheduleVersion | Snapshot | None
) -> VersionDiff:
    """Meetings moved (slot, table or attending person changed), added and removed
    between two versions (or two snapshots); ids ascending."""
    a, b = _assignments(old), _assignments(new)
    diff = VersionDiff()
    for key in sorted(set(a) | set(b), key=int):
        if key not in a:
            diff.added.append(int(key))
        elif key not in b:
            diff.removed.append(int(key))
        elif _place(a[key], b[key]) != _place(b[key], a[key]):
            diff.moved.append(int(key))
    return diff


def snapshot(session: Session, event: Event) -> Snapshot:
    """Where every scheduled meeting is now, as a version stores it."""
    # The five columns only, not whole rows: a version of a large event has thousands.
    rows = session.execute(
        sa_select(
            col(Meeting.id),
            col(Meeting.slot_id),
            col(Meeting.table_id),
            col(Meeting.person_a_id),
            col(Meeting.person_b_id),
        ).where(
            col(Meeting.event_id) == event.id,
            col(Meeting.status) == MeetingStatus.scheduled,
            col(Meeting.slot_id).is_not(None),
        )
    ).all()
    return {str(mid): _entry(slot, table, a, b) for mid, slot, table, a, b in rows}


def _entry(slot: int | None, table: int | None, a: int | None, b: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"slot": slot, "table": table}
    if a is not None or b is not None:
        entry["persons"] = [a, b]
    return entry


def _store_version(
    session: Session,
    event: Event,
    kind: str,
    *,
    run_id: int | None,
    by: Account | None,
    assignments: Snapshot,
    host_deadline: datetime | None = None,
) -> ScheduleVersion:
    number = (
        session.exec(
            select(func.max(ScheduleVersion.number)).where(
                ScheduleVersion.event_id == event.id, ScheduleVersion.kind == kind
            )
        ).first()
        or 0
    ) + 1
    version = ScheduleVersion(
        event_id=event.id or 0,
        number=number,
        run_id=run_id,
        kind=kind,
        published_by=by.id if by is not None else None,
        host_deadline=host_deadline,
        assignments=assignments,
    )
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            N_("Another schedule was published meanwhile; reload and try again.")
        ) from exc
    return version


def _finished_run(session: Session, event: Event, run_id: int) -> SolveRun:
    run = session.get(SolveRun, run_id)
    if run is None or run.event_id != event.id:
        raise NotFound(N_("No such solve run."))
    if run.status not in (RunStatus.finished, RunStatus.stopped):
        raise Conflict(N_("Only a finished run can be published."))
    return run


# --- publishing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Disruption:
    """What a publication changes against the published schedule."""

    moved: int
    added: int
    removed: int
    organisations: int  # organisations whose agenda changed: each is notified
    first: bool  # nothing was published before

    @property
    def changes(self) -> int:
        return self.moved + self.added + self.removed


@dataclass
class Publication:
    version: ScheduleVersion
    diff: VersionDiff
    changed_orgs: set[int]
    first: bool

    @property
    def disruption(self) -> Disruption:
        return Disruption(
            moved=len(self.diff.moved),
            added=len(self.diff.added),
            removed=len(self.diff.removed),
            organisations=len(self.changed_orgs),
            first=self.first,
        )


def publish_run(
    session: Session, event: Event, run_id: int, by: Account | None, *, via: str = "web"
) -> Publication:
    """Make a finished run the published schedule at once."""
    return _publish_run(session, event, run_id, by, via=via, announce=True)


def publish_final(
    session: Session, event: Event, by: Account | None, *, via: str = "web"
) -> Publication:
    """Publish the meetings as they stand (the open draft, with any changes since) as the
    next published version: slots the hosts did not answer count as accepted."""
    return _publish_final(session, event, by, via=via, announce=True)


def preview_run(session: Session, event: Event, run_id: int) -> Disruption | None:
    """What ``publish_run`` would change now; None when the run cannot be published."""
    with _rolled_back(session):
        try:
            return _publish_run(session, event, run_id, None, via="", announce=False).disruption
        except DomainError:
            return None


def preview_final(session: Session, event: Event) -> Disruption | None:
    """What ``publish_final`` would change now; None when there is no open draft."""
    with _rolled_back(session):
        try:
            return _publish_final(session, event, None, via="", announce=False).disruption
        except DomainError:
            return None


@contextmanager
def _rolled_back(session: Session) -> Iterator[None]:
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()


def _publish_run(
    session: Session, event: Event, run_id: int, by: Account | None, *, via: str, announce: bool
) -> Publication:
    lock_event(session, event)
    run = _finished_run(session, event, run_id)
    previous = current_version(session, event)
    if previous is not None and previous.run_id == run.id:
        raise Conflict(N_("This run is already the published schedule."))
    touched = apply_run(session, event, run)
    return _publish(
        session, event, run_id=run.id, by=by, touched=touched, draft=None, via=via,
        announce=announce,
    )  # fmt: skip


def _publish_final(
    session: Session, event: Event, by: Account | None, *, via: str, announce: bool
) -> Publication:
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
    return _publish(
        session, event, run_id=draft.run_id, by=by, touched=set(), draft=draft, via=via,
        announce=announce,
    )  # fmt: skip


def _publish(
    session: Session,
    event: Event,
    *,
    run_id: int | None,
    by: Account | None,
    touched: set[int],
    draft: ScheduleVersion | None,
    via: str,
    announce: bool,
) -> Publication:
    """Store the meetings as they stand as the next published version, and tell
    everyone whose agenda changed (``announce``; a preview only counts them)."""
    previous = current_version(session, event)
    assignments = snapshot(session, event)
    diff = diff_versions(previous, assignments)
    version = _store_version(session, event, FINAL, run_id=run_id, by=by, assignments=assignments)
    changed_orgs: set[int] = set()
    affected = touched | set(diff.changed)
    if affected:
        now = utcnow()
        for m in session.exec(select(Meeting).where(col(Meeting.id).in_(sorted(affected)))).all():
            changed_orgs.update((m.org_a_id, m.org_b_id))
            # A calendar entry changes only against an earlier published one.
            if previous is not None and m.id in diff.changed:
                m.sequence += 1
                m.updated_at = now
                session.add(m)
    session.flush()
    publication = Publication(
        version=version, diff=diff, changed_orgs=changed_orgs, first=previous is None
    )
    if announce:
        _notify_agenda_changes(session, event, publication)
        audit.record(
            session, "schedule.publish", event=event, account=by, via=via, run_id=run_id,
            version=version.number, draft=draft.number if draft is not None else None,
            moved=len(diff.moved), added=len(diff.added), removed=len(diff.removed),
            notified_organisations=len(changed_orgs),
        )  # fmt: skip
    return publication


def _notify_agenda_changes(session: Session, event: Event, publication: Publication) -> None:
    diff = publication.diff
    first = publication.first or not (diff.moved or diff.removed)
    subject = (
        N_("Your meeting schedule is ready") if first else N_("Your meeting schedule has changed")
    )
    for org_id in sorted(publication.changed_orgs):
        notifications.notify_organisation(
            session,
            org_id,
            subject,
            N_(
                "The meeting schedule of %(event)s has been published (version %(number)s). "
                "Open your agenda to see the time and table of each of your meetings."
            ),
            {
                "event": notifications.Pick(event.name_vi, event.name_en),
                "number": publication.version.number,
            },
            link="/me/agenda",
        )


# --- drafts for the hosts -------------------------------------------------------------------


@dataclass
class Release:
    version: ScheduleVersion
    pending: int  # meetings waiting for their host's answer
    kept: int  # meetings still accepted (same slot and table as before)
    hosts: int  # host organisations notified


def release_draft(
    session: Session,
    event: Event,
    run_id: int,
    deadline: datetime | None,
    by: Account | None,
    *,
    via: str = "web",
) -> Release:
    """Apply a finished run to the meetings and release it as a draft for the hosts: each
    scheduled meeting waits for its host's answer (one whose slot and table did not change
    since the previous version keeps an "accepted"), and each host is told how many."""
    if deadline is None:
        raise DomainError(N_("Give the deadline for the hosts' answers."), field="deadline")
    deadline = as_utc(deadline)
    assert deadline is not None
    if deadline <= utcnow():
        raise DomainError(N_("The deadline must be in the future."), field="deadline")
    lock_event(session, event)
    run = _finished_run(session, event, run_id)
    previous = latest_version(session, event)
    if previous is not None and previous.run_id == run.id:
        raise Conflict(N_("This run is already the current schedule or draft."))
    before = dict(previous.assignments or {}) if previous is not None else {}
    apply_run(session, event, run)
    assignments = snapshot(session, event)
    version = _store_version(
        session, event, DRAFT, run_id=run.id, by=by, assignments=assignments,
        host_deadline=deadline,
    )  # fmt: skip
    waiting, kept = _ask_hosts(session, before, assignments)
    _notify_hosts(session, event, waiting, deadline)
    audit.record(
        session, "schedule.draft", event=event, account=by, via=via, run_id=run.id,
        draft=version.number, deadline=deadline.isoformat(), pending=sum(waiting.values()),
        kept=kept, hosts=len(waiting),
    )  # fmt: skip
    return Release(version=version, pending=sum(waiting.values()), kept=kept, hosts=len(waiting))


def _ask_hosts(
    session: Session, before: Snapshot, assignments: Snapshot
) -> tuple[Counter[int], int]:
    """Set every changed meeting waiting for its host; (waiting per host, kept)."""
    waiting: Counter[int] = Counter()
    kept = 0
    now = utcnow()
    ids = sorted(int(k) for k in assignments)
    for m in session.exec(select(Meeting).where(col(Meeting.id).in_(ids))).all():
        same = before.get(str(m.id)) == assignments[str(m.id)]
        if same and m.host_confirmation == HostConfirmation.accepted:
            kept += 1
            continue
        m.host_confirmation = HostConfirmation.pending
        m.host_refusal_reason = ""
        m.updated_at = now
        session.add(m)
        waiting[host_of(m)] += 1
    session.flush()
    return waiting, kept


def _notify_hosts(
    session: Session, event: Event, waiting: Counter[int], deadline: datetime
) -> None:
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
            {
                "count": count,
                "event": notifications.Pick(event.name_vi, event.name_en),
                "deadline": deadline,
            },
            link="/me/confirmations",
        )

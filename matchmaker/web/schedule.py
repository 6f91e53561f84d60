"""The organiser's schedule after publication: lock, move by hand, cancel, and the
differences between published versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Response, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from sqlmodel import Session, col, func, or_, select

from matchmaker import availability, changes, publication, reasons
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Event,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Organisation,
    ScheduleVersion,
    Slot,
)
from matchmaker.text import fold
from matchmaker.web.actions import act, path_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import FormData, SearchText, text
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import page

PAGE = 60


def _lookups(db: Session, event: Event) -> dict[str, Any]:
    return {
        # Names only: whole rows (with their JSON profile columns) cost far more to load.
        "orgs": {
            row[0]: row
            for row in db.exec(
                select(Organisation.id, Organisation.name, Organisation.name_folded).where(
                    Organisation.event_id == event.id
                )
            )
        },
        "slots": {s.id: s for s in db.exec(select(Slot))},
        "tables": {
            t.id: t for t in db.exec(select(MeetingTable).where(MeetingTable.event_id == event.id))
        },
        "reason_names": reasons.Names.load(db, event),
    }


def _row(db: Session, event: Event, meeting: Meeting, **extra: Any) -> Response:
    return page("schedule/_row.html", event=event, m=meeting, **_lookups(db, event), **extra)


@get("/", name="schedule_home", sync_to_thread=False)
def schedule_home(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    q: SearchText = "",
    show: FromQuery[str] = "scheduled",
) -> Response:
    current = _event(event)
    lookups = _lookups(db, current)
    statement = select(Meeting).where(Meeting.event_id == current.id)
    if show == "scheduled":
        statement = statement.where(Meeting.status == MeetingStatus.scheduled)
    elif show == "waiting":
        statement = statement.where(
            col(Meeting.status).in_([MeetingStatus.accepted, MeetingStatus.unscheduled])
        )
    elif show == "cancelled":
        statement = statement.where(Meeting.status == MeetingStatus.cancelled)
    folded = fold(q)
    if folded:
        ids = [o.id for o in lookups["orgs"].values() if folded in o.name_folded]
        statement = statement.where(
            or_(col(Meeting.org_a_id).in_(ids), col(Meeting.org_b_id).in_(ids))
        )
    total = db.exec(select(func.count()).select_from(statement.subquery())).one()
    # Only the shown page is loaded: in slot order, meetings without a slot last.
    meetings = list(
        db.exec(
            statement.outerjoin(Slot, col(Slot.id) == col(Meeting.slot_id))
            .order_by(col(Slot.position).is_(None), col(Slot.position), col(Meeting.id))
            .limit(PAGE)
        )
    )
    versions = list(
        db.exec(
            select(ScheduleVersion)
            .where(
                ScheduleVersion.event_id == current.id,
                ScheduleVersion.kind == publication.FINAL,
            )
            .order_by(col(ScheduleVersion.number).desc())
        )
    )
    partial = request.htmx.target == "schedule-list"
    return page(
        "schedule/_list.html" if partial else "schedule/page.html",
        account=user,
        event=current,
        clashes=[] if partial else availability.event_clashes(db, current),
        meetings=meetings,
        total=total,
        q=q,
        show=show,
        versions=versions,
        **lookups,
    )


@get("/meetings/{meeting_id:int}/targets", name="meeting_targets", sync_to_thread=False)
def meeting_targets(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, meeting_id: FromPath[int]
) -> Response:
    current = _event(event)
    meeting = changes.event_meeting(db, current, meeting_id)
    targets = changes.legal_targets(db, current, meeting)
    return page(
        "schedule/_move.html",
        event=current,
        m=meeting,
        targets=targets,
        error="",
        **_lookups(db, current),
    )


def _action(
    request: HTMXRequest, db: Session, event: Event, meeting_id: int, run: Callable[[], object]
) -> Response:
    """Run one change; answer with the meeting's row (htmx) or back to the schedule."""

    def row(error: str) -> Response:
        meeting = changes.event_meeting(db, event, meeting_id)
        return _row(db, event, meeting, error=error, flash=not error)

    return act(request, db, run, partial=row, back=path_to(request, "schedule_home"))


def _no_target() -> Meeting:
    raise DomainError(N_("Choose a slot of this event."), field="target")


@post("/meetings/{meeting_id:int}/move", name="meeting_move", sync_to_thread=False)
def meeting_move(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    meeting_id: FromPath[int],
    data: FormData,
) -> Response:
    current = _event(event)
    changes.event_meeting(db, current, meeting_id)  # an unknown meeting is 404, whatever the form
    target = text(data, "target")
    slot_raw, _, table_raw = target.partition(":")
    if not (slot_raw.isdigit() and table_raw.isdigit()):
        return _action(request, db, current, meeting_id, _no_target)
    return _action(
        request,
        db,
        current,
        meeting_id,
        lambda: changes.move(db, current, meeting_id, int(slot_raw), int(table_raw), user),
    )


@post("/meetings/{meeting_id:int}/lock", name="meeting_lock", sync_to_thread=False)
def meeting_lock(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    meeting_id: FromPath[int],
    data: FormData,
) -> Response:
    current = _event(event)
    locked = text(data, "locked") == "1"
    return _action(
        request,
        db,
        current,
        meeting_id,
        lambda: changes.set_locked(db, current, meeting_id, locked, user),
    )


@post("/meetings/{meeting_id:int}/cancel", name="meeting_cancel", sync_to_thread=False)
def meeting_cancel(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    meeting_id: FromPath[int],
    data: FormData,
) -> Response:
    current = _event(event)
    reason = text(data, "reason", 500)
    return _action(
        request,
        db,
        current,
        meeting_id,
        lambda: changes.cancel(db, current, meeting_id, user, reason),
    )


@get("/versions", name="version_diff", sync_to_thread=False)
def version_diff(
    db: DB, user: User, event: MaybeEvent, a: FromQuery[int] = 0, b: FromQuery[int] = 0
) -> Response:
    current = _event(event)
    versions = {
        v.number: v
        for v in db.exec(
            select(ScheduleVersion).where(
                ScheduleVersion.event_id == current.id,
                ScheduleVersion.kind == publication.FINAL,
            )
        )
    }
    if a not in versions or b not in versions:
        raise NotFound(N_("No such schedule version."))
    old, new = versions[a], versions[b]
    diff = publication.diff_versions(old, new)
    meetings = {m.id: m for m in db.exec(select(Meeting).where(col(Meeting.id).in_(diff.changed)))}
    return page(
        "schedule/diff.html",
        account=user,
        event=current,
        old=old,
        new=new,
        diff=diff,
        meetings=meetings,
        **_lookups(db, current),
    )


router = Router(
    path="/organiser/schedule",
    guards=[organiser_only],
    route_handlers=[
        schedule_home,
        meeting_targets,
        meeting_move,
        meeting_lock,
        meeting_cancel,
        version_diff,
    ],
)

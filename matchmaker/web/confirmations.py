"""Hosts accept their slots: the host's page of proposed slots (accept / impossible, htmx
inline), the organiser's release of a run as a draft, the confirmation progress and the
final publication. Handlers are a few lines over ``matchmaker.confirmations``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from sqlmodel import Session

from matchmaker import confirmations as service
from matchmaker import publication
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account, Event, Organisation, SolveRun
from matchmaker.web.actions import act, path_to, redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import FormData, text
from matchmaker.web.guards import organiser_only, participant_only
from matchmaker.web.participant import own_participant
from matchmaker.web.render import error_text, page

# --- hosts --------------------------------------------------------------------------


def _host_page(
    db: Session,
    event: Event,
    user: Account,
    organisation: Organisation,
) -> Response:
    draft = publication.open_draft(db, event)
    # "Answers are closed" only where hosts were once asked: a schedule published
    # without a draft never opened them (the notice read "the deadline has passed").
    asked = draft is not None or publication.any_draft(db, event)
    return page(
        "confirmations/host.html",
        account=user,
        event=event,
        organisation=organisation,
        draft=draft,
        closed=service.answers_closed_reason(draft) if asked else "",
        rows=service.host_slots(db, event, organisation),
    )


@get("/", name="host_confirmations", sync_to_thread=False)
def host_confirmations(db: DB, user: User, event: MaybeEvent) -> Response:
    _, organisation = own_participant(db, user)
    return _host_page(db, _event(event), user, organisation)


def _answer(
    request: HTMXRequest,
    db: Session,
    user: Account,
    event: Event,
    meeting_id: int,
    reason: str | None,
) -> Response:
    """Accept (reason None) or refuse; answer with the row (htmx) or a redirect."""
    _, organisation = own_participant(db, user)

    def run() -> None:
        if reason is None:
            service.accept(db, event, organisation, meeting_id, user)
        else:
            service.refuse(db, event, organisation, meeting_id, reason, user)

    return act(
        request,
        db,
        run,
        partial=lambda error: _row(db, event, organisation, meeting_id, error=error),
        back=path_to(request, "host_confirmations", fragment=f"confirm-{meeting_id}"),
    )


def _row(
    db: Session, event: Event, organisation: Organisation, meeting_id: int, *, error: str = ""
) -> Response:
    draft = publication.open_draft(db, event)
    if draft is None:  # the final schedule was published meanwhile: reload the page
        return Response(content="", status_code=200, headers={"HX-Refresh": "true"})
    return page(
        "confirmations/_row.html",
        event=event,
        row=service.host_slot(db, event, organisation, meeting_id),
        closed=service.answers_closed_reason(draft),
        error=error,
    )


@post("/{meeting_id:int}/accept", name="host_confirmation_accept", sync_to_thread=False)
def host_accept(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, meeting_id: FromPath[int]
) -> Response:
    return _answer(request, db, user, _event(event), meeting_id, None)


@post("/{meeting_id:int}/impossible", name="host_confirmation_refuse", sync_to_thread=False)
def host_refuse(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    meeting_id: FromPath[int],
    data: FormData,
) -> Response:
    reason = text(data, "reason", service.REASON_MAX)
    return _answer(request, db, user, _event(event), meeting_id, reason)


@get("/accept-all", name="host_accept_all_form", sync_to_thread=False)
def host_accept_all_form(db: DB, user: User, event: MaybeEvent) -> Response:
    """The step before accepting every waiting slot: what will be accepted."""
    current = _event(event)
    _, organisation = own_participant(db, user)
    return page(
        "confirmations/accept_all.html",
        account=user,
        event=current,
        organisation=organisation,
        draft=publication.open_draft(db, current),
        rows=service.waiting_slots(db, current, organisation),
    )


@post("/accept-all", name="host_accept_all", sync_to_thread=False)
def host_accept_all(request: HTMXRequest, db: DB, user: User, event: MaybeEvent) -> Response:
    current = _event(event)
    _, organisation = own_participant(db, user)
    accepted: list[service.HostSlot] = []

    def run() -> None:
        accepted.extend(service.accept_all(db, current, organisation, user))

    response = act(
        request,
        db,
        run,
        partial=lambda error: _host_page(db, current, user, organisation),
        back=path_to(request, "host_confirmations"),
    )
    if accepted and not request.htmx:
        return redirect_to(request, "host_confirmations", query={"accepted": len(accepted)})
    return response


# --- organisers ------------------------------------------------------------------------


def _organiser_page(
    db: Session,
    event: Event,
    user: Account,
    *,
    released: int | None = None,
    published: int | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    progress = service.progress(db, event)
    return page(
        "confirmations/organiser.html",
        status=status,
        account=user,
        event=event,
        progress=progress,
        disruption=publication.preview_final(db, event) if progress and not error else None,
        released=released,
        published=published,
        error=error,
    )


@get("/", name="confirmation_progress", sync_to_thread=False)
def confirmation_progress(
    db: DB,
    user: User,
    event: MaybeEvent,
    released: FromQuery[int | None] = None,
    published: FromQuery[int | None] = None,
) -> Response:
    return _organiser_page(db, _event(event), user, released=released, published=published)


@get("/summary", name="confirmation_summary", sync_to_thread=False)
def confirmation_summary(db: DB, event: MaybeEvent) -> Response:
    """The open draft's answers in a few lines (loaded by htmx into the solve page)."""
    return page("confirmations/_summary.html", progress=service.progress(db, _event(event)))


def parse_deadline(value: str, event: Event) -> datetime | None:
    """A datetime-local value ("2023-05-17T18:00") in the event's time zone."""
    if not value:
        return None
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        raise DomainError(N_("Give the deadline as a date and a time."), field="deadline") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(event.timezone))
    return local


@post("/release/{run_id:int}", name="confirmation_release", sync_to_thread=False)
def confirmation_release(
    request: Request,
    db: DB,
    user: User,
    event: MaybeEvent,
    run_id: FromPath[int],
    data: FormData,
) -> Response:
    current = _event(event)
    raw = text(data, "deadline", 40)
    try:
        result = publication.release_draft(db, current, run_id, parse_deadline(raw, current), user)
    except NotFound:
        raise
    except DomainError as exc:
        db.rollback()
        run = db.get(SolveRun, run_id)
        if run is None or run.event_id != current.id:
            raise NotFound(N_("No such solve run.")) from None
        context: dict[str, Any] = {
            "release_error": error_text(request, exc),
            "release_error_field": exc.field,
            "release_deadline": raw,
        }
        return page(
            "confirmations/release.html",
            status=exc.status_code,
            account=user,
            event=current,
            run=run,
            is_current=False,
            **context,
        )
    return redirect_to(request, "confirmation_progress", query={"released": result.version.number})


@post("/publish", name="confirmation_publish", sync_to_thread=False)
def confirmation_publish(
    request: Request, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Response:
    current = _event(event)
    if text(data, "confirm", 5) != "on":
        message = error_text(
            request, DomainError(N_("Tick the box to confirm that you want to publish."))
        )
        return _organiser_page(db, current, user, error=message, status=400)
    try:
        result = publication.publish_final(db, current, user)
    except DomainError as exc:
        db.rollback()
        return _organiser_page(
            db, current, user, error=error_text(request, exc), status=exc.status_code
        )
    return redirect_to(request, "confirmation_progress", query={"published": result.version.number})


host_router = Router(
    path="/me/confirmations",
    guards=[participant_only],
    route_handlers=[
        host_confirmations,
        host_accept,
        host_refuse,
        host_accept_all_form,
        host_accept_all,
    ],
)
organiser_router = Router(
    path="/organiser/confirmations",
    guards=[organiser_only],
    route_handlers=[
        confirmation_progress,
        confirmation_summary,
        confirmation_release,
        confirmation_publish,
    ],
)

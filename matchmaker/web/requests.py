"""Meeting requests: the request form, incoming and outgoing lists, and the
accept / decline / withdraw actions (htmx swaps the row in place; without
JavaScript the same forms post and redirect back to the list)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from litestar import Response, Router, get, post
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest

from matchmaker import onsite
from matchmaker import requests as service
from matchmaker.errors import DomainError, NotFound
from matchmaker.models import Event, Participant, Priority, RequestStatus
from matchmaker.rules import MESSAGE_MAX_LENGTH, rules_of
from matchmaker.standing import Standing, standing
from matchmaker.web.actions import act, path_to, redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _require_event
from matchmaker.web.forms import FormData, safe_next, text
from matchmaker.web.guards import participant_only
from matchmaker.web.nav import nav_counts_for
from matchmaker.web.render import error_text, page

ShortQuery = Annotated[str, QueryParameter(max_length=40)]
BOXES = ("incoming", "outgoing")


def _labels() -> dict[str, Any]:
    return {
        "status_labels": {s.value: label for s, label in service.STATUS_LABELS.items()},
        "priority_labels": {p.value: label for p, label in service.PRIORITY_LABELS.items()},
        "priority_help": {p.value: text for p, text in service.PRIORITY_HELP.items()},
    }


def _status_filter(value: str) -> RequestStatus | None:
    try:
        return RequestStatus(value)
    except ValueError:
        return None


@get("/", name="requests_list", sync_to_thread=False)
def requests_list(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    box: ShortQuery = "incoming",
    status: ShortQuery = "",
) -> Response:
    current = _require_event(event)
    service.expire_requests(db, event=current)
    organisation = service.organisation_of(db, user)
    box = box if box in BOXES else "incoming"
    chosen = _status_filter(status)
    incoming = box == "incoming"
    rows = service.list_requests(db, organisation, incoming=incoming, status=chosen)
    counts = service.box_counts(db, organisation)
    template = (
        "requests/_list.html" if request.htmx.target == "request-list" else "requests/list.html"
    )
    return page(
        template,
        account=user,
        event=current,
        organisation=organisation,
        rows=rows,
        box=box,
        status_filter=chosen.value if chosen else "",
        counts=counts,
        statuses=list(RequestStatus),
        nav_totals=nav_counts_for(db, user),
        **_labels(),
    )


def _form_page(
    *,
    user: Any,
    event: Event,
    target: Any,
    values: dict[str, str],
    errors: dict[str, str],
    people: Sequence[Participant] = (),
    left: int | None = None,
    blocked: str = "",
    status: int = 200,
    where: Standing | None = None,
) -> Response:
    return page(
        "requests/new.html",
        status=status,
        status_ok=status < 400,
        standing=where,
        account=user,
        event=event,
        target=target,
        people=people,
        left=left,
        values=values,
        errors=errors,
        blocked=blocked,
        priorities=list(Priority),
        max_length=MESSAGE_MAX_LENGTH,
        message_required=rules_of(event).message_required,
        **_labels(),
    )


@get("/new", name="request_form", sync_to_thread=False)
def request_form(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, to: ShortQuery = ""
) -> Response:
    current = _require_event(event)
    organisation = service.organisation_of(db, user)
    target = service.find_target(db, current, to)
    blocked = ""
    try:
        service.check_request(db, current, organisation, target)
    except NotFound:
        raise
    except DomainError as exc:
        blocked = error_text(request, exc)
    values = {"message": "", "priority": Priority.would_like.value, "person": ""}
    return _form_page(
        user=user,
        event=current,
        target=target,
        values=values,
        errors={},
        people=service.people_of(db, target),
        left=service.requests_left(db, current, organisation),
        blocked=blocked,
        where=standing(db, current, organisation, target),
    )


@post("/new", name="request_submit", sync_to_thread=False)
def request_submit(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Response:
    current = _require_event(event)
    organisation = service.organisation_of(db, user)
    target = service.find_target(db, current, text(data, "to", 40))
    # Keep the whole message so an oversized one is reported, never cut silently.
    values = {
        "message": text(data, "message", 20 * MESSAGE_MAX_LENGTH),
        "priority": text(data, "priority", 40),
        "person": text(data, "person", 40),
    }
    try:
        created = service.create_request(
            db,
            current,
            organisation,
            target.id,
            values["message"],
            values["priority"],
            user,
            with_person=values["person"],
        )
    except NotFound:
        raise
    except DomainError as exc:
        db.rollback()
        message = error_text(request, exc)
        field = exc.field if exc.field in ("message", "priority", "person") else ""
        return _form_page(
            user=user,
            event=current,
            target=target,
            values=values,
            people=service.people_of(db, target),
            left=service.requests_left(db, current, organisation),
            errors={field: message} if field else {},
            blocked="" if field else message,
            status=exc.status_code,
            where=standing(db, current, organisation, target),
        )
    outcome = "agreed" if created.status is RequestStatus.accepted else "sent"
    return redirect_to(request, "requests_list", query={"box": "outgoing", "done": outcome})


@get("/{request_id:int}", name="request_detail", sync_to_thread=False)
def request_detail(db: DB, user: User, event: MaybeEvent, request_id: FromPath[int]) -> Response:
    current = _require_event(event)
    service.expire_requests(db, event=current)
    row = service.row_for(db, user, request_id)
    return page(
        "requests/detail.html",
        account=user,
        event=current,
        row=row,
        nav_totals=nav_counts_for(db, user),
        **_labels(),
    )


def _after_action(
    request: HTMXRequest,
    db: DB,
    user: User,
    request_id: int,
    data: dict[str, Any],
    action: str,
) -> Response:
    """Run one action; answer with the row partial (htmx) or a redirect to the list."""

    def run() -> None:
        if action == "accept":  # an on-site request is booked into its slot at once
            onsite.accept(db, request_id, user)
        elif action == "decline":
            service.decline(db, request_id, user, text(data, "reason", 10_000))
        else:
            service.withdraw(db, request_id, user)

    def row(error: str) -> Response:
        return page(
            "requests/_row.html",
            row=service.row_for(db, user, request_id),
            error=error,
            oob_counts=True,
            nav_totals=nav_counts_for(db, user),
            **_labels(),
        )

    box = "outgoing" if action == "withdraw" else "incoming"
    back = safe_next(text(data, "next", 500), path_to(request, "requests_list", query={"box": box}))
    return act(request, db, run, partial=row, back=back)


@post("/{request_id:int}/accept", name="request_accept", sync_to_thread=False)
def request_accept(
    request: HTMXRequest, db: DB, user: User, request_id: FromPath[int], data: FormData
) -> Response:
    return _after_action(request, db, user, request_id, data, "accept")


@post("/{request_id:int}/decline", name="request_decline", sync_to_thread=False)
def request_decline(
    request: HTMXRequest, db: DB, user: User, request_id: FromPath[int], data: FormData
) -> Response:
    return _after_action(request, db, user, request_id, data, "decline")


@post("/{request_id:int}/withdraw", name="request_withdraw", sync_to_thread=False)
def request_withdraw(
    request: HTMXRequest, db: DB, user: User, request_id: FromPath[int], data: FormData
) -> Response:
    return _after_action(request, db, user, request_id, data, "withdraw")


router = Router(
    path="/requests",
    guards=[participant_only],
    route_handlers=[
        requests_list,
        request_form,
        request_submit,
        request_detail,
        request_accept,
        request_decline,
        request_withdraw,
    ],
)

"""The organisers' outbox: every e-mail the app wrote, whether it went out, and resending
those the mail server refused (one, or all of them; a confirmation page first)."""

from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.params import FromQuery

from matchmaker import audit
from matchmaker import notifications as service
from matchmaker.notifications import OUTBOX_STATUS_LABELS, OutboxStatus
from matchmaker.web.actions import redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.forms import FormData, PageNumber, text
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import page, site_url

PER_PAGE = 50


def _status(value: str | None) -> OutboxStatus | None:
    try:
        return OutboxStatus(value) if value else None
    except ValueError:
        return None


@get("/", name="outbox", sync_to_thread=False)
def outbox_page(
    request: Request,
    db: DB,
    user: User,
    status: FromQuery[str | None] = None,
    page_number: PageNumber = 1,
    resent: FromQuery[int | None] = None,
    sent: FromQuery[int | None] = None,
    failed: FromQuery[int | None] = None,
    error: FromQuery[str | None] = None,
) -> Response:
    configured = request.app.state.settings.smtp.configured
    chosen = _status(status)
    notes = service.outbox(
        db, status=chosen, limit=PER_PAGE + 1, offset=(page_number - 1) * PER_PAGE
    )
    return page(
        "outbox/page.html",
        account=user,
        rows=[(n, service.status_of(n, configured)) for n in notes[:PER_PAGE]],
        has_next=len(notes) > PER_PAGE,
        page_number=page_number,
        chosen=chosen.value if chosen else "",
        statuses=[
            OutboxStatus.not_sent if not configured else OutboxStatus.waiting,
            OutboxStatus.sent,
            OutboxStatus.failed,
        ],
        status_labels=OUTBOX_STATUS_LABELS,
        counts=service.outbox_counts(db),
        configured=configured,
        resent=resent,
        sent=sent,
        failed=failed,
        send_error=(error or "")[:300],
    )


@get("/resend", name="outbox_resend_confirm", sync_to_thread=False)
def outbox_resend_confirm(
    db: DB, user: User, message: FromQuery[int | None] = None
) -> Response:
    """What a resend would send, and the button that does it."""
    notes = service.outbox(db, status=OutboxStatus.failed, limit=1000)
    if message is not None:
        notes = [n for n in notes if n.id == message]
    return page("outbox/resend.html", account=user, notes=notes, one=message)


@post("/resend", name="outbox_resend", sync_to_thread=True)
def outbox_resend(
    request: Request, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Response:
    """Put failed rows back in the queue and, with a mail server, send them now."""
    raw = text(data, "id", 20)
    one = int(raw) if raw.isdigit() else None
    if text(data, "confirm", 10) != "yes":
        return redirect_to(
            request, "outbox_resend_confirm", query={"message": one} if one is not None else {}
        )
    ids = service.retry(db, one)
    audit.record(db, "outbox.resend", event=event, account=user, count=len(ids), ids=ids[:50])
    query: dict[str, object] = {"resent": len(ids)}
    settings = request.app.state.settings
    if ids and settings.smtp.configured:
        result = service.send_pending(
            db, settings.smtp, base_url=site_url(request), ids=ids, limit=len(ids)
        )
        query.update(sent=result.sent, failed=result.failed)
        if result.error:
            query["error"] = result.error
    return redirect_to(request, "outbox", query=query)


router = Router(
    path="/organiser/outbox",
    guards=[organiser_only],
    route_handlers=[outbox_page, outbox_resend_confirm, outbox_resend],
)

"""Organiser printing (table plan, table signs, all agendas: made as jobs, see
web.jobs) and the audit log page."""

from __future__ import annotations

from litestar import Request, Response, Router, get

from matchmaker import audit, printing
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import PageNumber
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import locale_of, page


@get("/print", name="print_home", sync_to_thread=False)
def print_home(db: DB, user: User, event: MaybeEvent) -> Response:
    current = _event(event)
    plans = printing.table_plan(db, current)
    return page(
        "print/home.html",
        account=user,
        event=current,
        days=printing.group_by_day(plans, current),
        meetings=sum(len(p.placed) for p in plans),
    )


@get("/audit", name="audit_log", sync_to_thread=False)
def audit_log(
    request: Request, db: DB, user: User, event: MaybeEvent, page_number: PageNumber = 1
) -> Response:
    current = _event(event)
    per_page = 100
    entries = audit.recent(db, current, limit=per_page + 1, offset=(page_number - 1) * per_page)
    shown = entries[:per_page]
    names = audit.AuditNames.load(db, current, shown)
    locale = locale_of(request)
    rows = [
        (e, names.accounts.get(e.account_id or 0, "—"), audit.describe(e, names, locale))
        for e in shown
    ]
    return page(
        "print/audit.html",
        account=user,
        event=current,
        rows=rows,
        page_number=page_number,
        has_next=len(entries) > per_page,
    )


router = Router(
    path="/organiser",
    guards=[organiser_only],
    route_handlers=[print_home, audit_log],
)

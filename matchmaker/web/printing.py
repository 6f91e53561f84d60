"""Organiser printing (table plan, table signs, all agendas: made as jobs, see
web.jobs) and the audit log page."""

from __future__ import annotations

from litestar import Response, Router, get
from sqlmodel import select

from matchmaker import audit, printing
from matchmaker.models import Account
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import PageNumber
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import page


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
def audit_log(db: DB, user: User, event: MaybeEvent, page_number: PageNumber = 1) -> Response:
    current = _event(event)
    per_page = 100
    entries = audit.recent(db, current, limit=per_page + 1, offset=(page_number - 1) * per_page)
    account_ids = {e.account_id for e in entries if e.account_id}
    names = {
        a.id: a.display_name or a.email
        for a in db.exec(select(Account).where(Account.id.in_(account_ids)))  # type: ignore[union-attr]
    }
    return page(
        "print/audit.html",
        account=user,
        event=current,
        entries=entries[:per_page],
        names=names,
        page_number=page_number,
        has_next=len(entries) > per_page,
    )


router = Router(
    path="/organiser",
    guards=[organiser_only],
    route_handlers=[print_home, audit_log],
)

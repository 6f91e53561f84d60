"""Organiser printing (table plan, table signs, all agendas) and the audit log page."""

from __future__ import annotations

from litestar import Request, Response, Router, get

from matchmaker import audit, checkin, printing
from matchmaker.documents import render_pdf
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import PageNumber
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import locale_of, page


def _pdf(request: Request, template: str, filename: str, **context: object) -> Response:
    env = request.app.template_engine.engine  # type: ignore[union-attr]
    body = render_pdf(env, template, locale=locale_of(request), **context)
    return Response(
        body,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{filename}"'},
    )


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


@get("/print/table-plan.pdf", name="print_table_plan", sync_to_thread=True)
def print_table_plan(request: Request, db: DB, user: User, event: MaybeEvent) -> Response:
    current = _event(event)
    plans = printing.table_plan(db, current)
    return _pdf(
        request,
        "print/table_plan.html",
        "table-plan.pdf",
        event=current,
        days=printing.group_by_day(plans, current),
    )


@get("/print/table-signs.pdf", name="print_table_signs", sync_to_thread=True)
def print_table_signs(request: Request, db: DB, user: User, event: MaybeEvent) -> Response:
    current = _event(event)
    return _pdf(
        request,
        "print/table_signs.html",
        "table-signs.pdf",
        event=current,
        signs=printing.table_signs(db, current),
    )


@get("/print/agendas.pdf", name="print_agendas", sync_to_thread=True)
def print_agendas(request: Request, db: DB, user: User, event: MaybeEvent) -> Response:
    current = _event(event)
    items = printing.all_agendas(db, current, video_base=request.app.state.settings.video_base_url)
    checkin.ensure_codes(db, [item.participant for item in items])
    sheets = [(item.participant, item.agenda) for item in items]
    codes = {item.participant.id: item.participant.checkin_code for item in items}
    return _pdf(request, "agenda/print.html", "agendas.pdf", sheets=sheets, codes=codes)


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
    route_handlers=[print_home, print_table_plan, print_table_signs, print_agendas, audit_log],
)

"""The organiser's report (page, PDF, XLSX) and the public summary the organisers may
choose to show."""

from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect

from matchmaker import audit
from matchmaker.documents import render_pdf
from matchmaker.exporting import to_xlsx_book
from matchmaker.report import build_report, report_exports
from matchmaker.web.deps import DB, MaybeEvent, User, require_event
from matchmaker.web.forms import FormData, text
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import locale_of, page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@get("/report", name="organiser_report", sync_to_thread=False)
def report_page(db: DB, user: User, event: MaybeEvent) -> Response:
    current = require_event(event)
    return page("report/page.html", account=user, event=current, report=build_report(db, current))


@get("/report.pdf", name="organiser_report_pdf", sync_to_thread=True)
def report_pdf(request: Request, db: DB, event: MaybeEvent) -> Response:
    current = require_event(event)
    env = request.app.template_engine.engine  # type: ignore[union-attr]
    body = render_pdf(
        env,
        "report/print.html",
        locale=locale_of(request),
        event=current,
        report=build_report(db, current),
    )
    return Response(
        body,
        media_type="application/pdf",
        headers={"content-disposition": 'inline; filename="report.pdf"'},
    )


@get("/report.xlsx", name="organiser_report_xlsx", sync_to_thread=True)
def report_xlsx(request: Request, db: DB, event: MaybeEvent) -> Response:
    current = require_event(event)
    sheets = report_exports(build_report(db, current), locale_of(request))
    return Response(
        to_xlsx_book(sheets),
        media_type=XLSX,
        headers={"content-disposition": 'attachment; filename="report.xlsx"'},
    )


@post("/report/public", name="organiser_report_public", sync_to_thread=False)
def report_public(
    request: Request, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Redirect:
    current = require_event(event)
    shown = text(data, "shown") == "1"
    if current.report_public != shown:
        current.report_public = shown
        db.add(current)
        audit.record(
            db, "report.public" if shown else "report.private", event=current, account=user
        )
    return Redirect(request.app.route_reverse("organiser_report"), status_code=303)


router = Router(
    path="/organiser",
    guards=[organiser_only],
    route_handlers=[report_page, report_pdf, report_xlsx, report_public],
)


@get("/report", name="public_report", sync_to_thread=False)
def public_report(db: DB, event: MaybeEvent) -> Response:
    """The summary only (totals, by kind, by day, satisfaction): no names, no comments."""
    if event is None or not event.report_public:
        raise NotFoundException()
    return page("report/public.html", event=event, report=build_report(db, event))


public_router = Router(path="/", route_handlers=[public_report])

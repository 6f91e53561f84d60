"""Event setup pages: days, sessions, slots, tables and rules with a live slot preview."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest

from matchmaker import setup
from matchmaker.errors import NotFound
from matchmaker.i18n import N_
from matchmaker.models import Event, OrgKind
from matchmaker.web.actions import redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import FormData
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import gettext_for, page

SPARE_SESSION_ROWS = 2
SPARE_TABLE_ROWS = 3


def _context(
    request: Request,
    db: DB,
    event: Event,
    values: dict[str, Any],
    errors: setup.Errors,
    **extra: Any,
) -> dict[str, Any]:
    session_rows = setup.session_rows(values)
    table_rows = setup.table_rows(values)
    next_session = (max(session_rows) + 1) if session_rows else 0
    next_table = (max(table_rows) + 1) if table_rows else 0
    labels = setup.host_labels(setup.host_choices(db, event))
    spec, _ = setup.parse_setup(values, set(labels))
    slots = setup.plan_slots(spec.sessions) if spec else []
    return {
        "event": event,
        "values": values,
        "errors": {name: gettext_for(request, e.message, **e.params) for name, e in errors.items()},
        "session_rows": session_rows + list(range(next_session, next_session + SPARE_SESSION_ROWS)),
        "table_rows": table_rows + list(range(next_table, next_table + SPARE_TABLE_ROWS)),
        # One list of hosts for every table's field (a select per row repeated the
        # ~170 names 40 times: 350 KB of the page's 470).
        "host_labels": {str(host_id): label for host_id, label in labels.items()},
        "kinds": list(OrgKind),
        "slots": slots,
        "table_count": len(spec.tables) if spec else 0,
        "days": sorted({s.day for s in slots}),
        **extra,
    }


def _values(db: DB, event: Event, data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k not in ("_csrf_token", "confirm", "add")}
    return setup.resolve_hosts(values, setup.host_labels(setup.host_choices(db, event)))


def _valid_hosts(db: DB, event: Event) -> set[int]:
    return {o.id for o in setup.host_choices(db, event) if o.id}


@get("/", name="setup_form", sync_to_thread=False)
def setup_form(request: Request, db: DB, user: User, event: MaybeEvent) -> Response:
    current = _event(event)
    values = setup.form_from_event(db, current)
    return page(
        "setup/page.html",
        account=user,
        saved=request.query_params.get("saved") == "1",
        impact=None,
        **_context(request, db, current, values, {}),
    )


@post("/preview", name="setup_preview", sync_to_thread=False)
def setup_preview(
    request: Request, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Response:
    current = _event(event)
    values = _values(db, current, data)
    spec, errors = setup.parse_setup(values, _valid_hosts(db, current))
    impact = setup.impact_of(db, current, spec) if spec else None
    return page(
        "setup/_preview.html",
        impact=impact,
        **_context(request, db, current, values, errors),
    )


@post("/", name="setup_save", sync_to_thread=False)
def setup_save(request: Request, db: DB, user: User, event: MaybeEvent, data: FormData) -> Response:
    current = _event(event)
    values = _values(db, current, data)
    spec, errors = setup.parse_setup(values, _valid_hosts(db, current))
    if spec is None:
        context = _context(request, db, current, values, errors)
        return page(
            "setup/page.html", status=400, account=user, saved=False, impact=None, **context
        )
    impact = setup.impact_of(db, current, spec)
    if impact.any and not data.get("confirm"):
        context = _context(request, db, current, values, {})
        return page(
            "setup/page.html", status=409, account=user, saved=False, impact=impact, **context
        )
    setup.apply_setup(db, current, spec, user)
    return redirect_to(request, "setup_form", query={"saved": 1})


ROW_TEMPLATES = {"session": "setup/_session_row.html", "table": "setup/_table_row.html"}


@post("/rows/{kind:str}", name="setup_add_row", sync_to_thread=False)
def setup_add_row(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, kind: FromPath[str], data: FormData
) -> Response:
    """One more empty session or table row, nothing saved: htmx gets the row to append;
    without JavaScript the page comes back with what was typed and more empty rows."""
    current = _event(event)
    if kind not in ROW_TEMPLATES:
        raise NotFound(N_("Page not found"))
    values = _values(db, current, data)
    context = _context(request, db, current, values, {})
    if not request.htmx:
        return page("setup/page.html", account=user, saved=False, impact=None, **context)
    rows = setup.session_rows(values) if kind == "session" else setup.table_rows(values)
    limit = setup.MAX_SESSIONS if kind == "session" else setup.MAX_TABLES
    if len(rows) >= limit:
        return Response("", media_type="text/html")
    return page(ROW_TEMPLATES[kind], i=(max(rows) + 1) if rows else 0, **context)


router = Router(
    path="/organiser/setup",
    guards=[organiser_only],
    route_handlers=[setup_form, setup_preview, setup_save, setup_add_row],
)

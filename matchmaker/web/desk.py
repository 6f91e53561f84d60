"""Event days at the venue: the registration desk (check-in by name or QR code), the
live table boards with their "running late" notes, and the organisers' no-show list.

The desk is for organisers (the people at the desk sign in as organisers). A board is
seen by an organiser signed in, or by anyone holding its link (``matchmaker.board``):
a TV by the tables has nobody to sign in, and a board shows nothing that the table
signs do not.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect
from sqlmodel import Session, select

from matchmaker import board, checkin, noshows
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import LOCALES, N_
from matchmaker.models import Account, Event, MeetingTable, Organisation, Participant, Slot
from matchmaker.web.actions import act, path_to, with_flash
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import FormData, SearchText, text
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import error_text, locale_of, page, site_url

ZoneParam = Annotated[str, QueryParameter(max_length=60)]
LangParam = Annotated[str, QueryParameter(max_length=8)]
# Seconds between a board's refreshes (a test or a slow network may ask otherwise).
RefreshParam = Annotated[int, QueryParameter(ge=2, le=300)]
REFRESH_SECONDS = 20
DESK_CHANGED = "desk-changed"  # htmx event: the counts and the late list refresh


def _desk_status(db: Session, event: Event) -> dict[str, Any]:
    return {
        "today": checkin.event_day(db, event),
        "counts": checkin.counts_per_day(db, event),
        "late": checkin.late_arrivals(db, event),
    }


@get("/desk", name="desk_home", sync_to_thread=False)
def desk_home(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, q: SearchText = ""
) -> Response:
    current = _event(event)
    results = checkin.find_people(db, current, q)
    if request.htmx.target == "desk-results":
        return page("desk/_results.html", event=current, results=results, q=q)
    return page(
        "desk/page.html",
        account=user,
        event=current,
        results=results,
        q=q,
        scan=None,
        scan_error="",
        **_desk_status(db, current),
    )


@get("/desk/status", name="desk_status", sync_to_thread=False)
def desk_status(db: DB, user: User, event: MaybeEvent) -> Response:
    current = _event(event)
    return page("desk/_status.html", event=current, **_desk_status(db, current))


def _person_action(
    request: HTMXRequest, db: Session, event: Event, participant_id: int, run: Any
) -> Response:
    back = path_to(request, "desk_home", query={"q": request.query_params.get("q", "")})

    def partial(error: str) -> Response:
        response = page(
            "desk/_person.html",
            event=event,
            r=checkin.desk_person(db, event, participant_id),
            error=error,
        )
        if not error:
            response.headers["HX-Trigger"] = DESK_CHANGED
        return response

    return act(request, db, run, partial=partial, back=back)


@post("/desk/check-in/{participant_id:int}", name="desk_check_in", sync_to_thread=False)
def desk_check_in(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, participant_id: FromPath[int]
) -> Response:
    current = _event(event)
    return _person_action(
        request, db, current, participant_id,
        lambda: checkin.check_in(db, current, participant_id, user),
    )  # fmt: skip


@post("/desk/undo/{participant_id:int}", name="desk_undo", sync_to_thread=False)
def desk_undo(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, participant_id: FromPath[int]
) -> Response:
    current = _event(event)
    return _person_action(
        request, db, current, participant_id,
        lambda: checkin.undo_check_in(db, current, participant_id, user),
    )  # fmt: skip


@post("/desk/scan", name="desk_scan", sync_to_thread=False)
def desk_scan(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Response:
    """A code from the scanner field (a USB scanner types it and presses Enter) or
    from the camera: checks its person in and says who it was."""
    current = _event(event)
    scan: checkin.CheckInResult | None = None
    error = ""
    try:
        scan = checkin.check_in_by_code(db, current, text(data, "code", 200), user)
    except NotFound:
        raise
    except DomainError as exc:
        db.rollback()
        error = error_text(request, exc)
    if request.htmx:  # the message goes where the result goes (htmx swaps 200s only)
        response = page("desk/_scan.html", event=current, scan=scan, scan_error=error)
        if scan:
            response.headers["HX-Trigger"] = DESK_CHANGED
        return response
    return page(
        "desk/page.html",
        status=200 if scan else 422,
        account=user,
        event=current,
        results=[],
        q="",
        scan=scan,
        scan_error=error,
        **_desk_status(db, current),
    )


@get("/no-shows", name="no_shows", sync_to_thread=False)
def no_shows_page(db: DB, user: User, event: MaybeEvent) -> Response:
    current = _event(event)
    meetings = noshows.no_shows(db, current)
    org_ids = {m.org_a_id for m in meetings} | {m.org_b_id for m in meetings}
    return page(
        "desk/no_shows.html",
        account=user,
        event=current,
        repeated=noshows.absentees(db, current),
        meetings=meetings,
        threshold=noshows.REPEATED,
        orgs={o.id: o for o in db.exec(select(Organisation).where(Organisation.id.in_(org_ids)))},  # type: ignore[union-attr]
        slots={s.id: s for s in db.exec(select(Slot))},
        tables={
            t.id: t
            for t in db.exec(select(MeetingTable).where(MeetingTable.event_id == current.id))
        },
        people={
            p.id: p
            for p in db.exec(
                select(Participant).where(Participant.organisation_id.in_(org_ids))  # type: ignore[attr-defined]
            )
        },
    )


@post("/no-shows/{meeting_id:int}/clear", name="no_show_clear", sync_to_thread=False)
def no_show_clear(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, meeting_id: FromPath[int]
) -> Response:
    current = _event(event)
    back = path_to(request, "no_shows")
    # The list is a plain page: htmx or not, the answer goes back to it.
    return act(
        request,
        db,
        lambda: noshows.clear_no_show(db, current, meeting_id, user),
        partial=lambda error: Redirect(
            with_flash(request, back, error) if error else back, status_code=303
        ),
        back=back,
    )


# --- boards -------------------------------------------------------------------------


@get("/boards", name="boards_home", sync_to_thread=False)
def boards_home(request: Request, db: DB, user: User, event: MaybeEvent) -> Response:
    current = _event(event)
    key = board.board_key(current, request.app.state.settings.resolved_secret_key())
    base = site_url(request) + path_to(request, "board_public", key=key)
    links = [
        (zone, base + ("?" + _query(zone=zone) if zone else ""))
        for zone in board.zones(db, current)
    ]
    shown = board.build_board(db, current)
    return page(
        "board/links.html",
        account=user,
        event=current,
        links=links,
        rows=shown.rows,
    )


def _query(**params: str) -> str:
    return urlencode({k: v for k, v in params.items() if v})


@post("/boards/new-links", name="boards_new_links", sync_to_thread=False)
def boards_new_links(request: Request, db: DB, user: User, event: MaybeEvent) -> Redirect:
    board.new_board_links(db, _event(event), user)
    return Redirect(path_to(request, "boards_home"), status_code=303)


@post("/boards/late/{table_id:int}", name="table_running_late", sync_to_thread=False)
def table_running_late(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    table_id: FromPath[int],
    data: FormData,
) -> Response:
    current = _event(event)
    note = text(data, "note", board.NOTE_MAX_LENGTH)
    if data.get("clear"):
        board.clear_running_late(db, current, table_id, user)
    else:
        board.set_running_late(db, current, table_id, note, user)
    return Redirect(path_to(request, "boards_home", fragment=f"table-{table_id}"), status_code=303)


def _board_page(
    request: HTMXRequest,
    db: Session,
    event: Event,
    *,
    zone: str,
    lang: str,
    refresh: int,
    poll_path: str,
    account: Account | None,
) -> Response:
    shown = board.build_board(db, event, zone)
    lang = lang if lang in LOCALES else ""
    every = str(refresh) if refresh != REFRESH_SECONDS else ""
    poll_url = poll_path + "?" + _query(zone=zone, lang=lang, refresh=every)
    template = "board/_board.html" if request.htmx else "board/page.html"
    return page(
        template,
        account=account,
        board=shown,
        render_locale=lang or locale_of(request),
        refresh=refresh,
        poll_url=poll_url,
        zone_urls=[
            (z, poll_path + "?" + _query(zone=z, lang=lang, refresh=every)) for z in shown.zones
        ],
    )


@get("/board", name="board_organiser", sync_to_thread=False)
def board_organiser(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    zone: ZoneParam = "",
    lang: LangParam = "",
    refresh: RefreshParam = REFRESH_SECONDS,
) -> Response:
    return _board_page(
        request, db, _event(event), zone=zone, lang=lang, refresh=refresh,
        poll_path=path_to(request, "board_organiser"), account=user,
    )  # fmt: skip


@get("/board/{key:str}", name="board_public", sync_to_thread=False)
def board_public(
    request: HTMXRequest,
    db: DB,
    event: MaybeEvent,
    key: FromPath[str],
    zone: ZoneParam = "",
    lang: LangParam = "",
    refresh: RefreshParam = REFRESH_SECONDS,
) -> Response:
    """The board for a TV: the link's key is the only credential (see matchmaker.board)."""
    current = _event(event)
    if not board.key_is_valid(current, request.app.state.settings.resolved_secret_key(), key):
        raise NotFound(N_("This board link is not valid (new links may have been made)."))
    return _board_page(
        request, db, current, zone=zone, lang=lang, refresh=refresh,
        poll_path=path_to(request, "board_public", key=key), account=None,
    )  # fmt: skip


router = Router(
    path="/organiser",
    guards=[organiser_only],
    route_handlers=[
        desk_home,
        desk_status,
        desk_check_in,
        desk_undo,
        desk_scan,
        no_shows_page,
        no_show_clear,
        boards_home,
        boards_new_links,
        table_running_late,
        board_organiser,
    ],
)
public_router = Router(path="/", route_handlers=[board_public])

"""Personal agenda pages, the iCalendar download and feed, and the PDF agenda."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect
from sqlmodel import select

from matchmaker import accounts, checkin, noshows
from matchmaker.agenda import Agenda, build_agenda, to_ics
from matchmaker.clock import as_utc, utcnow
from matchmaker.documents import render_pdf
from matchmaker.errors import NotFound
from matchmaker.i18n import N_, normalise_locale
from matchmaker.models import Organisation, Participant, Role
from matchmaker.web.actions import act, path_to, redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.guards import organiser_only, participant_only
from matchmaker.web.participant import own_participant
from matchmaker.web.render import locale_of, page, site_url


def _domain(request: Request) -> str:
    """The domain of calendar UIDs: stable, whatever address the request came to."""
    return urlsplit(request.app.state.settings.base_url).hostname or "matchmaker.local"


def _ics_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _pdf_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{filename}"'},
    )


def _video(request: Request) -> str:
    return str(request.app.state.settings.video_base_url)


def _ended(agenda: Agenda) -> set[int]:
    """The agenda's meetings that have ended: each offers its feedback page."""
    now = utcnow()
    return {
        item.meeting.id or 0
        for day in agenda.days
        for item in day.items
        if item.slot is not None and (as_utc(item.slot.end) or now) <= now
    }


def _own_agenda(
    request: Request, db: DB, user: User, event: MaybeEvent, team: bool = False
) -> Agenda:
    """The signed-in representative's meetings; ``team``: their whole organisation's."""
    participant, organisation = own_participant(db, user)
    return build_agenda(
        db, _event(event), organisation, None if team else participant, video_base=_video(request)
    )


def _event_day_context(db: DB, agenda: Agenda) -> dict[str, Any]:
    """The check-in code of the agenda's person and the meetings whose absent side may
    be reported now (issue 14's event days)."""
    meetings = [item.meeting for day in agenda.days for item in day.items]
    return {
        "checkin_code": checkin.code_of(db, agenda.person) if agenda.person else "",
        "no_show_ids": noshows.reportable_ids(db, agenda.event, meetings),
    }


@get("/", name="my_agenda", sync_to_thread=False)
def my_agenda(
    request: Request, db: DB, user: User, event: MaybeEvent, team: FromQuery[bool] = False
) -> Response:
    agenda = _own_agenda(request, db, user, event, team)
    return page(
        "agenda/page.html",
        account=user,
        agenda=agenda,
        feedback_due=_ended(agenda),
        feed_row=accounts.calendar_feed_created(db, user),
        feed_url="",
        pdf_url="/me/agenda/agenda.pdf" + ("?team=1" if team else ""),
        ics_url="/me/agenda/agenda.ics",
        **_event_day_context(db, agenda),
    )


@post("/no-show/{meeting_id:int}", name="report_no_show", sync_to_thread=False)
def report_no_show(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, meeting_id: FromPath[int]
) -> Response:
    """Report "the other side did not come" (from the agenda, after the meeting's start)."""
    _, organisation = own_participant(db, user)
    current = _event(event)
    back = path_to(request, "my_agenda")
    return act(
        request,
        db,
        lambda: noshows.report_no_show(db, current, meeting_id, organisation.id or 0, user),
        partial=lambda error: Redirect(back, status_code=303),
        back=back,
    )


@get("/agenda.ics", name="my_agenda_ics", sync_to_thread=False)
def my_agenda_ics(request: Request, db: DB, user: User, event: MaybeEvent) -> Response:
    agenda = _own_agenda(request, db, user, event)
    body = to_ics(
        agenda, domain=_domain(request), title=agenda.organisation.name, locale=locale_of(request)
    )
    return _ics_response(body, "agenda.ics")


@get("/agenda.pdf", name="my_agenda_pdf", sync_to_thread=True)
def my_agenda_pdf(
    request: Request, db: DB, user: User, event: MaybeEvent, team: FromQuery[bool] = False
) -> Response:
    agenda = _own_agenda(request, db, user, event, team)
    env = request.app.template_engine.engine  # type: ignore[union-attr]
    codes = {agenda.person.id: checkin.code_of(db, agenda.person)} if agenda.person else {}
    body = render_pdf(
        env, "agenda/print.html", locale=locale_of(request), sheets=[(None, agenda)], codes=codes
    )
    return _pdf_response(body, "agenda.pdf")


@post("/feed", name="calendar_feed_new", sync_to_thread=False)
def calendar_feed_new(request: Request, db: DB, user: User, event: MaybeEvent) -> Response:
    token = accounts.new_calendar_feed(db, user)
    agenda = _own_agenda(request, db, user, event)
    return page(
        "agenda/page.html",
        account=user,
        agenda=agenda,
        feed_row=accounts.calendar_feed_created(db, user),
        feed_url=site_url(request) + path_to(request, "calendar_feed", token=f"{token}.ics"),
        pdf_url="/me/agenda/agenda.pdf",
        ics_url="/me/agenda/agenda.ics",
        **_event_day_context(db, agenda),
    )


@post("/feed/revoke", name="calendar_feed_revoke", sync_to_thread=False)
def calendar_feed_revoke(request: Request, db: DB, user: User) -> Redirect:
    accounts.revoke_calendar_feeds(db, user)
    return redirect_to(request, "my_agenda")


@get("/calendar/{token:str}", name="calendar_feed", sync_to_thread=False)
def calendar_feed(request: Request, db: DB, event: MaybeEvent, token: FromPath[str]) -> Response:
    """The private subscription URL: the secret token is the only credential."""
    account = accounts.account_for_token(db, token.removesuffix(".ics"), "calendar")
    if account is None or account.role is not Role.participant or not account.participant_id:
        raise NotFound(N_("No such calendar."))
    participant = db.get(Participant, account.participant_id)
    organisation = db.get(Organisation, participant.organisation_id) if participant else None
    if organisation is None:
        raise NotFound(N_("No such calendar."))
    agenda = build_agenda(db, _event(event), organisation, participant, video_base=_video(request))
    return Response(
        to_ics(
            agenda,
            domain=_domain(request),
            title=organisation.name,
            locale=normalise_locale(account.locale),
        ),
        media_type="text/calendar; charset=utf-8",
        headers={"cache-control": "private, max-age=300"},
    )


def _organisation(db: DB, org_id: int) -> Organisation:
    organisation = db.get(Organisation, org_id)
    if organisation is None:
        raise NotFound(N_("No such organisation."))
    return organisation


@get("/organiser/agenda/{org_id:int}", name="organiser_agenda", sync_to_thread=False)
def organiser_agenda(
    request: Request, db: DB, user: User, event: MaybeEvent, org_id: FromPath[int]
) -> Response:
    organisation = _organisation(db, org_id)
    people = db.exec(select(Participant).where(Participant.organisation_id == org_id)).all()
    return page(
        "agenda/organiser.html",
        account=user,
        agenda=build_agenda(db, _event(event), organisation, video_base=_video(request)),
        people=people,
        pdf_url=f"/organiser/agenda/{org_id}/agenda.pdf",
    )


@get("/organiser/agenda/{org_id:int}/agenda.pdf", name="organiser_agenda_pdf", sync_to_thread=True)
def organiser_agenda_pdf(
    request: Request, db: DB, user: User, event: MaybeEvent, org_id: FromPath[int]
) -> Response:
    agenda = build_agenda(db, _event(event), _organisation(db, org_id), video_base=_video(request))
    env = request.app.template_engine.engine  # type: ignore[union-attr]
    body = render_pdf(env, "agenda/print.html", locale=locale_of(request), sheets=[(None, agenda)])
    return _pdf_response(body, f"agenda-{org_id}.pdf")


participant_router = Router(
    path="/me/agenda",
    guards=[participant_only],
    route_handlers=[
        my_agenda,
        my_agenda_ics,
        my_agenda_pdf,
        calendar_feed_new,
        calendar_feed_revoke,
        report_no_show,
    ],
)
organiser_router = Router(
    path="/", guards=[organiser_only], route_handlers=[organiser_agenda, organiser_agenda_pdf]
)
feed_router = Router(path="/", route_handlers=[calendar_feed])

"""The organiser console (its first page: the participant list)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from sqlmodel import select

from matchmaker import profiles
from matchmaker.directory import (
    activity,
    console_counts,
    matching_organisations,
    search_participants,
)
from matchmaker.errors import NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account, Event, Organisation, OrgKind, Participant
from matchmaker.profiles import InvalidInput, OrganisationInput, RepresentativeInput
from matchmaker.todo import organiser_todo
from matchmaker.web.actions import redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User, require_event
from matchmaker.web.forms import FormData, KindParam, PageNumber, SearchText, kind_filter
from matchmaker.web.guards import organiser_only
from matchmaker.web.profile import (
    field_errors,
    form_context,
    organisation_input,
    representative_input,
)
from matchmaker.web.render import page as render_page


@get("/", name="organiser_home", sync_to_thread=False)
def organiser_home(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    q: SearchText = "",
    kind: KindParam = "",
    page: PageNumber = 1,
) -> Response:
    current = require_event(event)
    wanted = kind_filter(kind)  # the form sends kind= for "all kinds"
    results = search_participants(db, current, query=q, kind=wanted, page=page)
    partial = request.htmx.target == "participant-results"
    return render_page(
        "organiser/_participants.html" if partial else "organiser/home.html",
        account=user,
        event=current,
        todo=None if partial else organiser_todo(db, current),
        counts=console_counts(db, current),
        results=results,
        organisations=matching_organisations(db, current, query=q, kind=wanted),
        q=q,
        kind_filter=wanted.value if wanted else "",
        kinds=list(OrgKind),
    )


def _participant(db: DB, participant_id: int) -> tuple[Participant, Organisation]:
    participant = db.get(Participant, participant_id)
    organisation = db.get(Organisation, participant.organisation_id) if participant else None
    if participant is None or organisation is None:
        raise NotFound(N_("No such participant."))
    return participant, organisation


def participant_page(
    db: DB,
    user: Account,
    participant_id: int,
    *,
    status: int = 200,
    org_in: OrganisationInput | None = None,
    org_errors: dict[str, str] | None = None,
    rep_in: RepresentativeInput | None = None,
    rep_errors: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A participant as organisers see it (also after handing out a sign-in link), with
    the profile forms participants use (the same checks) to correct it for them."""
    participant, organisation = _participant(db, participant_id)
    colleagues = db.exec(
        select(Participant).where(Participant.organisation_id == participant.organisation_id)
    ).all()
    event = db.get_one(Event, organisation.event_id)
    return render_page(
        "organiser/participant.html",
        status=status,
        account=user,
        participant=participant,
        organisation=organisation,
        colleagues=colleagues,
        activity=activity(db, organisation, participant),
        org=org_in or OrganisationInput.of(organisation),
        errors=org_errors or {},
        rep=rep_in or RepresentativeInput.of(participant),
        rep_errors=rep_errors or {},
        **form_context(event),
        **extra,
    )


@get("/participants/{participant_id:int}", name="organiser_participant", sync_to_thread=False)
def organiser_participant(
    request: Request, db: DB, user: User, participant_id: FromPath[int]
) -> Response:
    return participant_page(db, user, participant_id, saved=request.query_params.get("saved", ""))


@post(
    "/participants/{participant_id:int}/organisation",
    name="organiser_participant_organisation",
    sync_to_thread=False,
)
def organiser_participant_organisation(
    request: Request, db: DB, user: User, participant_id: FromPath[int], data: FormData
) -> Response:
    _, organisation = _participant(db, participant_id)
    org_in = organisation_input(data)
    event = db.get_one(Event, organisation.event_id)
    try:
        profiles.organiser_update_organisation(db, event, organisation, org_in, by=user)
    except InvalidInput as exc:
        db.rollback()
        errors = field_errors(request, exc)
        return participant_page(
            db, user, participant_id, status=400, org_in=org_in, org_errors=errors
        )
    return _saved(request, participant_id, "organisation")


@post(
    "/participants/{participant_id:int}/person",
    name="organiser_participant_person",
    sync_to_thread=False,
)
def organiser_participant_person(
    request: Request, db: DB, user: User, participant_id: FromPath[int], data: FormData
) -> Response:
    participant, organisation = _participant(db, participant_id)
    rep_in = representative_input(data)
    event = db.get_one(Event, organisation.event_id)
    try:
        profiles.organiser_update_representative(db, event, participant, rep_in, by=user)
    except InvalidInput as exc:
        db.rollback()
        errors = field_errors(request, exc)
        return participant_page(
            db, user, participant_id, status=400, rep_in=rep_in, rep_errors=errors
        )
    return _saved(request, participant_id, "person")


def _saved(request: Request, participant_id: int, what: str) -> Response:
    return redirect_to(
        request,
        "organiser_participant",
        participant_id=participant_id,
        query={"saved": what},
        fragment="profile",
    )


router = Router(
    path="/organiser",
    guards=[organiser_only],
    route_handlers=[
        organiser_home,
        organiser_participant,
        organiser_participant_organisation,
        organiser_participant_person,
    ],
)

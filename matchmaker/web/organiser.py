"""The organiser console (its first page: the participant list)."""

from __future__ import annotations

from litestar import Request, Response, Router, get
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlmodel import Session, select

from matchmaker.directory import counts_by_kind, search_participants
from matchmaker.models import Account, Event, Organisation, OrgKind, Participant
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import page


def require_event(event: Event | None) -> Event:
    if event is None:
        raise NotFoundException("No event has been set up yet.")
    return event


@get("/", name="organiser_home", sync_to_thread=False)
def organiser_home(
    request: Request,
    db: Session,
    user: Account,
    event: Event | None,
    q: str = Parameter(default="", max_length=200),
    kind: OrgKind | None = None,
    page_number: int = Parameter(query="page", default=1, ge=1, le=100_000),
) -> Response:
    current = require_event(event)
    results = search_participants(db, current, query=q, kind=kind, page=page_number)
    template = (
        "organiser/_participants.html"
        if request.headers.get("hx-target") == "participant-results"
        else "organiser/home.html"
    )
    return page(
        template,
        account=user,
        event=current,
        counts=counts_by_kind(db, current),
        results=results,
        q=q,
        kind_filter=kind.value if kind else "",
        kinds=list(OrgKind),
    )


@get("/participants/{participant_id:int}", name="organiser_participant", sync_to_thread=False)
def organiser_participant(db: Session, user: Account, participant_id: int) -> Response:
    participant = db.get(Participant, participant_id)
    if participant is None:
        raise NotFoundException("No such participant.")
    organisation = db.get(Organisation, participant.organisation_id)
    colleagues = db.exec(
        select(Participant).where(Participant.organisation_id == participant.organisation_id)
    ).all()
    return page(
        "organiser/participant.html",
        account=user,
        participant=participant,
        organisation=organisation,
        colleagues=colleagues,
    )


router = Router(
    path="/organiser",
    guards=[organiser_only],
    route_handlers=[organiser_home, organiser_participant],
)

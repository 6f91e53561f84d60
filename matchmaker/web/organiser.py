"""The organiser console (its first page: the participant list)."""

from __future__ import annotations

from typing import Any

from litestar import Response, Router, get
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from sqlmodel import select

from matchmaker.directory import counts_by_kind, search_participants
from matchmaker.errors import NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account, Organisation, OrgKind, Participant
from matchmaker.todo import organiser_todo
from matchmaker.web.deps import DB, MaybeEvent, User, require_event
from matchmaker.web.forms import KindParam, PageNumber, SearchText, kind_filter
from matchmaker.web.guards import organiser_only
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
        counts=counts_by_kind(db, current),
        results=results,
        q=q,
        kind_filter=wanted.value if wanted else "",
        kinds=list(OrgKind),
    )


def participant_page(db: DB, user: Account, participant_id: int, **extra: Any) -> Response:
    """A participant as organisers see it (also after handing out a sign-in link)."""
    participant = db.get(Participant, participant_id)
    if participant is None:
        raise NotFound(N_("No such participant."))
    organisation = db.get(Organisation, participant.organisation_id)
    colleagues = db.exec(
        select(Participant).where(Participant.organisation_id == participant.organisation_id)
    ).all()
    return render_page(
        "organiser/participant.html",
        account=user,
        participant=participant,
        organisation=organisation,
        colleagues=colleagues,
        **extra,
    )


@get("/participants/{participant_id:int}", name="organiser_participant", sync_to_thread=False)
def organiser_participant(db: DB, user: User, participant_id: FromPath[int]) -> Response:
    return participant_page(db, user, participant_id)


router = Router(
    path="/organiser",
    guards=[organiser_only],
    route_handlers=[organiser_home, organiser_participant],
)

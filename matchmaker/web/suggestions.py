""" "Suggested for you": the recommender's picks for the signed-in participant."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, Router, get
from litestar.params import QueryParameter
from litestar.plugins.htmx import HTMXRequest

from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.matching import Suggestion, kind_label, reason_texts, suggestions_for
from matchmaker.models import Event, Organisation, OrgKind
from matchmaker.standing import standings
from matchmaker.web.deps import DB, User
from matchmaker.web.guards import participant_only
from matchmaker.web.participant import own_participant
from matchmaker.web.render import locale_of, page

KindChoice = Annotated[str, QueryParameter(max_length=40)]
PAGE_LIMIT = 30
TOP_LIMIT = 5


def _own(db: DB, user: User) -> tuple[Event, Organisation]:
    _, organisation = own_participant(db, user)
    event = db.get(Event, organisation.event_id)
    if event is None:
        raise NotFound(N_("No event has been set up yet."))
    return event, organisation


def _kind(value: str) -> OrgKind | None:
    """The kind filter: empty means every kind ("All kinds" submits an empty value)."""
    if not value:
        return None
    try:
        return OrgKind(value)
    except ValueError:
        raise DomainError(N_("Unknown kind of organisation."), field="kind") from None


def _cards(
    request: HTMXRequest, db: DB, event: Event, me: Organisation, suggestions: list[Suggestion]
) -> list[dict[str, Any]]:
    locale = locale_of(request)
    # A suggestion may still be out of reach (a limit): then no "Request a meeting".
    found = standings(db, event, me, [s.organisation for s in suggestions])
    return [
        {
            "org": s.organisation,
            "kind": kind_label(s.organisation.kind.value, locale),
            "fit": s.fit,
            "reasons": reason_texts(s.reasons, locale),
            "standing": found.get(s.organisation.id or 0),
        }
        for s in suggestions
    ]


@get("/", name="suggestions", sync_to_thread=False)
def suggestions_page(request: HTMXRequest, db: DB, user: User, kind: KindChoice = "") -> Response:
    event, organisation = _own(db, user)
    chosen = _kind(kind)
    found = suggestions_for(db, event, organisation, limit=PAGE_LIMIT, kind=chosen)
    template = (
        "suggestions/_list.html"
        if request.htmx.target == "suggestion-results"
        else "suggestions/index.html"
    )
    return page(
        template,
        account=user,
        event=event,
        organisation=organisation,
        cards=_cards(request, db, event, organisation, found),
        kinds=list(OrgKind),
        kind_filter=chosen.value if chosen else "",
    )


@get("/top", name="suggestions_top", sync_to_thread=False)
def suggestions_top(request: HTMXRequest, db: DB, user: User) -> Response:
    """The compact top five of the participant's home page (loaded by htmx)."""
    event, organisation = _own(db, user)
    found = suggestions_for(db, event, organisation, limit=TOP_LIMIT)
    return page(
        "suggestions/_top.html",
        account=user,
        top_cards=_cards(request, db, event, organisation, found),
    )


router = Router(
    path="/me/suggestions",
    guards=[participant_only],
    route_handlers=[suggestions_page, suggestions_top],
)

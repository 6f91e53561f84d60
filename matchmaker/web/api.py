"""The JSON API under /api, behind the same sign-in as the pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar import Router, get
from litestar.openapi.datastructures import ResponseSpec

from matchmaker.directory import counts_by_kind, search_participants
from matchmaker.errors import NotFound
from matchmaker.i18n import N_
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.forms import KindParam, PageNumber, SearchText, kind_filter
from matchmaker.web.guards import organiser_only, signed_in


@dataclass
class EventOut:
    name_vi: str
    name_en: str
    venue: str
    timezone: str
    start_date: str
    end_date: str
    organisations_by_kind: dict[str, int] = field(default_factory=dict)


@dataclass
class MeOut:
    email: str
    role: str
    display_name: str
    locale: str
    participant_id: int | None


@dataclass
class ParticipantOut:
    id: int
    full_name: str
    title: str
    email: str
    organisation_id: int
    organisation: str
    kind: str


@dataclass
class ParticipantPage:
    items: list[ParticipantOut]
    total: int
    page: int
    pages: int


@dataclass
class ErrorOut:
    """Every error but a validation error (which adds the fields in "extra")."""

    status_code: int
    error: str
    detail: str


def _errors(*statuses: int) -> dict[int, ResponseSpec]:
    """The error answers an operation can give, for the OpenAPI document."""
    descriptions = {
        401: "Not signed in (or signed out since)",
        403: "Signed in, but not as an organiser",
        404: "No event has been set up yet",
    }
    return {
        status: ResponseSpec(data_container=ErrorOut, description=descriptions[status])
        for status in statuses
    }


@get("/event", sync_to_thread=False, guards=[signed_in], responses=_errors(401, 404))
def api_event(db: DB, event: MaybeEvent) -> EventOut:
    if event is None:
        raise NotFound(N_("No event has been set up yet."))
    return EventOut(
        name_vi=event.name_vi,
        name_en=event.name_en,
        venue=event.venue,
        timezone=event.timezone,
        start_date=event.start_date.isoformat(),
        end_date=event.end_date.isoformat(),
        organisations_by_kind=counts_by_kind(db, event),
    )


@get("/me", sync_to_thread=False, guards=[signed_in], responses=_errors(401))
def api_me(user: User) -> MeOut:
    return MeOut(
        email=user.email,
        role=user.role.value,
        display_name=user.display_name,
        locale=user.locale,
        participant_id=user.participant_id,
    )


@get(
    "/participants",
    sync_to_thread=False,
    guards=[organiser_only],
    responses=_errors(401, 403, 404),
)
def api_participants(
    db: DB,
    user: User,
    event: MaybeEvent,
    q: SearchText = "",
    kind: KindParam = "",
    page: PageNumber = 1,
) -> ParticipantPage:
    if event is None:
        raise NotFound(N_("No event has been set up yet."))
    results = search_participants(db, event, query=q, kind=kind_filter(kind), page=page)
    return ParticipantPage(
        items=[
            ParticipantOut(
                id=p.id or 0,
                full_name=p.full_name,
                title=p.title,
                email=p.email,
                organisation_id=o.id or 0,
                organisation=o.name,
                kind=o.kind.value,
            )
            for p, o in results.items
        ],
        total=results.total,
        page=results.page,
        pages=results.pages,
    )


router = Router(path="/api", route_handlers=[api_event, api_me, api_participants])

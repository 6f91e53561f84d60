"""The directory of organisations and each organisation's public page."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, Router, get
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest

from matchmaker import discovery, standing
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import PageNumber, SearchText
from matchmaker.web.guards import signed_in
from matchmaker.web.render import page as render_page

Choice = Annotated[str, QueryParameter(max_length=80)]
DayNumber = Annotated[str, QueryParameter(max_length=3)]


@get("/", name="directory", sync_to_thread=False)
def directory(
    request: HTMXRequest,
    db: DB,
    user: User,
    event: MaybeEvent,
    q: SearchText = "",
    kind: Choice = "",
    sector: Choice = "",
    province: Choice = "",
    offers: Choice = "",
    seeks: Choice = "",
    day: DayNumber = "",
    stage: Choice = "",
    sort: Choice = "",
    page: PageNumber = 1,
) -> Response:
    current = _event(event)
    viewer = discovery.viewer_organisation(db, user)
    filters = discovery.DirectoryFilters(
        q=q.strip(),
        kind=kind,
        sector=sector,
        province=province,
        offers=offers,
        seeks=seeks,
        day=int(day) if day.isdigit() else None,
        stage=stage,
        sort=sort if sort in discovery.SORTS else "",
    )
    results = discovery.search_organisations(db, current, filters, page=page, viewer=viewer)
    template = (
        "directory/_results.html"
        if request.htmx.target == "directory-results"
        else "directory/index.html"
    )
    return render_page(
        template,
        account=user,
        event=current,
        filters=filters,
        results=results,
        standings=standing.standings(db, current, viewer, results.items),
        viewer=viewer,
        options=discovery.filter_options(db, current),
    )


@get("/{org_id:int}", name="directory_organisation", sync_to_thread=False)
def organisation(db: DB, user: User, event: MaybeEvent, org_id: FromPath[int]) -> Response:
    current = _event(event)
    profile = discovery.organisation_page(db, current, user, org_id)
    viewer = discovery.viewer_organisation(db, user)
    return render_page(
        "directory/organisation.html",
        account=user,
        event=current,
        profile=profile,
        org=profile.organisation,
        standing=standing.standing(db, current, viewer, profile.organisation),
    )


router = Router(path="/directory", guards=[signed_in], route_handlers=[directory, organisation])

"""The availability grid: days x sessions (and single slots) per representative.

Each cell is a toggle button inside one form. With htmx the button posts and
only its cell is swapped; without JavaScript the form is submitted and the page
comes back (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Response, Router, get, post
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest

from matchmaker import availability, profiles
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account, Event, Participant
from matchmaker.web.actions import redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import FormData, text
from matchmaker.web.guards import participant_only
from matchmaker.web.render import error_text, page


def _chosen(db: DB, user: Account, rep: int | None) -> Participant:
    if rep is None:
        return profiles.own_participant(db, user)
    return profiles.own_representative(db, user, rep)


def parse_mark(value: str) -> tuple[str, str, bool]:
    """``"session:d1-am:1"`` -> ``("session", "d1-am", True)``."""
    kind, _, rest = value.partition(":")
    code, _, flag = rest.rpartition(":")
    if kind not in ("session", "slot") or not code or flag not in ("0", "1"):
        raise DomainError(N_("The request could not be understood"), field="availability")
    return kind, code, flag == "1"


def _grid_page(
    db: DB,
    user: Account,
    event: Event,
    person: Participant,
    *,
    status: int = 200,
    error: str = "",
    clashes: Sequence[availability.Clash] = (),
    mark: str = "",
) -> Response:
    org = profiles.own_organisation(db, user)
    grid = availability.event_grid(db, event)
    return page(
        "profile/availability.html",
        status=status,
        account=user,
        event=event,
        organisation=org,
        people=profiles.representatives(db, org),
        person=person,
        grid=grid,
        pres=availability.presence(grid, person),
        error=error,
        expanded="",
        clashes=clashes,
        mark=mark,
    )


@get("/", name="availability_form", sync_to_thread=False)
def availability_form(
    db: DB, user: User, event: MaybeEvent, rep: FromQuery[int | None] = None
) -> Response:
    current = _event(event)
    return _grid_page(db, user, current, _chosen(db, user, rep))


@post("/", name="availability_submit", sync_to_thread=False)
def availability_submit(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Response:
    """Save one mark. Marking oneself absent where placed meetings would then conflict is
    a two-step change: first the affected meetings are listed (htmx: in the cell; without
    JavaScript: on the page, answered 409) with a button that sends the mark again with
    ``confirm=1``; once saved, both sides of each meeting are notified."""
    current = _event(event)
    rep_raw = text(data, "rep", 20)
    if not rep_raw.isdigit():
        raise NotFound(N_("No such representative."))
    person = profiles.own_representative(db, user, int(rep_raw))
    mark = text(data, "mark", 120)
    kind, code, present = parse_mark(mark)
    confirmed = text(data, "confirm", 5) == "1"
    error = ""
    clashes: list[availability.Clash] = []
    try:
        clashes = availability.clashes_of_change(
            db, user, current, int(rep_raw), kind, code, present
        )
        if clashes and not confirmed:
            return _warning(request, db, user, current, person, kind, code, mark, clashes)
        availability.set_presence(db, user, current, int(rep_raw), kind, code, present)
        availability.notify_clashes(db, clashes)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        db.rollback()
        person = profiles.own_representative(db, user, int(rep_raw))
        error = error_text(request, exc)
    if not request.htmx:
        if error:
            return _grid_page(db, user, current, person, status=400, error=error)
        query: dict[str, object] = {"rep": person.id, "saved": 1}
        if clashes:
            query["clashes"] = len(clashes)
        return redirect_to(request, "availability_form", query=query)
    return _cell(db, user, current, person, kind, code, error=error, saved_clashes=len(clashes))


def _cell(
    db: DB,
    user: Account,
    event: Event,
    person: Participant,
    kind: str,
    code: str,
    *,
    error: str = "",
    clashes: Sequence[availability.Clash] = (),
    mark: str = "",
    saved_clashes: int = 0,
) -> Response:
    grid = availability.event_grid(db, event)
    block = grid.block(code) if kind == "session" else grid.block_of_slot(code)
    return page(
        "profile/_availability_cell.html",
        account=user,
        event=event,
        person=person,
        block=block,
        pres=availability.presence(grid, person),
        expanded=kind == "slot",
        error=error,
        clashes=clashes,
        mark=mark,
        saved_clashes=saved_clashes,
    )


def _warning(
    request: HTMXRequest,
    db: DB,
    user: Account,
    event: Event,
    person: Participant,
    kind: str,
    code: str,
    mark: str,
    clashes: Sequence[availability.Clash],
) -> Response:
    """Nothing is saved yet: the meetings the mark would affect, and how to go on."""
    if request.htmx:
        return _cell(db, user, event, person, kind, code, clashes=clashes, mark=mark)
    return _grid_page(db, user, event, person, status=409, clashes=clashes, mark=mark)


router = Router(
    path="/me/availability",
    guards=[participant_only],
    route_handlers=[availability_form, availability_submit],
)

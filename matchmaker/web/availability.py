"""The availability grid: days x sessions (and single slots) per representative.

Each cell is a toggle button inside one form. With htmx the button posts and
only its cell is swapped; without JavaScript the form is submitted and the page
comes back (post/redirect/get).
"""

from __future__ import annotations

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
    db: DB, user: Account, event: Event, person: Participant, *, status: int = 200, error: str = ""
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
    current = _event(event)
    rep_raw = text(data, "rep", 20)
    if not rep_raw.isdigit():
        raise NotFound(N_("No such representative."))
    person = profiles.own_representative(db, user, int(rep_raw))
    kind, code, present = parse_mark(text(data, "mark", 120))
    error = ""
    try:
        if kind == "session":
            availability.set_session_presence(db, user, current, int(rep_raw), code, present)
        else:
            availability.set_slot_presence(db, user, current, int(rep_raw), code, present)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        db.rollback()
        person = profiles.own_representative(db, user, int(rep_raw))
        error = error_text(request, exc)
    if not request.htmx:
        if error:
            return _grid_page(db, user, current, person, status=400, error=error)
        return redirect_to(request, "availability_form", query={"rep": person.id, "saved": 1})
    grid = availability.event_grid(db, current)
    block = grid.block(code) if kind == "session" else grid.block_of_slot(code)
    return page(
        "profile/_availability_cell.html",
        account=user,
        person=person,
        block=block,
        pres=availability.presence(grid, person),
        expanded=kind == "slot",
        error=error,
    )


router = Router(
    path="/me/availability",
    guards=[participant_only],
    route_handlers=[availability_form, availability_submit],
)

"""On-site booking pages: find someone with a common free slot, ask them for it.
Accepting is the ordinary accept action of the request (``matchmaker.onsite.accept``)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, Router, get, post
from litestar.params import QueryParameter
from litestar.plugins.htmx import HTMXRequest

from matchmaker import onsite
from matchmaker.errors import DomainError, NotFound
from matchmaker.models import Event, Slot
from matchmaker.rules import MESSAGE_MAX_LENGTH
from matchmaker.web.actions import redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _require_event
from matchmaker.web.forms import FormData, SearchText, text
from matchmaker.web.guards import participant_only
from matchmaker.web.render import error_text, page

IdQuery = Annotated[str, QueryParameter(max_length=20)]


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@get("/", name="onsite_find", sync_to_thread=False)
def onsite_find(
    db: DB, user: User, event: MaybeEvent, q: SearchText = "", org: IdQuery = ""
) -> Response:
    current = _require_event(event)
    onsite.own_person(db, user)
    found = onsite.find_people(db, current, user, q, org_id=_int(org))
    return page(
        "onsite/find.html",
        account=user,
        event=current,
        open=onsite.booking_open(current),
        query=q,
        org=org,
        found=found,
    )


def _form(
    db: DB,
    user: User,
    event: Event,
    person: str,
    slot: str,
    *,
    message: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    me, _ = onsite.own_person(db, user)
    other, organisation = onsite.find_target(db, event, person)
    chosen = db.get(Slot, _int(slot) or 0)
    free = onsite.common_free_slots(db, event, me, other, limit=None)
    return page(
        "onsite/new.html",
        status=status,
        account=user,
        event=event,
        other=other,
        organisation=organisation,
        chosen=chosen,
        free=free,
        message=message,
        error=error,
        max_length=MESSAGE_MAX_LENGTH,
    )


@get("/new", name="onsite_form", sync_to_thread=False)
def onsite_form(
    db: DB, user: User, event: MaybeEvent, person: IdQuery = "", slot: IdQuery = ""
) -> Response:
    return _form(db, user, _require_event(event), person, slot)


@post("/new", name="onsite_submit", sync_to_thread=False)
def onsite_submit(
    request: HTMXRequest, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Response:
    current = _require_event(event)
    values: dict[str, Any] = {
        "person": text(data, "person", 20),
        "slot": text(data, "slot", 20),
        "message": text(data, "message", 20 * MESSAGE_MAX_LENGTH),
    }
    try:
        onsite.request_slot(db, current, user, values["person"], values["slot"], values["message"])
    except NotFound:
        raise
    except DomainError as exc:
        db.rollback()
        return _form(
            db, user, current, values["person"], values["slot"], message=values["message"],
            error=error_text(request, exc), status=exc.status_code,
        )  # fmt: skip
    return redirect_to(request, "requests_list", query={"box": "outgoing", "done": "on_site"})


router = Router(
    path="/me/on-site",
    guards=[participant_only],
    route_handlers=[onsite_find, onsite_form, onsite_submit],
)

"""Organisers approve self-registered organisations before they are listed."""

from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from matchmaker import profiles
from matchmaker.web.actions import redirect_to
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.deps import require_event as _event
from matchmaker.web.forms import FormData, text
from matchmaker.web.guards import organiser_only
from matchmaker.web.render import page


@get("/approvals", name="approvals", sync_to_thread=False)
def approvals(db: DB, user: User, event: MaybeEvent) -> Response:
    current = _event(event)
    pending = profiles.pending_organisations(db, current)
    people = {org.id: profiles.representatives(db, org) for org in pending}
    return page(
        "profile/approvals.html",
        account=user,
        event=current,
        pending=pending,
        people=people,
        unconfirmed=profiles.unconfirmed_registrations(db, current),
    )


@post("/organisations/{org_id:int}/approve", name="approve_organisation", sync_to_thread=False)
def approve(
    request: Request, db: DB, user: User, event: MaybeEvent, org_id: FromPath[int]
) -> Redirect:
    org = profiles.approve_organisation(db, _event(event), org_id, by=user)
    return redirect_to(request, "approvals", query={"approved": org.id})


@post("/approvals/setting", name="approval_setting", sync_to_thread=False)
def approval_setting(
    request: Request, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Redirect:
    profiles.set_require_approval(db, _event(event), text(data, "required") == "1", by=user)
    return redirect_to(request, "approvals", query={"setting": "saved"})


router = Router(
    path="/organiser",
    guards=[organiser_only],
    route_handlers=[approvals, approve, approval_setting],
)

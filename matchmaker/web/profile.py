"""Self-registration and the participant's own profile (organisation and representatives)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from matchmaker import accounts, profiles
from matchmaker.errors import DomainError
from matchmaker.models import Account, Event, Organisation, OrgKind, Participant
from matchmaker.profiles import InvalidInput, OrganisationInput, RepresentativeInput
from matchmaker.web.actions import redirect_to
from matchmaker.web.auth import landing
from matchmaker.web.deps import DB, MaybeAccount, MaybeEvent, User, require_event
from matchmaker.web.forms import FormData, text
from matchmaker.web.guards import participant_only
from matchmaker.web.render import error_text, page


def values(data: dict[str, Any], name: str, limit: int = 60) -> list[str]:
    """All values of a repeated field (checkboxes), trimmed, at most `limit`."""
    raw = data.get(name, [])
    items = raw if isinstance(raw, list) else [raw]
    return [str(v).strip()[:100] for v in items[:limit] if str(v).strip()]


def organisation_input(data: dict[str, Any]) -> OrganisationInput:
    return OrganisationInput(
        name=text(data, "name", 4 * profiles.NAME_MAX),
        kind=text(data, "kind", 40),
        sectors=values(data, "sectors"),
        province=text(data, "province", 4 * profiles.PROVINCE_MAX),
        stage=text(data, "stage", 40),
        website=text(data, "website", 4 * profiles.WEBSITE_MAX),
        description=text(data, "description", 4 * profiles.DESCRIPTION_MAX),
        offers=values(data, "offers"),
        seeks=values(data, "seeks"),
        offers_text=text(data, "offers_text", 4 * profiles.WISH_TEXT_MAX),
        seeks_text=text(data, "seeks_text", 4 * profiles.WISH_TEXT_MAX),
    )


def representative_input(data: dict[str, Any]) -> RepresentativeInput:
    return RepresentativeInput(
        full_name=text(data, "full_name", 4 * profiles.PERSON_MAX),
        title=text(data, "title", 4 * profiles.TITLE_MAX),
        email=text(data, "email", 4 * profiles.EMAIL_MAX),
        phone=text(data, "phone", 100),
        languages=values(data, "languages"),
    )


def field_errors(request: Request, exc: DomainError) -> dict[str, str]:
    """Translated messages by field name."""
    if isinstance(exc, InvalidInput):
        return {name: error_text(request, error) for name, error in exc.errors.items()}
    return {exc.field or "form": error_text(request, exc)}


def form_context(event: Event) -> dict[str, Any]:
    return {
        "event": event,
        "kinds": [k.value for k in OrgKind],
        "max_tags": profiles.MAX_TAGS,
        "max_sectors": profiles.MAX_SECTORS,
    }


# --- registration ---------------------------------------------------------------


@get("/register", name="register_form", sync_to_thread=False)
def register_form(request: Request, account: MaybeAccount, event: MaybeEvent) -> Response:
    if account is not None:
        return Redirect(landing(request, account))
    return page(
        "profile/register.html",
        org=OrganisationInput(),
        rep=RepresentativeInput(languages=["vi"]),
        consent=False,
        errors={},
        **form_context(require_event(event)),
    )


@post("/register", name="register_submit", sync_to_thread=False)
def register_submit(
    request: Request, db: DB, account: MaybeAccount, event: MaybeEvent, data: FormData
) -> Response:
    current = require_event(event)
    if account is not None:
        return Redirect(landing(request, account), status_code=303)
    org_in, rep_in = organisation_input(data), representative_input(data)
    consent = text(data, "privacy_consent", 10) == "yes"
    try:
        profiles.register(
            db,
            current,
            org_in,
            rep_in,
            text(data, "password", accounts.PASSWORD_FIELD_LENGTH),
            privacy_consent=consent,
            link_hours=request.app.state.settings.sign_in_link_hours,
        )
    except DomainError as exc:
        db.rollback()
        return page(
            "profile/register.html",
            status=400,
            org=org_in,
            rep=rep_in,
            consent=consent,
            errors=field_errors(request, exc),
            **form_context(current),
        )
    # The same answer whether the address was new or already had an account: the
    # e-mail sent to it says which (and only its owner reads that).
    return redirect_to(request, "register_sent")


@get("/register/sent", name="register_sent", sync_to_thread=False)
def register_sent(request: Request) -> Response:
    return page("profile/register_sent.html", hours=request.app.state.settings.sign_in_link_hours)


# --- the profile ---------------------------------------------------------------


def _profile_page(
    db: DB,
    user: Account,
    event: Event,
    *,
    status: int = 200,
    org_in: OrganisationInput | None = None,
    org_errors: dict[str, str] | None = None,
    new_rep: RepresentativeInput | None = None,
    rep_errors: dict[str, str] | None = None,
    saved: str = "",
) -> Response:
    organisation = profiles.own_organisation(db, user)
    people = profiles.representatives(db, organisation)
    return page(
        "profile/edit.html",
        status=status,
        account=user,
        organisation=organisation,
        org=org_in or OrganisationInput.of(organisation),
        errors=org_errors or {},
        people=people,
        me=user.participant_id,
        new_rep=new_rep or RepresentativeInput(languages=["vi"]),
        rep_errors=rep_errors or {},
        can_add=len(people) < profiles.MAX_REPRESENTATIVES,
        max_reps=profiles.MAX_REPRESENTATIVES,
        saved=saved,
        **form_context(event),
    )


@get("/profile", name="profile_form", sync_to_thread=False)
def profile_form(request: Request, db: DB, user: User, event: MaybeEvent) -> Response:
    return _profile_page(
        db, user, require_event(event), saved=request.query_params.get("saved", "")
    )


@post("/profile", name="profile_submit", sync_to_thread=False)
def profile_submit(
    request: Request, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Response:
    current = require_event(event)
    org_in = organisation_input(data)
    try:
        profiles.update_organisation(db, user, org_in)
    except InvalidInput as exc:
        db.rollback()
        return _profile_page(
            db, user, current, status=400, org_in=org_in, org_errors=field_errors(request, exc)
        )
    return redirect_to(request, "profile_form", query={"saved": "organisation"})


@post("/profile/representatives", name="representative_add", sync_to_thread=False)
def representative_add(
    request: Request, db: DB, user: User, event: MaybeEvent, data: FormData
) -> Response:
    current = require_event(event)
    rep_in = representative_input(data)
    try:
        profiles.add_representative(db, user, rep_in)
    except DomainError as exc:
        db.rollback()
        return _profile_page(
            db,
            user,
            current,
            status=exc.status_code,
            new_rep=rep_in,
            rep_errors=field_errors(request, exc),
        )
    return _saved(request, "representative_added")


def _saved(request: Request, what: str) -> Redirect:
    """Back to the profile's representatives, saying what was saved."""
    return redirect_to(request, "profile_form", query={"saved": what}, fragment="representatives")


def _rep_page(
    user: Account,
    person: Participant,
    organisation: Organisation,
    *,
    rep: RepresentativeInput | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return page(
        "profile/representative.html",
        status=status,
        account=user,
        person=person,
        organisation=organisation,
        rep=rep or RepresentativeInput.of(person),
        errors=errors or {},
    )


@get(
    "/profile/representatives/{participant_id:int}",
    name="representative_form",
    sync_to_thread=False,
)
def representative_form(db: DB, user: User, participant_id: FromPath[int]) -> Response:
    person = profiles.own_representative(db, user, participant_id)
    return _rep_page(user, person, profiles.own_organisation(db, user))


@post(
    "/profile/representatives/{participant_id:int}",
    name="representative_submit",
    sync_to_thread=False,
)
def representative_submit(
    request: Request, db: DB, user: User, participant_id: FromPath[int], data: FormData
) -> Response:
    person = profiles.own_representative(db, user, participant_id)
    rep_in = representative_input(data)
    try:
        profiles.update_representative(db, user, participant_id, rep_in)
    except InvalidInput as exc:
        db.rollback()
        person = profiles.own_representative(db, user, participant_id)
        return _rep_page(
            user,
            person,
            profiles.own_organisation(db, user),
            rep=rep_in,
            errors=field_errors(request, exc),
            status=400,
        )
    return _saved(request, "representative")


@get(
    "/profile/representatives/{participant_id:int}/remove",
    name="representative_remove_confirm",
    sync_to_thread=False,
)
def representative_remove_confirm(db: DB, user: User, participant_id: FromPath[int]) -> Response:
    person = profiles.own_representative(db, user, participant_id)
    return page(
        "profile/remove.html",
        account=user,
        person=person,
        is_self=person.id == user.participant_id,
        error="",
    )


@post(
    "/profile/representatives/{participant_id:int}/remove",
    name="representative_remove",
    sync_to_thread=False,
)
def representative_remove(
    request: Request, db: DB, user: User, participant_id: FromPath[int]
) -> Response:
    person = profiles.own_representative(db, user, participant_id)
    try:
        profiles.remove_representative(db, user, participant_id)
    except DomainError as exc:
        db.rollback()
        return page(
            "profile/remove.html",
            status=exc.status_code,
            account=user,
            person=person,
            is_self=person.id == user.participant_id,
            error=error_text(request, exc),
        )
    return _saved(request, "representative_removed")


registration_router = Router(
    path="/", route_handlers=[register_form, register_submit, register_sent]
)

router = Router(
    path="/me",
    guards=[participant_only],
    route_handlers=[
        profile_form,
        profile_submit,
        representative_add,
        representative_form,
        representative_submit,
        representative_remove_confirm,
        representative_remove,
    ],
)

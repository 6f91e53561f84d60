"""The participant's own pages."""

from __future__ import annotations

from litestar import Request, Response, Router, get, post
from sqlmodel import select

from matchmaker import accounts, todo
from matchmaker import requests as requests_service
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import Organisation, Participant
from matchmaker.web.actions import path_to
from matchmaker.web.auth import opened_by_link_recently, password_limits, signed_in_redirect
from matchmaker.web.deps import DB, MaybeEvent, User
from matchmaker.web.forms import FormData, text
from matchmaker.web.guards import participant_only
from matchmaker.web.nav import nav_counts_for
from matchmaker.web.render import error_text, page


def own_participant(db: DB, user: User) -> tuple[Participant, Organisation]:
    participant = db.get(Participant, user.participant_id) if user.participant_id else None
    organisation = db.get(Organisation, participant.organisation_id) if participant else None
    if participant is None or organisation is None:
        raise NotFound(N_("No participant profile for this account."))
    return participant, organisation


@get("/", name="participant_home", sync_to_thread=False)
def participant_home(db: DB, user: User, event: MaybeEvent) -> Response:
    """What to do next first (requests and slots to answer, today's meetings, what the
    profile lacks), then the profile and the suggestions."""
    participant, organisation = own_participant(db, user)
    colleagues = db.exec(
        select(Participant).where(Participant.organisation_id == organisation.id)
    ).all()
    if event is not None:
        requests_service.expire_requests(db, event=event)
    return page(
        "participant/home.html",
        account=user,
        event=event,
        participant=participant,
        organisation=organisation,
        colleagues=colleagues,
        todo=todo.participant_todo(db, event, participant, organisation) if event else None,
        status_labels={s.value: label for s, label in requests_service.STATUS_LABELS.items()},
        priority_labels={p.value: label for p, label in requests_service.PRIORITY_LABELS.items()},
        nav_totals=nav_counts_for(db, user),
    )


def _needs_current_password(request: Request, user: User) -> bool:
    """A password is changed only with the current one, unless there is none yet or
    the session was opened through a personal link moments ago (a forgotten one)."""
    return user.password_hash is not None and not opened_by_link_recently(request)


@get("/password", name="password_form", sync_to_thread=False)
def password_form(request: Request, user: User) -> Response:
    return page(
        "participant/password.html",
        account=user,
        errors={},
        saved=False,
        needs_current=_needs_current_password(request, user),
    )


@post("/password", name="password_submit", sync_to_thread=False)
def password_submit(request: Request, db: DB, user: User, data: FormData) -> Response:
    size = accounts.PASSWORD_FIELD_LENGTH
    password, repeat = text(data, "password", size), text(data, "password_repeat", size)
    needs_current = _needs_current_password(request, user)
    errors: dict[str, str] = {}
    status = 400
    if needs_current:
        current = text(data, "current_password", size)
        if not current:
            errors["current_password"] = N_("Enter your current password.")
        else:
            try:
                accounts.check_current_password(db, user, current, **password_limits(request))
            except DomainError as exc:  # wrong, or too many wrong guesses (429)
                errors["current_password"] = error_text(request, exc)
                status = exc.status_code
    if password != repeat:
        errors["password_repeat"] = N_("The two passwords differ.")
    elif not errors:
        try:
            accounts.change_password(db, user, password)
        except DomainError as exc:
            errors["password"] = error_text(request, exc)
    if errors:
        return page(
            "participant/password.html",
            status=status,
            account=user,
            errors=errors,
            needs_current=needs_current,
        )
    # Every other session has ended; this one goes on in the account's new generation.
    home = path_to(request, "participant_home", query={"saved": "password"})
    return signed_in_redirect(request, user, home)


router = Router(
    path="/me",
    guards=[participant_only],
    route_handlers=[participant_home, password_form, password_submit],
)

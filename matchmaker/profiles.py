"""Organisations and their representatives: self-registration, editing, approval.

Validation collects every field's problem at once (:class:`InvalidInput`), so a
form can show each message next to its field. Every change made on behalf of a
participant goes through :func:`own_organisation` / :func:`own_representative`:
another organisation's ids answer "not found".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from matchmaker import accounts, audit, notifications
from matchmaker.clock import utcnow
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import (
    Account,
    AuditLog,
    CheckIn,
    Event,
    Notification,
    Organisation,
    OrgKind,
    Participant,
    Role,
    SignInToken,
)
from matchmaker.provinces import province_of
from matchmaker.text import fold
from matchmaker.vocabulary import LANGUAGES, SECTORS, STAGES, TAGS

MAX_TAGS = 8  # per list (offers, seeks)
MAX_SECTORS = 4
MAX_REPRESENTATIVES = 4
# How long the personal link e-mailed to a new representative works.
REPRESENTATIVE_LINK_HOURS = 24 * 14
NAME_MIN, NAME_MAX = 2, 200
PERSON_MAX = 160
TITLE_MAX = 160
EMAIL_MAX = 254
PROVINCE_MAX = 80
WEBSITE_MAX = 300
DESCRIPTION_MAX = 2000
WISH_TEXT_MAX = 1000

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ().-]{8,20}$")


class InvalidInput(DomainError):
    """Some fields were refused; `errors` maps each field name to its error."""

    def __init__(self, errors: dict[str, DomainError]) -> None:
        super().__init__(N_("Some fields are missing or not valid."))
        self.errors = errors


@dataclass
class OrganisationInput:
    name: str = ""
    kind: str = ""
    sectors: list[str] = field(default_factory=list)
    province: str = ""
    stage: str = ""
    website: str = ""
    description: str = ""
    offers: list[str] = field(default_factory=list)
    seeks: list[str] = field(default_factory=list)
    offers_text: str = ""
    seeks_text: str = ""

    @classmethod
    def of(cls, org: Organisation) -> OrganisationInput:
        return cls(
            name=org.name,
            kind=org.kind.value,
            sectors=list(org.sectors),
            # A row from before the 2025 merger shows (and saves as) its new unit.
            province=province_of(org.province) or org.province,
            stage=org.stage,
            website=org.website,
            description=org.description,
            offers=list(org.offers),
            seeks=list(org.seeks),
            offers_text=org.offers_text,
            seeks_text=org.seeks_text,
        )


@dataclass
class RepresentativeInput:
    full_name: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    languages: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, participant: Participant) -> RepresentativeInput:
        return cls(
            full_name=participant.full_name,
            title=participant.title,
            email=participant.email,
            phone=participant.phone,
            languages=list(participant.languages),
        )


# --- validation ---------------------------------------------------------------


def _error(message: str, name: str, **params: Any) -> DomainError:
    return DomainError(message, field=name, **params)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def normalise_website(raw: str) -> str:
    """``example.vn`` -> ``https://example.vn``; raises for anything not a web address."""
    raw = raw.strip()
    if not raw:
        return ""
    candidate = raw if "://" in raw else f"https://{raw}"
    parts = urlsplit(candidate)
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or "." not in host
        or any(ch.isspace() for ch in candidate)
        or host.startswith(".")
        or host.endswith(".")
    ):
        raise _error(N_("Enter a web address such as https://example.vn."), "website")
    if len(candidate) > WEBSITE_MAX:
        raise _error(N_("At most %(n)s characters."), "website", n=WEBSITE_MAX)
    return candidate


def _text_errors(
    errors: dict[str, DomainError],
    name: str,
    value: str,
    *,
    maximum: int,
    required: bool = False,
    minimum: int = 0,
) -> None:
    if required and not value:
        errors[name] = _error(N_("This field is required."), name)
    elif value and len(value) < minimum:
        errors[name] = _error(N_("At least %(n)s characters."), name, n=minimum)
    elif len(value) > maximum:
        errors[name] = _error(N_("At most %(n)s characters."), name, n=maximum)


def _choice_list_errors(
    errors: dict[str, DomainError],
    name: str,
    values: list[str],
    allowed: dict[str, Any],
    *,
    maximum: int,
    required: bool = False,
) -> None:
    if required and not values:
        errors[name] = _error(N_("Choose at least one."), name)
    elif any(v not in allowed for v in values):
        errors[name] = _error(N_("Choose from the list."), name)
    elif len(values) > maximum:
        errors[name] = _error(N_("Choose at most %(n)s."), name, n=maximum)


def _province_errors(errors: dict[str, DomainError], data: OrganisationInput) -> None:
    """The province must be one of the 34 units; an old name or an abbreviation ("Hậu
    Giang", "TP HCM") becomes the unit that has it since the 2025 merger."""
    if not data.province:
        errors["province"] = _error(N_("This field is required."), "province")
        return
    unit = province_of(data.province)
    if unit is None:
        errors["province"] = _error(
            N_("“%(value)s” is not a province or city of Vietnam: choose one from the list."),
            "province",
            value=data.province[:PROVINCE_MAX],
        )
    else:
        data.province = unit


def organisation_errors(data: OrganisationInput) -> dict[str, DomainError]:
    """Every problem of an organisation's fields (normalising `data` in place)."""
    errors: dict[str, DomainError] = {}
    data.name = " ".join(data.name.split())
    data.province = " ".join(data.province.split())
    data.sectors, data.offers, data.seeks = (
        _unique(data.sectors),
        _unique(data.offers),
        _unique(data.seeks),
    )
    _text_errors(errors, "name", data.name, maximum=NAME_MAX, minimum=NAME_MIN, required=True)
    if not data.kind:
        errors["kind"] = _error(N_("This field is required."), "kind")
    elif data.kind not in OrgKind.__members__:
        errors["kind"] = _error(N_("Choose from the list."), "kind")
    _choice_list_errors(
        errors, "sectors", data.sectors, SECTORS, maximum=MAX_SECTORS, required=True
    )
    _province_errors(errors, data)
    if data.stage and data.stage not in STAGES:
        errors["stage"] = _error(N_("Choose from the list."), "stage")
    try:
        data.website = normalise_website(data.website)
    except DomainError as exc:
        errors["website"] = exc
    _text_errors(errors, "description", data.description, maximum=DESCRIPTION_MAX, required=True)
    _choice_list_errors(errors, "offers", data.offers, TAGS, maximum=MAX_TAGS)
    _choice_list_errors(errors, "seeks", data.seeks, TAGS, maximum=MAX_TAGS)
    _text_errors(errors, "offers_text", data.offers_text, maximum=WISH_TEXT_MAX)
    _text_errors(errors, "seeks_text", data.seeks_text, maximum=WISH_TEXT_MAX)
    return errors


def email_taken(session: Session, email: str, *, except_participant: int | None = None) -> bool:
    """Whether an account or a representative (other than `except_participant`) uses `email`."""
    email = accounts.normalise_email(email)
    account = session.exec(select(Account).where(Account.email == email)).first()
    if account is not None and (
        except_participant is None or account.participant_id != except_participant
    ):
        return True
    statement = select(Participant.id).where(func.lower(Participant.email) == email)
    if except_participant is not None:
        statement = statement.where(Participant.id != except_participant)
    return session.exec(statement).first() is not None


def representative_errors(
    session: Session,
    data: RepresentativeInput,
    *,
    except_participant: int | None = None,
    check_taken: bool = True,
) -> dict[str, DomainError]:
    """Every problem of a representative's fields (normalising `data` in place); an
    address already in use is one unless `check_taken` is false (registration, which
    must not tell who has an account)."""
    errors: dict[str, DomainError] = {}
    data.full_name = " ".join(data.full_name.split())
    data.title = " ".join(data.title.split())
    data.email = accounts.normalise_email(data.email)
    data.phone = data.phone.strip()
    data.languages = _unique(data.languages)
    _text_errors(errors, "full_name", data.full_name, maximum=PERSON_MAX, minimum=2, required=True)
    _text_errors(errors, "title", data.title, maximum=TITLE_MAX)
    if not data.email:
        errors["email"] = _error(N_("This field is required."), "email")
    elif len(data.email) > EMAIL_MAX:
        errors["email"] = _error(N_("At most %(n)s characters."), "email", n=EMAIL_MAX)
    elif not _EMAIL.match(data.email):
        errors["email"] = _error(N_("Enter a valid email address."), "email")
    elif check_taken and email_taken(session, data.email, except_participant=except_participant):
        errors["email"] = _error(N_("This email address is already registered."), "email")
    if data.phone and not _PHONE.match(data.phone):
        errors["phone"] = _error(
            N_("Enter a phone number of 8 to 20 digits, such as 0909 123 456."), "phone"
        )
    _choice_list_errors(
        errors, "languages", data.languages, LANGUAGES, maximum=len(LANGUAGES), required=True
    )
    return errors


# --- writing ------------------------------------------------------------------


def apply_organisation(org: Organisation, data: OrganisationInput) -> None:
    """Copy checked input onto the organisation (the profile forms and the import)."""
    org.name = data.name
    org.name_folded = fold(data.name)
    org.kind = OrgKind(data.kind)
    org.sectors = list(data.sectors)
    org.province = data.province
    org.stage = data.stage
    org.website = data.website
    org.description = data.description
    org.offers = list(data.offers)
    org.seeks = list(data.seeks)
    org.offers_text = data.offers_text
    org.seeks_text = data.seeks_text


def apply_representative(participant: Participant, data: RepresentativeInput) -> None:
    """Copy checked input onto the representative (the profile forms and the import)."""
    participant.full_name = data.full_name
    participant.name_folded = fold(data.full_name)
    participant.title = data.title
    participant.email = data.email
    participant.phone = data.phone
    participant.languages = list(data.languages)


def new_representative(
    session: Session, org: Organisation, data: RepresentativeInput
) -> tuple[Participant, Account]:
    """A new representative of ``org`` with its participant account (no audit entry)."""
    assert org.id is not None
    participant = Participant(organisation_id=org.id, full_name="", email="")
    apply_representative(participant, data)
    session.add(participant)
    session.flush()
    account = Account(
        email=data.email,
        role=Role.participant,
        display_name=data.full_name,
        participant_id=participant.id,
    )
    session.add(account)
    try:
        session.flush()
    except IntegrityError as exc:  # the same email registered at the same moment
        raise InvalidInput(
            {"email": _error(N_("This email address is already registered."), "email")}
        ) from exc
    return participant, account


def register(
    session: Session,
    event: Event,
    organisation: OrganisationInput,
    representative: RepresentativeInput,
    password: str,
    *,
    privacy_consent: bool,
    link_hours: int,
) -> Account | None:
    """Self-registration, answered the same whether or not the address has an account.

    A new address gets the organisation, its first representative and their account
    (with `password`), all waiting for confirmation: the outbox e-mails a personal link,
    and until it is used the password does not sign in and the organisation is not
    listed. An address that already has a registration waiting is registered anew over
    it (whoever typed it first never showed the address was theirs). An address in use
    gets a message instead ("someone tried to register with your address") and nothing
    is created; the answer is None. Nobody registers without `privacy_consent` (the
    form's privacy notice ticked); its time is kept on the new representative."""
    errors = organisation_errors(organisation) | representative_errors(
        session, representative, check_taken=False
    )
    try:
        accounts.check_password_strength(password)
    except DomainError as exc:
        errors["password"] = exc
    if not privacy_consent:
        errors["privacy_consent"] = _error(
            N_("Tick the box to agree to the privacy notice: without it you cannot register."),
            "privacy_consent",
        )
    if errors:
        raise InvalidInput(errors)
    assert event.id is not None
    # Hashed on every path, so the time taken does not tell the cases apart either.
    password_hash = accounts.hash_password(password)
    existing = accounts.account_by_email(session, representative.email)
    if existing is not None and existing.confirmation_pending:
        account = _register_again(session, existing, organisation, representative)
    elif existing is not None or email_taken(session, representative.email):
        _tell_owner_of_attempt(session, existing, representative.email, link_hours)
        return None
    else:
        org = Organisation(event_id=event.id, name="", kind=OrgKind.startup, approved=False)
        apply_organisation(org, organisation)
        session.add(org)
        session.flush()
        _, account = new_representative(session, org, representative)
    person = own_participant(session, account)
    person.privacy_consent_at = utcnow()
    session.add(person)
    account.password_hash = password_hash
    account.confirmation_pending = True
    session.add(account)
    notifications.notify(
        session,
        account,
        N_("Confirm your registration at Matchmaker"),
        N_(
            "Open this link to confirm your email address and sign in. %(org)s is listed "
            "once you have. If you did not register, ignore this message."
        ),
        {"org": organisation.name},
        sign_in_hours=link_hours,
    )
    audit.record(
        session,
        "organisation.register",
        event=event,
        account=account,
        organisation_id=own_organisation(session, account).id,
    )
    return account


def _register_again(
    session: Session,
    account: Account,
    organisation: OrganisationInput,
    representative: RepresentativeInput,
) -> Account:
    """Write a new registration over one that was never confirmed (its account never
    signed in, its organisation was never listed)."""
    org = own_organisation(session, account)
    apply_organisation(org, organisation)
    session.add(org)
    participant = own_participant(session, account)
    apply_representative(participant, representative)
    session.add(participant)
    account.display_name = representative.full_name
    # Links already mailed for the earlier registration stop working.
    for token in session.exec(
        select(SignInToken).where(
            SignInToken.account_id == account.id, col(SignInToken.used_at).is_(None)
        )
    ):
        token.used_at = utcnow()
        session.add(token)
    return account


def _tell_owner_of_attempt(
    session: Session, account: Account | None, email: str, link_hours: int
) -> None:
    """Someone registered with an address in use: its owner hears of it. A participant
    gets a personal link with it; an organiser (who signs in only with a password) or a
    representative without an account is pointed to the usual ways in."""
    if account is not None and account.role is Role.participant:
        notifications.notify(
            session,
            account,
            _ATTEMPT_SUBJECT,
            N_(
                "Someone tried to register at Matchmaker with this email address, which "
                "already has an account. If it was you, sign in with your password or with "
                "the personal link below; once signed in you can set a new password. If it "
                "was not you, ignore this message: nothing was changed."
            ),
            sign_in_hours=link_hours,
        )
        return
    to: Account | Participant | None = (
        account
        or session.exec(select(Participant).where(func.lower(Participant.email) == email)).first()
    )
    if to is not None:
        notifications.notify(
            session,
            to,
            _ATTEMPT_SUBJECT,
            N_(
                "Someone tried to register at Matchmaker with this email address, which "
                "already has an account. If it was you, sign in with your password, or ask "
                "the organisers for your personal link. If it was not you, ignore this "
                "message: nothing was changed."
            ),
        )


_ATTEMPT_SUBJECT = N_("Someone tried to register with your email address")


def confirm_registration(session: Session, account: Account) -> bool:
    """The account's address is shown to be its owner's (a personal link was used):
    a registration waiting for that is complete, and its organisation listed unless
    the organisers approve registrations first. Whether there was one waiting."""
    if not account.confirmation_pending:
        return False
    account.confirmation_pending = False
    session.add(account)
    org = own_organisation(session, account)
    event = session.get(Event, org.event_id)
    if event is not None and not event.require_approval:
        org.approved = True
        session.add(org)
    audit.record(
        session, "organisation.confirm", event=event, account=account, organisation_id=org.id
    )
    return True


def own_participant(session: Session, account: Account) -> Participant:
    participant = (
        session.get(Participant, account.participant_id) if account.participant_id else None
    )
    if participant is None:
        raise NotFound(N_("No participant profile for this account."))
    return participant


def own_organisation(session: Session, account: Account) -> Organisation:
    """The organisation `account` represents."""
    participant = own_participant(session, account)
    org = session.get(Organisation, participant.organisation_id)
    if org is None:
        raise NotFound(N_("No participant profile for this account."))
    return org


def representatives(session: Session, org: Organisation) -> list[Participant]:
    return list(
        session.exec(
            select(Participant)
            .where(Participant.organisation_id == org.id)
            .order_by(col(Participant.id))
        )
    )


def own_representative(session: Session, account: Account, participant_id: int) -> Participant:
    """A representative of `account`'s own organisation; any other id is "not found"."""
    org = own_organisation(session, account)
    participant = session.get(Participant, participant_id)
    if participant is None or participant.organisation_id != org.id:
        raise NotFound(N_("No such representative."))
    return participant


def update_organisation(
    session: Session, account: Account, data: OrganisationInput
) -> Organisation:
    org = own_organisation(session, account)
    errors = organisation_errors(data)
    # The kind decides whom an organisation may request (the organisers' rules): once
    # approved, only the organisers change it.
    if "kind" not in errors and org.approved and data.kind != org.kind.value:
        errors["kind"] = _error(
            N_("Only the organisers can change the kind of an approved organisation."), "kind"
        )
    if errors:
        raise InvalidInput(errors)
    apply_organisation(org, data)
    session.add(org)
    return org


def add_representative(
    session: Session, account: Account, data: RepresentativeInput
) -> tuple[Participant, Account]:
    """A new representative of `account`'s organisation with their own account;
    the outbox e-mails them a personal sign-in link (made when it is sent)."""
    org = own_organisation(session, account)
    if len(representatives(session, org)) >= MAX_REPRESENTATIVES:
        raise Conflict(
            N_("An organisation has at most %(n)s representatives."),
            field="representatives",
            n=MAX_REPRESENTATIVES,
        )
    errors = representative_errors(session, data)
    if errors:
        raise InvalidInput(errors)
    participant, new_account = new_representative(session, org, data)
    notifications.notify(
        session,
        new_account,
        N_("You now represent %(org)s at Matchmaker"),
        N_("%(who)s added you as a representative of %(org)s. Open your personal link to sign in."),
        {"who": account.display_name or account.email, "org": org.name},
        sign_in_hours=REPRESENTATIVE_LINK_HOURS,
    )
    # With the event, or the organisers' audit log (one event's entries) never shows it.
    audit.record(
        session,
        "representative.add",
        event=session.get(Event, org.event_id),
        account=account,
        participant_id=participant.id,
        organisation_id=org.id,
        name=participant.full_name,
    )
    return participant, new_account


def update_representative(
    session: Session, account: Account, participant_id: int, data: RepresentativeInput
) -> Participant:
    participant = own_representative(session, account, participant_id)
    errors = representative_errors(session, data, except_participant=participant.id)
    if errors:
        raise InvalidInput(errors)
    _save_representative(session, participant, data)
    return participant


def _save_representative(
    session: Session, participant: Participant, data: RepresentativeInput
) -> None:
    """Checked input onto the representative and its account (address, display name)."""
    apply_representative(participant, data)
    session.add(participant)
    their_account = session.exec(
        select(Account).where(Account.participant_id == participant.id)
    ).first()
    if their_account is not None:
        their_account.email = data.email
        their_account.display_name = data.full_name
        session.add(their_account)


def remove_representative(session: Session, account: Account, participant_id: int) -> None:
    """Remove a colleague and their account; never oneself, never the last one."""
    participant = own_representative(session, account, participant_id)
    if participant.id == account.participant_id:
        raise Conflict(
            N_("You cannot remove yourself. Ask another representative to do it."),
            field="representatives",
        )
    org = own_organisation(session, account)
    if len(representatives(session, org)) <= 1:
        raise Conflict(
            N_("An organisation keeps at least one representative."), field="representatives"
        )
    for their_account in session.exec(
        select(Account).where(Account.participant_id == participant.id)
    ).all():
        for token in session.exec(
            select(SignInToken).where(SignInToken.account_id == their_account.id)
        ).all():
            session.delete(token)
        for note in session.exec(
            select(Notification).where(Notification.account_id == their_account.id)
        ).all():
            session.delete(note)
        for entry in session.exec(
            select(AuditLog).where(AuditLog.account_id == their_account.id)
        ).all():
            entry.account_id = None
            session.add(entry)
        session.flush()
        session.delete(their_account)
    for check_in in session.exec(
        select(CheckIn).where(CheckIn.participant_id == participant.id)
    ).all():
        session.delete(check_in)
    session.flush()
    audit.record(
        session,
        "representative.remove",
        event=session.get(Event, org.event_id),
        account=account,
        participant_id=participant.id,
        organisation_id=org.id,
        name=participant.full_name,
    )
    session.delete(participant)
    session.flush()


# --- approval -----------------------------------------------------------------


def pending_organisations(session: Session, event: Event) -> list[Organisation]:
    """Self-registered organisations waiting for an organiser's approval (not those
    whose registration still waits for its address to be confirmed)."""
    unconfirmed = (
        select(Participant.organisation_id)
        .join(Account, col(Account.participant_id) == col(Participant.id))
        .where(col(Account.confirmation_pending).is_(True))
    )
    return list(
        session.exec(
            select(Organisation)
            .where(
                Organisation.event_id == event.id,
                col(Organisation.approved).is_(False),
                col(Organisation.id).not_in(unconfirmed),
            )
            .order_by(col(Organisation.created_at), col(Organisation.id))
        )
    )


def unconfirmed_registrations(
    session: Session, event: Event
) -> list[tuple[Organisation, Participant]]:
    """Self-registrations whose address is not yet confirmed, oldest first, each with
    the person who registered. Without a mail server their link never arrives: the
    organisers hand it over from the person's page, and using it confirms them."""
    rows = session.exec(
        select(Organisation, Participant)
        .join(Participant, col(Participant.organisation_id) == col(Organisation.id))
        .join(Account, col(Account.participant_id) == col(Participant.id))
        .where(Organisation.event_id == event.id, col(Account.confirmation_pending).is_(True))
        .order_by(col(Organisation.created_at), col(Organisation.id))
    ).all()
    return [(org, person) for org, person in rows]


def approve_organisation(
    session: Session, event: Event, org_id: int, *, by: Account
) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None or org.event_id != event.id:
        raise NotFound(N_("No such organisation."))
    if not org.approved:
        org.approved = True
        session.add(org)
        audit.record(
            session, "organisation.approve", event=event, account=by, organisation_id=org.id
        )
    return org


def set_require_approval(session: Session, event: Event, required: bool, *, by: Account) -> None:
    """Whether new self-registered organisations wait for approval before being listed."""
    if event.require_approval != required:
        event.require_approval = required
        session.add(event)
        audit.record(session, "setup.require_approval", event=event, account=by, required=required)


# --- organisers editing a participant -----------------------------------------


def organiser_update_organisation(
    session: Session, event: Event, org: Organisation, data: OrganisationInput, *, by: Account
) -> Organisation:
    """The profile form's checks, on an organiser's behalf: the kind may change too."""
    errors = organisation_errors(data)
    if errors:
        raise InvalidInput(errors)
    apply_organisation(org, data)
    session.add(org)
    audit.record(session, "organisation.edit", event=event, account=by, organisation_id=org.id)
    return org


def organiser_update_representative(
    session: Session,
    event: Event,
    participant: Participant,
    data: RepresentativeInput,
    *,
    by: Account,
) -> Participant:
    errors = representative_errors(session, data, except_participant=participant.id)
    if errors:
        raise InvalidInput(errors)
    _save_representative(session, participant, data)
    audit.record(
        session, "representative.edit", event=event, account=by, participant_id=participant.id
    )
    return participant


# --- a new personal link ------------------------------------------------------

NEW_LINK_SUBJECT = N_("Your new personal sign-in link")
NEW_LINK_BODY = N_(
    "You asked for a new link to sign in to the event's meeting scheduler. "
    "It works once and expires in %(hours)s hours. If you did not ask, ignore this message."
)


def send_new_link(session: Session, email: str, *, link_hours: int, limits: dict[str, Any]) -> None:
    """E-mail a fresh personal link to `email` if a participant's active account has it;
    nothing otherwise, and the caller answers the same ("check your email") either way.
    Counted under the sign-in limits (`limits`: client, max_attempts, window_seconds,
    max_client_attempts), so it cannot be used to flood an inbox."""
    email = accounts.normalise_email(email)
    accounts.count_request(session, "new-link", email, **limits)
    account = accounts.account_by_email(session, email)
    if account is None or not account.active or account.role != Role.participant:
        return
    notifications.notify(
        session,
        account,
        NEW_LINK_SUBJECT,
        NEW_LINK_BODY,
        {"hours": link_hours},
        sign_in_hours=link_hours,
    )

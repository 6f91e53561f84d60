"""Accounts, passwords, personal sign-in links and login rate limiting."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from matchmaker.clock import utcnow
from matchmaker.errors import DomainError, RateLimited
from matchmaker.i18n import N_
from matchmaker.models import Account, LoginAttempt, Role, SignInToken

_hasher = PasswordHasher()


def use_fast_hashing() -> None:
    """Cheaper argon2 parameters, for test suites only: they create many accounts,
    and the production cost (about 0.1 s a hash) is deliberate."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
# What forms read of a password field: more than the longest password allowed, so a
# longer one is refused by name instead of being cut to fit.
PASSWORD_FIELD_LENGTH = 4 * MAX_PASSWORD_LENGTH
# A fixed hash compared against when the email is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            N_("The password must have at least %(n)s characters."),
            field="password",
            n=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(
            N_("The password can have at most %(n)s characters."),
            field="password",
            n=MAX_PASSWORD_LENGTH,
        )


def account_by_email(session: Session, email: str) -> Account | None:
    return session.exec(select(Account).where(Account.email == normalise_email(email))).first()


def create_organiser(session: Session, email: str, password: str, name: str = "") -> Account:
    email = normalise_email(email)
    if "@" not in email:
        raise DomainError(N_("Enter a valid email address."), field="email")
    check_password_strength(password)
    account = account_by_email(session, email)
    if account is None:
        account = Account(email=email, role=Role.organiser, display_name=name or email)
        session.add(account)
    elif account.role is not Role.organiser:
        raise DomainError(N_("This email belongs to a participant."), field="email")
    account.password_hash = hash_password(password)
    session.flush()
    return account


def set_password(session: Session, account: Account, password: str) -> None:
    check_password_strength(password)
    account.password_hash = hash_password(password)
    session.add(account)


def _recent_failures(session: Session, key: str, window: timedelta) -> int:
    since = utcnow() - window
    statement = select(func.count()).where(
        LoginAttempt.key == key,
        col(LoginAttempt.success).is_(False),
        LoginAttempt.at >= since,
    )
    return int(session.exec(statement).one())


EMAIL_ATTEMPTS_FACTOR = 10


def _checked_limits(
    session: Session,
    email: str,
    *,
    client: str,
    max_attempts: int,
    window_seconds: int,
    max_client_attempts: int | None,
) -> list[str]:
    """The keys a password attempt counts under; RateLimited when one is used up."""
    window = timedelta(seconds=window_seconds)
    limits = {
        f"email:{email}|client:{client}": max_attempts,
        f"client:{client}": max_client_attempts or max_attempts,
        f"email:{email}": max_attempts * EMAIL_ATTEMPTS_FACTOR,
    }
    if any(_recent_failures(session, key, window) >= limit for key, limit in limits.items()):
        raise RateLimited(N_("Too many failed attempts. Try again in a few minutes."))
    return list(limits)


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    client: str,
    max_attempts: int,
    window_seconds: int,
    max_client_attempts: int | None = None,
) -> Account:
    """The account for these credentials; failures are recorded and rate-limited
    per email from one address (`max_attempts`), per client address
    (`max_client_attempts`, higher: a whole venue may share one address) and per email
    from everywhere (`EMAIL_ATTEMPTS_FACTOR` times `max_attempts`, against guessing
    spread over many addresses). So someone who knows the organiser's e-mail cannot
    lock the organiser out from their own address. The caller commits in both cases."""
    email = normalise_email(email)
    keys = _checked_limits(
        session,
        email,
        client=client,
        max_attempts=max_attempts,
        window_seconds=window_seconds,
        max_client_attempts=max_client_attempts,
    )
    account = account_by_email(session, email)
    # The password is checked first in every case, so the time taken does not tell an
    # unknown, inactive or unconfirmed account from a wrong password.
    password_ok = verify_password(account.password_hash if account else None, password)
    ok = (
        account is not None
        and password_ok
        and account.active
        and not account.confirmation_pending
    )
    for key in keys:
        session.add(LoginAttempt(key=key, success=ok))
    if not ok or account is None:
        raise DomainError(N_("Wrong email or password."), field="password")
    account.last_login_at = utcnow()
    session.add(account)
    return account


def check_current_password(
    session: Session,
    account: Account,
    password: str,
    *,
    client: str,
    max_attempts: int,
    window_seconds: int,
    max_client_attempts: int | None = None,
) -> None:
    """Refuse a wrong current password (before a change of password). Attempts count
    under the same limits as signing in: a stolen session gets no more guesses at the
    password than the sign-in form gives. The caller commits in both cases."""
    keys = _checked_limits(
        session,
        account.email,
        client=client,
        max_attempts=max_attempts,
        window_seconds=window_seconds,
        max_client_attempts=max_client_attempts,
    )
    ok = verify_password(account.password_hash, password)
    for key in keys:
        session.add(LoginAttempt(key=key, success=ok))
    if not ok:
        raise DomainError(N_("This is not your current password."), field="current_password")


def change_password(session: Session, account: Account, password: str) -> None:
    """A new password, and every session opened before it ends (someone who knew the
    old one is signed out); the caller opens a new session for the person changing it."""
    set_password(session, account, password)
    end_sessions(session, account)


def end_sessions(session: Session, account: Account) -> None:
    """Sign the account out everywhere: every session opened so far ends, even one
    opened in the same second (sessions count generations, not seconds)."""
    account.sessions_revoked_at = utcnow()
    account.session_generation += 1
    session.add(account)


def session_is_current(account: Account, generation: int) -> bool:
    """Whether a session opened in `generation` survived the account's sign-outs."""
    return generation == account.session_generation


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, account: Account, *, purpose: str = "sign_in", hours: int | None = 72
) -> str:
    """A new secret token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(hours=hours) if hours else None
    assert account.id is not None
    session.add(
        SignInToken(
            account_id=account.id,
            token_hash=_token_hash(token),
            purpose=purpose,
            expires_at=expires,
        )
    )
    session.flush()
    return token


def sign_in_path(token: str) -> str:
    """The local path of a personal sign-in link (the web layer's `signin_link` route)."""
    return f"/signin/link/{token}"


def redeem_sign_in_token(session: Session, token: str) -> Account:
    """Open a session from a personal link: the token works once, before it expires."""
    row = session.exec(
        select(SignInToken).where(
            SignInToken.token_hash == _token_hash(token), SignInToken.purpose == "sign_in"
        )
    ).first()
    if row is None:
        raise DomainError(N_("This sign-in link is not valid."))
    if row.used_at is not None:
        raise DomainError(N_("This sign-in link has already been used. Ask for a new one."))
    if row.expires_at is not None and row.expires_at < utcnow():
        raise DomainError(N_("This sign-in link has expired. Ask for a new one."))
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        raise DomainError(N_("This sign-in link is not valid."))
    now = utcnow()
    # Conditional, so that of two redemptions at once (two tabs, two worker processes)
    # exactly one wins: the other finds the row already used.
    used = session.execute(
        update(SignInToken)
        .where(col(SignInToken.id) == row.id, col(SignInToken.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(N_("This sign-in link has already been used. Ask for a new one."))
    account.last_login_at = now
    session.add(account)
    return account


def account_for_token(session: Session, token: str, purpose: str) -> Account | None:
    """The account owning a long-lived token (calendar feeds), if not revoked."""
    row = session.exec(
        select(SignInToken).where(
            SignInToken.token_hash == _token_hash(token), SignInToken.purpose == purpose
        )
    ).first()
    if row is None or row.used_at is not None:
        return None
    return session.get(Account, row.account_id)


def ensure_participant_accounts(session: Session) -> int:
    """Give every participant without one a sign-in account; returns how many were made."""
    from matchmaker.models import Participant

    have = set(
        session.exec(select(Account.participant_id).where(col(Account.participant_id).is_not(None)))
    )
    taken = set(session.exec(select(Account.email)))
    made = 0
    for participant in session.exec(select(Participant).order_by(col(Participant.id))):
        email = normalise_email(participant.email)
        if participant.id in have or email in taken:
            continue
        session.add(
            Account(
                email=email,
                role=Role.participant,
                display_name=participant.full_name,
                participant_id=participant.id,
            )
        )
        taken.add(email)
        made += 1
    session.flush()
    return made


def calendar_feed_created(session: Session, account: Account) -> SignInToken | None:
    """The active calendar-subscription token row, if any (the secret itself is not kept)."""
    return session.exec(
        select(SignInToken).where(
            SignInToken.account_id == account.id,
            SignInToken.purpose == "calendar",
            col(SignInToken.used_at).is_(None),
        )
    ).first()


def revoke_calendar_feeds(session: Session, account: Account) -> None:
    for row in session.exec(
        select(SignInToken).where(
            SignInToken.account_id == account.id,
            SignInToken.purpose == "calendar",
            col(SignInToken.used_at).is_(None),
        )
    ):
        row.used_at = utcnow()
        session.add(row)


def new_calendar_feed(session: Session, account: Account) -> str:
    """A fresh secret feed token; earlier feeds of the account stop working."""
    revoke_calendar_feeds(session, account)
    return issue_token(session, account, purpose="calendar", hours=None)

"""The notifications outbox: every message is stored first (shown in-app), and
sent by e-mail only when SMTP is configured (`send_pending`, `matchmaker send-mail`).

Texts are English msgids rendered in the recipient account's language at the
moment the notification is written, so the stored subject and body are exactly
what the person reads.

A personal sign-in link is never stored: a row asks for one (`sign_in_hours`) and the
token is made when the e-mail is sent, so the outbox holds nothing that signs anyone in.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from gettext import NullTranslations
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from matchmaker import accounts
from matchmaker.clock import utcnow
from matchmaker.errors import NotFound
from matchmaker.i18n import N_, fmt_datetime, normalise_locale, translations
from matchmaker.models import Account, Notification, Participant
from matchmaker.settings import SMTPSettings

SUBJECT_MAX = 300
SEND_ERROR_MAX = 500


class Msg(str):
    """A parameter value that is itself a msgid, translated for each recipient
    (e.g. a priority label) instead of being inserted as it is."""

    __slots__ = ()


def render(locale: str, message: str, params: Mapping[str, Any] | None = None) -> str:
    """`message` translated into `locale`, with `%(name)s` parameters filled in
    (`Msg` values translated too, datetimes written in the event's time zone)."""
    catalog = translations(normalise_locale(locale))
    text = catalog.gettext(message)
    if not params:
        return text
    return text % {key: _param(value, locale, catalog) for key, value in params.items()}


def _param(value: Any, locale: str, catalog: NullTranslations) -> Any:
    if isinstance(value, Msg):
        return catalog.gettext(value)
    if isinstance(value, datetime):
        return fmt_datetime(value, normalise_locale(locale))  # in the event's time zone
    return value


def _recipient(session: Session, to: Account | Participant) -> tuple[Account | None, str, str]:
    """(account, e-mail address, locale) for an account or a representative."""
    if isinstance(to, Account):
        return to, to.email, normalise_locale(to.locale)
    account = session.exec(select(Account).where(Account.participant_id == to.id)).first()
    if account is not None:
        return account, account.email, normalise_locale(account.locale)
    return None, to.email, "vi"


def notify(
    session: Session,
    to: Account | Participant,
    subject: str,
    body: str,
    params: Mapping[str, Any] | None = None,
    link: str = "",
    *,
    sign_in_hours: int | None = None,
) -> Notification:
    """Write one outbox row for `to`, in the recipient's language. `subject` and
    `body` are msgids; `link` is a local path ("/requests?box=incoming"). With
    `sign_in_hours` the e-mail carries a personal sign-in link valid that long, made
    when it is sent (`to` must have an account)."""
    account, email, locale = _recipient(session, to)
    note = Notification(
        account_id=account.id if account else None,
        to_email=email,
        subject=render(locale, subject, params)[:SUBJECT_MAX],
        body=render(locale, body, params),
        link=link,
        sign_in_hours=sign_in_hours,
    )
    session.add(note)
    return note


def notify_organisation(
    session: Session,
    organisation_id: int,
    subject: str,
    body: str,
    params: Mapping[str, Any] | None = None,
    link: str = "",
) -> list[Notification]:
    """Notify every representative of an organisation (each in their own language)."""
    people = session.exec(
        select(Participant)
        .where(Participant.organisation_id == organisation_id)
        .order_by(col(Participant.id))
    ).all()
    return [notify(session, person, subject, body, params, link) for person in people]


# --- in-app list ---------------------------------------------------------------------


def list_for(
    session: Session,
    account: Account,
    *,
    unread_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[Notification]:
    query = select(Notification).where(Notification.account_id == account.id)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    return list(
        session.exec(
            query.order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
            .offset(offset)
            .limit(limit)
        )
    )


def count_for(session: Session, account: Account) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.account_id == account.id)
        ).one()
    )


def get_own(session: Session, account: Account, notification_id: int) -> Notification:
    """One of the account's notifications; anyone else's id is "not found"."""
    note = session.get(Notification, notification_id)
    if note is None or note.account_id != account.id:
        raise NotFound(N_("No such notification."))
    return note


def mark_read(
    session: Session, account: Account, notification_id: int, *, now: datetime | None = None
) -> Notification:
    note = get_own(session, account, notification_id)
    if note.read_at is None:
        note.read_at = now or utcnow()
        session.add(note)
    return note


def mark_all_read(session: Session, account: Account, *, now: datetime | None = None) -> int:
    result = session.execute(
        update(Notification)
        .where(col(Notification.account_id) == account.id, col(Notification.read_at).is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- e-mail ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int
    skipped: bool = False  # SMTP is not configured: nothing was attempted
    error: str = ""  # the connection failed; unsent rows are left for the next run


def _email_link(session: Session, note: Notification) -> str:
    """The local path the e-mail links to: for a sign-in notification a personal link
    made now (only its hash is kept), else the row's own link."""
    if note.sign_in_hours is None:
        return note.link
    account = session.get(Account, note.account_id) if note.account_id else None
    if account is None or not account.active:
        return ""
    return accounts.sign_in_path(accounts.issue_token(session, account, hours=note.sign_in_hours))


def _email(note: Notification, link: str, smtp: SMTPSettings, base_url: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = note.to_email
    message["Subject"] = note.subject
    message["Message-ID"] = make_msgid(domain="matchmaker.local")
    body = note.body
    if link:
        body = f"{body}\n\n{base_url.rstrip('/')}{link}"
    message.set_content(body)
    return message


def pending(session: Session, *, limit: int = 200) -> list[Notification]:
    """Outbox rows never sent and never failed, oldest first."""
    return list(
        session.exec(
            select(Notification)
            .where(col(Notification.sent_at).is_(None), Notification.send_error == "")
            .order_by(col(Notification.id))
            .limit(limit)
        )
    )


def send_pending(
    session: Session,
    smtp: SMTPSettings,
    *,
    base_url: str = "",
    limit: int = 200,
    now: datetime | None = None,
) -> SendResult:
    """Send unsent outbox rows by SMTP; does nothing unless SMTP is configured.

    Each row gets `sent_at` or, when the server refuses it, `send_error` (it is
    not retried automatically). When the connection fails, the rows not yet
    sent stay untouched for the next run and `SendResult.error` says why.
    """
    if not smtp.configured:
        return SendResult(0, 0, skipped=True)
    notes = pending(session, limit=limit)
    if not notes:
        return SendResult(0, 0)
    sent = failed = 0
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as server:
            if smtp.starttls:
                server.starttls()
            if smtp.username:
                server.login(smtp.username, smtp.password)
            for note in notes:
                try:
                    link = _email_link(session, note)
                    server.send_message(_email(note, link, smtp, base_url))
                except (
                    smtplib.SMTPRecipientsRefused,
                    smtplib.SMTPDataError,
                    smtplib.SMTPSenderRefused,
                ) as exc:
                    note.send_error = str(exc)[:SEND_ERROR_MAX] or type(exc).__name__
                    failed += 1
                else:
                    note.sent_at = now or utcnow()
                    sent += 1
                session.add(note)
    except (OSError, smtplib.SMTPException) as exc:
        # The server is unreachable or hung up: what was sent stays marked, the
        # rest waits for the next run.
        return SendResult(sent, failed, error=str(exc) or type(exc).__name__)
    return SendResult(sent, failed)


def outbox(session: Session, *, limit: int = 100) -> Iterable[Notification]:
    """The newest outbox rows (for the organiser console)."""
    return session.exec(
        select(Notification).order_by(col(Notification.id).desc()).limit(limit)
    ).all()

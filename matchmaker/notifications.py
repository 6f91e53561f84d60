"""The notifications outbox: every message is stored first (shown in-app), and
sent by e-mail only when SMTP is configured (`send_pending`, `matchmaker send-mail`).

Texts are English msgids with parameters. The row keeps them (`Notification.message`,
see `encode`) beside the text rendered in the recipient's language when it was
written: the in-app list renders them again in the reader's language of the moment
(`subject_in`, `body_in`), and an e-mail goes out in the recipient's preferred language
when it is sent. Rows written before messages were kept show their stored text.

A personal sign-in link is never stored: a row asks for one (`sign_in_hours`) and the
token is made when the e-mail is sent, so the outbox holds nothing that signs anyone in.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from enum import StrEnum
from gettext import NullTranslations
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from matchmaker import accounts, formats
from matchmaker.clock import utcnow
from matchmaker.errors import NotFound
from matchmaker.i18n import N_, normalise_locale, translations
from matchmaker.models import Account, Notification, Participant
from matchmaker.settings import SMTPSettings

SUBJECT_MAX = 300
SEND_ERROR_MAX = 500


class Msg(str):
    """A parameter value that is itself a msgid, translated for each recipient
    (e.g. a priority label) instead of being inserted as it is."""

    __slots__ = ()


@dataclass(frozen=True)
class Pick:
    """A parameter stored in both languages (an event's name): the reader's is shown."""

    vi: str
    en: str = ""


def render(locale: str, message: str, params: Mapping[str, Any] | None = None) -> str:
    """`message` translated into `locale`, with `%(name)s` parameters filled in
    (`Msg` values translated too, datetimes written in the event's time zone)."""
    locale = normalise_locale(locale)
    catalog = translations(locale)
    text = catalog.gettext(message)
    if not params:
        return text
    return text % {key: _param(value, locale, catalog) for key, value in params.items()}


def _param(value: Any, locale: str, catalog: NullTranslations) -> Any:
    if isinstance(value, Msg):
        return catalog.gettext(value)
    if isinstance(value, Pick):
        return value.vi if locale == "vi" else (value.en or value.vi)
    if isinstance(value, datetime):
        return formats.format_datetime(value, locale)  # in the event's time zone
    return value


# --- messages kept on the row ---------------------------------------------------------
# JSON has no datetimes nor msgids: such parameters are stored as one-key objects.


def _encode_param(value: Any) -> Any:
    if isinstance(value, Msg):
        return {"msg": str(value)}
    if isinstance(value, Pick):
        return {"vi": value.vi, "en": value.en}
    if isinstance(value, datetime):
        return {"at": (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _decode_param(value: Any) -> Any:
    if isinstance(value, dict):
        if "msg" in value:
            return Msg(value["msg"])
        if "at" in value:
            return datetime.fromisoformat(value["at"])
        if "vi" in value:
            return Pick(str(value["vi"]), str(value.get("en") or ""))
    return value


def encode(subject: str, body: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """What `Notification.message` keeps: the msgids and JSON-ready parameters."""
    return {
        "subject": subject,
        "body": body,
        "params": {key: _encode_param(value) for key, value in (params or {}).items()},
    }


def _decoded(note: Notification) -> tuple[str, str, dict[str, Any]] | None:
    message = note.message
    if not isinstance(message, dict) or not message.get("subject"):
        return None
    params = {key: _decode_param(v) for key, v in (message.get("params") or {}).items()}
    return str(message["subject"]), str(message.get("body") or ""), params


def subject_in(note: Notification, locale: str) -> str:
    """The notification's subject in `locale` (as stored on rows without a message)."""
    decoded = _decoded(note)
    if decoded is None:
        return note.subject
    try:
        return render(locale, decoded[0], decoded[2])[:SUBJECT_MAX]
    except (KeyError, TypeError, ValueError):  # a catalog that lost a parameter
        return note.subject


def body_in(note: Notification, locale: str) -> str:
    """The notification's text in `locale` (as stored on rows without a message)."""
    decoded = _decoded(note)
    if decoded is None:
        return note.body
    try:
        return render(locale, decoded[1], decoded[2])
    except (KeyError, TypeError, ValueError):
        return note.body


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
        message=encode(subject, body, params),
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


def _email_locale(session: Session, note: Notification) -> str:
    """The recipient's preferred language now (the account's), else the row's own."""
    account = session.get(Account, note.account_id) if note.account_id else None
    return normalise_locale(account.locale) if account is not None else "vi"


def _email(
    note: Notification, link: str, smtp: SMTPSettings, base_url: str, locale: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = note.to_email
    message["Subject"] = subject_in(note, locale)
    message["Message-ID"] = make_msgid(domain="matchmaker.local")
    body = body_in(note, locale)
    if link:
        body = f"{body}\n\n{base_url.rstrip('/')}{link}"
    message.set_content(body)
    return message


def _unsent():  # type: ignore[no-untyped-def]
    return col(Notification.sent_at).is_(None) & (col(Notification.send_error) == "")


def pending(
    session: Session, *, limit: int = 200, ids: Iterable[int] | None = None
) -> list[Notification]:
    """Outbox rows never sent and never failed, oldest first (only `ids` when given)."""
    query = select(Notification).where(_unsent())
    if ids is not None:
        query = query.where(col(Notification.id).in_(list(ids)))
    return list(session.exec(query.order_by(col(Notification.id)).limit(limit)))


def send_pending(
    session: Session,
    smtp: SMTPSettings,
    *,
    base_url: str = "",
    limit: int = 200,
    now: datetime | None = None,
    ids: Iterable[int] | None = None,
) -> SendResult:
    """Send unsent outbox rows by SMTP (only `ids` when given); does nothing unless SMTP
    is configured. Each goes out in its recipient's preferred language.

    Each row gets `sent_at` or, when the server refuses it, `send_error` (it is
    not retried automatically: an organiser resends it from the outbox). When the
    connection fails, the rows not yet sent stay untouched for the next run and
    `SendResult.error` says why.
    """
    if not smtp.configured:
        return SendResult(0, 0, skipped=True)
    notes = pending(session, limit=limit, ids=ids)
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
                    locale = _email_locale(session, note)
                    server.send_message(_email(note, link, smtp, base_url, locale))
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


# --- the organisers' outbox ------------------------------------------------------------


class OutboxStatus(StrEnum):
    waiting = "waiting"  # to be sent by the next `matchmaker send-mail`
    sent = "sent"
    failed = "failed"  # the mail server refused it (`send_error` says why)
    not_sent = "not_sent"  # no mail server is configured: it stays in the app


OUTBOX_STATUS_LABELS = {
    OutboxStatus.waiting: N_("Waiting to be sent"),
    OutboxStatus.sent: N_("Sent"),
    OutboxStatus.failed: N_("Sending failed"),
    OutboxStatus.not_sent: N_("Not e-mailed: no mail server is configured"),
}


def status_of(note: Notification, smtp_configured: bool) -> OutboxStatus:
    if note.sent_at is not None:
        return OutboxStatus.sent
    if note.send_error:
        return OutboxStatus.failed
    return OutboxStatus.waiting if smtp_configured else OutboxStatus.not_sent


def _status_filter(status: OutboxStatus):  # type: ignore[no-untyped-def]
    if status is OutboxStatus.sent:
        return col(Notification.sent_at).is_not(None)
    if status is OutboxStatus.failed:
        return col(Notification.sent_at).is_(None) & (col(Notification.send_error) != "")
    return _unsent()


def outbox(
    session: Session,
    *,
    status: OutboxStatus | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Notification]:
    """The outbox rows, newest first; `status` waiting and not_sent both mean unsent."""
    query = select(Notification)
    if status is not None:
        query = query.where(_status_filter(status))
    return list(
        session.exec(query.order_by(col(Notification.id).desc()).offset(offset).limit(limit))
    )


@dataclass(frozen=True)
class OutboxCounts:
    unsent: int
    sent: int
    failed: int

    @property
    def total(self) -> int:
        return self.unsent + self.sent + self.failed


def outbox_counts(session: Session) -> OutboxCounts:
    def count(status: OutboxStatus) -> int:
        return int(
            session.exec(
                select(func.count()).select_from(Notification).where(_status_filter(status))
            ).one()
        )

    return OutboxCounts(
        unsent=count(OutboxStatus.waiting),
        sent=count(OutboxStatus.sent),
        failed=count(OutboxStatus.failed),
    )


def retry(session: Session, notification_id: int | None = None) -> list[int]:
    """Put failed rows back in the queue: one (`notification_id`) or every failed one.
    Returns their ids. A row that is not failed (sent meanwhile, or never tried) is
    "not found" when asked for by id, so nothing is ever e-mailed twice."""
    query = select(Notification).where(_status_filter(OutboxStatus.failed))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    notes = list(session.exec(query.order_by(col(Notification.id))))
    if notification_id is not None and not notes:
        raise NotFound(N_("This message has not failed: there is nothing to resend."))
    for note in notes:
        note.send_error = ""
        session.add(note)
    session.flush()
    return [note.id for note in notes if note.id is not None]

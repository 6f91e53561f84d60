"""The organisers' outbox over HTTP: each e-mail's status (waiting, sent, failed, not
e-mailed without a mail server), the status filter, resending one or all failed
messages after a confirmation (audited), who may see it, and the honest notices."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar.testing import TestClient
from sqlmodel import Session, col, select

from matchmaker import notifications
from matchmaker.models import Account, AuditLog, Notification
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant
from tests.smtp import SMTPServer, smtp_for

SENT_AT = datetime(2023, 5, 10, 3, 0, tzinfo=UTC)


def _outbox(db: Session) -> tuple[Account, Account, list[Notification]]:
    """An organiser, a participant and three messages: sent, refused, never tried."""
    event = make_event(db)
    org = make_org(db, event, "Quỹ Đầu tư Sông Hậu")
    _, account = make_participant(db, org, "Đặng Văn Bảo", "bao@example.vn")
    organiser = make_organiser(db)
    notes = [
        notifications.notify(db, account, "Meeting agreed with %(org)s", "Mark as read", {"org": o})
        for o in ("Sen Vàng", "Lúa Xanh", "Khóm Cầu Đúc")
    ]
    notes[0].sent_at = SENT_AT
    notes[1].send_error = "(550, b'No such mailbox')"
    for note in notes:
        db.add(note)
    db.commit()
    return organiser, account, notes


def _with_mail_server(client: TestClient, server: SMTPServer) -> None:
    settings = client.app.state.settings
    client.app.state.settings = settings.model_copy(update={"smtp": smtp_for(server)})


def test_outbox_lists_each_message_with_its_status(client: TestClient, db: Session) -> None:
    organiser, _, notes = _outbox(db)
    sign_in_as(client, organiser, db)

    page = client.get("/organiser/outbox")
    failed = client.get("/organiser/outbox?status=failed")

    assert page.status_code == 200
    assert "Chưa cấu hình máy chủ thư" in page.text
    assert f'id="outbox-{notes[0].id}" class="outbox-sent"' in page.text
    assert f'id="outbox-{notes[1].id}" class="outbox-failed"' in page.text
    assert "No such mailbox" in page.text
    assert f'id="outbox-{notes[2].id}" class="outbox-not_sent"' in page.text
    assert "Đã thống nhất cuộc gặp với Khóm Cầu Đúc" in page.text
    assert "Lúa Xanh" in failed.text
    assert "Sen Vàng" not in failed.text
    assert "Khóm Cầu Đúc" not in failed.text


def test_resend_asks_first_then_sends_the_failed_message_and_is_audited(
    client: TestClient, db: Session, smtp_server: SMTPServer
) -> None:
    organiser, _, notes = _outbox(db)
    _with_mail_server(client, smtp_server)
    sign_in_as(client, organiser, db)

    ask = client.get(f"/organiser/outbox/resend?message={notes[1].id}")
    unconfirmed = post_form(
        client, "/organiser/outbox/resend", {"id": str(notes[1].id)}, follow_redirects=False
    )
    done = post_form(client, "/organiser/outbox/resend", {"id": str(notes[1].id), "confirm": "yes"})

    assert "Lúa Xanh" in ask.text
    assert unconfirmed.status_code == 303
    assert unconfirmed.headers["location"] == f"/organiser/outbox/resend?message={notes[1].id}"
    assert done.status_code == 200
    assert "Đã gửi ngay: 1; bị từ chối lại: 0." in done.text
    assert [to for to, _ in smtp_server.received] == [["bao@example.vn"]]
    db.expire_all()
    resent = db.get(Notification, notes[1].id)
    assert resent is not None and resent.sent_at is not None and resent.send_error == ""
    [entry] = db.exec(select(AuditLog).where(AuditLog.action == "outbox.resend")).all()
    assert entry.detail["count"] == 1
    # the message never tried is not sent by a resend of the failed one
    untouched = db.get(Notification, notes[2].id)
    assert untouched is not None and untouched.sent_at is None


def test_resend_all_without_a_mail_server_says_nothing_was_emailed(
    client: TestClient, db: Session
) -> None:
    organiser, _, _ = _outbox(db)
    sign_in_as(client, organiser, db)

    done = post_form(client, "/organiser/outbox/resend", {"confirm": "yes"})

    assert "Chưa cấu hình máy chủ thư nên không thư nào được gửi đi." in done.text
    db.expire_all()
    rows = db.exec(select(Notification).order_by(col(Notification.id))).all()
    assert [(n.sent_at is not None, n.send_error) for n in rows] == [
        (True, ""),
        (False, ""),
        (False, ""),
    ]


def test_a_message_that_did_not_fail_is_not_resent(client: TestClient, db: Session) -> None:
    organiser, _, notes = _outbox(db)
    sign_in_as(client, organiser, db)

    response = post_form(
        client, "/organiser/outbox/resend", {"id": str(notes[0].id), "confirm": "yes"}
    )

    assert response.status_code == 404


def test_outbox_is_for_organisers_only(client: TestClient, db: Session) -> None:
    _, account, notes = _outbox(db)
    assert client.get("/organiser/outbox", follow_redirects=False).status_code in (302, 303, 401)
    sign_in_as(client, account, db)

    assert client.get("/organiser/outbox").status_code == 403
    resend = post_form(client, "/organiser/outbox/resend", {"confirm": "yes"})
    assert resend.status_code == 403
    db.expire_all()
    failed = db.get(Notification, notes[1].id)
    assert failed is not None and failed.send_error != ""


def test_emailing_a_link_without_a_mail_server_says_nothing_was_emailed(
    client: TestClient, db: Session
) -> None:
    organiser, account, _ = _outbox(db)
    sign_in_as(client, organiser, db)

    link = f"/organiser/participants/{account.participant_id}/link"
    page = post_form(client, link, {"send": "1"})

    assert "không có thư nào được gửi đi" in page.text
    assert 'href="/organiser/outbox"' in page.text

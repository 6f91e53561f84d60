"""The notifications outbox: rows per recipient, the in-app list and mark-as-read,
and sending by SMTP (to a tiny SMTP server started by the test) only when configured."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from matchmaker import notifications
from matchmaker.cli import main as cli_main
from matchmaker.models import Account, Notification, Participant
from matchmaker.settings import Settings, SMTPSettings
from tests.conftest import TEST_SECRET, post_form, sign_in_as
from tests.factories import make_event, make_org, make_participant
from tests.smtp import SMTPHandler, SMTPServer, smtp_for

NOW = datetime(2023, 5, 10, 3, 0, tzinfo=UTC)


def people(db: Session) -> tuple[Account, Account]:
    event = make_event(db)
    org = make_org(db, event, "Quỹ Đầu tư Sáng tạo Cần Thơ")
    participant_vi, vi = make_participant(db, org, "Trần Thị Bình", "binh@example.vn")
    _, en = make_participant(db, org, "John Carter", "john@example.com")
    en.locale = "en"
    db.add(en)
    db.commit()
    assert participant_vi.id is not None
    return vi, en


def database_url(db: Session) -> str:
    bind = db.get_bind()
    assert isinstance(bind, Engine)
    return bind.url.render_as_string(hide_password=False)


def outbox(db: Session) -> list[Notification]:
    return list(db.exec(select(Notification).order_by(col(Notification.id))))


def test_notify_writes_one_row_in_the_recipient_language(db: Session) -> None:
    vi, en = people(db)
    for account in (vi, en):
        notifications.notify(
            db,
            account,
            "Meeting agreed with %(org)s",
            "Mark as read",
            {"org": "Mekong"},
            "/requests",
        )
    db.commit()
    rows = outbox(db)
    assert [(n.account_id, n.to_email, n.subject) for n in rows] == [
        (vi.id, "binh@example.vn", "Đã thống nhất cuộc gặp với Mekong"),
        (en.id, "john@example.com", "Meeting agreed with Mekong"),
    ]
    assert [n.body for n in rows] == ["Đánh dấu đã đọc", "Mark as read"]
    assert all(n.sent_at is None and n.read_at is None and n.link == "/requests" for n in rows)


def test_notify_a_participant_uses_its_account(db: Session) -> None:
    vi, _ = people(db)
    participant = db.get(Account, vi.id)
    assert participant is not None and participant.participant_id is not None
    person = db.get(Participant, participant.participant_id)
    assert person is not None
    note = notifications.notify(db, person, "Mark as read", "Mark as read")
    assert (note.account_id, note.subject) == (vi.id, "Đánh dấu đã đọc")


def test_notify_organisation_reaches_every_representative(db: Session) -> None:
    vi, en = people(db)
    assert vi.participant_id is not None
    org_id = db.get(Participant, vi.participant_id).organisation_id  # type: ignore[union-attr]
    notes = notifications.notify_organisation(db, org_id, "Mark as read", "Mark as read")
    assert [n.account_id for n in notes] == [vi.id, en.id]


def test_send_pending_does_nothing_without_smtp(db: Session) -> None:
    vi, _ = people(db)
    notifications.notify(db, vi, "Mark as read", "Mark as read")
    db.commit()
    result = notifications.send_pending(db, SMTPSettings(host=""))
    assert result == notifications.SendResult(0, 0, skipped=True)
    assert [n.sent_at for n in outbox(db)] == [None]


def test_send_pending_sends_marks_and_records_refusals(
    db: Session, smtp_server: SMTPServer
) -> None:
    vi, en = people(db)
    refused = Account(email="nobody@refused.vn", role=vi.role, display_name="Nobody")
    db.add(refused)
    db.flush()
    notifications.notify(
        db, vi, "New meeting request from %(org)s", "Mark as read", {"org": "Mekong"}, "/requests"
    )
    notifications.notify(db, refused, "Mark as read", "Mark as read")
    notifications.notify(db, en, "Mark as read", "Mark as read")
    db.commit()
    result = notifications.send_pending(
        db, smtp_for(smtp_server), base_url="https://matchmaker.haugiang.vn", now=NOW
    )
    db.commit()
    assert result == notifications.SendResult(sent=2, failed=1)
    first, second, third = outbox(db)
    assert (first.sent_at, second.sent_at, third.sent_at) == (NOW, None, NOW)
    assert "550" in second.send_error
    assert [r for r, _ in smtp_server.received] == [["binh@example.vn"], ["john@example.com"]]
    message = smtp_server.received[0][1]
    assert message["Subject"] == "Yêu cầu gặp mới từ Mekong"
    assert message["From"] == "Matchmaker <no-reply@hau-giang.vn>"
    body = message.get_body().get_content()  # type: ignore[union-attr]
    assert body.rstrip().endswith("https://matchmaker.haugiang.vn/requests")
    again = notifications.send_pending(db, smtp_for(smtp_server))
    assert again == notifications.SendResult(0, 0)


def test_send_pending_keeps_rows_when_server_is_unreachable(db: Session) -> None:
    vi, _ = people(db)
    notifications.notify(db, vi, "Mark as read", "Mark as read")
    db.commit()
    server = SMTPServer(("127.0.0.1", 0), SMTPHandler)
    port = server.server_address[1]
    server.server_close()  # nothing listens there any more
    result = notifications.send_pending(db, SMTPSettings(host="127.0.0.1", port=port))
    assert (result.sent, result.failed) == (0, 0)
    assert result.error != ""
    [row] = outbox(db)
    assert (row.sent_at, row.send_error) == (None, "")


def test_cli_send_mail_sends_the_outbox(
    db: Session,
    smtp_server: SMTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vi, _ = people(db)
    notifications.notify(db, vi, "Mark as read", "Mark as read")
    db.commit()
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", database_url(db))
    monkeypatch.setenv("MATCHMAKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MATCHMAKER_SMTP_PORT", str(smtp_server.server_address[1]))
    monkeypatch.setenv("MATCHMAKER_SMTP_STARTTLS", "false")
    assert cli_main(["send-mail"]) == 0
    assert capsys.readouterr().out.strip() == "1 sent, 0 refused by the server"
    db.expire_all()
    assert outbox(db)[0].sent_at is not None


def _send_mail_env(
    monkeypatch: pytest.MonkeyPatch, db: Session, server: SMTPServer, var_dir: Path
) -> None:
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", database_url(db))
    monkeypatch.setenv("MATCHMAKER_VAR_DIR", str(var_dir))
    monkeypatch.setenv("MATCHMAKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MATCHMAKER_SMTP_PORT", str(server.server_address[1]))
    monkeypatch.setenv("MATCHMAKER_SMTP_STARTTLS", "false")
    monkeypatch.delenv("MATCHMAKER_BASE_URL", raising=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve_until_it_answers(port: int) -> None:
    """Start `matchmaker serve --port PORT` (environment as set), stop it once it answers."""
    command = [sys.executable, "-m", "matchmaker", "serve", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                    assert answer.status == 200
                    return
            except OSError:
                assert server.poll() is None, "matchmaker serve stopped"
                assert time.monotonic() < deadline, "matchmaker serve never answered"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_cli_send_mail_without_base_url_links_to_where_serve_listened(
    db: Session, smtp_server: SMTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    vi, _ = people(db)
    notifications.notify(db, vi, "Mark as read", "Mark as read", link="/requests")
    db.commit()
    _send_mail_env(monkeypatch, db, smtp_server, tmp_path / "var")
    monkeypatch.setenv("MATCHMAKER_SECRET_KEY", TEST_SECRET)
    port = _free_port()
    _serve_until_it_answers(port)

    assert cli_main(["send-mail"]) == 0

    body = smtp_server.received[0][1].get_body().get_content()  # type: ignore[union-attr]
    assert body.rstrip().endswith(f"http://127.0.0.1:{port}/requests")


def test_cli_send_mail_with_base_url_links_there(
    db: Session, smtp_server: SMTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    vi, _ = people(db)
    notifications.notify(db, vi, "Mark as read", "Mark as read", link="/requests")
    db.commit()
    _send_mail_env(monkeypatch, db, smtp_server, tmp_path / "var")
    Settings().record_served_url("http://127.0.0.1:8311")  # a local run earlier
    monkeypatch.setenv("MATCHMAKER_BASE_URL", "https://matchmaker.haugiang.vn")

    assert cli_main(["send-mail"]) == 0

    body = smtp_server.received[0][1].get_body().get_content()  # type: ignore[union-attr]
    assert body.rstrip().endswith("https://matchmaker.haugiang.vn/requests")


def test_cli_send_mail_without_smtp_leaves_the_outbox(
    db: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vi, _ = people(db)
    notifications.notify(db, vi, "Mark as read", "Mark as read")
    db.commit()
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", database_url(db))
    monkeypatch.delenv("MATCHMAKER_SMTP_HOST", raising=False)
    assert cli_main(["send-mail"]) == 0
    assert "SMTP is not configured" in capsys.readouterr().out
    assert outbox(db)[0].sent_at is None


# --- in-app list ----------------------------------------------------------------------


def test_notifications_page_lists_and_counts_unread(client: TestClient, db: Session) -> None:
    vi, en = people(db)
    notifications.notify(db, vi, "Meeting agreed with %(org)s", "Mark as read", {"org": "Mekong"})
    notifications.notify(db, vi, "Meeting agreed with %(org)s", "Mark as read", {"org": "Sen"})
    notifications.notify(db, en, "Meeting agreed with %(org)s", "Mark as read", {"org": "Other"})
    db.commit()
    sign_in_as(client, vi, db)
    page = client.get("/me/notifications")
    assert page.status_code == 200
    assert "Đã thống nhất cuộc gặp với Mekong" in page.text
    assert "Đã thống nhất cuộc gặp với Sen" in page.text
    assert "Other" not in page.text
    assert 'id="nav-notifications-badge" class="count-badge">2<' in page.text


def test_notification_mark_read_plain_and_htmx(client: TestClient, db: Session) -> None:
    vi, _ = people(db)
    first = notifications.notify(db, vi, "Mark as read", "Mark as read")
    second = notifications.notify(db, vi, "Mark as read", "Mark as read")
    db.commit()
    sign_in_as(client, vi, db)
    response = post_form(client, f"/me/notifications/{first.id}/read", {}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/me/notifications")
    partial = post_form(
        client, f"/me/notifications/{second.id}/read", {}, headers={"hx-request": "true"}
    )
    assert partial.text.lstrip().startswith(f'<li id="notification-{second.id}"')
    badge = 'id="nav-notifications-badge" class="count-badge" hx-swap-oob="true" hidden'
    assert badge in partial.text
    db.expire_all()
    assert all(n.read_at is not None for n in outbox(db))


def test_notification_open_marks_read_and_follows_link(client: TestClient, db: Session) -> None:
    vi, _ = people(db)
    note = notifications.notify(
        db, vi, "Mark as read", "Mark as read", link="/requests?box=incoming"
    )
    db.commit()
    sign_in_as(client, vi, db)
    response = client.get(f"/me/notifications/{note.id}/open", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/requests?box=incoming")
    db.refresh(note)
    assert note.read_at is not None


def test_notification_read_all(client: TestClient, db: Session) -> None:
    vi, en = people(db)
    for _ in range(3):
        notifications.notify(db, vi, "Mark as read", "Mark as read")
    other = notifications.notify(db, en, "Mark as read", "Mark as read")
    db.commit()
    sign_in_as(client, vi, db)
    assert post_form(client, "/me/notifications/read-all", {}).status_code == 200
    db.expire_all()
    assert [n.read_at is not None for n in outbox(db)] == [True, True, True, False]
    assert db.get(Notification, other.id).read_at is None  # type: ignore[union-attr]


def test_notification_of_someone_else_is_404(client: TestClient, db: Session) -> None:
    vi, en = people(db)
    theirs = notifications.notify(db, en, "Mark as read", "Mark as read", link="/requests")
    db.commit()
    sign_in_as(client, vi, db)
    assert client.get(f"/me/notifications/{theirs.id}/open").status_code == 404
    assert post_form(client, f"/me/notifications/{theirs.id}/read", {}).status_code == 404
    assert post_form(client, "/me/notifications/99999/read", {}).status_code == 404
    db.refresh(theirs)
    assert theirs.read_at is None


def test_notification_open_never_redirects_off_site(client: TestClient, db: Session) -> None:
    vi, _ = people(db)
    note = notifications.notify(db, vi, "Mark as read", "Mark as read", link="//evil.example/x")
    db.commit()
    sign_in_as(client, vi, db)
    response = client.get(f"/me/notifications/{note.id}/open", follow_redirects=False)
    assert response.headers["location"] == "/me/notifications"


def test_notifications_follow_the_readers_language_after_a_switch(
    client: TestClient, db: Session
) -> None:
    vi, _ = people(db)
    notifications.notify(
        db, vi, "Meeting agreed with %(org)s", "Mark as read", {"org": "Mekong"}
    )
    # A row written before messages were kept: its stored text stays readable.
    db.add(Notification(account_id=vi.id, to_email=vi.email, subject="Lịch cũ", body="Cũ."))
    db.commit()
    sign_in_as(client, vi, db)

    before = client.get("/me/notifications")
    post_form(client, "/lang", {"locale": "en", "next": "/me/notifications"})
    after = client.get("/me/notifications")

    assert "Đã thống nhất cuộc gặp với Mekong" in before.text
    assert "Meeting agreed with Mekong" in after.text
    assert "Đã thống nhất cuộc gặp với Mekong" not in after.text
    assert "Lịch cũ" in after.text


def test_an_email_goes_out_in_the_recipients_language_when_it_is_sent(
    db: Session, smtp_server: SMTPServer
) -> None:
    vi, _ = people(db)
    notifications.notify(
        db, vi, "New meeting request from %(org)s", "Mark as read", {"org": "Mekong"}
    )
    vi.locale = "en"  # changed the language before the e-mail went out
    db.add(vi)
    db.commit()

    notifications.send_pending(db, smtp_for(smtp_server), now=NOW)

    [(_, message)] = smtp_server.received
    assert message["Subject"] == "New meeting request from Mekong"
    assert message.get_body().get_content().startswith("Mark as read")  # type: ignore[union-attr]

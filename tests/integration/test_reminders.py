"""Reminders before meetings and the second round of feedback a week after: due times,
the recipient's language, the table and counterpart, online links, exactly once (also
when two passes run at once), and the CLI with e-mail."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from matchmaker import reminders
from matchmaker.cli import main as cli_main
from matchmaker.clock import fixed_now
from matchmaker.models import MeetingNotice, Notification
from tests.eventdays import make_pair, scheduled
from tests.smtp import SMTPServer

# slots[1] starts at 08:20 in Vị Thanh, 01:20 UTC.
START = datetime(2023, 5, 18, 1, 20, tzinfo=UTC)


def _outbox(db: Session) -> list[Notification]:
    db.expire_all()
    return list(db.exec(select(Notification).order_by(col(Notification.id))))


def test_a_reminder_goes_to_both_sides_fifteen_minutes_before(db: Session) -> None:
    p = make_pair(db)
    meeting = scheduled(db, p, 1)
    early = reminders.send_due_reminders(db, START - timedelta(minutes=16))
    assert (early.reminders, _outbox(db)) == (0, [])

    done = reminders.send_due_reminders(db, START - timedelta(minutes=15))
    db.commit()

    assert done == reminders.Pass(reminders=2, follow_ups=0)
    notes = _outbox(db)
    by_person = {n.to_email: n for n in notes}
    to_a = by_person[p.pa.email]
    assert (
        to_a.subject
        == "Nhắc lịch: Quỹ Đầu tư Sáng tạo Cần Thơ lúc Thứ Năm, 18/05/2023 08:20, bàn B2B-01"
    )
    assert to_a.body == (
        "Cuộc gặp của bạn với Trần Thị Bình (Quỹ Đầu tư Sáng tạo Cần Thơ) bắt đầu lúc "
        "Thứ Năm, 18/05/2023 08:20 tại bàn B2B-01."
    )
    assert to_a.link == "/me/agenda" and to_a.account_id == p.ua.id
    assert "Nguyễn Văn An (Công ty Khởi nghiệp Mekong Agritech)" in by_person[p.pb.email].body
    kinds = db.exec(select(MeetingNotice.kind).where(MeetingNotice.meeting_id == meeting.id)).all()
    assert kinds == ["reminder", "reminder"]


def test_a_reminder_is_written_once_however_often_the_pass_runs(db: Session) -> None:
    p = make_pair(db)
    scheduled(db, p, 1)
    for minutes in (14, 10, 1):
        reminders.send_due_reminders(db, START - timedelta(minutes=minutes))
        db.commit()
    assert len(_outbox(db)) == 2
    # Once the meeting has begun nothing more is sent.
    assert reminders.send_due_reminders(db, START).reminders == 0


def test_a_reminder_is_in_the_recipients_language(db: Session) -> None:
    p = make_pair(db)
    p.ub.locale = "en"
    db.add(p.ub)
    scheduled(db, p, 1)
    reminders.send_due_reminders(db, START - timedelta(minutes=5))
    db.commit()
    english = next(n for n in _outbox(db) if n.account_id == p.ub.id)
    subject = english.subject.replace("\u202f", " ")  # Babel's narrow space before AM
    assert (
        subject
        == "Reminder: Công ty Khởi nghiệp Mekong Agritech at Thu 18 May 2023, 08:20, table B2B-01"
    )
    assert english.body.startswith("Your meeting with Nguyễn Văn An (Công ty Khởi nghiệp")


def test_the_events_own_reminder_minutes_win(db: Session) -> None:
    p = make_pair(db, reminder_minutes=30)
    scheduled(db, p, 1)
    assert (
        reminders.send_due_reminders(db, START - timedelta(minutes=29), minutes=15).reminders == 2
    )


def test_an_online_meeting_is_reminded_with_its_link(db: Session) -> None:
    p = make_pair(db)
    p.tables[0].online = True
    db.add(p.tables[0])
    meeting = scheduled(db, p, 1)
    reminders.send_due_reminders(
        db, START - timedelta(minutes=5), video_base="https://meet.example.vn/"
    )
    db.commit()
    note = _outbox(db)[0]
    assert note.subject.endswith(", trực tuyến")
    assert f"https://meet.example.vn/Matchmaker-{meeting.video_room}" in note.body


def test_two_passes_at_once_write_each_reminder_once(engine: Engine, db: Session) -> None:
    p = make_pair(db)
    scheduled(db, p, 1)
    scheduled_other = make_pair(db)  # a second event in the same database
    scheduled(db, scheduled_other, 1)
    barrier = threading.Barrier(4, timeout=60)
    counts: list[int] = []

    def one_pass() -> None:
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            done = reminders.send_due_reminders(session, START - timedelta(minutes=3))
            session.commit()
            counts.append(done.reminders)

    threads = [threading.Thread(target=one_pass) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 4
    assert len(_outbox(db)) == 4
    assert len(db.exec(select(MeetingNotice)).all()) == 4


def test_the_second_round_comes_a_week_after_the_meeting(db: Session) -> None:
    p = make_pair(db)
    meeting = scheduled(db, p, 1)
    end = START + timedelta(minutes=20)
    assert reminders.send_due_reminders(db, end + timedelta(days=6, hours=23)).follow_ups == 0
    done = reminders.send_due_reminders(db, end + timedelta(days=7, minutes=1))
    again = reminders.send_due_reminders(db, end + timedelta(days=7, minutes=2))
    db.commit()
    assert (done.follow_ups, again.follow_ups) == (2, 0)
    notes = _outbox(db)
    assert {n.link for n in notes} == {f"/me/feedback/{meeting.id}"}
    assert (
        notes[0].subject == "Cuộc gặp với Quỹ Đầu tư Sáng tạo Cần Thơ có mang lại kết quả gì không?"
    )
    # Long after an event, a first run writes nothing.
    late = make_pair(db)
    scheduled(db, late, 1)
    assert reminders.send_due_reminders(db, end + timedelta(days=30)).follow_ups == 0


def test_cli_reminders_writes_and_mails_them(
    db: Session,
    smtp_server: SMTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    p = make_pair(db)
    scheduled(db, p, 1)
    bind = db.get_bind()
    assert isinstance(bind, Engine)
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", bind.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MATCHMAKER_REMINDER_MINUTES", "20")
    monkeypatch.setenv("MATCHMAKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MATCHMAKER_SMTP_PORT", str(smtp_server.server_address[1]))
    monkeypatch.setenv("MATCHMAKER_SMTP_STARTTLS", "false")
    with fixed_now(START - timedelta(minutes=18)):
        assert cli_main(["reminders"]) == 0
        assert cli_main(["reminders"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "2 reminder(s), 0 follow-up(s) written; e-mail: 2 sent, 0 refused",
        "0 reminder(s), 0 follow-up(s) written; e-mail: 0 sent, 0 refused",
    ]
    recipients = sorted(r for rcpts, _ in smtp_server.received for r in rcpts)
    assert recipients == sorted([p.pa.email, p.pb.email])
    message = next(m for rcpts, m in smtp_server.received if p.pa.email in rcpts)
    assert "Nhắc lịch: Quỹ Đầu tư Sáng tạo Cần Thơ" in str(message["Subject"])


def test_cli_reminders_names_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MATCHMAKER_REMINDER_MINUTES", "zero")
    assert cli_main(["reminders"]) == 2
    assert "MATCHMAKER_REMINDER_MINUTES" in capsys.readouterr().err

"""Feedback on meetings: after the end only, one row per side (editable, also when two
representatives save at once), the second round a week later, who may see it, and the
page."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from matchmaker import feedback
from matchmaker.clock import fixed_now
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.models import Account, Feedback
from tests.conftest import post_form, sign_in_as
from tests.eventdays import make_pair, scheduled
from tests.factories import make_org, make_participant

# slots[1] runs 08:20-08:40 in Vị Thanh (01:20-01:40 UTC).
END = datetime(2023, 5, 18, 1, 40, tzinfo=UTC)


def test_each_side_rates_once_and_may_change_it(db: Session) -> None:
    p = make_pair(db)
    meeting = scheduled(db, p, 1)
    first = feedback.give(db, p.ua, meeting.id or 0, rating="4", follow_up=True,
                          comment="Rất hữu ích", now=END)  # fmt: skip
    feedback.give(db, p.ub, meeting.id or 0, rating=3, follow_up=False, now=END)
    changed = feedback.give(db, p.ua, meeting.id or 0, rating=5, follow_up=True, now=END)
    db.commit()
    assert changed.id == first.id
    rows = db.exec(select(Feedback).order_by(Feedback.organisation_id)).all()  # type: ignore[arg-type]
    assert {(r.organisation_id, r.rating, r.follow_up) for r in rows} == {
        (p.a.id, 5, True),
        (p.b.id, 3, False),
    }
    assert next(r for r in rows if r.organisation_id == p.a.id).participant_id == p.pa.id


def test_feedback_waits_for_the_end_of_the_meeting(db: Session) -> None:
    p = make_pair(db)
    meeting = scheduled(db, p, 1)
    with pytest.raises(Conflict) as early:
        feedback.give(db, p.ua, meeting.id or 0, rating=4, follow_up=False,
                      now=END - timedelta(minutes=1))  # fmt: skip
    assert early.value.message == "You can give feedback once the meeting has ended."


def test_bad_ratings_and_long_comments_are_refused_at_their_fields(db: Session) -> None:
    p = make_pair(db)
    meeting = scheduled(db, p, 1)
    for rating in ("0", "6", "", "năm"):
        with pytest.raises(DomainError) as bad:
            feedback.give(db, p.ua, meeting.id or 0, rating=rating, follow_up=False, now=END)
        assert bad.value.field == "rating"
    with pytest.raises(DomainError) as long:
        feedback.give(db, p.ua, meeting.id or 0, rating=3, follow_up=False,
                      comment="x" * 2001, now=END)  # fmt: skip
    assert long.value.field == "comment"


def test_only_the_sides_of_the_meeting_see_or_give_its_feedback(db: Session) -> None:
    p = make_pair(db)
    meeting = scheduled(db, p, 1)
    other = make_org(db, p.event, "VinaCapital Ventures")
    _, outsider = make_participant(db, other, "Lê Văn Cường")
    db.commit()
    with pytest.raises(NotFound):
        feedback.view(db, outsider, meeting.id or 0, now=END)
    with pytest.raises(NotFound):
        feedback.give(db, outsider, meeting.id or 0, rating=1, follow_up=False, now=END)


def test_the_second_round_is_asked_a_week_later(db: Session) -> None:
    p = make_pair(db)
    meeting = scheduled(db, p, 1)
    feedback.give(db, p.ua, meeting.id or 0, rating=4, follow_up=True, now=END)
    with pytest.raises(DomainError) as soon:
        feedback.give(db, p.ua, meeting.id or 0, rating=4, follow_up=True, outcome="talks",
                      now=END + timedelta(days=6))  # fmt: skip
    assert soon.value.field == "outcome"
    later = END + timedelta(days=7)
    assert feedback.view(db, p.ua, meeting.id or 0, now=later).second_round
    row = feedback.give(db, p.ua, meeting.id or 0, rating=4, follow_up=True,
                        outcome="agreement", outcome_comment="Ký hợp đồng thử nghiệm",
                        now=later)  # fmt: skip
    db.commit()
    assert (row.outcome, row.outcome_comment, row.outcome_at) == (
        "agreement", "Ký hợp đồng thử nghiệm", later,
    )  # fmt: skip
    with pytest.raises(DomainError):
        feedback.give(db, p.ua, meeting.id or 0, rating=4, follow_up=True, outcome="maybe",
                      now=later)  # fmt: skip


def test_two_colleagues_saving_at_once_make_one_row(engine: Engine, db: Session) -> None:
    p = make_pair(db)
    _, colleague = make_participant(db, p.a, "Nguyễn Thị Hoa")
    db.commit()
    meeting = scheduled(db, p, 1)
    barrier = threading.Barrier(2, timeout=60)
    errors: list[str] = []

    def save(account_id: int, rating: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            who = session.get(Account, account_id)
            assert who is not None
            barrier.wait()
            try:
                feedback.give(
                    session, who, meeting.id or 0, rating=rating, follow_up=False, now=END
                )
                session.commit()
            except Exception as exc:
                session.rollback()
                errors.append(repr(exc))

    threads = [
        threading.Thread(target=save, args=(account.id, rating))
        for account, rating in ((p.ua, 2), (colleague, 5))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.expire_all()
    rows = db.exec(select(Feedback)).all()
    assert len(rows) == 1
    assert errors == []
    assert rows[0].rating in (2, 5)


def test_feedback_through_the_agenda_and_its_page(client: TestClient, db: Session) -> None:
    p = make_pair(db)
    meeting = scheduled(db, p, 1)
    sign_in_as(client, p.ua, db)
    with fixed_now(END + timedelta(minutes=5)):
        agenda = client.get("/me/agenda")
        assert f'href="/me/feedback/{meeting.id}"' in agenda.text
        form = client.get(f"/me/feedback/{meeting.id}")
        assert form.status_code == 200
        assert "Cuộc gặp thế nào?" in form.text
        assert "Một tuần sau" not in form.text
        bad = post_form(client, f"/me/feedback/{meeting.id}", {"rating": "9"})
        assert bad.status_code == 400
        assert "Hãy chọn mức đánh giá từ 1 đến 5." in bad.text
        saved = post_form(
            client, f"/me/feedback/{meeting.id}",
            {"rating": "5", "follow_up": "1", "comment": "Sẽ gặp lại"}, follow_redirects=False,
        )  # fmt: skip
        assert saved.status_code == 303
        page = client.get(saved.headers["location"])
        assert "đánh giá đã được lưu" in page.text and "Sẽ gặp lại" in page.text
    row = db.exec(select(Feedback)).one()
    assert (row.rating, row.follow_up, row.comment) == (5, True, "Sẽ gặp lại")
    with fixed_now(END - timedelta(minutes=5)):
        assert client.get(f"/me/feedback/{meeting.id}").status_code == 409
    assert client.get("/me/feedback/999999").status_code == 404

"""Rendering notification texts in the recipient's language."""

from __future__ import annotations

from datetime import UTC, datetime

from matchmaker.models import Notification
from matchmaker.notifications import Msg, Pick, body_in, encode, render, subject_in


def test_render_translates_into_vietnamese() -> None:
    text = render("vi", "New meeting request from %(org)s", {"org": "Quỹ Đầu tư Cần Thơ"})
    assert text == "Yêu cầu gặp mới từ Quỹ Đầu tư Cần Thơ"


def test_render_in_english_keeps_the_msgid() -> None:
    text = render("en", "New meeting request from %(org)s", {"org": "Quỹ Đầu tư Cần Thơ"})
    assert text == "New meeting request from Quỹ Đầu tư Cần Thơ"


def test_render_unknown_locale_falls_back_to_vietnamese() -> None:
    assert render("fr-FR", "Must meet") == "Nhất định phải gặp"
    assert render("en-GB", "Must meet") == "Must meet"


def test_render_translates_msg_parameters_per_recipient() -> None:
    body = (
        "%(person)s of %(org)s would like to meet you (%(priority)s).\n\n%(message)s\n\n"
        "Please accept or decline the request."
    )
    params = {"person": "An", "org": "Mekong", "priority": Msg("Must meet"), "message": "Hi"}
    assert render("vi", body, params).startswith("An của Mekong muốn gặp bạn (Nhất định phải gặp).")
    assert render("en", body, params).startswith("An of Mekong would like to meet you (Must meet).")


def test_render_writes_datetimes_in_event_time_zone() -> None:
    deadline = datetime(2023, 5, 17, 3, 30, tzinfo=UTC)  # 10:30 in Asia/Ho_Chi_Minh
    assert render("en", "expires %(when)s", {"when": deadline}) == "expires Wed 17 May 2023, 10:30"
    assert render("vi", "expires %(when)s", {"when": deadline}) == (
        "cần trả lời trước Thứ Tư, 17/05/2023 10:30"
    )


def test_render_leaves_percent_in_parameters_alone() -> None:
    assert render("en", "Sent %(when)s", {"when": "100% %(x)s"}) == "Sent 100% %(x)s"


def test_a_kept_message_is_shown_in_the_readers_language() -> None:
    note = Notification(
        to_email="an@example.vn",
        subject="Yêu cầu gặp mới từ Mekong",
        body="",
        message=encode(
            "New meeting request from %(org)s",
            "%(event)s: answer by %(deadline)s (%(priority)s).",
            {
                "org": "Mekong",
                "event": Pick("Tuần lễ Khởi nghiệp", "Startup Week"),
                "deadline": datetime(2023, 5, 17, 3, 30, tzinfo=UTC),
                "priority": Msg("Must meet"),
            },
        ),
    )

    assert subject_in(note, "en") == "New meeting request from Mekong"
    assert subject_in(note, "vi") == "Yêu cầu gặp mới từ Mekong"
    assert body_in(note, "en") == "Startup Week: answer by Wed 17 May 2023, 10:30 (Must meet)."
    assert body_in(note, "vi").startswith("Tuần lễ Khởi nghiệp")


def test_a_row_without_a_kept_message_shows_its_stored_text() -> None:
    note = Notification(to_email="an@example.vn", subject="Lịch đã đổi", body="Xem lịch.")

    assert (subject_in(note, "en"), body_in(note, "en")) == ("Lịch đã đổi", "Xem lịch.")

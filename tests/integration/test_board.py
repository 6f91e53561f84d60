"""The live table board: now and next at every table of a zone, in both languages, for
an organiser or whoever holds the board link; "running late" notes from the desk."""

from __future__ import annotations

import re

from litestar.testing import TestClient
from sqlmodel import Session

from matchmaker import board
from matchmaker.models import MeetingStatus, MeetingTable
from tests.conftest import TEST_SECRET, post_form
from tests.eventday import EventDay, at, clock_at, make_event_day
from tests.sessions import open_session

HTMX = {"HX-Request": "true"}


def _row(html: str, table: MeetingTable) -> str:
    """The board's row of a table: (now cell, next cell) as text."""
    match = re.search(rf'<tr id="board-table-{table.id}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {table.name}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def _public_url(world: EventDay) -> str:
    return f"/board/{board.board_key(world.event, TEST_SECRET)}"


def test_board_shows_now_and_next_and_advances_with_the_clock(
    client: TestClient, db: Session
) -> None:
    world = make_event_day(db)
    open_session(client, world.organiser)
    first_table, second_table, third_table = world.tables
    with clock_at(at(8, 5)):
        early = client.get("/organiser/board", params={"lang": "en"})
    with clock_at(at(8, 25)):
        later = client.get("/organiser/board", params={"lang": "en"})
    assert early.status_code == 200
    assert _row(early.text, first_table) == (
        "B2B-01 08:00–08:20 Công ty Khởi nghiệp Mekong Trần Văn An ⇄ Quỹ Đầu tư Sông Hậu "
        "Lê Thị Bình 08:20–08:40 Công ty Khởi nghiệp Mekong Trần Văn An ⇄ "
        "Hợp tác xã Khóm Cầu Đúc Phạm Văn Cường"
    )
    assert _row(early.text, second_table) == (
        "B2B-02 Free 08:40–09:00 Quỹ Đầu tư Sông Hậu Lê Thị Bình ⇄ Hợp tác xã Khóm Cầu Đúc "
        "Phạm Văn Cường"
    )
    assert _row(early.text, third_table) == "B2B-03 Free —"
    assert _row(later.text, first_table) == (
        "B2B-01 08:20–08:40 Công ty Khởi nghiệp Mekong Trần Văn An ⇄ "
        "Hợp tác xã Khóm Cầu Đúc Phạm Văn Cường —"
    )
    assert 'id="board-clock">08:25<' in later.text


def test_board_speaks_the_language_asked_for(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    with clock_at(at(8, 5)):
        vietnamese = client.get(_public_url(world), params={"lang": "vi"})
        english = client.get(_public_url(world), params={"lang": "en"})
    assert '<html lang="vi">' in vietnamese.text and "Tiếp theo" in vietnamese.text
    assert '<html lang="en">' in english.text and ">Next<" in english.text
    assert "Tuần lễ Chuyển đổi số Hậu Giang" in vietnamese.text
    assert "Hau Giang Digital Transformation Week" in english.text


def test_board_polls_itself_and_htmx_gets_the_board_alone(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    url = _public_url(world)
    with clock_at(at(8, 5)):
        whole = client.get(url, params={"lang": "en", "refresh": "5"})
        partial = client.get(url, params={"lang": "en", "refresh": "5"}, headers=HTMX)
    assert f'hx-get="{url}?lang=en&amp;refresh=5"' in whole.text
    assert 'hx-trigger="every 5s"' in whole.text
    assert "board-reconnecting" in whole.text  # the marker lives outside the board
    assert partial.text.lstrip().startswith('<main id="board"')
    assert "<html" not in partial.text and "board-reconnecting" not in partial.text
    assert _row(partial.text, world.tables[0]) == _row(whole.text, world.tables[0])


def test_board_link_is_the_credential_and_new_links_end_old_ones(
    client: TestClient, db: Session
) -> None:
    world = make_event_day(db)
    old = _public_url(world)
    assert client.get(old).status_code == 200
    assert client.get("/board/0123456789abcdef0123456789abcdef").status_code == 404
    assert client.get("/board/%C3%82FC%C2%BA%F0%95%BE%88").status_code == 404  # not ASCII
    anonymous = client.get("/organiser/board", follow_redirects=False)
    assert anonymous.status_code in (302, 303)
    open_session(client, world.organiser)
    links = client.get("/organiser/boards")
    assert f"http://testserver.local{old}" in links.text
    post_form(client, "/organiser/boards/new-links", {})
    db.refresh(world.event)
    new = _public_url(world)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_board_shows_one_zone_when_tables_have_zones(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    first, second, third = world.tables
    first.zone = "Sảnh A"
    second.zone = third.zone = "Sảnh B"
    db.add_all([first, second, third])
    db.commit()
    open_session(client, world.organiser)
    with clock_at(at(8, 5)):
        hall_a = client.get("/organiser/board", params={"zone": "Sảnh A"})
        unknown = client.get("/organiser/board", params={"zone": "Sảnh Z"})
        links = client.get("/organiser/boards")
    assert f"board-table-{first.id}" in hall_a.text
    assert f"board-table-{second.id}" not in hall_a.text
    assert unknown.status_code == 404
    assert "zone=S%E1%BA%A3nh+A" in links.text and "zone=S%E1%BA%A3nh+B" in links.text


def test_board_running_late_note_is_set_cleared_and_lapses_overnight(
    client: TestClient, db: Session
) -> None:
    world = make_event_day(db)
    table = world.tables[0]
    open_session(client, world.organiser)
    with clock_at(at(8, 5)):
        post_form(client, f"/organiser/boards/late/{table.id}", {"note": "  +10   phút "})
        marked = client.get("/organiser/board", params={"lang": "en"})
    with clock_at(at(8, 5, day=19)):
        next_day = client.get("/organiser/board", params={"lang": "en"})
    with clock_at(at(8, 6)):
        post_form(client, f"/organiser/boards/late/{table.id}", {"clear": "1"})
        cleared = client.get("/organiser/board", params={"lang": "en"})
    assert _row(marked.text, table).startswith("B2B-01 Running late: +10 phút 08:00–08:20")
    assert "Running late" not in _row(next_day.text, table)
    assert "Running late" not in _row(cleared.text, table)
    db.refresh(table)
    assert (table.running_late, table.running_late_at) == ("", None)


def test_board_leaves_the_table_of_a_no_show_free(client: TestClient, db: Session) -> None:
    world = make_event_day(db)
    world.first.status = MeetingStatus.no_show
    db.add(world.first)
    db.commit()
    open_session(client, world.organiser)
    with clock_at(at(8, 5)):
        shown = client.get("/organiser/board", params={"lang": "en"})
    assert _row(shown.text, world.tables[0]).startswith("B2B-01 Free 08:20–08:40")

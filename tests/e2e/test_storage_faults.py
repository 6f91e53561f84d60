"""A click handled by htmx on a read-only database: the notice that nothing was saved
replaces the page (htmx leaves other error answers unswapped, so the click would seem to
do nothing). The confirmed absence over a meeting, which writes the marks and the
notices, is tried on a read-only database in test_availability_warning.py."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from matchmaker.models import Participant
from tests.e2e.conftest import read_only_server
from tests.e2e.helpers import LiveServer, sign_in_as_participant


def test_availability_click_on_a_read_only_database_shows_the_not_saved_notice(
    page: Page, live_server: LiveServer
) -> None:
    person, account = live_server.participant()
    assert person.available_sessions, "the demo participant should skip a session"
    sign_in_as_participant(page, live_server, account.id or 0)
    with read_only_server(live_server) as url:
        page.goto(f"{url}/me/availability")
        # Marking oneself present never waits for a confirmation (an absence over a
        # placed meeting does, and writes nothing until then): this click writes.
        page.locator(".avail-cell.off button.avail-toggle").first.click()

        expect(page.locator("main h1")).to_have_text("Cơ sở dữ liệu đang ở chế độ chỉ đọc")
        expect(page.locator("main")).to_contain_text(
            "Những gì bạn vừa nhập chưa được lưu. Vui lòng báo cho ban tổ chức."
        )
        expect(page).to_have_url(f"{url}/me/availability")  # no navigation: htmx swapped it
    with live_server.session() as db:
        after = db.get(Participant, person.id)
    assert after is not None
    assert (after.available_sessions, after.unavailable_slots) == (
        person.available_sessions,
        person.unavailable_slots,
    )

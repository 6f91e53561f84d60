"""Issue 5 acceptance, end to end in headless Chromium: an organiser adjusts the setup,
imports participants (a file with one bad row first), solves the demo event while
watching the progress, publishes, and moves one meeting by hand; the participant
concerned then sees the new time in the agenda and in the calendar file (with a raised
SEQUENCE), and a notification about the move waits in the outbox.

This module changes the event a lot (setup, participants, a published schedule), so it
runs on a server of its own instead of the package's shared one."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from matchmaker import i18n
from matchmaker.models import (
    Account,
    Meeting,
    MeetingStatus,
    MeetingTable,
    Notification,
    Organisation,
    Participant,
    ScheduleVersion,
    Slot,
)
from matchmaker.notifications import render
from tests.e2e.conftest import serve_demo
from tests.e2e.helpers import LiveServer, sign_in_as_organiser, sign_in_as_participant

VI = i18n.translations("vi")
T = VI.gettext
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SOLVE_TIMEOUT_MS = 60_000

HEADER = [
    "Tên đơn vị", "Loại hình", "Lĩnh vực", "Họ tên", "Chức vụ", "Email", "Điện thoại", "Tỉnh thành"
]  # fmt: skip
ROWS = [
    ["Hợp tác xã Nông sản Phụng Hiệp", "Chủ thể OCOP", "Nông nghiệp công nghệ cao",
     "Trần Thị Mỹ Duyên", "Giám đốc", "{email1}", "0901234567", "Hậu Giang"],
    ["Công ty Cổ phần Sầu riêng Cái Răng", "khởi nghiệp", "Thủy sản; Du lịch",
     "Lê Quốc Bảo", "Nhà sáng lập", "{email2}", "0912345678", "Cần Thơ"],
    ["Quỹ Đầu tư Mê Kông Xanh", "Nhà đầu tư", "Du lịch",
     "Phạm Ngọc Ánh", "Giám đốc đầu tư", "anh.pham@mekongxanh.vn", "", "TP. Hồ Chí Minh"],
]  # fmt: skip
GOOD_EMAILS = {"email1": "duyen.tran@phunghiep.vn", "email2": "bao.le@saurieng.vn"}
BAD_EMAILS = {"email1": "duyen.tran@phunghiep.vn", "email2": "bao.le(at)saurieng.vn"}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_demo(tmp_path_factory.mktemp("e2e-console") / "var") as server:
        yield server


def _csv(tmp_path: Path, name: str, emails: dict[str, str]) -> Path:
    """A UTF-8 CSV file as a spreadsheet saves it (BOM, CRLF line ends)."""
    path = tmp_path / name
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows([cell.format(**emails) for cell in row] for row in ROWS)
    return path


def _count(singular: str, plural: str, n: int) -> str:
    return VI.ngettext(singular, plural, n) % {"num": n}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _hhmm(value: datetime) -> str:
    return _aware(value).astimezone(ZONE).strftime("%H:%M")


def _ics_event(page: Page, meeting_id: int) -> icalendar.Event:
    """The meeting's VEVENT in the signed-in participant's calendar file."""
    response = page.request.get("/me/agenda/agenda.ics")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.body())
    found = [
        e
        for e in calendar.walk("VEVENT")
        if str(e["UID"]).startswith(f"matchmaker-meeting-{meeting_id}@")
    ]
    assert len(found) == 1
    return found[0]


def test_organiser_console_setup_import_solve_publish_move(
    page: Page, phone_page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    script_errors: list[str] = []
    failed: list[tuple[int, str]] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on(
        "response",
        lambda r: (
            failed.append((r.status, r.url.removeprefix(live_server.url)))
            if r.status >= 400
            else None
        ),
    )
    sign_in_as_organiser(page, live_server)

    # --- Setup: a break in the first morning and an eleventh table; the preview follows.
    page.get_by_role("link", name=T("Setup"), exact=True).click()
    expect(page.locator("main h1")).to_have_text(T("Event setup"))
    preview = page.locator("#setup-preview")
    expect(preview.locator("p.muted")).to_have_text(
        f"{_count('%(num)s slot', '%(num)s slots', 54)} · "
        f"{_count('%(num)s table', '%(num)s tables', 10)}"
    )
    page.evaluate("window.__samePage = 'yes'")
    page.fill("#f-session-0-breaks", "10:00-10:20")
    page.fill("#f-table-10-name", "B2B-11")
    page.fill("#f-table-10-zone", "C")
    expect(preview.locator("p.muted")).to_have_text(
        f"{_count('%(num)s slot', '%(num)s slots', 53)} · "
        f"{_count('%(num)s table', '%(num)s tables', 11)}"
    )
    # The first morning's grid lost its 10:00 slot; 10:20 follows 09:40.
    first_day = preview.locator("ol.slot-grid").first
    morning = ["08:00", "08:20", "08:40", "09:00", "09:20", "09:40", "10:20", "10:40"]
    expect(first_day.locator(".slot-cell")).to_have_count(17)
    expect(first_day.locator(".slot-cell").nth(5)).to_have_text("09:40–10:00")
    assert [t[:5] for t in first_day.locator(".slot-cell").all_inner_texts()[:8]] == morning
    assert page.evaluate("window.__samePage") == "yes"  # updated in place by htmx
    with page.expect_navigation():
        page.get_by_role("button", name=T("Save the setup")).click()
    expect(page.get_by_role("status")).to_have_text(T("The setup has been saved."))
    expect(page.locator("#f-table-10-name")).to_have_value("B2B-11")
    with live_server.session() as db:
        tables = db.exec(
            select(MeetingTable).where(MeetingTable.event_id == live_server.event_id)
        ).all()
        slots = db.exec(select(Slot)).all()
    assert sorted(t.name for t in tables)[-1] == "B2B-11"
    assert len(tables) == 11
    assert len(slots) == 53

    # --- Import: one bad row stops the whole file, with its line and reason.
    with live_server.session() as db:
        people_before = len(db.exec(select(Participant)).all())
    page.get_by_role("link", name=T("Participants"), exact=True).click()
    page.get_by_role("link", name=T("Import participants")).click()
    page.set_input_files("#file", str(_csv(tmp_path, "dai-bieu.csv", BAD_EMAILS)))
    with page.expect_navigation():
        page.get_by_role("button", name=T("Upload and continue")).click()
    expect(page.locator("main .page-head p.muted")).to_have_text(
        "dai-bieu.csv · " + _count("%(num)s row", "%(num)s rows", 3)
    )
    expect(page.locator("#map-organisation option:checked")).to_have_text("Tên đơn vị")
    expect(page.locator("#map-full_name option:checked")).to_have_text("Họ tên")
    with page.expect_navigation():
        page.get_by_role("button", name=T("Check every row")).click()
    report = page.locator("section.problems")
    expect(report.locator("h2")).to_have_text(
        VI.ngettext(
            "%(num)s problem found: nothing was imported",
            "%(num)s problems found: nothing was imported",
            1,
        )
        % {"num": 1}
    )
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td")).to_have_text(
        ["3", T("Email"), T("Enter a valid email address.")]
    )
    expect(page.get_by_role("button", name=T("Import now"))).to_have_count(0)
    with live_server.session() as db:
        assert len(db.exec(select(Participant)).all()) == people_before
        same_email = Participant.email == GOOD_EMAILS["email1"]
        assert db.exec(select(Participant).where(same_email)).all() == []

    # The corrected file imports; the three people appear in the participant list.
    page.get_by_role("link", name=T("Upload a corrected file")).click()
    page.set_input_files("#file", str(_csv(tmp_path, "dai-bieu-sua.csv", GOOD_EMAILS)))
    with page.expect_navigation():
        page.get_by_role("button", name=T("Upload and continue")).click()
    with page.expect_navigation():
        page.get_by_role("button", name=T("Check every row")).click()
    expect(page.locator("section.notice h2")).to_have_text(T("Every row is valid"))
    with page.expect_navigation():
        page.get_by_role("button", name=T("Import now")).click()
    expect(page).to_have_url(f"{live_server.url}/organiser?imported=3&updated=0")
    expect(page.get_by_role("status")).to_have_text(
        T("Import finished: %(new)s added, %(updated)s updated.") % {"new": 3, "updated": 0}
    )
    page.locator("#q").fill("Tran Thi My Duyen")
    results = page.locator("#participant-results")
    expect(results.get_by_role("link", name="Trần Thị Mỹ Duyên")).to_be_visible()
    with live_server.session() as db:
        assert len(db.exec(select(Participant)).all()) == people_before + 3

    # --- Solve with a short time limit; the progress updates in place while it runs.
    page.get_by_role("link", name=T("Solve"), exact=True).click()
    expect(page.get_by_role("heading", name=T("Solve the schedule"))).to_be_visible()
    page.fill("#time_limit", "4")
    with page.expect_navigation():
        page.get_by_role("button", name=T("Start solving")).click()
    progress = page.locator("#solve-progress")
    expect(progress.locator(".badge-run")).to_have_text(T("Running"), timeout=SOLVE_TIMEOUT_MS)
    page.evaluate("window.__samePage = 'yes'")
    elapsed = progress.locator(".stat-value").first
    expect(elapsed).to_have_text(re.compile(r"^\d+"))
    first = elapsed.inner_text()
    expect(elapsed).not_to_have_text(first)  # polled by htmx every second
    assert page.evaluate("window.__samePage") == "yes"
    # When the run ends the page reloads itself with the result link.
    review_link = page.get_by_role("link", name=T("Review the result"))
    expect(review_link).to_be_visible(timeout=SOLVE_TIMEOUT_MS)
    expect(progress.locator(".badge-ok")).to_have_text(T("Finished"))

    # --- Publish (the confirmation box must be ticked).
    review_link.click()
    expect(page.locator(".heat-cell").first).to_be_visible()
    page.check("#confirm")
    with page.expect_navigation():
        page.get_by_role("button", name=T("Publish"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        T("Published as version %(number)s. Participants whose agenda changed have been notified.")
        % {"number": 1}
    )

    # The participant of a scheduled meeting looks at the calendar file before the move.
    with live_server.session() as db:
        assert [v.number for v in db.exec(select(ScheduleVersion)).all()] == [1]
        meeting = db.exec(
            select(Meeting)
            .where(Meeting.status == MeetingStatus.scheduled, col(Meeting.slot_id).is_not(None))
            .order_by(col(Meeting.id))
        ).first()
        assert meeting is not None and meeting.id is not None
        person, account = db.exec(
            select(Participant, Account)
            .join(Account, col(Account.participant_id) == col(Participant.id))
            .where(Participant.organisation_id == meeting.org_a_id)
            .order_by(col(Participant.id))
        ).first() or (None, None)
        assert person is not None and account is not None and account.id is not None
        org_a = db.get(Organisation, meeting.org_a_id)
        org_b = db.get(Organisation, meeting.org_b_id)
        old_slot = db.get(Slot, meeting.slot_id)
        assert org_a is not None and org_b is not None and old_slot is not None
    sign_in_as_participant(phone_page, live_server, account.id)
    before = _ics_event(phone_page, meeting.id)
    assert before.decoded("dtstart") == _aware(old_slot.start)

    # --- Move the meeting by hand to another slot offered by the move panel.
    page.get_by_role("link", name=T("Schedule"), exact=True).click()
    page.locator("#q").fill(org_a.name)
    expect(page).to_have_url(re.compile(r"/organiser/schedule\?q="))  # the list was swapped
    row = page.locator(f"#meeting-{meeting.id}")
    expect(row).to_be_visible()
    expect(row.locator("td").first).to_contain_text(_hhmm(old_slot.start))
    row.get_by_role("link", name=T("Move"), exact=True).click()
    panel = page.locator(f"#move-{meeting.id}")
    options = panel.locator("select[name=target] option")
    expect(options.first).to_be_attached()
    values = options.evaluate_all("(os) => os.map((o) => o.value)")
    target = next(v for v in values if int(v.split(":")[0]) != old_slot.id)
    new_slot_id, new_table_id = (int(x) for x in target.split(":"))
    panel.locator("select[name=target]").select_option(target)
    panel.get_by_role("button", name=T("Move here")).click()
    expect(panel).to_have_count(0)
    with live_server.session() as db:
        new_slot = db.get(Slot, new_slot_id)
        new_table = db.get(MeetingTable, new_table_id)
        moved = db.get(Meeting, meeting.id)
    assert new_slot is not None and new_table is not None and moved is not None
    assert (moved.slot_id, moved.table_id, moved.locked) == (new_slot_id, new_table_id, True)
    expect(row).to_have_class(re.compile(r"\bflash\b"))
    expect(row.locator("td").nth(0)).to_contain_text(_hhmm(new_slot.start))
    expect(row.locator("td").nth(1)).to_have_text(new_table.name)
    expect(row.locator(".lock-badge")).to_be_visible()

    # --- The participant sees the new time, and the calendar file carries it.
    phone_page.goto("/me/agenda")
    item = phone_page.locator(".agenda-item", has=phone_page.get_by_text(org_b.name, exact=True))
    # The agenda shows a meeting's time as its range (one time format per locale).
    expect(item.locator(".agenda-time strong")).to_have_text(
        f"{_hhmm(new_slot.start)}–{_hhmm(new_slot.end)}"
    )
    expect(item.locator(".agenda-where strong")).to_have_text(new_table.name)
    after = _ics_event(phone_page, meeting.id)
    assert after.decoded("dtstart") == _aware(new_slot.start)
    assert after.decoded("dtend") == _aware(new_slot.end)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert str(after["LOCATION"]).startswith(new_table.name)

    # --- The outbox holds a notification about the move for that participant.
    subject = render(account.locale, "Your meeting with %(org)s has moved", {"org": org_b.name})
    with live_server.session() as db:
        notes = db.exec(
            select(Notification).where(
                Notification.account_id == account.id, Notification.subject == subject
            )
        ).all()
    assert len(notes) == 1
    assert notes[0].link == "/me/agenda"
    assert _hhmm(new_slot.start) in notes[0].body
    # No script error and no failed request (the bad file's check is a job whose page
    # shows its problems).
    assert script_errors == []
    assert failed == []

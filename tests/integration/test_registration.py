"""Registration's leftovers of issue 13 through HTTP: the province as one of the 34 units
since the 2025 merger (old names and abbreviations mapped, in the forms and the import),
the required privacy consent, the page after registering without a mail server, and the
representatives' entries on the organisers' audit log."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from litestar.testing import TestClient
from sqlmodel import Session, col, select

from matchmaker.clock import fixed_now
from matchmaker.models import Account, AuditLog, Organisation, Participant
from tests.conftest import csrf_token, post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant
from tests.integration.test_profiles import VALID, counts, english, field_error, with_mail_server
from tests.jobs import import_step
from tests.smtp import SMTPServer

REGISTERED_AT = datetime(2023, 5, 2, 3, 15, tzinfo=UTC)


def registered_province(client: TestClient, db: Session, typed: str) -> str:
    response = post_form(client, "/register", {**VALID, "province": typed}, follow_redirects=False)
    assert response.status_code == 303, response.text
    db.expire_all()
    return db.exec(select(Organisation)).one().province


def selected(html: str, name: str) -> list[str]:
    """The values of the selected options of the select `name`."""
    body = re.search(rf'<select id="{name}" name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert body is not None
    return re.findall(r'<option value="([^"]*)" selected>', body.group(1))


# --- the province ---------------------------------------------------------------------


def test_register_offers_the_34_units_since_the_merger_in_the_readers_language(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    db.commit()
    form = client.get("/register").text
    body = re.search(r'<select id="province" name="province"[^>]*>(.*?)</select>', form, re.S)
    assert body is not None
    values = re.findall(r'<option value="([^"]+)"', body.group(1))
    assert len(values) == 34
    assert {"Cần Thơ", "TP. Hồ Chí Minh", "Hà Nội", "Huế", "Vĩnh Long"} <= set(values)
    assert not {"Hậu Giang", "Sóc Trăng", "Bình Dương", "Bà Rịa – Vũng Tàu"} & set(values)
    english(client)
    assert '<option value="TP. Hồ Chí Minh">Ho Chi Minh City</option>' in (
        client.get("/register").text
    )


def test_register_stores_an_abbreviation_as_its_unit(client: TestClient, db: Session) -> None:
    make_event(db)
    db.commit()
    assert registered_province(client, db, "TP HCM") == "TP. Hồ Chí Minh"


def test_register_stores_a_merged_province_as_the_unit_that_absorbed_it(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    db.commit()
    assert registered_province(client, db, "Sóc Trăng") == "Cần Thơ"


def test_register_refuses_a_province_not_of_vietnam_next_to_the_field(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    db.commit()
    english(client)
    before = counts(db)
    response = post_form(client, "/register", {**VALID, "province": "Atlantis"})
    assert response.status_code == 400
    assert field_error(response.text, "province") == (
        "“Atlantis” is not a province or city of Vietnam: choose one from the list."
    )
    assert counts(db) == before


def test_profile_of_a_pre_merger_province_shows_and_saves_its_unit(
    client: TestClient, db: Session
) -> None:
    event = make_event(db)
    org = make_org(
        db, event, "Công ty Sầu Riêng", sectors=["agritech"], description="Sầu riêng.",
        province="Hậu Giang",
    )  # fmt: skip
    _, account = make_participant(db, org, "Võ Minh Khoa")
    db.commit()
    sign_in_as(client, account, db)
    assert selected(client.get("/me/profile").text, "province") == ["Cần Thơ"]
    data = {
        "name": org.name, "kind": "startup", "sectors": ["agritech"], "province": "Sài Gòn",
        "description": "Sầu riêng.",
    }  # fmt: skip
    assert post_form(client, "/me/profile", data, follow_redirects=False).status_code == 303
    db.refresh(org)
    assert org.province == "TP. Hồ Chí Minh"


def _import(client: TestClient, rows: list[list[str]]) -> tuple[int, str]:
    """Upload `rows` under a Vietnamese header, map the columns as guessed, run it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Tên đơn vị", "Loại", "Lĩnh vực", "Tỉnh", "Họ tên", "Email"])
    writer.writerows(rows)
    uploaded = client.post(
        "/organiser/import",
        files={"file": ("old.csv", buffer.getvalue().encode(), "text/csv")},
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text
    token = uploaded.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/organiser/import/{token}").text
    mapping = {}
    for target, body in re.findall(r'name="map-(\w+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'value="(\d+)" selected', body)
        mapping[f"map-{target}"] = chosen.group(1) if chosen else ""
    done = import_step(client, token, "run", mapping)
    return done.status_code, done.text


def test_import_of_an_old_spreadsheet_stores_each_province_as_its_unit(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    status, _ = _import(
        client,
        [
            ["HTX Khóm Cầu Đúc", "ocop", "agritech", "Hậu Giang", "Lê Văn Tư", "tu@khom.vn"],
            ["Công ty Cảng", "startup", "logistics", "Bà Rịa - Vũng Tàu", "Mai Hoa", "hoa@cang.vn"],
            ["Quỹ Sài Gòn", "investor", "fintech", "TPHCM", "Đỗ Nam", "nam@quy.vn"],
            ["Trường Tây Đô", "university", "edtech", "tp. Cần Thơ", "Vũ Lan", "lan@taydo.vn"],
            ["Sở Công Thương", "agency", "ecommerce", "Thừa Thiên Huế", "Hồ Minh", "minh@so.vn"],
        ],
    )  # fmt: skip
    assert status == 303
    db.expire_all()
    stored = {o.name: o.province for o in db.exec(select(Organisation))}
    assert stored == {
        "HTX Khóm Cầu Đúc": "Cần Thơ",
        "Công ty Cảng": "TP. Hồ Chí Minh",
        "Quỹ Sài Gòn": "TP. Hồ Chí Minh",
        "Trường Tây Đô": "Cần Thơ",
        "Sở Công Thương": "Huế",
    }


def test_import_with_an_unknown_province_names_the_line_and_writes_nothing(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    english(client)
    status, text = _import(
        client,
        [
            ["HTX Khóm Cầu Đúc", "ocop", "agritech", "Hậu Giang", "Lê Văn Tư", "tu@khom.vn"],
            ["Công ty Xa Lạ", "startup", "agritech", "Vientiane", "Mai Hoa", "hoa@xala.vn"],
        ],
    )  # fmt: skip
    assert status == 200  # the import's outcome page lists the bad rows
    assert "<td>3</td>" in text
    assert "“Vientiane” is not a province or city of Vietnam: choose one from the list." in text
    assert db.exec(select(Organisation)).all() == []


# --- the privacy consent -----------------------------------------------------------------


def test_register_without_the_privacy_consent_shows_the_error_and_keeps_what_was_typed(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    db.commit()
    english(client)
    before = counts(db)
    refused = {k: v for k, v in VALID.items() if k != "privacy_consent"}
    response = post_form(client, "/register", {**refused, "province": "HCM"})
    assert response.status_code == 400
    assert field_error(response.text, "privacy_consent") == (
        "Tick the box to agree to the privacy notice: without it you cannot register."
    )
    # Only that field is wrong, and everything typed is still there (the password
    # excepted, never sent back to the browser).
    assert re.findall(r'<p class="error" id="([\w-]+)-error"', response.text) == ["privacy_consent"]
    html = response.text
    assert f'value="{VALID["name"]}"' in html
    assert 'value="mai@nongnghiepso.vn"' in html
    assert 'value="0909 123 456"' in html
    assert selected(html, "province") == ["TP. Hồ Chí Minh"]
    assert 'value="agritech" checked' in html
    assert 'value="seed_investment" checked' in html
    assert "Tìm vốn đầu tư hạt giống." in html
    assert 'id="privacy_consent" name="privacy_consent" value="yes" required aria-invalid' in html
    assert counts(db) == before


def test_register_states_what_is_stored_and_who_sees_it_in_both_languages(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    db.commit()
    vietnamese = client.get("/register").text
    assert "Ai xem được: ban tổ chức xem được tất cả." in vietnamese
    assert "yêu cầu ban tổ chức sửa hoặc xóa dữ liệu" in vietnamese
    english(client)
    text = client.get("/register").text
    assert "Who sees it: the organisers see all of it." in text
    assert "You may ask the organisers at any time to correct or delete your data." in text


def test_register_keeps_the_time_of_the_privacy_consent(client: TestClient, db: Session) -> None:
    make_event(db)
    organiser = make_organiser(db)
    db.commit()
    with fixed_now(REGISTERED_AT):
        response = post_form(client, "/register", VALID, follow_redirects=False)
    assert response.status_code == 303
    person = db.exec(select(Participant)).one()
    assert person.privacy_consent_at == REGISTERED_AT
    # The organisers see it on the person's page, in the event's time (UTC+7).
    client.cookies.clear()
    sign_in_as(client, organiser, db)
    english(client)
    page = client.get(f"/organiser/participants/{person.id}").text
    assert "given when registering, Tue 2 May 2023, 10:15" in page


def test_representatives_added_later_have_no_consent_of_their_own(
    client: TestClient, db: Session
) -> None:
    event = make_event(db)
    org = make_org(db, event, "Quỹ Đầu tư Mekong")
    _, account = make_participant(db, org, "Lê Văn An")
    db.commit()
    sign_in_as(client, account, db)
    added = post_form(
        client,
        "/me/profile/representatives",
        {"full_name": "Phạm Thu Hà", "email": "ha@mekong.vn", "languages": ["vi"]},
        follow_redirects=False,
    )
    assert added.status_code == 303
    colleague = db.exec(select(Participant).where(Participant.email == "ha@mekong.vn")).one()
    assert colleague.privacy_consent_at is None
    organiser = make_organiser(db)
    db.commit()
    client.cookies.clear()
    sign_in_as(client, organiser, db)
    english(client)
    page = client.get(f"/organiser/participants/{colleague.id}").text
    assert "none of their own (added by a colleague or imported)" in page


# --- after registering -------------------------------------------------------------------


def test_sent_page_without_a_mail_server_promises_no_email(client: TestClient, db: Session) -> None:
    make_event(db)
    db.commit()
    english(client)
    assert post_form(client, "/register", VALID, follow_redirects=False).status_code == 303
    page = client.get("/register/sent").text
    assert "<h1>Registration received</h1>" in page
    assert "This site sends no e-mail at the moment, so do not wait for one" in page
    assert "the organisers will confirm your registration" in page
    assert "Check your email" not in page
    assert "We have sent a message" not in page


def test_sent_page_with_a_mail_server_says_to_check_the_email(
    client: TestClient, db: Session, smtp_server: SMTPServer
) -> None:
    make_event(db)
    db.commit()
    with_mail_server(client, smtp_server)
    english(client)
    page = client.get("/register/sent").text
    assert "<h1>Check your email</h1>" in page
    assert "We have sent a message to the address you gave." in page


def test_organisers_see_the_unconfirmed_registration_and_their_link_confirms_it(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    organiser = make_organiser(db)
    db.commit()
    assert post_form(client, "/register", VALID, follow_redirects=False).status_code == 303
    person = db.exec(select(Participant)).one()
    client.cookies.clear()
    sign_in_as(client, organiser, db)
    english(client)
    approvals = client.get("/organiser/approvals").text
    assert "Registrations waiting for their e-mail address to be confirmed" in approvals
    assert "No mail server is configured, so their confirmation e-mails stay in the outbox" in (
        approvals
    )
    assert f'<a href="/organiser/participants/{person.id}">Trần Thị Mai</a>' in approvals
    # The organiser hands over the person's link; using it confirms the registration.
    issued = post_form(client, f"/organiser/participants/{person.id}/link", {})
    assert issued.status_code == 200, issued.text
    link = re.search(r'value="[^"]+?(/signin/link/[^"]+)"', issued.text)
    assert link is not None
    client.cookies.clear()
    confirmed = post_form(client, link.group(1), {}, follow_redirects=False)
    assert confirmed.headers["location"] == "/me/profile?saved=registered"
    db.expire_all()
    account = db.exec(select(Account).where(Account.participant_id == person.id)).one()
    assert account.confirmation_pending is False


# --- the representatives on the audit log ----------------------------------------------------


def test_adding_and_removing_a_representative_shows_on_the_organisers_audit_log(
    client: TestClient, db: Session
) -> None:
    event = make_event(db)
    organiser = make_organiser(db)
    org = make_org(db, event, "Quỹ Đầu tư Mekong")
    _, account = make_participant(db, org, "Lê Văn An")
    db.commit()
    sign_in_as(client, account, db)
    post_form(
        client,
        "/me/profile/representatives",
        {"full_name": "Phạm Thu Hà", "email": "ha@mekong.vn", "languages": ["vi"]},
        follow_redirects=False,
    )
    colleague = db.exec(select(Participant).where(Participant.email == "ha@mekong.vn")).one()
    removed = post_form(
        client, f"/me/profile/representatives/{colleague.id}/remove", {}, follow_redirects=False
    )
    assert removed.status_code == 303
    entries = db.exec(
        select(AuditLog).where(col(AuditLog.action).startswith("representative."))
    ).all()
    assert [(e.action, e.event_id) for e in entries] == [
        ("representative.add", event.id),
        ("representative.remove", event.id),
    ]
    client.cookies.clear()
    sign_in_as(client, organiser, db)
    english(client)
    log = client.get("/organiser/audit").text
    assert "Added Phạm Thu Hà as a representative of Quỹ Đầu tư Mekong." in log
    assert "Removed Phạm Thu Hà as a representative of Quỹ Đầu tư Mekong." in log

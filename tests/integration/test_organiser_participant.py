"""The organiser's page of one participant: counts, correcting the profile, the link."""

from __future__ import annotations

import re

from litestar.testing import TestClient
from sqlmodel import Session, select

from matchmaker.models import (
    Account,
    AuditLog,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    OrgKind,
    RequestStatus,
    Slot,
)
from tests.conftest import post_form
from tests.factories import make_org, make_participant
from tests.sessions import World, make_world, open_session

ORGANISATION = {
    "name": "Công ty Khởi nghiệp Mê Kông Xanh",
    "kind": "tech_firm",
    "sectors": ["agritech"],
    "province": "Cần Thơ",
    "description": "Cảm biến độ mặn cho ruộng lúa.",
    "offers": ["iot_solutions"],
    "seeks": ["seed_investment"],
}
PERSON = {
    "full_name": "Nguyễn Văn An Bình",
    "title": "Giám đốc",
    "email": "An.Binh@Mekong.vn",
    "phone": "0909 123 456",
    "languages": ["vi", "en"],
}


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error" role="alert">([^<]*)</p>', html)
    return match.group(1) if match else ""


def stats(html: str) -> list[str]:
    """The page's figures with their labels, as read on the page."""
    found = re.findall(
        r'<span class="stat-value">(\d+)</span><span class="stat-label">([^<]*)', html
    )
    return [f"{value} {label}" for value, label in found]


def _busy_world(db: Session) -> World:
    """The world's startup sent two requests (one accepted) and received one (pending);
    one meeting has a slot and another person of the startup attends it."""
    world = make_world(db)
    colleague, _ = make_participant(db, world.own_org, "Lê Thị Cúc")
    third = make_org(db, world.event, "Trung tâm Xúc tiến Thương mại", OrgKind.agency)
    first = db.exec(select(MeetingRequest)).one()
    first.status = RequestStatus.accepted
    db.add(
        MeetingRequest(
            event_id=world.event.id or 0, from_org_id=world.own_org.id or 0, to_org_id=third.id or 0
        )
    )
    db.add(
        MeetingRequest(
            event_id=world.event.id or 0, from_org_id=third.id or 0, to_org_id=world.own_org.id or 0
        )
    )
    meeting = db.exec(select(Meeting)).one()
    meeting.slot_id = db.exec(select(Slot).order_by(Slot.position)).first().id  # type: ignore[union-attr]
    meeting.status = MeetingStatus.scheduled
    meeting.person_a_id = colleague.id
    db.commit()
    return world


def test_participant_page_counts_requests_and_meetings(client: TestClient, db: Session) -> None:
    world = _busy_world(db)
    open_session(client, world.organiser)
    client.cookies.set("mm_lang", "en")
    response = client.get(f"/organiser/participants/{world.own.id}")
    assert response.status_code == 200
    assert stats(response.text) == [
        "2 requests sent (1 accepted)",
        "1 requests received (0 accepted, 1 to answer)",
        "1 meetings agreed",
        "1 meetings with a time and table",
        "0 of them attended by Nguyễn Văn An",
    ]


def test_participant_page_edits_the_organisation_kind_included(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    open_session(client, world.organiser)
    url = f"/organiser/participants/{world.own.id}"
    response = post_form(client, f"{url}/organisation", ORGANISATION, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?saved=organisation#profile"
    db.refresh(world.own_org)
    assert (world.own_org.name, world.own_org.kind, world.own_org.province) == (
        "Công ty Khởi nghiệp Mê Kông Xanh",
        OrgKind.tech_firm,
        "Cần Thơ",
    )
    assert db.exec(select(AuditLog.action)).all() == ["organisation.edit"]


def test_participant_page_edit_refused_shows_errors_and_changes_nothing(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    open_session(client, world.organiser)
    client.cookies.set("mm_lang", "en")
    url = f"/organiser/participants/{world.own.id}"
    response = post_form(
        client, f"{url}/organisation", {**ORGANISATION, "sectors": [], "name": "X"}
    )
    assert response.status_code == 400
    assert field_error(response.text, "sectors") == "Choose at least one."
    assert field_error(response.text, "name") != ""
    db.refresh(world.own_org)
    assert world.own_org.name == "Công ty Khởi nghiệp Mê Kông"


def test_participant_page_edits_the_person_and_their_account(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    open_session(client, world.organiser)
    url = f"/organiser/participants/{world.own.id}"
    response = post_form(client, f"{url}/person", PERSON, follow_redirects=False)
    assert response.status_code == 303
    db.refresh(world.own)
    db.refresh(world.own_account)
    assert (world.own.full_name, world.own.email, world.own_account.email) == (
        "Nguyễn Văn An Bình",
        "an.binh@mekong.vn",
        "an.binh@mekong.vn",
    )


def test_participant_page_refuses_an_address_another_person_uses(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    open_session(client, world.organiser)
    client.cookies.set("mm_lang", "en")
    url = f"/organiser/participants/{world.own.id}"
    response = post_form(client, f"{url}/person", {**PERSON, "email": "binh.private@quy.vn"})
    assert response.status_code == 400
    assert field_error(response.text, "email") == "This email address is already registered."
    assert db.exec(select(Account.email).where(Account.id == world.own_account.id)).one() == (
        "an@mekong.vn"
    )


def test_participant_page_edit_is_for_organisers_only(client: TestClient, db: Session) -> None:
    world = make_world(db)
    open_session(client, world.own_account)
    url = f"/organiser/participants/{world.own.id}"
    assert post_form(client, f"{url}/person", PERSON).status_code == 403
    assert post_form(client, f"{url}/organisation", ORGANISATION).status_code == 403


def test_participant_page_link_has_a_copy_button_and_a_readonly_field(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    open_session(client, world.organiser)
    shown = post_form(client, f"/organiser/participants/{world.own.id}/link", {})
    assert re.search(
        r'<input id="sign-in-link-url" class="copy" type="text" readonly value="http://testserver.local/signin/link/[^"]+"',
        shown.text,
    )
    assert re.search(
        r'<button type="button" class="button secondary" id="copy-link" hidden', shown.text
    )
    assert "navigator.clipboard.writeText(field.value)" in shown.text


def test_organiser_home_cards_and_list_count_organisations_and_participants_alike(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)  # a startup and an investor, one person each
    make_participant(db, world.other_org, "Đặng Văn Bảo")
    waiting = make_org(db, world.event, "Quỹ Chờ Duyệt", OrgKind.investor, approved=False)
    make_participant(db, waiting, "Âu Minh Châu")
    db.commit()
    open_session(client, world.organiser)
    client.cookies.set("mm_lang", "en")
    html = client.get("/organiser").text
    cards = re.findall(
        r'<span class="stat-value">([^<]*)</span>'
        r'<span class="stat-label">\s*([^<]*?)\s*· ([^<]*)</span>',
        html,
    )
    assert cards[:3] == [
        ("1 organisation", "Startups", "1 participant"),
        ("0 organisations", "Technology firms", "0 participants"),
        ("2 organisations", "Investors and funds", "3 participants"),
    ]
    assert '<p class="muted">4 participants · 3 organisations</p>' in html
    filtered = client.get("/organiser", params={"kind": "investor"}).text
    assert '<p class="muted">3 participants · 2 organisations</p>' in filtered


def test_home_names_the_venue_and_city_without_repeating_a_place(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    world.event.venue = "Trung tâm Hội nghị tỉnh Hậu Giang, Vị Thanh"
    world.event.city = "Vị Thanh, Hậu Giang"
    db.commit()
    html = client.get("/").text
    assert '<p class="venue">Trung tâm Hội nghị tỉnh Hậu Giang, Vị Thanh, Hậu Giang</p>' in html

"""Recommendations over the database and through the web: reasons in words, the
organiser's rules, organisations already in contact, the participant-only pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.testing import TestClient
from sqlmodel import Session

from matchmaker.matching import suggestions_for
from matchmaker.models import (
    Account,
    Event,
    MeetingRequest,
    MeetingStatus,
    Organisation,
    OrgKind,
    RequestStatus,
)
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_meeting, make_org, make_organiser, make_participant


@dataclass
class World:
    event: Event
    startup: Organisation
    investor: Organisation  # offers what the startup seeks, same sector
    tech: Organisation  # offers cloud services the startup seeks
    agency: Organisation  # a pilot customer for the startup
    startup_user: Account


def make_world(db: Session, **rules: Any) -> World:
    event = make_event(db)
    event.rules = rules
    db.add(event)
    startup = make_org(
        db, event, "Mekong Agritech", OrgKind.startup,
        sectors=["agritech"], offers=["iot_solutions"],
        seeks=["seed_investment", "cloud_services", "pilot_customer"],
        seeks_text="Đang tìm vốn đầu tư và đối tác triển khai cảm biến cho ruộng lúa.",
    )
    investor = make_org(
        db, event, "Quỹ Đầu tư Sáng tạo Cần Thơ", OrgKind.investor,
        sectors=["agritech", "fintech"], offers=["seed_investment", "mentoring"],
        seeks=["deal_flow"],
    )
    tech = make_org(
        db, event, "Công ty Điện toán Sài Gòn", OrgKind.tech_firm,
        sectors=["smart_city"], offers=["cloud_services"], seeks=["pilot_customer"],
    )
    agency = make_org(
        db, event, "Sở Nông nghiệp Hậu Giang", OrgKind.agency,
        sectors=["agritech"], offers=["pilot_customer"], seeks=["iot_solutions"],
    )
    _, startup_user = make_participant(db, startup, "Nguyễn Văn An")
    for org in (investor, tech, agency):
        make_participant(db, org, f"Đại diện {org.name}")
    db.commit()
    return World(event, startup, investor, tech, agency, startup_user)


def suggested(db: Session, w: World, org: Organisation | None = None) -> list[str]:
    return [s.organisation.name for s in suggestions_for(db, w.event, org or w.startup)]


def request_row(
    db: Session, w: World, frm: Organisation, to: Organisation, status: RequestStatus
) -> None:
    db.add(MeetingRequest(event_id=w.event.id or 0, from_org_id=frm.id or 0,
                          to_org_id=to.id or 0, status=status))
    db.commit()


# --- the service -------------------------------------------------------------


def test_suggestions_for_ranks_the_best_fit_first_with_reasons(db: Session) -> None:
    w = make_world(db)
    found = suggestions_for(db, w.event, w.startup)
    assert [s.organisation.name for s in found] == [
        "Sở Nông nghiệp Hậu Giang",
        "Quỹ Đầu tư Sáng tạo Cần Thơ",
        "Công ty Điện toán Sài Gòn",
    ]
    assert [r.code for r in found[0].reasons] == ["they_offer", "they_seek", "sectors", "kinds"]
    assert all(0 < s.fit <= 100 for s in found)


def test_suggestions_for_excludes_own_and_unapproved_organisations(db: Session) -> None:
    w = make_world(db)
    w.agency.approved = False
    db.add(w.agency)
    db.commit()
    assert suggested(db, w) == ["Quỹ Đầu tư Sáng tạo Cần Thơ", "Công ty Điện toán Sài Gòn"]


def test_suggestions_for_an_organisation_awaiting_approval_is_empty(db: Session) -> None:
    w = make_world(db)
    w.startup.approved = False
    db.add(w.startup)
    db.commit()
    assert suggested(db, w) == []


def test_suggestions_for_respects_who_may_request_whom(db: Session) -> None:
    w = make_world(db, allowed_pairs={"startup": ["investor", "agency"], "investor": []})
    assert suggested(db, w) == ["Sở Nông nghiệp Hậu Giang", "Quỹ Đầu tư Sáng tạo Cần Thơ"]
    assert suggested(db, w, w.investor) == []


def test_suggestions_for_hides_organisations_requested_in_either_direction(db: Session) -> None:
    w = make_world(db)
    request_row(db, w, w.startup, w.agency, RequestStatus.pending)
    request_row(db, w, w.tech, w.startup, RequestStatus.declined)
    assert suggested(db, w) == ["Quỹ Đầu tư Sáng tạo Cần Thơ"]


def test_suggestions_for_shows_again_after_a_withdrawn_request(db: Session) -> None:
    w = make_world(db)
    request_row(db, w, w.startup, w.agency, RequestStatus.withdrawn)
    assert "Sở Nông nghiệp Hậu Giang" in suggested(db, w)


def test_suggestions_for_hides_organisations_already_meeting(db: Session) -> None:
    w = make_world(db)
    make_meeting(db, w.event, w.startup, w.investor)
    make_meeting(db, w.event, w.startup, w.tech, status=MeetingStatus.cancelled)
    db.commit()
    assert suggested(db, w) == ["Sở Nông nghiệp Hậu Giang", "Công ty Điện toán Sài Gòn"]


def test_suggestions_for_filters_by_kind(db: Session) -> None:
    w = make_world(db)
    found = suggestions_for(db, w.event, w.startup, kind=OrgKind.tech_firm)
    assert [s.organisation.name for s in found] == ["Công ty Điện toán Sài Gòn"]


# --- the pages ---------------------------------------------------------------


def test_suggestions_page_shows_cards_with_reasons(client: TestClient, db: Session) -> None:
    w = make_world(db)
    sign_in_as(client, w.startup_user, db)
    response = client.get("/me/suggestions")
    assert response.status_code == 200
    page = response.text
    assert "Gợi ý cho bạn" in page
    assert f'href="/directory/{w.investor.id}"' in page
    assert f'href="/requests/new?to={w.investor.id}"' in page
    assert "Họ cung cấp vốn đầu tư giai đoạn hạt giống – điều bạn đang tìm" in page
    assert "Cả hai cùng hoạt động trong lĩnh vực Nông nghiệp công nghệ cao" in page
    assert "Vai trò bổ trợ nhau: nhà đầu tư và doanh nghiệp khởi nghiệp" in page
    assert "<meter" in page


def test_suggestions_page_explains_why_it_is_empty_before_approval(
    client: TestClient, db: Session
) -> None:
    w = make_world(db)
    w.startup.approved = False
    db.add(w.startup)
    db.commit()
    sign_in_as(client, w.startup_user, db)
    page = client.get("/me/suggestions").text
    assert "Tổ chức của bạn đang chờ ban tổ chức phê duyệt" in page
    assert "Hiện chưa có gợi ý nào." in page


def test_suggestions_page_asks_for_offers_and_seeks_when_the_profile_lacks_them(
    client: TestClient, db: Session
) -> None:
    w = make_world(db)
    sign_in_as(client, w.startup_user, db)
    hint = "Hồ sơ của bạn chưa nêu những gì bạn cung cấp và đang tìm kiếm"
    assert hint not in client.get("/me/suggestions").text
    w.startup.offers, w.startup.seeks = [], []
    db.add(w.startup)
    db.commit()
    assert hint in client.get("/me/suggestions").text


def test_suggestions_page_speaks_english_when_chosen(client: TestClient, db: Session) -> None:
    w = make_world(db)
    sign_in_as(client, w.startup_user, db)
    post_form(client, "/lang", {"locale": "en", "next": "/me/suggestions"})
    page = client.get("/me/suggestions").text
    assert "Suggested for you" in page
    assert "They offer seed investment, which you seek" in page
    assert "Complementary roles: investor and startup" in page


def test_suggestions_page_excludes_requested_organisations(
    client: TestClient, db: Session
) -> None:
    w = make_world(db)
    request_row(db, w, w.startup, w.investor, RequestStatus.pending)
    sign_in_as(client, w.startup_user, db)
    page = client.get("/me/suggestions").text
    assert "Quỹ Đầu tư Sáng tạo Cần Thơ" not in page
    assert "Sở Nông nghiệp Hậu Giang" in page


def test_suggestions_page_kind_filter_swaps_only_the_list(
    client: TestClient, db: Session
) -> None:
    w = make_world(db)
    sign_in_as(client, w.startup_user, db)
    response = client.get(
        "/me/suggestions?kind=agency",
        headers={"hx-request": "true", "hx-target": "suggestion-results"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="suggestion-results"' in response.text
    assert "Sở Nông nghiệp Hậu Giang" in response.text
    assert "Quỹ Đầu tư Sáng tạo Cần Thơ" not in response.text


def test_suggestions_top_lists_at_most_five(client: TestClient, db: Session) -> None:
    w = make_world(db)
    for i in range(6):
        make_org(db, w.event, f"Quỹ Hạt Giống {i}", OrgKind.investor,
                 sectors=["agritech"], offers=["seed_investment"])
    db.commit()
    sign_in_as(client, w.startup_user, db)
    response = client.get("/me/suggestions/top", headers={"hx-request": "true"})
    assert response.status_code == 200
    assert response.text.count('href="/requests/new?to=') == 5
    assert 'href="/me/suggestions"' in response.text


def test_participant_home_loads_the_top_suggestions(client: TestClient, db: Session) -> None:
    w = make_world(db)
    sign_in_as(client, w.startup_user, db)
    page = client.get("/me").text
    assert 'hx-get="/me/suggestions/top"' in page


def test_suggestions_pages_are_for_participants_only(client: TestClient, db: Session) -> None:
    make_world(db)
    for url in ("/me/suggestions", "/me/suggestions/top"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code in (302, 303, 307), url
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    assert client.get("/me/suggestions").status_code == 403
    assert client.get("/me/suggestions/top").status_code == 403


def test_suggestions_page_all_kinds_option_shows_every_kind(
    client: TestClient, db: Session
) -> None:
    w = make_world(db)
    sign_in_as(client, w.startup_user, db)
    response = client.get("/me/suggestions?kind=")
    assert response.status_code == 200
    assert response.text.count('class="org-card suggestion"') == 3


def test_suggestions_page_rejects_an_unknown_kind(client: TestClient, db: Session) -> None:
    w = make_world(db)
    sign_in_as(client, w.startup_user, db)
    response = client.get("/me/suggestions?kind=spaceship")
    assert response.status_code == 400
    assert "Loại hình tổ chức không hợp lệ." in response.text

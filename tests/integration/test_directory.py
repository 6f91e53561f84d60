"""The directory: filters, diacritic-insensitive search, htmx partial, pages, and
organisation pages that never show private fields."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from litestar.testing import TestClient
from sqlmodel import Session

from matchmaker.models import Event, Organisation, OrgKind
from tests.conftest import sign_in_as
from tests.factories import make_event, make_meeting, make_org, make_organiser, make_participant


def names(html: str) -> list[str]:
    """Organisation names listed in the directory results, in order."""
    return re.findall(r'<h2><a href="/directory/\d+">([^<]*)</a></h2>', html)


def arrange(db: Session) -> tuple[Event, dict[str, Organisation]]:
    event = make_event(db)
    orgs = {
        "fund": make_org(
            db,
            event,
            "Quỹ Mekong Ventures",
            OrgKind.investor,
            sectors=["agritech", "fintech"],
            province="TP. Hồ Chí Minh",
            offers=["seed_investment"],
            seeks=["deal_flow"],
            offers_text="Vốn ĐẦU TƯ cho startup nông nghiệp.",
        ),
        "startup": make_org(
            db,
            event,
            "Công ty Nông Nghiệp Số",
            OrgKind.startup,
            sectors=["agritech"],
            province="Hậu Giang",
            offers=["iot_solutions"],
            seeks=["seed_investment"],
            description="Cảm biến độ mặn cho ruộng lúa.",
        ),
        "agency": make_org(
            db,
            event,
            "Sở Thông tin và Truyền thông",
            OrgKind.agency,
            sectors=["digital_government"],
            province="Hậu Giang",
            offers=["public_sector_contracts"],
            seeks=["technology_partner"],
        ),
        "hidden": make_org(db, event, "Startup Chưa Duyệt", OrgKind.startup, approved=False),
    }
    return event, orgs


def signed_in_participant(client: TestClient, db: Session, org: Organisation) -> None:
    _, account = make_participant(db, org, "Người Xem", "viewer@example.vn")
    db.commit()
    sign_in_as(client, account, db)


def test_directory_lists_approved_organisations_by_name(client: TestClient, db: Session) -> None:
    _, orgs = arrange(db)
    signed_in_participant(client, db, orgs["agency"])
    response = client.get("/directory")
    assert response.status_code == 200
    assert names(response.text) == [
        "Công ty Nông Nghiệp Số",
        "Quỹ Mekong Ventures",
        "Sở Thông tin và Truyền thông",
    ]


def test_directory_search_ignores_diacritics_in_offers_text(
    client: TestClient, db: Session
) -> None:
    _, orgs = arrange(db)
    signed_in_participant(client, db, orgs["agency"])
    # "dau tu" finds "ĐẦU TƯ" in the fund's own words and "đầu tư" in the startup's
    # seeks tag label ("vốn đầu tư giai đoạn hạt giống"); the fund, which offers it,
    # comes first, and the count says where each was found.
    response = client.get("/directory", params={"q": "dau tu"})
    assert names(response.text) == ["Quỹ Mekong Ventures", "Công ty Nông Nghiệp Số"]
    assert (
        "2 tổ chức nhắc đến “dau tu” trong hồ sơ: 1 tổ chức có trong tên, mô tả hoặc "
        "những gì họ cung cấp (xếp trước), 1 tổ chức chỉ có trong những gì họ tìm kiếm."
    ) in " ".join(response.text.split())
    assert names(client.get("/directory", params={"q": "do man"}).text) == [
        "Công ty Nông Nghiệp Số"
    ]


def test_directory_search_finds_names_first(client: TestClient, db: Session) -> None:
    _, orgs = arrange(db)
    signed_in_participant(client, db, orgs["agency"])
    response = client.get("/directory", params={"q": "nong nghiep"})
    # The name match comes before the fund whose offers text mentions "nông nghiệp".
    assert names(response.text) == ["Công ty Nông Nghiệp Số", "Quỹ Mekong Ventures"]


def test_directory_filters_narrow_the_list(client: TestClient, db: Session) -> None:
    _, orgs = arrange(db)
    signed_in_participant(client, db, orgs["agency"])

    def listed(**params: str) -> list[str]:
        return names(client.get("/directory", params=params).text)

    assert listed(kind="investor") == ["Quỹ Mekong Ventures"]
    assert listed(sector="agritech") == ["Công ty Nông Nghiệp Số", "Quỹ Mekong Ventures"]
    assert listed(province="Hậu Giang") == [
        "Công ty Nông Nghiệp Số",
        "Sở Thông tin và Truyền thông",
    ]
    assert listed(offers="seed_investment") == ["Quỹ Mekong Ventures"]
    assert listed(seeks="seed_investment") == ["Công ty Nông Nghiệp Số"]
    assert listed(sector="agritech", kind="startup") == ["Công ty Nông Nghiệp Số"]
    assert listed(kind="university") == []
    assert listed(kind="spaceship", day="x") == []


def test_directory_day_filter_uses_availability(client: TestClient, db: Session) -> None:
    _, orgs = arrange(db)
    fund_rep, _ = make_participant(db, orgs["fund"], "Lê Quỹ")
    fund_rep.available_sessions = ["d2-am"]
    db.add(fund_rep)
    make_participant(db, orgs["startup"], "Trần Startup")  # present on both days
    signed_in_participant(client, db, orgs["agency"])
    day1 = names(client.get("/directory", params={"day": "1"}).text)
    day2 = names(client.get("/directory", params={"day": "2"}).text)
    assert "Quỹ Mekong Ventures" not in day1
    assert "Công ty Nông Nghiệp Số" in day1
    assert {"Quỹ Mekong Ventures", "Công ty Nông Nghiệp Số"} <= set(day2)


def test_directory_htmx_request_returns_only_the_results(client: TestClient, db: Session) -> None:
    _, orgs = arrange(db)
    signed_in_participant(client, db, orgs["agency"])
    response = client.get(
        "/directory",
        params={"q": "mekong"},
        headers={"HX-Request": "true", "HX-Target": "directory-results"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="directory-results"')
    assert "<html" not in response.text
    assert names(response.text) == ["Quỹ Mekong Ventures"]


def test_directory_pages_through_results(client: TestClient, db: Session) -> None:
    event = make_event(db)
    for i in range(23):
        make_org(db, event, f"Startup {i:02d}", description="thu nghiem")
    viewer = make_org(db, event, "Zeta Viewer")
    signed_in_participant(client, db, viewer)
    first = client.get("/directory", params={"q": "startup"})
    assert names(first.text) == [f"Startup {i:02d}" for i in range(20)]
    assert 'href="/directory?q=startup&amp;page=2"' in first.text
    second = client.get("/directory", params={"q": "startup", "page": "2"})
    assert names(second.text) == ["Startup 20", "Startup 21", "Startup 22"]


def test_private_fields_never_reach_directory_pages(client: TestClient, db: Session) -> None:
    _, orgs = arrange(db)
    make_participant(db, orgs["fund"], "Hoàng Minh Quân", "quan@mekong.vn")
    signed_in_participant(client, db, orgs["agency"])
    listing = client.get("/directory", params={"q": "mekong"})
    page = client.get(f"/directory/{orgs['fund'].id}")
    assert page.status_code == 200
    assert "Hoàng Minh Quân" in page.text
    for html in (listing.text, page.text):
        assert "quan@mekong.vn" not in html
        assert "0909" not in html  # factory phone numbers start with 0909
    assert f'href="/requests/new?to={orgs["fund"].id}"' in page.text


def test_own_organisation_page_has_no_request_button(client: TestClient, db: Session) -> None:
    _, orgs = arrange(db)
    signed_in_participant(client, db, orgs["startup"])
    page = client.get(f"/directory/{orgs['startup'].id}")
    assert page.status_code == 200
    assert "/requests/new" not in page.text
    assert 'href="/me/profile"' in page.text


def test_unapproved_organisation_page_is_hidden_from_others(
    client: TestClient, db: Session
) -> None:
    _, orgs = arrange(db)
    signed_in_participant(client, db, orgs["agency"])
    assert client.get(f"/directory/{orgs['hidden'].id}").status_code == 404
    assert client.get("/directory/999999").status_code == 404


def test_organisers_see_the_directory_and_unapproved_pages(client: TestClient, db: Session) -> None:
    _, orgs = arrange(db)
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    assert client.get("/directory").status_code == 200
    page = client.get(f"/directory/{orgs['hidden'].id}")
    assert page.status_code == 200
    assert "/requests/new" not in page.text


def test_directory_needs_a_signed_in_user(client: TestClient, db: Session) -> None:
    arrange(db)
    db.commit()
    response = client.get("/directory", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/signin")


# --- standings, sorting, the stage filter ------------------------------------------


def test_directory_cards_offer_a_request_only_where_the_form_would_accept(
    client: TestClient, db: Session
) -> None:
    event, orgs = arrange(db)
    event.rules = {"allowed_pairs": {"startup": ["investor", "startup"]}}
    other_fund = make_org(db, event, "Quỹ Đã Hẹn", OrgKind.investor)
    make_meeting(db, event, orgs["startup"], other_fund)
    signed_in_participant(client, db, orgs["startup"])
    page = " ".join(client.get("/directory").text.split())
    links = re.findall(r'href="/requests/new\?to=(\d+)"', page)
    assert links == [str(orgs["fund"].id)]
    assert "Đã đồng ý gặp" in page and 'href="/me/agenda"' in page
    assert "Quy định của ban tổ chức không cho phép" in page  # the agency
    assert "Tổ chức của bạn" in page
    # The request form for the pair that already meets explains it, no error page.
    form = client.get(f"/requests/new?to={other_fund.id}")
    assert form.status_code == 200
    assert "Bạn đã có cuộc gặp với tổ chức này." in form.text
    assert 'name="message"' not in form.text
    assert 'href="/me/agenda"' in form.text
    # An organisation's own page says the same.
    profile = client.get(f"/directory/{other_fund.id}").text
    assert "/requests/new" not in profile and "Đã đồng ý gặp" in profile


def test_directory_lists_the_readers_own_organisation_last(client: TestClient, db: Session) -> None:
    _, orgs = arrange(db)
    signed_in_participant(client, db, orgs["startup"])  # "Công ty ..." sorts first by name
    for sort in ("", "name", "newest", "match"):
        listed = names(client.get("/directory", params={"sort": sort}).text)
        assert listed[-1] == "Công ty Nông Nghiệp Số", sort
        assert len(listed) == 3


def test_directory_sorts_by_name_newest_and_best_match(client: TestClient, db: Session) -> None:
    event, orgs = arrange(db)
    orgs["fund"].created_at = datetime(2026, 1, 3, tzinfo=UTC)
    orgs["startup"].created_at = datetime(2026, 1, 1, tzinfo=UTC)
    orgs["agency"].created_at = datetime(2026, 1, 2, tzinfo=UTC)
    late = make_org(db, event, "Zeta Agritech",
                    OrgKind.startup, sectors=["agritech"], offers=["iot_solutions"],
                    created_at=datetime(2025, 12, 1, tzinfo=UTC))  # fmt: skip
    signed_in_participant(client, db, orgs["fund"])
    by_name = names(client.get("/directory", params={"sort": "name"}).text)
    assert by_name == ["Công ty Nông Nghiệp Số", "Sở Thông tin và Truyền thông", late.name,
                       "Quỹ Mekong Ventures"]  # fmt: skip
    newest = names(client.get("/directory", params={"sort": "newest"}).text)
    assert newest == ["Sở Thông tin và Truyền thông", "Công ty Nông Nghiệp Số", late.name,
                      "Quỹ Mekong Ventures"]  # fmt: skip
    # The fund seeks deal flow in agritech: the agritech startup seeking its seed money
    # suits it best, the agency least.
    best = names(client.get("/directory", params={"sort": "match"}).text)
    assert best[0] == "Công ty Nông Nghiệp Số"
    assert best[-2:] == ["Sở Thông tin và Truyền thông", "Quỹ Mekong Ventures"]


def test_directory_stage_filter(client: TestClient, db: Session) -> None:
    event, orgs = arrange(db)
    orgs["startup"].stage = "seed"
    make_org(db, event, "Startup Tăng Trưởng", OrgKind.startup, stage="growth")
    signed_in_participant(client, db, orgs["agency"])
    assert names(client.get("/directory", params={"stage": "seed"}).text) == [
        "Công ty Nông Nghiệp Số"
    ]
    page = client.get("/directory", params={"stage": "seed"}).text
    assert "1 tổ chức khớp với bộ lọc" in page
    assert names(client.get("/directory", params={"stage": "no-such"}).text) == []

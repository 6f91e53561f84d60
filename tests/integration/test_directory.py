"""The directory: filters, diacritic-insensitive search, htmx partial, pages, and
organisation pages that never show private fields."""

from __future__ import annotations

import re

from litestar.testing import TestClient
from sqlmodel import Session

from matchmaker.models import Event, Organisation, OrgKind
from tests.conftest import sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant


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
    # seeks tag label ("vốn đầu tư giai đoạn hạt giống"); the fund also offers it.
    response = client.get("/directory", params={"q": "dau tu"})
    assert names(response.text) == ["Công ty Nông Nghiệp Số", "Quỹ Mekong Ventures"]
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

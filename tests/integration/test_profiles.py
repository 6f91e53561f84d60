"""Self-registration, approval, profile editing and representatives."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session, func, select

from matchmaker import notifications
from matchmaker.models import Account, Notification, Organisation, OrgKind, Participant, Role
from tests.conftest import post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant
from tests.smtp import SMTPServer, sign_in_links, smtp_for

VALID = {
    "name": "Công ty Cổ phần Nông nghiệp Số Hậu Giang",
    "kind": "startup",
    "sectors": ["agritech"],
    "province": "Hậu Giang",
    "stage": "seed",
    "website": "nongnghiepso.vn",
    "description": "Cảm biến độ mặn cho ruộng lúa.",
    "offers": ["iot_solutions"],
    "seeks": ["seed_investment", "pilot_customer"],
    "offers_text": "",
    "seeks_text": "Tìm vốn đầu tư hạt giống.",
    "full_name": "Trần Thị Mai",
    "title": "Giám đốc",
    "email": "Mai@NongNghiepSo.vn",
    "phone": "0909 123 456",
    "languages": ["vi", "en"],
    "password": "mat-khau-rat-dai",
    "privacy_consent": "yes",
}


def counts(db: Session) -> tuple[int, int, int]:
    db.expire_all()
    return (
        db.exec(select(func.count()).select_from(Organisation)).one(),
        db.exec(select(func.count()).select_from(Participant)).one(),
        db.exec(select(func.count()).select_from(Account)).one(),
    )


def field_error(html: str, field: str) -> str:
    """The error message shown right below `field` (empty when none)."""
    match = re.search(rf'<p class="error" id="{field}-error" role="alert">([^<]*)</p>', html)
    return match.group(1) if match else ""


def english(client: TestClient) -> None:
    client.cookies.set("mm_lang", "en")


def with_mail_server(client: TestClient, smtp_server: SMTPServer) -> None:
    """The app as configured with a mail server (the default test app has none)."""
    settings = client.app.state.settings
    client.app.state.settings = settings.model_copy(update={"smtp": smtp_for(smtp_server)})


def send_outbox(db: Session, smtp_server: SMTPServer) -> None:
    """What `matchmaker send-mail` does, to the test's SMTP server."""
    db.expire_all()
    notifications.send_pending(db, smtp_for(smtp_server), base_url="http://testserver.local")
    db.commit()


def without_csrf(html: str) -> str:
    """A page with its CSRF tokens (new for every client) blanked out."""
    html = re.sub(r'(name="_csrf_token" value=")[^"]*', r"\1", html)
    return re.sub(r'("x-csrftoken": ")[^"]*', r"\1", html)


def test_register_creates_profile_and_account_waiting_for_the_emailed_link(
    client: TestClient, db: Session, smtp_server: SMTPServer
) -> None:
    make_event(db)
    db.commit()
    with_mail_server(client, smtp_server)
    response = post_form(client, "/register", VALID, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/register/sent"
    assert "Hãy kiểm tra email của bạn" in client.get("/register/sent").text
    org = db.exec(select(Organisation)).one()
    assert (org.name, org.kind, org.sectors, org.province, org.website) == (
        "Công ty Cổ phần Nông nghiệp Số Hậu Giang",
        OrgKind.startup,
        ["agritech"],
        "Cần Thơ",  # Hậu Giang is part of Cần Thơ since the 2025 merger
        "https://nongnghiepso.vn",
    )
    assert org.name_folded == "cong ty co phan nong nghiep so hau giang"
    assert org.seeks == ["seed_investment", "pilot_customer"]
    assert org.approved is False  # listed once the address is confirmed
    person = db.exec(select(Participant)).one()
    assert (person.email, person.languages, person.organisation_id) == (
        "mai@nongnghiepso.vn",
        ["vi", "en"],
        org.id,
    )
    account = db.exec(select(Account)).one()
    assert (account.role, account.participant_id) == (Role.participant, person.id)
    assert account.confirmation_pending is True
    # Not signed in, and the password does not sign in before the address is confirmed.
    assert client.get("/me/profile", follow_redirects=False).status_code == 302
    refused = post_form(
        client,
        "/signin",
        {"email": "mai@nongnghiepso.vn", "password": VALID["password"]},
        follow_redirects=False,
    )
    assert refused.status_code == 400

    send_outbox(db, smtp_server)
    [link] = sign_in_links(smtp_server, "mai@nongnghiepso.vn")
    confirmed = post_form(client, link, {}, follow_redirects=False)

    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == "/me/profile?saved=registered"
    page = client.get("/me/profile?saved=registered")
    assert page.status_code == 200
    assert "Công ty Cổ phần Nông nghiệp Số Hậu Giang" in page.text
    assert "Tổ chức của bạn đã được đăng ký và bạn đã đăng nhập." in page.text
    db.refresh(org)
    db.refresh(account)
    assert (org.approved, account.confirmation_pending) == (True, False)
    assert org.name in client.get("/directory").text
    post_form(client, "/signout", {}, follow_redirects=False)
    signed_in = post_form(
        client,
        "/signin",
        {"email": "mai@nongnghiepso.vn", "password": VALID["password"]},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303


def test_register_with_nothing_shows_each_required_error_and_writes_nothing(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    db.commit()
    english(client)
    before = counts(db)
    response = post_form(client, "/register", {"languages": []})
    assert response.status_code == 400
    for field in ("name", "kind", "province", "description", "full_name", "email"):
        assert field_error(response.text, field) == "This field is required.", field
    assert field_error(response.text, "sectors") == "Choose at least one."
    assert field_error(response.text, "languages") == "Choose at least one."
    assert (
        field_error(response.text, "password") == "The password must have at least 10 characters."
    )
    assert field_error(response.text, "website") == ""
    assert counts(db) == before


def test_register_rejects_bad_formats_lengths_and_too_many_tags(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    db.commit()
    english(client)
    before = counts(db)
    bad = {
        **VALID,
        "email": "mai-at-example",
        "website": "not a web address",
        "name": "X" * 201,
        "phone": "12",
        "offers": [
            "mentoring",
            "talent",
            "training",
            "incubation",
            "deal_flow",
            "networking",
            "co_investment",
            "market_access",
            "export_partner",
        ],
        "kind": "spaceship",
    }
    response = post_form(client, "/register", bad)
    assert response.status_code == 400
    assert field_error(response.text, "email") == "Enter a valid email address."
    assert (
        field_error(response.text, "website") == "Enter a web address such as https://example.vn."
    )
    assert field_error(response.text, "name") == "At most 200 characters."
    assert field_error(response.text, "phone").startswith("Enter a phone number")
    assert field_error(response.text, "offers") == "Choose at most 8."
    assert field_error(response.text, "kind") == "Choose from the list."
    assert field_error(response.text, "seeks") == ""
    # What was typed stays in the form.
    assert 'value="mai-at-example"' in response.text
    assert counts(db) == before


def test_register_errors_are_vietnamese_by_default(client: TestClient, db: Session) -> None:
    make_event(db)
    db.commit()
    response = post_form(client, "/register", {**VALID, "email": ""})
    assert response.status_code == 400
    assert field_error(response.text, "email") == "Trường này là bắt buộc."


def test_register_with_an_address_in_use_answers_as_for_a_new_one_and_tells_its_owner(
    app: Litestar, db: Session, smtp_server: SMTPServer
) -> None:
    event = make_event(db)
    owner, owner_account = make_participant(
        db, make_org(db, event, "Quỹ Mekong"), "Lê Văn An", "mai@nongnghiepso.vn"
    )
    db.commit()
    before = counts(db)
    answers = []
    for email in ("mai@nongnghiepso.vn", "moi@nongnghiepso.vn"):
        with TestClient(app, base_url="http://testserver.local") as visitor:
            response = post_form(
                visitor, "/register", {**VALID, "email": email}, follow_redirects=False
            )
            shown = visitor.get(response.headers["location"])
            answers.append(
                (
                    response.status_code,
                    response.headers["location"],
                    sorted(response.headers.keys()),
                    response.text,
                    shown.status_code,
                    without_csrf(shown.text),
                    sorted(visitor.cookies.keys()),
                )
            )

    assert answers[0] == answers[1]
    # Only the new address made an organisation, a representative and an account.
    assert counts(db) == tuple(n + 1 for n in before)
    accounts_of_owner = db.exec(select(Account).where(Account.email == "mai@nongnghiepso.vn")).all()
    assert [a.id for a in accounts_of_owner] == [owner_account.id]
    db.refresh(owner)
    assert owner.full_name == "Lê Văn An"
    note = db.exec(select(Notification).where(Notification.account_id == owner_account.id)).one()
    assert note.subject == "Có người đã thử đăng ký bằng địa chỉ email của bạn"
    # The owner's message signs them in.
    send_outbox(db, smtp_server)
    [link] = sign_in_links(smtp_server, "mai@nongnghiepso.vn")
    with TestClient(app, base_url="http://testserver.local") as owner_browser:
        signed_in = post_form(owner_browser, link, {}, follow_redirects=False)
        assert signed_in.status_code == 303
        assert owner_browser.get("/api/me").json()["email"] == "mai@nongnghiepso.vn"


def test_register_with_an_organisers_address_tells_them_without_a_sign_in_link(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    organiser = make_organiser(db, "mai@nongnghiepso.vn")
    db.commit()
    before = counts(db)

    response = post_form(client, "/register", VALID, follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/register/sent")
    assert counts(db) == before
    note = db.exec(select(Notification).where(Notification.account_id == organiser.id)).one()
    assert (note.subject, note.link, note.sign_in_hours) == (
        "Có người đã thử đăng ký bằng địa chỉ email của bạn",
        "",
        None,
    )


def test_register_again_over_an_unconfirmed_registration_replaces_it(
    client: TestClient, db: Session, smtp_server: SMTPServer
) -> None:
    make_event(db)
    db.commit()
    post_form(client, "/register", {**VALID, "name": "Công ty Mạo Danh"}, follow_redirects=False)
    send_outbox(db, smtp_server)
    [first_link] = sign_in_links(smtp_server, "mai@nongnghiepso.vn")
    before = counts(db)

    again = post_form(
        client, "/register", {**VALID, "password": "mat-khau-that-cua-mai"}, follow_redirects=False
    )

    assert again.headers["location"] == "/register/sent"
    assert counts(db) == before
    org = db.exec(select(Organisation)).one()
    assert org.name == VALID["name"]
    # The link mailed for the first registration no longer works; the new one does.
    assert post_form(client, first_link, {}, follow_redirects=False).status_code == 400
    send_outbox(db, smtp_server)
    second_link = sign_in_links(smtp_server, "mai@nongnghiepso.vn")[-1]
    assert post_form(client, second_link, {}, follow_redirects=False).status_code == 303
    post_form(client, "/signout", {}, follow_redirects=False)
    first_password = {"email": "mai@nongnghiepso.vn", "password": VALID["password"]}
    assert post_form(client, "/signin", first_password, follow_redirects=False).status_code == 400


def test_register_when_approval_required_hides_until_organiser_approves(
    client: TestClient, db: Session, smtp_server: SMTPServer
) -> None:
    event = make_event(db)
    event.require_approval = True
    organiser = make_organiser(db)
    db.commit()
    assert post_form(client, "/register", VALID, follow_redirects=False).status_code == 303
    org = db.exec(select(Organisation)).one()
    assert org.approved is False
    # Until the address is confirmed the organisers do not see it among those to approve,
    # only among the registrations waiting for their address to be confirmed.
    client.cookies.clear()
    sign_in_as(client, organiser, db)
    waiting = client.get("/organiser/approvals").text
    assert f"/organiser/organisations/{org.id}/approve" not in waiting
    assert "Đăng ký đang chờ xác nhận địa chỉ email" in waiting
    client.cookies.clear()
    send_outbox(db, smtp_server)
    [link] = sign_in_links(smtp_server, "mai@nongnghiepso.vn")
    assert post_form(client, link, {}, follow_redirects=False).status_code == 303
    db.refresh(org)
    assert org.approved is False
    profile = client.get("/me/profile")
    assert "Tổ chức của bạn đang chờ ban tổ chức duyệt" in profile.text
    assert org.name not in client.get("/directory").text
    # The organiser sees it among the pending ones and approves it.
    client.cookies.clear()
    sign_in_as(client, organiser, db)
    pending = client.get("/organiser/approvals")
    assert org.name in pending.text
    approved = post_form(
        client, f"/organiser/organisations/{org.id}/approve", {}, follow_redirects=False
    )
    assert approved.status_code == 303
    db.refresh(org)
    assert org.approved is True
    assert org.name in client.get("/directory").text
    assert org.name not in client.get("/organiser/approvals").text


def test_approve_refuses_participants(client: TestClient, db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Startup Chờ Duyệt", approved=False)
    _, account = make_participant(db, make_org(db, event, "Khác"), "Người Khác")
    db.commit()
    sign_in_as(client, account, db)
    response = post_form(client, f"/organiser/organisations/{org.id}/approve", {})
    assert response.status_code == 403
    db.refresh(org)
    assert org.approved is False


def test_profile_edit_saves_the_organisation(client: TestClient, db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Tên Cũ", sectors=["fintech"], description="Cũ", province="Cần Thơ")
    _, account = make_participant(db, org, "Võ Minh Khoa")
    db.commit()
    sign_in_as(client, account, db)
    data = {
        k: v
        for k, v in VALID.items()
        if k
        in (
            "name",
            "kind",
            "sectors",
            "province",
            "stage",
            "website",
            "description",
            "offers",
            "seeks",
            "offers_text",
            "seeks_text",
        )
    }
    response = post_form(client, "/me/profile", {**data, "name": "Tên Mới"}, follow_redirects=False)
    assert response.status_code == 303
    db.refresh(org)
    assert (org.name, org.name_folded, org.sectors, org.province) == (
        "Tên Mới",
        "ten moi",
        ["agritech"],
        "Cần Thơ",  # "Hậu Giang" as typed: part of Cần Thơ since the 2025 merger
    )


def test_profile_edit_cannot_change_the_kind_of_an_approved_organisation(
    client: TestClient, db: Session
) -> None:
    event = make_event(db)
    org = make_org(db, event, "Công ty Nông Sản Số", OrgKind.startup, sectors=["agritech"])
    _, account = make_participant(db, org, "Võ Minh Khoa")
    db.commit()
    sign_in_as(client, account, db)
    english(client)
    fields = ("name", "sectors", "province", "description", "offers", "seeks")
    data = {k: v for k, v in VALID.items() if k in fields}

    response = post_form(client, "/me/profile", {**data, "kind": "tech_firm"})

    assert response.status_code == 400
    assert field_error(response.text, "kind") == (
        "Only the organisers can change the kind of an approved organisation."
    )
    db.refresh(org)
    assert (org.kind, org.name) == (OrgKind.startup, "Công ty Nông Sản Số")


def test_profile_edit_with_errors_keeps_values_and_changes_nothing(
    client: TestClient, db: Session
) -> None:
    event = make_event(db)
    org = make_org(db, event, "Tên Cũ", sectors=["fintech"], description="Cũ", province="Cần Thơ")
    _, account = make_participant(db, org, "Võ Minh Khoa")
    db.commit()
    sign_in_as(client, account, db)
    english(client)
    response = post_form(
        client,
        "/me/profile",
        {
            "name": "Tên Mới",
            "kind": "startup",
            "sectors": [],
            "province": "Cần Thơ",
            "description": "Mới",
        },
    )
    assert response.status_code == 400
    assert field_error(response.text, "sectors") == "Choose at least one."
    assert 'value="Tên Mới"' in response.text
    db.refresh(org)
    assert org.name == "Tên Cũ"


def test_add_representative_creates_account_and_outbox_link(
    client: TestClient, db: Session, smtp_server: SMTPServer
) -> None:
    event = make_event(db)
    org = make_org(db, event, "Quỹ Đầu tư Mekong", kind=OrgKind.investor)
    _, account = make_participant(db, org, "Lê Văn An")
    db.commit()
    sign_in_as(client, account, db)
    response = post_form(
        client,
        "/me/profile/representatives",
        {"full_name": "Phạm Thu Hà", "email": "ha@mekong.vn", "languages": ["vi"]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    person = db.exec(select(Participant).where(Participant.email == "ha@mekong.vn")).one()
    assert person.organisation_id == org.id
    new_account = db.exec(select(Account).where(Account.email == "ha@mekong.vn")).one()
    assert (new_account.role, new_account.participant_id) == (Role.participant, person.id)
    note = db.exec(select(Notification).where(Notification.to_email == "ha@mekong.vn")).one()
    assert (note.link, note.sign_in_hours) == ("", 14 * 24)
    send_outbox(db, smtp_server)
    [link] = sign_in_links(smtp_server, "ha@mekong.vn")
    client.cookies.clear()
    assert post_form(client, link, {}, follow_redirects=False).status_code == 303
    assert client.get("/api/me").json()["email"] == "ha@mekong.vn"


def test_add_representative_stops_at_four(client: TestClient, db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Quỹ Đầu tư Mekong", kind=OrgKind.investor)
    _, account = make_participant(db, org, "Lê Văn An")
    for name in ("Người Hai", "Người Ba", "Người Bốn"):
        make_participant(db, org, name)
    db.commit()
    sign_in_as(client, account, db)
    english(client)
    before = counts(db)
    response = post_form(
        client,
        "/me/profile/representatives",
        {"full_name": "Người Năm", "email": "nam@mekong.vn", "languages": ["vi"]},
    )
    assert response.status_code == 409
    assert "An organisation has at most 4 representatives." in response.text
    assert counts(db) == before


def test_edit_representative_updates_their_account_email(client: TestClient, db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Quỹ Đầu tư Mekong")
    _, account = make_participant(db, org, "Lê Văn An")
    colleague, colleague_account = make_participant(db, org, "Phạm Thu Hà")
    db.commit()
    sign_in_as(client, account, db)
    response = post_form(
        client,
        f"/me/profile/representatives/{colleague.id}",
        {
            "full_name": "Phạm Thu Hà",
            "title": "Chuyên viên",
            "email": "HA@mekong.vn",
            "phone": "",
            "languages": ["vi", "ko"],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.refresh(colleague)
    db.refresh(colleague_account)
    assert (colleague.email, colleague.title, colleague.languages) == (
        "ha@mekong.vn",
        "Chuyên viên",
        ["vi", "ko"],
    )
    assert colleague_account.email == "ha@mekong.vn"


def test_representatives_of_another_organisation_answer_404(
    client: TestClient, db: Session
) -> None:
    event = make_event(db)
    _, account_a = make_participant(db, make_org(db, event, "Tổ chức A"), "Người A")
    org_b = make_org(db, event, "Tổ chức B")
    person_b, _ = make_participant(db, org_b, "Người B", "b@example.vn")
    make_participant(db, org_b, "Người B2")
    db.commit()
    sign_in_as(client, account_a, db)
    assert client.get(f"/me/profile/representatives/{person_b.id}").status_code == 404
    assert client.get(f"/me/profile/representatives/{person_b.id}/remove").status_code == 404
    edit = post_form(
        client,
        f"/me/profile/representatives/{person_b.id}",
        {"full_name": "Bị Sửa", "email": "hacked@example.vn", "languages": ["vi"]},
    )
    assert edit.status_code == 404
    remove = post_form(client, f"/me/profile/representatives/{person_b.id}/remove", {})
    assert remove.status_code == 404
    db.refresh(person_b)
    assert (person_b.full_name, person_b.email) == ("Người B", "b@example.vn")
    # A's own profile page never shows B's private details.
    assert "b@example.vn" not in client.get("/me/profile").text


def test_remove_representative_after_confirmation(client: TestClient, db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Quỹ Đầu tư Mekong")
    _, account = make_participant(db, org, "Lê Văn An")
    colleague, _ = make_participant(db, org, "Phạm Thu Hà", "ha@mekong.vn")
    db.commit()
    colleague_id = colleague.id
    sign_in_as(client, account, db)
    confirm = client.get(f"/me/profile/representatives/{colleague.id}/remove")
    assert confirm.status_code == 200
    assert f'action="/me/profile/representatives/{colleague.id}/remove"' in confirm.text
    response = post_form(
        client, f"/me/profile/representatives/{colleague.id}/remove", {}, follow_redirects=False
    )
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Participant, colleague_id) is None
    assert db.exec(select(Account).where(Account.email == "ha@mekong.vn")).first() is None


def test_remove_refuses_oneself(client: TestClient, db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Quỹ Đầu tư Mekong")
    me, account = make_participant(db, org, "Lê Văn An")
    make_participant(db, org, "Phạm Thu Hà")
    db.commit()
    my_id = me.id
    sign_in_as(client, account, db)
    english(client)
    response = post_form(client, f"/me/profile/representatives/{me.id}/remove", {})
    assert response.status_code == 409
    assert "You cannot remove yourself." in response.text
    db.expire_all()
    assert db.get(Participant, my_id) is not None


def test_organiser_turns_approval_on_for_new_registrations(client: TestClient, db: Session) -> None:
    event = make_event(db)
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    response = post_form(
        client, "/organiser/approvals/setting", {"required": "1"}, follow_redirects=False
    )
    assert response.status_code == 303
    db.refresh(event)
    assert event.require_approval is True

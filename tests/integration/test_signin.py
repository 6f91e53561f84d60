"""Signing in with a password or a personal link, rate limiting, signing out."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlmodel import Session, select

from matchmaker import accounts
from matchmaker.clock import utcnow
from matchmaker.models import Account, LoginAttempt, SignInToken
from matchmaker.settings import Settings
from matchmaker.web.session_cookie import SESSION_COOKIE, Identity
from tests.conftest import TEST_SECRET, csrf_token, post_form, sign_in_as
from tests.factories import (
    ORGANISER_PASSWORD,
    make_event,
    make_org,
    make_organiser,
    make_participant,
)
from tests.sessions import open_session, organiser_account

ORGANISER_EMAIL = "organiser@example.vn"
CLIENT_LIMIT = 7


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Five failures per email, CLIENT_LIMIT per client address, in 5 minutes."""
    return Settings(
        var_dir=tmp_path / "var",
        secret_key=TEST_SECRET,
        login_max_attempts=5,
        login_max_client_attempts=CLIENT_LIMIT,
        login_window_seconds=300,
    )


def _participant(db: Session) -> Account:
    event = make_event(db)
    org = make_org(db, event, "Hợp tác xã Bưởi Năm Roi")
    _, account = make_participant(db, org, "Lê Thị Mai", "mai@buoi.vn")
    db.commit()
    return account


def _link(db: Session, account: Account) -> str:
    token = accounts.issue_token(db, account)
    db.commit()
    return token


def _sign_in(client: TestClient, email: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return post_form(
        client, "/signin", {"email": email, "password": password, **extra}, follow_redirects=False
    )


def test_signin_with_password_opens_session_and_lands_on_organiser_home(
    client: TestClient, db: Session
) -> None:
    make_event(db)
    make_organiser(db, ORGANISER_EMAIL)
    db.commit()
    response = _sign_in(client, "  Organiser@Example.VN ", ORGANISER_PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/organiser"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert client.get("/organiser").status_code == 200


def test_signin_follows_local_next_but_not_foreign_next(client: TestClient, db: Session) -> None:
    make_organiser(db, ORGANISER_EMAIL)
    db.commit()
    local = _sign_in(client, ORGANISER_EMAIL, ORGANISER_PASSWORD, next="/organiser?q=mai")
    foreign = _sign_in(client, ORGANISER_EMAIL, ORGANISER_PASSWORD, next="//evil.example/")
    assert local.headers["location"] == "/organiser?q=mai"
    assert foreign.headers["location"] == "/organiser"


def test_signin_wrong_password_shows_error_next_to_field(client: TestClient, db: Session) -> None:
    make_organiser(db, ORGANISER_EMAIL)
    db.commit()
    response = _sign_in(client, ORGANISER_EMAIL, "not-the-password")
    assert response.status_code == 400
    assert '<p class="error" id="password-error" role="alert">Sai email hoặc mật khẩu.</p>' in (
        response.text
    )
    assert 'value="organiser@example.vn"' in response.text  # the email is kept
    assert SESSION_COOKIE not in client.cookies


def test_signin_unknown_email_answers_like_wrong_password(client: TestClient, db: Session) -> None:
    response = _sign_in(client, "nobody@example.vn", "whatever-password")
    assert response.status_code == 400
    assert "Sai email hoặc mật khẩu." in response.text


def test_signin_empty_fields_are_reported_per_field(client: TestClient) -> None:
    response = _sign_in(client, "", "")
    assert response.status_code == 400
    assert '<p class="error" id="email-error">Hãy nhập địa chỉ email của bạn.</p>' in response.text
    assert "Hãy nhập mật khẩu của bạn." in response.text


def test_signin_rate_limited_after_max_failures_even_with_right_password(
    client: TestClient, db: Session
) -> None:
    make_organiser(db, ORGANISER_EMAIL)
    db.commit()
    statuses = [_sign_in(client, ORGANISER_EMAIL, f"wrong-{i}").status_code for i in range(5)]
    limited = _sign_in(client, ORGANISER_EMAIL, ORGANISER_PASSWORD)
    assert statuses == [400] * 5
    assert limited.status_code == 429
    assert "Đăng nhập sai quá nhiều lần. Hãy thử lại sau vài phút." in limited.text
    assert SESSION_COOKIE not in client.cookies


def test_signin_failures_on_other_emails_do_not_lock_out_a_shared_address(
    client: TestClient, db: Session
) -> None:
    """At the venue many people share one address: five failures of others
    (under the per-address limit) leave everyone else able to sign in."""
    make_organiser(db, ORGANISER_EMAIL)
    db.commit()
    for i in range(5):
        _sign_in(client, f"guess{i}@example.vn", "wrong-password")
    assert _sign_in(client, ORGANISER_EMAIL, ORGANISER_PASSWORD).status_code == 303


def test_signin_rate_limit_per_client_address_across_emails(
    client: TestClient, db: Session
) -> None:
    make_organiser(db, ORGANISER_EMAIL)
    db.commit()
    for i in range(CLIENT_LIMIT):
        _sign_in(client, f"guess{i}@example.vn", "wrong-password")
    assert _sign_in(client, ORGANISER_EMAIL, ORGANISER_PASSWORD).status_code == 429


def _failures_from_elsewhere(db: Session, addresses: list[str]) -> None:
    """Failed sign-ins for the organiser's e-mail from other addresses, as the
    rate limiter records them."""
    for address in addresses:
        db.add(LoginAttempt(key=f"email:{ORGANISER_EMAIL}|client:{address}", success=False))
        db.add(LoginAttempt(key=f"email:{ORGANISER_EMAIL}", success=False))
    db.commit()


def test_signin_failures_from_another_address_do_not_lock_out_the_owner(
    client: TestClient, db: Session
) -> None:
    make_organiser(db, ORGANISER_EMAIL)
    _failures_from_elsewhere(db, ["203.0.113.9"] * 5)  # someone who knows the e-mail

    assert _sign_in(client, ORGANISER_EMAIL, ORGANISER_PASSWORD).status_code == 303


def test_signin_guessing_spread_over_many_addresses_is_limited(
    client: TestClient, db: Session
) -> None:
    make_organiser(db, ORGANISER_EMAIL)
    # Five per address stays under each address's limit; ten times five in all does not.
    _failures_from_elsewhere(db, [f"198.51.100.{i // 5}" for i in range(50)])

    assert _sign_in(client, ORGANISER_EMAIL, ORGANISER_PASSWORD).status_code == 429


def test_signin_failures_older_than_window_do_not_count(client: TestClient, db: Session) -> None:
    make_organiser(db, ORGANISER_EMAIL)
    long_ago = utcnow() - timedelta(hours=1)
    for _ in range(50):  # over every limit, had they been recent
        db.add(LoginAttempt(key=f"email:{ORGANISER_EMAIL}", at=long_ago, success=False))
        db.add(
            LoginAttempt(
                key=f"email:{ORGANISER_EMAIL}|client:testclient", at=long_ago, success=False
            )
        )
    db.commit()
    assert _sign_in(client, ORGANISER_EMAIL, ORGANISER_PASSWORD).status_code == 303


def test_signin_inactive_account_is_refused(client: TestClient, db: Session) -> None:
    organiser = make_organiser(db, ORGANISER_EMAIL)
    organiser.active = False
    db.commit()
    assert _sign_in(client, ORGANISER_EMAIL, ORGANISER_PASSWORD).status_code == 400


def test_signin_link_get_shows_button_without_using_the_link(
    client: TestClient, db: Session
) -> None:
    token = _link(db, _participant(db))
    page = client.get(f"/signin/link/{token}")
    row = db.exec(select(SignInToken)).one()
    db.refresh(row)
    assert page.status_code == 200
    assert f'action="/signin/link/{token}"' in page.text
    assert row.used_at is None


def test_signin_link_valid_opens_session_on_participant_home(
    client: TestClient, db: Session
) -> None:
    token = _link(db, _participant(db))
    response = post_form(client, f"/signin/link/{token}", {}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    home = client.get("/me")
    assert home.status_code == 200
    assert "Xin chào, Lê Thị Mai" in home.text


def test_signin_link_reused_is_refused(client: TestClient, db: Session) -> None:
    token = _link(db, _participant(db))
    post_form(client, f"/signin/link/{token}", {}, follow_redirects=False)
    client.cookies.delete(SESSION_COOKIE)
    again = post_form(client, f"/signin/link/{token}", {}, follow_redirects=False)
    assert again.status_code == 400
    assert "Đường dẫn đăng nhập này đã được dùng. Hãy yêu cầu đường dẫn mới." in again.text
    assert SESSION_COOKIE not in client.cookies


def test_signin_link_expired_is_refused(client: TestClient, db: Session) -> None:
    token = _link(db, _participant(db))
    row = db.exec(select(SignInToken)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.add(row)
    db.commit()
    response = post_form(client, f"/signin/link/{token}", {}, follow_redirects=False)
    assert response.status_code == 400
    assert "Đường dẫn đăng nhập này đã hết hạn. Hãy yêu cầu đường dẫn mới." in response.text
    assert SESSION_COOKIE not in client.cookies


def test_signin_link_unknown_is_refused(client: TestClient, db: Session) -> None:
    response = post_form(client, "/signin/link/not-a-real-token", {}, follow_redirects=False)
    assert response.status_code == 400
    assert "Đường dẫn đăng nhập này không hợp lệ." in response.text


def test_signin_calendar_token_does_not_open_a_session(client: TestClient, db: Session) -> None:
    token = accounts.issue_token(db, _participant(db), purpose="calendar", hours=None)
    db.commit()
    response = post_form(client, f"/signin/link/{token}", {}, follow_redirects=False)
    assert response.status_code == 400


def test_signout_clears_the_session(client: TestClient, db: Session) -> None:
    organiser = make_organiser(db, ORGANISER_EMAIL)
    db.commit()
    sign_in_as(client, organiser, db)
    response = post_form(client, "/signout", {}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert SESSION_COOKIE not in client.cookies
    after = client.get("/organiser", follow_redirects=False)
    assert after.status_code == 302
    assert after.headers["location"] == "/signin?next=/organiser"


def test_signout_ends_copies_of_the_session_cookie_too(client: TestClient, db: Session) -> None:
    organiser = organiser_account(db)
    db.commit()
    copied = open_session(client, organiser, age_seconds=60)
    assert client.get("/api/me").status_code == 200
    post_form(client, "/signout", {}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, copied)  # e.g. kept by another browser
    assert client.get("/api/me").status_code == 401


def test_signout_in_the_same_second_as_signin_ends_the_session(
    client: TestClient, db: Session
) -> None:
    organiser = organiser_account(db)
    db.commit()
    copied = open_session(client, organiser)  # signed now, signed out at once
    post_form(client, "/signout", {}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, copied)
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize(
    "path", ["/api/event", "/api/schema/openapi.json", "/organiser/confirmations/summary"]
)
def test_signout_ends_the_session_on_routes_that_do_not_ask_who_is_there(
    client: TestClient, db: Session, path: str
) -> None:
    make_event(db)
    organiser = organiser_account(db)
    db.commit()
    copied = open_session(client, organiser, age_seconds=60)
    before = client.get(path, follow_redirects=False).status_code
    post_form(client, "/signout", {}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, copied)
    after = client.get(path, follow_redirects=False)
    assert before == 200
    assert after.status_code in (302, 401)


def test_signout_ends_only_that_accounts_sessions(client: TestClient, db: Session) -> None:
    first, second = organiser_account(db, "a@example.vn"), organiser_account(db, "b@example.vn")
    db.commit()
    other_cookie = open_session(client, second, age_seconds=60)
    open_session(client, first, age_seconds=60)
    post_form(client, "/signout", {}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, other_cookie)
    assert client.get("/api/me").json()["email"] == "b@example.vn"


def test_session_of_deactivated_account_no_longer_works(client: TestClient, db: Session) -> None:
    organiser = make_organiser(db, ORGANISER_EMAIL)
    db.commit()
    sign_in_as(client, organiser, db)
    organiser.active = False
    db.add(organiser)
    db.commit()
    assert client.get("/organiser", follow_redirects=False).status_code == 302
    assert client.get("/api/me").status_code == 401


def test_participant_sets_password_then_signs_in_with_it(client: TestClient, db: Session) -> None:
    account = _participant(db)
    sign_in_as(client, account, db)
    saved = post_form(
        client,
        "/me/password",
        {"password": "bưởi-năm-roi-2023", "password_repeat": "bưởi-năm-roi-2023"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/me?saved=password"
    assert "Mật khẩu của bạn đã được lưu." in client.get("/me?saved=password").text
    post_form(client, "/signout", {}, follow_redirects=False)
    response = _sign_in(client, "mai@buoi.vn", "bưởi-năm-roi-2023")
    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    assert client.get("/me").status_code == 200  # signed in again right after signing out


def test_participant_password_too_long_is_refused_not_cut(client: TestClient, db: Session) -> None:
    account = _participant(db)
    sign_in_as(client, account, db)
    long = "bưởi-" * 250  # 1,250 characters

    response = post_form(client, "/me/password", {"password": long, "password_repeat": long})

    assert response.status_code == 400
    assert "Mật khẩu chỉ được dài tối đa 1000 ký tự." in response.text
    db.refresh(account)
    assert account.password_hash is None


def test_participant_password_too_short_or_different_is_refused(
    client: TestClient, db: Session
) -> None:
    sign_in_as(client, _participant(db), db)
    short = post_form(client, "/me/password", {"password": "short", "password_repeat": "short"})
    differ = post_form(
        client, "/me/password", {"password": "long-enough-1", "password_repeat": "long-enough-2"}
    )
    assert short.status_code == 400
    assert "Mật khẩu phải có ít nhất 10 ký tự." in short.text
    assert differ.status_code == 400
    assert "Hai mật khẩu không giống nhau." in differ.text


OLD_PASSWORD = "bưởi-cũ-năm-2022"
NEW_PASSWORD = "bưởi-mới-năm-2023"


def _participant_with_password(db: Session) -> Account:
    account = _participant(db)
    account.password_hash = accounts.hash_password(OLD_PASSWORD)
    db.add(account)
    db.commit()
    return account


def _change_password(client: TestClient, current: str, new: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return post_form(
        client,
        "/me/password",
        {"current_password": current, "password": new, "password_repeat": new},
        follow_redirects=False,
    )


def _current_password_error(html: str) -> str:
    found = re.search(r'id="current_password-error" role="alert">([^<]*)</p>', html)
    return found.group(1) if found else ""


def test_password_change_asks_for_the_current_password(client: TestClient, db: Session) -> None:
    _participant_with_password(db)
    assert _sign_in(client, "mai@buoi.vn", OLD_PASSWORD).status_code == 303
    form = client.get("/me/password")
    assert 'name="current_password"' in form.text
    missing = _change_password(client, "")
    assert missing.status_code == 400
    assert _current_password_error(missing.text) == "Hãy nhập mật khẩu hiện tại của bạn."


def test_password_change_with_a_wrong_current_password_keeps_the_old_one(
    client: TestClient, db: Session
) -> None:
    account = _participant_with_password(db)
    assert _sign_in(client, "mai@buoi.vn", OLD_PASSWORD).status_code == 303
    generation = account.session_generation

    response = _change_password(client, "not-the-password")

    assert response.status_code == 400
    assert _current_password_error(response.text) == "Đây không phải mật khẩu hiện tại của bạn."
    db.refresh(account)
    assert accounts.verify_password(account.password_hash, OLD_PASSWORD)
    assert not accounts.verify_password(account.password_hash, NEW_PASSWORD)
    assert account.session_generation == generation
    assert client.get("/me", follow_redirects=False).status_code == 200  # still signed in


def test_password_change_wrong_current_passwords_are_limited_like_signing_in(
    client: TestClient, db: Session
) -> None:
    account = _participant_with_password(db)
    assert _sign_in(client, "mai@buoi.vn", OLD_PASSWORD).status_code == 303
    for _ in range(5):
        assert _change_password(client, "a-wrong-guess").status_code == 400

    right_but_late = _change_password(client, OLD_PASSWORD)

    assert right_but_late.status_code == 429
    assert _current_password_error(right_but_late.text) == (
        "Đăng nhập sai quá nhiều lần. Hãy thử lại sau vài phút."
    )
    db.refresh(account)
    assert accounts.verify_password(account.password_hash, OLD_PASSWORD)
    # The guesses count for the sign-in form too: the password form is no way around it.
    assert _sign_in(client, "mai@buoi.vn", OLD_PASSWORD).status_code == 429


def test_password_change_signs_out_every_other_session_and_keeps_this_one(
    client: TestClient, db: Session
) -> None:
    _participant_with_password(db)
    assert _sign_in(client, "mai@buoi.vn", OLD_PASSWORD).status_code == 303
    elsewhere = client.cookies[SESSION_COOKIE]  # another browser, signed in earlier
    client.cookies.clear()
    assert _sign_in(client, "mai@buoi.vn", OLD_PASSWORD).status_code == 303

    changed = _change_password(client, OLD_PASSWORD)

    assert changed.status_code == 303
    assert changed.headers["location"] == "/me?saved=password"
    assert "Mật khẩu của bạn đã được lưu." in client.get("/me?saved=password").text
    here = client.cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, elsewhere)
    assert client.get("/me", follow_redirects=False).status_code == 302
    assert client.get("/api/me").status_code == 401
    client.cookies.set(SESSION_COOKIE, here)
    assert client.get("/api/me").json()["email"] == "mai@buoi.vn"
    post_form(client, "/signout", {}, follow_redirects=False)
    assert _sign_in(client, "mai@buoi.vn", OLD_PASSWORD).status_code == 400
    assert _sign_in(client, "mai@buoi.vn", NEW_PASSWORD).status_code == 303


def test_password_forgotten_is_replaced_right_after_a_personal_link(
    client: TestClient, db: Session
) -> None:
    account = _participant_with_password(db)
    response = post_form(client, f"/signin/link/{_link(db, account)}", {}, follow_redirects=False)
    assert response.status_code == 303
    assert 'name="current_password"' not in client.get("/me/password").text

    assert _change_password(client, "").status_code == 303

    db.refresh(account)
    assert accounts.verify_password(account.password_hash, NEW_PASSWORD)
    # The link's proof is used up: the next change asks for the current password again.
    assert 'name="current_password"' in client.get("/me/password").text


def test_password_change_a_while_after_a_personal_link_asks_for_the_current_one(
    client: TestClient, db: Session
) -> None:
    account = _participant_with_password(db)
    assert account.id is not None
    long_ago = int(utcnow().timestamp()) - 16 * 60
    csrf_token(client)
    client.cookies.set(
        SESSION_COOKIE,
        client.app.state.signer.dumps(
            Identity(account.id, account.role.value, account.session_generation, link_at=long_ago)
        ),
    )
    response = _change_password(client, "")
    assert response.status_code == 400
    assert _current_password_error(response.text) == "Hãy nhập mật khẩu hiện tại của bạn."

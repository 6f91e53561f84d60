"""A startup requests a meeting; the investor accepts one request and declines
another inline, without a page reload (htmx swaps the row)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from matchmaker import i18n
from matchmaker import requests as svc
from matchmaker.errors import DomainError
from matchmaker.models import (
    Account,
    Event,
    MeetingRequest,
    Organisation,
    OrgKind,
    Participant,
    RequestStatus,
)
from tests.e2e.helpers import LiveServer, shot, sign_in_as_participant

_ = i18n.translations("vi").gettext


def _free_pair(live_server: LiveServer, host_kind: OrgKind, skip: set[int]) -> tuple[int, int, int]:
    """(requester account id, host org id, host account id): a startup that may ask
    the host for a meeting right now (no request between them, limits not reached)."""
    with live_server.session() as db:
        event = db.get(Event, live_server.event_id)
        assert event is not None
        orgs = db.exec(
            select(Organisation)
            .where(Organisation.event_id == event.id)
            .order_by(col(Organisation.id))
        ).all()
        accounts = {
            p.organisation_id: a
            for p, a in db.exec(
                select(Participant, Account).join(
                    Account, col(Account.participant_id) == col(Participant.id)
                )
            ).all()
        }
        hosts = [o for o in orgs if o.kind is host_kind and o.id not in skip and o.id in accounts]
        for startup in (o for o in orgs if o.kind is OrgKind.startup and o.id in accounts):
            if startup.id in skip:
                continue
            for host in hosts:
                try:
                    if svc.check_request(db, event, startup, host) is None:
                        asker, answerer = accounts[startup.id or 0], accounts[host.id or 0]
                        return asker.id or 0, host.id or 0, answerer.id or 0
                except DomainError:
                    continue
    raise AssertionError("the demo event has no free startup/host pair")


def test_request_then_accept_and_decline_inline(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    requester_id, host_id, host_account_id = _free_pair(live_server, OrgKind.investor, set())

    # The startup asks for a meeting through the form.
    sign_in_as_participant(page, live_server, requester_id)
    page.goto(f"/requests/new?to={host_id}")
    page.fill(
        "#message", "Chúng tôi đang gọi vốn hạt giống cho nền tảng truy xuất nguồn gốc lúa gạo."
    )
    page.get_by_label(_("Must meet")).check()
    with page.expect_navigation():
        page.get_by_role("button", name=_("Send the request")).click()
    expect(page.locator("main .notice")).to_contain_text(
        _("Your request has been sent. You will be notified when it is answered.")
    )
    with live_server.session() as db:
        first = db.exec(
            select(MeetingRequest)
            .where(
                MeetingRequest.to_org_id == host_id, MeetingRequest.status == RequestStatus.pending
            )
            .order_by(col(MeetingRequest.id).desc())
        ).first()
        assert first is not None and first.id is not None
        requester_org = first.from_org_id
    # A second startup asks the same investor (through the service), to be declined.
    second_requester, _host, _acc = _free_pair(live_server, OrgKind.investor, {requester_org})
    with live_server.session() as db:
        host_org = db.get(Organisation, host_id)
        account = db.get(Account, second_requester)
        event = db.get(Event, live_server.event_id)
        assert host_org and account and event
        org = svc.organisation_of(db, account)
        try:
            second = svc.create_request(
                db, event, org, host_id, "Xin gặp trao đổi.", "would_like", account
            )
        except DomainError:
            second = None
        db.commit()

    # The investor sees the requests and answers them in place.
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    host_page = context.new_page()
    try:
        sign_in_as_participant(host_page, live_server, host_account_id)
        expect(host_page.locator("#nav-requests-badge")).to_be_visible()
        host_page.goto("/requests?box=incoming&status=pending")
        row = host_page.locator(f"#request-{first.id}")
        expect(row).to_contain_text(_("Must meet"))
        host_page.evaluate("window.__noReload = true")
        row.get_by_role("button", name=_("Accept")).click()
        expect(host_page.locator(f"#request-{first.id} .status-pill")).to_have_text(_("Accepted"))
        expect(host_page.locator(f"#request-{first.id}")).to_contain_text(
            _("Meeting agreed – awaiting schedule")
        )
        if second is not None:
            other = host_page.locator(f"#request-{second.id}")
            other.locator("summary").click()
            other.get_by_label(_("Reason (optional, shown to the requester)")).fill("Lịch đã kín.")
            other.get_by_role("button", name=_("Decline the request")).click()
            expect(host_page.locator(f"#request-{second.id} .status-pill")).to_have_text(
                _("Declined")
            )
        assert host_page.evaluate("window.__noReload") is True
        shot(host_page, "requests-incoming-answered")
    except AssertionError:
        shot(host_page, "FAILED-requests-host-page")
        raise
    finally:
        context.close()

    with live_server.session() as db:
        answered = db.get(MeetingRequest, first.id)
        assert answered is not None and answered.status is RequestStatus.accepted
        if second is not None:
            declined = db.get(MeetingRequest, second.id)
            assert declined is not None
            assert (declined.status, declined.decline_reason) == (
                RequestStatus.declined,
                "Lịch đã kín.",
            )

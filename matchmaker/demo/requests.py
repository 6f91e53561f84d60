"""Meeting requests between the planned organisations, and the meetings they make."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from sqlmodel import Session, select

from matchmaker.demo.organisations import Org
from matchmaker.demo.placement import Placement
from matchmaker.demo.rows import insert_rows
from matchmaker.demo.rules import REQUEST_TARGETS, limit
from matchmaker.demo.vocab import sector_words, tag_labels
from matchmaker.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    OrgKind,
    Priority,
    RequestStatus,
)
from matchmaker.rules import EventRules

# Accepted meetings per unit of scale.
BASE_MEETINGS = 1500

# How eagerly each kind sends requests (relative weight per organisation).
REQUEST_ACTIVITY: dict[OrgKind, float] = {
    OrgKind.startup: 3.0,
    OrgKind.ocop: 2.0,
    OrgKind.tech_firm: 2.0,
    OrgKind.university: 1.2,
    OrgKind.association: 1.0,
    OrgKind.agency: 0.6,
    OrgKind.investor: 0.5,
}
# Probability that a request to this kind is accepted.
ACCEPT_RATE: dict[OrgKind, float] = {
    OrgKind.startup: 0.72,
    OrgKind.ocop: 0.72,
    OrgKind.tech_firm: 0.68,
    OrgKind.university: 0.72,
    OrgKind.association: 0.70,
    OrgKind.agency: 0.66,
    OrgKind.investor: 0.52,
}

DECLINE_REASONS: tuple[str, ...] = (
    "Lịch làm việc trong tuần lễ đã kín, xin hẹn dịp khác.",
    "Lĩnh vực chưa phù hợp với định hướng hiện tại của đơn vị.",
    "Chưa phù hợp với tiêu chí đầu tư ở giai đoạn này.",
    "Đơn vị đã có đối tác tương tự.",
    "Xin trao đổi trước qua email, sẽ hẹn gặp sau sự kiện.",
)
KIND_WORDS: dict[OrgKind, str] = {
    OrgKind.startup: "startup",
    OrgKind.tech_firm: "doanh nghiệp công nghệ",
    OrgKind.investor: "quỹ đầu tư",
    OrgKind.agency: "cơ quan",
    OrgKind.ocop: "cơ sở sản xuất OCOP",
    OrgKind.university: "đơn vị",
    OrgKind.association: "hội",
}


def _affinity(a: Org, b: Org) -> float:
    score = 2.0 * sum(1 for s in a.sectors if s in b.sectors)
    score += 1.5 * sum(1 for t in a.seeks if t in b.offers)
    score += 1.0 * sum(1 for t in b.seeks if t in a.offers)
    return score


def _message(rng: random.Random, sender: Org, receiver: Org) -> str:
    wanted = [t for t in sender.seeks if t in receiver.offers]
    given = [t for t in sender.offers if t in receiver.seeks]
    greeting = rng.choice(("Kính gửi Quý", "Chào Quý", "Xin chào Quý"))
    parts = [f"{greeting} {KIND_WORDS[receiver.kind]},"]
    if sender.kind is OrgKind.startup:
        sector = sector_words(sender.sectors[:1])
        parts.append(f"{sender.name} là startup về {sector} tại {sender.province}.")
    else:
        parts.append(f"{sender.name} rất mong được gặp trực tiếp tại Tuần lễ.")
    if wanted:
        parts.append(
            f"Chúng tôi quan tâm đến {tag_labels(wanted[:2])} của Quý {KIND_WORDS[receiver.kind]}."
        )
    if given:
        parts.append(f"Chúng tôi có thể hỗ trợ về {tag_labels(given[:2])}.")
    if not wanted and not given:
        parts.append("Chúng tôi muốn tìm hiểu cơ hội hợp tác giữa hai bên.")
    parts.append(rng.choice(("Trân trọng cảm ơn.", "Rất mong sớm nhận phản hồi.", "Xin cảm ơn.")))
    return " ".join(parts)[:1000]


@dataclass
class _Req:
    sender: Org
    receiver: Org
    priority: Priority
    status: RequestStatus
    created: datetime
    answered: datetime | None
    message: str
    decline_reason: str = ""
    row_id: int | None = None


@dataclass
class _Meet:
    request: _Req
    a: Org
    b: Org
    weight: int


# Requests are sent over the four weeks before the event; the ones still pending were
# sent in its last days.
_REQUESTS_OPEN = datetime(2023, 4, 17, 1, 0, tzinfo=UTC)
_REQUEST_DAYS = 27.0
_LATE_REQUESTS = datetime(2023, 5, 14, 1, 0, tzinfo=UTC)


def _pair(a: Org, b: Org) -> tuple[int, int]:
    return min(a.index, b.index), max(a.index, b.index)


def _pick_receiver(
    rng: random.Random,
    sender: Org,
    by_kind: dict[OrgKind, list[Org]],
    pairs: set[tuple[int, int]],
    placement: Placement,
) -> tuple[Org, str] | None:
    """Whom ``sender`` asks, and the session their meeting is planned in, or None.

    Six organisations of a kind ``sender`` may ask are drawn; the most attractive one
    not yet in contact that both sides still have time for wins.
    """
    options = REQUEST_TARGETS[sender.kind]
    kind = rng.choices([k for k, _ in options], weights=[w for _, w in options])[0]
    pool = by_kind[kind]
    if not pool:
        return None
    candidates = [pool[rng.randrange(len(pool))] for _ in range(6)]
    scored: list[tuple[float, int, Org]] = []
    for cand in candidates:
        if cand is sender or cand.meetings >= cand.cap or _pair(sender, cand) in pairs:
            continue
        scored.append((_affinity(sender, cand) + 1.5 * rng.random(), cand.index, cand))
    for _, _, cand in sorted(scored, key=lambda item: (-item[0], item[1])):
        code = placement.find(sender, cand)
        if code is not None:
            return cand, code
    return None


def _request(rng: random.Random, sender: Org, receiver: Org, rules: EventRules) -> _Req:
    """The request ``sender`` sends ``receiver``, answered at the receiver's usual rate."""
    must = rng.random() < (0.3 if receiver.kind is OrgKind.investor else 0.18)
    priority = Priority.must if must else Priority.would_like
    roll = rng.random()
    accept_p = ACCEPT_RATE[receiver.kind]
    if roll < accept_p:
        status = RequestStatus.accepted
    elif roll < accept_p + (1 - accept_p) * 0.3 and sender.pending_out < limit(
        rules.max_open_requests
    ):
        status = RequestStatus.pending
    else:
        status = RequestStatus.declined
    if status is RequestStatus.pending:
        created = _LATE_REQUESTS + timedelta(hours=rng.uniform(0, 70))
        answered = None
        sender.pending_out += 1
    else:
        created = _REQUESTS_OPEN + timedelta(days=rng.uniform(0, _REQUEST_DAYS))
        answered = created + timedelta(hours=rng.uniform(0.5, 70))
    req = _Req(
        sender, receiver, priority, status, created, answered, _message(rng, sender, receiver)
    )
    if status is RequestStatus.declined:
        req.decline_reason = rng.choice(DECLINE_REASONS) if rng.random() < 0.7 else ""
    return req


def _mutual_request(rng: random.Random, req: _Req) -> _Req | None:
    """Sometimes the receiver of an accepted request had asked for the same meeting."""
    sender, receiver = req.sender, req.receiver
    allowed = [k for k, _ in REQUEST_TARGETS[receiver.kind]]
    if not (sender.kind in allowed and rng.random() < 0.08):
        return None
    back_created = req.created - timedelta(hours=rng.uniform(1, 48))
    return _Req(
        receiver,
        sender,
        Priority.would_like,
        RequestStatus.accepted,
        back_created,
        req.created + timedelta(hours=rng.uniform(0.1, 2)),
        _message(rng, receiver, sender),
    )


def plan_requests(
    rng: random.Random, orgs: list[Org], target: int, rules: EventRules, placement: Placement
) -> tuple[list[_Req], list[_Meet]]:
    """Requests until ``target`` are accepted (or too many draws fail), and their meetings."""
    by_kind: dict[OrgKind, list[Org]] = {kind: [] for kind in OrgKind}
    for org in orgs:
        by_kind[org.kind].append(org)
    weights = [REQUEST_ACTIVITY[o.kind] * (0.5 + o.appetite / max(1, o.cap)) for o in orgs]
    cum = list(accumulate(weights))
    total = cum[-1]
    pairs: set[tuple[int, int]] = set()  # unordered pairs already in contact
    requests: list[_Req] = []
    meetings: list[_Meet] = []
    failures = 0
    max_failures = 200 + 50 * len(orgs)
    while len(meetings) < target and failures < max_failures:
        sender = orgs[bisect.bisect_left(cum, rng.random() * total)]
        picked = None
        if sender.meetings < sender.appetite and sender.meetings < sender.cap:
            picked = _pick_receiver(rng, sender, by_kind, pairs, placement)
        if picked is None:
            failures += 1
            continue
        receiver, code = picked
        pairs.add(_pair(sender, receiver))
        req = _request(rng, sender, receiver, rules)
        requests.append(req)
        if req.status is not RequestStatus.accepted:
            continue
        weight = 2 if req.priority is Priority.must else 1
        back = _mutual_request(rng, req)
        if back is not None:
            requests.append(back)
            weight = 3
        meetings.append(_Meet(req, sender, receiver, weight))
        placement.commit(sender, receiver, code)
    return requests, meetings


def insert_requests(session: Session, event_id: int, plan: list[_Req], expiry: timedelta) -> None:
    """Insert the planned requests and note each one's new id."""
    request_rows = [
        dict(
            event_id=event_id,
            from_org_id=req.sender.id,
            to_org_id=req.receiver.id,
            message=req.message,
            priority=req.priority,
            status=req.status,
            decline_reason=req.decline_reason,
            created_at=req.created,
            answered_at=req.answered,
            # Pending requests never expire: the event is in the past, and the demo
            # should still let hosts answer them (an expiry sweep would close them all).
            expires_at=None if req.status is RequestStatus.pending else req.created + expiry,
        )
        for req in plan
    ]
    insert_rows(session, MeetingRequest, request_rows)
    # A directed pair asks at most once, so (from, to) finds a request's id.
    request_ids = {
        (from_id, to_id): request_id
        for request_id, from_id, to_id in session.exec(
            select(MeetingRequest.id, MeetingRequest.from_org_id, MeetingRequest.to_org_id).where(
                MeetingRequest.event_id == event_id
            )
        )
    }
    for req in plan:
        req.row_id = request_ids[(req.sender.id, req.receiver.id)]


def insert_meetings(session: Session, event_id: int, meets: list[_Meet]) -> None:
    rows = []
    for meet in meets:
        a, b = sorted((meet.a.id, meet.b.id))
        at = meet.request.answered or meet.request.created
        rows.append(
            dict(
                event_id=event_id,
                request_id=meet.request.row_id,
                org_a_id=a,
                org_b_id=b,
                host_org_id=meet.request.receiver.id,
                weight=meet.weight,
                status=MeetingStatus.accepted,
                created_at=at,
                updated_at=at,
            )
        )
    insert_rows(session, Meeting, rows)

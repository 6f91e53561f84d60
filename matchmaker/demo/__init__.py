"""The realistic demo event: Hậu Giang Digital Transformation and Startup Week 2023.

``generate_demo(session, seed=..., scale=...)`` adds one complete event to the
session (flushing, never committing: the caller owns the transaction):

* the event, 3 days (18–20 May 2023, Asia/Ho_Chi_Minh), a morning (08:00–11:00)
  and an afternoon (13:30–16:30) session per day, 20-minute slots (54 in all);
* 30 shared meeting tables per unit of scale plus a few home tables (33 in all);
* about 300 organisations per unit of scale (startups, technology firms,
  investors, provincial and district agencies, OCOP producers, universities and
  incubators, associations) with Vietnamese names, sectors, offers and seeks;
* one representative per organisation, about 15 % with two, with partial
  availability (explicit session codes such as ``"d1-am"``);
* meeting requests with a realistic acceptance rate and a ``Meeting`` for every
  accepted pair, about 1,500 per unit of scale.

Everything is drawn from ``random.Random(seed)``: the same seed and scale give
the same event. Feasibility is kept in reach: no organisation holds more
accepted meetings than about 65 % of the slots its representatives attend, nor
more than the event's per-representative limits allow.

Event rules (``Event.rules``) apply per representative unless said otherwise:
``allowed_pairs`` (requester kind -> kinds it may request), ``max_open_requests``
(pending requests an organisation may have out), ``max_meetings`` (accepted
meetings per representative), ``max_per_day``, ``max_consecutive`` and
``request_expiry_hours``.
"""

from __future__ import annotations

import bisect
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, select

from matchmaker.demo import names as N
from matchmaker.demo.vocab import SECTORS, stage_label, tag_label
from matchmaker.models import (
    Day,
    Event,
    EventSession,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    MeetingTable,
    Organisation,
    OrgKind,
    Participant,
    Priority,
    RequestStatus,
    Slot,
)
from matchmaker.rules import EventRules
from matchmaker.text import fold, slugify

__all__ = ["DEMO_SLUG", "DemoExistsError", "DemoSummary", "default_rules", "generate_demo"]

DEMO_SLUG = "hau-giang-2023"
TIMEZONE = "Asia/Ho_Chi_Minh"
EVENT_DATES = (date(2023, 5, 18), date(2023, 5, 19), date(2023, 5, 20))
SESSION_TIMES = (
    ("am", "Buổi sáng", "Morning", time(8, 0), time(11, 0)),
    ("pm", "Buổi chiều", "Afternoon", time(13, 30), time(16, 30)),
)
SLOT_MINUTES = 20

# Organisations per unit of scale.
BASE_COUNTS: dict[OrgKind, int] = {
    OrgKind.startup: 150,
    OrgKind.tech_firm: 50,
    OrgKind.investor: 20,
    OrgKind.agency: 30,
    OrgKind.ocop: 40,
    OrgKind.university: 10,
    OrgKind.association: 2,
}
# Shared B2B tables, plus home tables reserved for a few hosts (the solver keeps a
# home table for its host, so home tables add to the shared ones).
BASE_TABLES = 30
BASE_HOME_TABLES = 3
BASE_MEETINGS = 1500
# No organisation gets more accepted meetings than this share of its usable slots.
LOAD_FACTOR = 0.65
# Planned meetings per representative and session (of 9 slots), and the share of
# the event's table-slots the planned meetings may fill in a session.
SESSION_LOAD = 6
TABLE_LOAD = 0.95

# Who requests whom, and how often (weights by target kind).
REQUEST_TARGETS: dict[OrgKind, tuple[tuple[OrgKind, float], ...]] = {
    OrgKind.startup: (
        (OrgKind.investor, 0.33),
        (OrgKind.tech_firm, 0.30),
        (OrgKind.agency, 0.17),
        (OrgKind.university, 0.10),
        (OrgKind.ocop, 0.06),
        (OrgKind.association, 0.04),
    ),
    OrgKind.ocop: (
        (OrgKind.tech_firm, 0.40),
        (OrgKind.agency, 0.25),
        (OrgKind.startup, 0.20),
        (OrgKind.investor, 0.08),
        (OrgKind.association, 0.07),
    ),
    OrgKind.tech_firm: (
        (OrgKind.agency, 0.45),
        (OrgKind.startup, 0.20),
        (OrgKind.ocop, 0.15),
        (OrgKind.university, 0.10),
        (OrgKind.tech_firm, 0.05),
        (OrgKind.association, 0.05),
    ),
    OrgKind.investor: ((OrgKind.startup, 0.85), (OrgKind.tech_firm, 0.15)),
    OrgKind.agency: (
        (OrgKind.tech_firm, 0.45),
        (OrgKind.startup, 0.30),
        (OrgKind.university, 0.15),
        (OrgKind.ocop, 0.10),
    ),
    OrgKind.university: (
        (OrgKind.startup, 0.40),
        (OrgKind.tech_firm, 0.30),
        (OrgKind.agency, 0.30),
    ),
    OrgKind.association: (
        (OrgKind.tech_firm, 0.30),
        (OrgKind.agency, 0.40),
        (OrgKind.startup, 0.30),
    ),
}
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
TWO_REPS: dict[OrgKind, float] = {
    OrgKind.startup: 0.10,
    OrgKind.ocop: 0.08,
    OrgKind.tech_firm: 0.20,
    OrgKind.university: 0.15,
    OrgKind.association: 0.30,
    OrgKind.agency: 0.20,
    OrgKind.investor: 0.35,
}
SPEAKS_ENGLISH: dict[OrgKind, float] = {
    OrgKind.startup: 0.45,
    OrgKind.ocop: 0.05,
    OrgKind.tech_firm: 0.60,
    OrgKind.university: 0.60,
    OrgKind.association: 0.50,
    OrgKind.agency: 0.25,
    OrgKind.investor: 0.80,
}

STARTUP_SECTORS: tuple[tuple[str, float], ...] = (
    ("agritech", 0.20),
    ("aquaculture", 0.10),
    ("tourism", 0.08),
    ("ecommerce", 0.14),
    ("manufacturing", 0.05),
    ("smart_city", 0.07),
    ("fintech", 0.08),
    ("edtech", 0.08),
    ("healthtech", 0.07),
    ("logistics", 0.07),
    ("digital_government", 0.06),
)
SECTOR_OFFERS: dict[str, tuple[str, ...]] = {
    "agritech": ("iot_solutions", "traceability", "data_analytics", "raw_materials"),
    "aquaculture": ("iot_solutions", "traceability", "raw_materials"),
    "tourism": ("tourism_services", "ecommerce_platform"),
    "ecommerce": ("ecommerce_platform", "digital_payment", "logistics_services"),
    "manufacturing": ("software_development", "iot_solutions", "packaging_design"),
    "smart_city": ("smart_city_solutions", "iot_solutions", "data_analytics", "ai_solutions"),
    "fintech": ("digital_payment", "data_analytics"),
    "edtech": ("online_learning", "training"),
    "healthtech": ("telemedicine", "ai_solutions"),
    "logistics": ("logistics_services", "software_development"),
    "digital_government": (
        "software_development",
        "data_analytics",
        "cloud_services",
        "ai_solutions",
    ),
}
STARTUP_SEEKS: tuple[str, ...] = (
    "mentoring",
    "pilot_customer",
    "distribution",
    "cloud_services",
    "market_access",
    "funding_grants",
    "talent",
    "technology_partner",
    "land_and_permits",
    "export_partner",
)
STAGES: tuple[tuple[str, float], ...] = (
    ("idea", 0.18),
    ("mvp", 0.30),
    ("seed", 0.32),
    ("series_a", 0.14),
    ("growth", 0.06),
)
TECH_SECTORS: tuple[str, ...] = (
    "smart_city",
    "digital_government",
    "ecommerce",
    "fintech",
    "logistics",
    "agritech",
    "healthtech",
    "edtech",
    "manufacturing",
)
TECH_OFFERS: tuple[str, ...] = (
    "cloud_services",
    "iot_solutions",
    "digital_transformation_consulting",
    "software_development",
    "cybersecurity",
    "ecommerce_platform",
    "data_analytics",
    "ai_solutions",
    "training",
    "smart_city_solutions",
)
TECH_SEEKS: tuple[str, ...] = (
    "public_sector_contracts",
    "pilot_customer",
    "distribution",
    "talent",
    "startup_partnership",
    "market_access",
)
OCOP_SEEKS: tuple[str, ...] = (
    "distribution",
    "ecommerce_platform",
    "export_partner",
    "packaging_design",
    "traceability",
    "market_access",
    "logistics_services",
    "funding_grants",
    "trade_promotion",
)
AGENCY_SEEKS: tuple[str, ...] = (
    "digital_transformation_consulting",
    "iot_solutions",
    "cloud_services",
    "smart_city_solutions",
    "investment_projects",
    "training",
    "software_development",
)
# (keyword in the agency's name, sectors, offers)
AGENCY_PROFILES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Thông tin và Truyền thông",
        ("digital_government", "smart_city"),
        ("pilot_customer", "funding_grants", "mentoring"),
    ),
    (
        "Công nghệ thông tin",
        ("digital_government", "smart_city"),
        ("pilot_customer", "cloud_services"),
    ),
    (
        "Công Thương",
        ("ecommerce", "manufacturing", "logistics"),
        ("trade_promotion", "market_access", "funding_grants"),
    ),
    (
        "Xúc tiến",
        ("ecommerce", "tourism", "manufacturing"),
        ("trade_promotion", "market_access", "export_partner"),
    ),
    ("Du lịch", ("tourism",), ("market_access", "trade_promotion", "pilot_customer")),
    (
        "Nông nghiệp",
        ("agritech", "aquaculture"),
        ("funding_grants", "pilot_customer", "land_and_permits"),
    ),
    ("Khuyến nông", ("agritech", "aquaculture"), ("training", "pilot_customer")),
    ("Hợp tác xã", ("agritech", "ecommerce"), ("market_access", "raw_materials")),
    (
        "Khoa học và Công nghệ",
        ("agritech", "manufacturing", "smart_city"),
        ("funding_grants", "mentoring", "research_collaboration"),
    ),
    (
        "Kế hoạch và Đầu tư",
        ("manufacturing", "logistics", "fintech"),
        ("land_and_permits", "funding_grants", "mentoring"),
    ),
    ("khu công nghiệp", ("manufacturing", "logistics"), ("land_and_permits",)),
    ("Tài chính", ("fintech", "digital_government"), ("funding_grants",)),
    ("Ngân hàng", ("fintech",), ("funding_grants", "market_access")),
    ("Giáo dục", ("edtech",), ("pilot_customer", "talent")),
    ("Y tế", ("healthtech",), ("pilot_customer",)),
    ("Giao thông", ("logistics", "smart_city"), ("pilot_customer", "land_and_permits")),
    ("Tài nguyên", ("smart_city", "agritech"), ("land_and_permits", "pilot_customer")),
    ("Lao động", ("edtech", "digital_government"), ("talent", "training")),
    ("Đoàn", ("edtech", "ecommerce"), ("mentoring", "talent")),
    (
        "UBND",
        ("smart_city", "digital_government", "tourism", "agritech"),
        ("pilot_customer", "land_and_permits", "market_access"),
    ),
)
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


def default_rules() -> EventRules:
    """The demo event's organiser rules: who may request whom follows the demo's request
    targets; every limit is the default of ``matchmaker.rules``."""
    allowed = {kind: frozenset(t for t, _ in REQUEST_TARGETS.get(kind, ())) for kind in OrgKind}
    return EventRules(allowed_pairs=allowed)


class DemoExistsError(ValueError):
    """An event with the demo's slug already exists."""


@dataclass(frozen=True)
class DemoSummary:
    event_id: int
    slug: str
    organisations: int
    by_kind: dict[str, int]
    participants: int
    requests: int
    requests_by_status: dict[str, int]
    meetings: int
    mutual_meetings: int
    must_meetings: int
    days: int
    sessions: int
    slots: int
    tables: int
    home_tables: int


@dataclass
class _Rep:
    sessions: list[str]
    cap: int


@dataclass
class _Org:
    index: int
    kind: OrgKind
    name: str
    province: str
    sectors: list[str]
    offers: list[str]
    seeks: list[str]
    stage: str = ""
    website: str = ""
    description: str = ""
    reps: list[_Rep] = field(default_factory=list)
    home_table: bool = False
    presence: dict[str, int] = field(default_factory=dict)  # session code -> reps present
    day_cap: dict[str, int] = field(default_factory=dict)  # "d1" -> meetings that fit
    load: dict[str, int] = field(default_factory=dict)  # session code -> planned meetings
    day_load: dict[str, int] = field(default_factory=dict)
    cap: int = 0
    appetite: int = 0
    meetings: int = 0
    pending_out: int = 0
    row_id: int | None = None

    @property
    def id(self) -> int:
        assert self.row_id is not None
        return self.row_id


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _pick(rng: random.Random, pool: tuple[str, ...] | list[str], low: int, high: int) -> list[str]:
    k = min(len(pool), rng.randint(low, high))
    return rng.sample(list(pool), k)


def _unique(pool: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in pool:
        seen.setdefault(item, None)
    return list(seen)


class _Names:
    """Hands out unique organisation names (deduplicated on their folded form)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, name: str) -> bool:
        key = fold(name)
        if key in self.used:
            return False
        self.used.add(key)
        return True

    def make(self, build: Callable[[], str], fallback: str) -> str:
        for _ in range(40):
            name = build()
            if self.take(name):
                return name
        number = 2
        while not self.take(f"{fallback} {number}"):
            number += 1
        return f"{fallback} {number}"


def _brand(rng: random.Random, sector: str) -> str:
    prefix = rng.choice(N.BRAND_PREFIXES)
    root = rng.choice(N.BRAND_ROOTS[sector])
    if prefix.isascii() and root.isascii() and " " not in prefix and rng.random() < 0.6:
        return prefix + root
    return f"{prefix} {root}"


def _website(name: str, tld: str = "vn") -> str:
    return f"https://{slugify(name, separator='')[:40]}.{tld}"


def _labels(tags: list[str]) -> str:
    return ", ".join(tag_label(t) for t in tags)


def _sector_words(sectors: list[str]) -> str:
    return ", ".join(SECTORS[s][0].lower() for s in sectors)


# --- organisations ---------------------------------------------------------


def _make_startup(rng: random.Random, names: _Names, index: int) -> _Org:
    sector = _weighted(rng, STARTUP_SECTORS)
    sectors = [sector]
    if rng.random() < 0.3:
        other = _weighted(rng, STARTUP_SECTORS)
        if other != sector:
            sectors.append(other)
    brand_holder: list[str] = []

    def build() -> str:
        brand = _brand(rng, sector)
        brand_holder[:] = [brand]
        return rng.choice(N.STARTUP_FORMS).format(b=brand)

    name = names.make(build, f"{_brand(rng, sector)} Startup")
    brand = brand_holder[0] if brand_holder else name
    stage = _weighted(rng, STAGES)
    offers = _unique([t for s in sectors for t in _pick(rng, SECTOR_OFFERS[s], 1, 2)])
    money = "seed_investment" if stage in ("idea", "mvp", "seed") else "series_a_investment"
    seeks = _unique([money, *_pick(rng, STARTUP_SEEKS, 1, 3)])
    if stage == "idea" and rng.random() < 0.5:
        seeks = _unique([t for t in seeks if t != money] + ["mentoring"])
    province = _weighted(
        rng,
        (
            ("Hậu Giang", 0.45),
            ("Cần Thơ", 0.25),
            ("TP. Hồ Chí Minh", 0.2),
            (rng.choice(N.MEKONG_PROVINCES), 0.1),
        ),
    )
    org = _Org(index, OrgKind.startup, name, province, sectors, offers, seeks, stage=stage)
    org.website = _website(brand) if rng.random() < 0.7 else ""
    org.description = (
        f"{name} là startup tại {province} (giai đoạn: {stage_label(stage).lower()}), "
        f"phát triển giải pháp trong lĩnh vực {_sector_words(sectors)}."
    )
    return org


def _make_tech_firm(rng: random.Random, names: _Names, index: int) -> _Org:
    def build() -> str:
        brand = rng.choice(N.TECH_FIRM_BRANDS)
        form = rng.choice(N.TECH_FIRM_FORMS)
        if form.endswith("{b}") and rng.random() < 0.4:
            brand = f"{brand} {rng.choice(('Số', 'Tech', 'Net', 'Data', 'Cloud', 'Việt'))}"
        return form.format(b=brand)

    name = names.make(build, "Công ty Công nghệ Mekong")
    province = _weighted(
        rng,
        (
            ("TP. Hồ Chí Minh", 0.6),
            ("Cần Thơ", 0.15),
            ("Hậu Giang", 0.1),
            ("Hà Nội", 0.1),
            ("Bình Dương", 0.05),
        ),
    )
    sectors = _pick(rng, TECH_SECTORS, 1, 3)
    offers = _pick(rng, TECH_OFFERS, 2, 4)
    seeks = _pick(rng, TECH_SEEKS, 2, 3)
    org = _Org(index, OrgKind.tech_firm, name, province, sectors, offers, seeks)
    org.website = _website(name.split()[-1] + str(index), "com.vn")
    org.description = (
        f"{name} ({province}) cung cấp {_labels(offers[:2])} cho doanh nghiệp và cơ quan nhà nước "
        f"trong các lĩnh vực {_sector_words(sectors)}."
    )
    return org


def _make_investor(rng: random.Random, names: _Names, index: int, ordinal: int) -> _Org:
    def build() -> str:
        if ordinal < len(N.INVESTOR_NAMES) and rng.random() < 0.9:
            return N.INVESTOR_NAMES[ordinal]
        return rng.choice(N.INVESTOR_FORMS).format(
            b=rng.choice(N.BRAND_PREFIXES + N.TECH_FIRM_BRANDS)
        )

    name = names.make(build, "Quỹ Đầu tư Khởi nghiệp")
    province = _weighted(
        rng, (("TP. Hồ Chí Minh", 0.6), ("Cần Thơ", 0.2), ("Hậu Giang", 0.1), ("Hà Nội", 0.1))
    )
    sectors = rng.sample(list(SECTORS), rng.randint(2, 4))
    ticket = rng.choice(("seed_investment", "seed_investment", "series_a_investment"))
    offers = _unique([ticket, *_pick(rng, ("mentoring", "market_access", "co_investment"), 1, 2)])
    seeks = ["deal_flow"] + (["co_investment"] if rng.random() < 0.4 else [])
    org = _Org(index, OrgKind.investor, name, province, sectors, offers, seeks)
    org.stage = "seed" if ticket == "seed_investment" else "series_a"
    org.website = _website(name)
    low, high = (1, 5) if ticket == "seed_investment" else (5, 30)
    org.description = (
        f"{name} đầu tư vào startup trong các lĩnh vực {_sector_words(sectors)}, "
        f"quy mô mỗi khoản {low}–{high} tỷ đồng, kèm cố vấn và kết nối thị trường."
    )
    return org


def _agency_profile(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    for keyword, sectors, offers in AGENCY_PROFILES:
        if keyword in name:
            return sectors, offers
    return ("digital_government",), ("pilot_customer", "funding_grants")


def _agency_names(count: int) -> list[tuple[str, str]]:
    out = [(n, "Hậu Giang") for n in N.HAU_GIANG_AGENCIES]
    for dept in N.PROVINCIAL_DEPARTMENTS:
        for province in N.MEKONG_PROVINCES:
            where = "thành phố Cần Thơ" if province == "Cần Thơ" else f"tỉnh {province}"
            out.append((f"{dept} {where}", province))
    for place in N.HAU_GIANG_PLACES[7:]:
        out.append((f"UBND xã {place}", "Hậu Giang"))
    return out[:count]


def _make_agency(rng: random.Random, names: _Names, index: int, base: tuple[str, str]) -> _Org:
    name, province = base
    if not names.take(name):
        name = names.make(lambda: f"{name} – Đoàn {rng.randint(2, 99)}", name)
    sectors, offers = _agency_profile(name)
    seeks = _pick(rng, AGENCY_SEEKS, 2, 3)
    org = _Org(index, OrgKind.agency, name, province, list(sectors), list(offers), seeks)
    org.website = f"https://{slugify(province, separator='')}.gov.vn"
    org.description = (
        f"{name} tìm kiếm giải pháp {_labels(seeks[:2])} phục vụ chuyển đổi số "
        f"và phát triển kinh tế – xã hội trên địa bàn."
    )
    return org


def _make_ocop(rng: random.Random, names: _Names, index: int) -> _Org:
    product_holder: list[tuple[str, str]] = []

    def build() -> str:
        product = rng.choice(N.OCOP_PRODUCTS)
        product_holder[:] = [product]
        return rng.choice(N.OCOP_FORMS).format(p=product[0], l=rng.choice(N.HAU_GIANG_PLACES))

    name = names.make(build, "HTX Nông sản Hậu Giang")
    product, sector = product_holder[0] if product_holder else ("Nông sản", "agritech")
    sectors = _unique([sector, "ecommerce"])
    offers = ["ocop_products", "tourism_services" if sector == "tourism" else "raw_materials"]
    seeks = _pick(rng, OCOP_SEEKS, 2, 4)
    stars = rng.choice((3, 3, 3, 4, 4, 5))
    org = _Org(index, OrgKind.ocop, name, "Hậu Giang", sectors, offers, seeks)
    org.description = (
        f"{name} sản xuất {product.lower()} đạt chứng nhận OCOP {stars} sao, "
        f"cần {_labels(seeks[:2])} để mở rộng thị trường."
    )
    return org


def _make_university(rng: random.Random, names: _Names, index: int, ordinal: int) -> _Org:
    if ordinal < len(N.UNIVERSITIES) and names.take(N.UNIVERSITIES[ordinal][0]):
        name, province = N.UNIVERSITIES[ordinal]
    else:
        province = rng.choice(N.MEKONG_PROVINCES)

        def build() -> str:
            return rng.choice(N.INCUBATOR_FORMS).format(p=rng.choice(N.MEKONG_PROVINCES))

        name = names.make(build, "Vườn ươm Khởi nghiệp Mekong")
    sectors = _unique(["edtech", *rng.sample(list(SECTORS), 2)])
    offers = _pick(
        rng, ("talent", "research_collaboration", "incubation", "mentoring", "training"), 2, 4
    )
    seeks = _pick(
        rng,
        ("startup_partnership", "funding_grants", "technology_partner", "public_sector_contracts"),
        1,
        3,
    )
    org = _Org(index, OrgKind.university, name, province, sectors, offers, seeks)
    org.website = _website(name, "edu.vn")
    org.description = f"{name} cung cấp {_labels(offers)} cho hệ sinh thái khởi nghiệp vùng ĐBSCL."
    return org


def _make_association(rng: random.Random, names: _Names, index: int, ordinal: int) -> _Org:
    if ordinal < len(N.ASSOCIATIONS) and names.take(N.ASSOCIATIONS[ordinal][0]):
        name, province = N.ASSOCIATIONS[ordinal]
    else:
        province = rng.choice(N.MEKONG_PROVINCES)

        def build() -> str:
            return rng.choice(N.ASSOCIATION_FORMS).format(p=rng.choice(N.MEKONG_PROVINCES))

        name = names.make(build, "Hội Doanh nghiệp vùng ĐBSCL")
    sectors = rng.sample(list(SECTORS), 3)
    offers = _pick(rng, ("market_access", "networking", "mentoring", "training"), 2, 3)
    seeks = _pick(
        rng, ("startup_partnership", "public_sector_contracts", "investment_projects"), 1, 2
    )
    org = _Org(index, OrgKind.association, name, province, sectors, offers, seeks)
    org.website = _website(name, "org.vn")
    org.description = f"{name} kết nối hội viên với startup, cơ quan nhà nước và nhà đầu tư."
    return org


def _build_orgs(rng: random.Random, scale: float) -> list[_Org]:
    names = _Names()
    orgs: list[_Org] = []
    counts = {kind: max(1, round(base * scale)) for kind, base in BASE_COUNTS.items()}
    agency_bases = _agency_names(counts[OrgKind.agency])
    for kind, count in counts.items():
        for ordinal in range(count):
            index = len(orgs)
            if kind is OrgKind.startup:
                org = _make_startup(rng, names, index)
            elif kind is OrgKind.tech_firm:
                org = _make_tech_firm(rng, names, index)
            elif kind is OrgKind.investor:
                org = _make_investor(rng, names, index, ordinal)
            elif kind is OrgKind.agency:
                base = (
                    agency_bases[ordinal]
                    if ordinal < len(agency_bases)
                    else (f"Phòng Kinh tế UBND {rng.choice(N.HAU_GIANG_PLACES)}", "Hậu Giang")
                )
                org = _make_agency(rng, names, index, base)
            elif kind is OrgKind.ocop:
                org = _make_ocop(rng, names, index)
            elif kind is OrgKind.university:
                org = _make_university(rng, names, index, ordinal)
            else:
                org = _make_association(rng, names, index, ordinal)
            orgs.append(org)
    return orgs


# --- participants ----------------------------------------------------------


def _sessions_for(rng: random.Random, codes: list[list[str]]) -> list[str]:
    """Session codes a representative attends: mostly all, some one or two days."""
    days = len(codes)
    roll = rng.random()
    if roll < 0.68:
        chosen = list(range(days))
    elif roll < 0.84:
        chosen = sorted(rng.sample(range(days), min(2, days)))
    elif roll < 0.94:
        chosen = [rng.randrange(days)]
    else:  # mornings only or afternoons only
        half = rng.randrange(2)
        return [codes[d][half] for d in range(days)]
    return [code for d in chosen for code in codes[d]]


def _rep_cap(sessions: list[str], slots_per_session: int, rules: EventRules) -> int:
    days = len({code.split("-")[0] for code in sessions})
    usable = len(sessions) * slots_per_session
    return min(
        int(LOAD_FACTOR * usable), _limit(rules.max_meetings), _limit(rules.max_per_day) * days
    )


def _person(rng: random.Random) -> tuple[str, str, str]:
    family = rng.choices([n for n, _ in N.FAMILY_NAMES], weights=[w for _, w in N.FAMILY_NAMES])[0]
    if rng.random() < 0.55:
        middle, given = rng.choice(N.MIDDLE_MALE), rng.choice(N.GIVEN_MALE)
    else:
        middle, given = rng.choice(N.MIDDLE_FEMALE), rng.choice(N.GIVEN_FEMALE)
    return f"{family} {middle} {given}", family, given


def _title(rng: random.Random, org: _Org, rep: int) -> str:
    if org.kind is OrgKind.agency:
        if org.name.startswith("Sở"):
            pool = N.TITLES["agency_so"]
        elif "UBND" in org.name:
            pool = N.TITLES["agency_ubnd"]
        else:
            pool = N.TITLES["agency_other"]
    else:
        pool = N.TITLES[org.kind.value]
    return pool[0] if rep == 0 and rng.random() < 0.4 else rng.choice(pool[1:] or pool)


_MOBILE_PREFIXES = (
    "090",
    "091",
    "093",
    "094",
    "097",
    "098",
    "086",
    "070",
    "076",
    "077",
    "079",
    "081",
    "083",
    "084",
    "085",
    "088",
    "089",
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
)


def _phone(rng: random.Random) -> str:
    digits = f"{rng.randrange(10_000_000):07d}"
    return f"{rng.choice(_MOBILE_PREFIXES)} {digits[:3]} {digits[3:]}"


# --- requests and meetings -------------------------------------------------


def _affinity(a: _Org, b: _Org) -> float:
    score = 2.0 * sum(1 for s in a.sectors if s in b.sectors)
    score += 1.5 * sum(1 for t in a.seeks if t in b.offers)
    score += 1.0 * sum(1 for t in b.seeks if t in a.offers)
    return score


def _message(rng: random.Random, sender: _Org, receiver: _Org) -> str:
    wanted = [t for t in sender.seeks if t in receiver.offers]
    given = [t for t in sender.offers if t in receiver.seeks]
    greeting = rng.choice(("Kính gửi Quý", "Chào Quý", "Xin chào Quý"))
    parts = [f"{greeting} {KIND_WORDS[receiver.kind]},"]
    if sender.kind is OrgKind.startup:
        sector = _sector_words(sender.sectors[:1])
        parts.append(f"{sender.name} là startup về {sector} tại {sender.province}.")
    else:
        parts.append(f"{sender.name} rất mong được gặp trực tiếp tại Tuần lễ.")
    if wanted:
        parts.append(
            f"Chúng tôi quan tâm đến {_labels(wanted[:2])} của Quý {KIND_WORDS[receiver.kind]}."
        )
    if given:
        parts.append(f"Chúng tôi có thể hỗ trợ về {_labels(given[:2])}.")
    if not wanted and not given:
        parts.append("Chúng tôi muốn tìm hiểu cơ hội hợp tác giữa hai bên.")
    parts.append(rng.choice(("Trân trọng cảm ơn.", "Rất mong sớm nhận phản hồi.", "Xin cảm ơn.")))
    return " ".join(parts)[:1000]


@dataclass
class _Req:
    sender: _Org
    receiver: _Org
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
    a: _Org
    b: _Org
    weight: int


class _Placement:
    """Plans each accepted meeting into a session both sides attend, within load limits.

    This is not the schedule (the solver makes that); it keeps the generated event
    feasible-ish: no organisation or session is planned beyond what it can hold.
    """

    def __init__(self, codes: list[str], session_cap: int) -> None:
        self.load = {code: 0 for code in codes}
        self.cap = session_cap

    def find(self, a: _Org, b: _Org) -> str | None:
        best: str | None = None
        best_score = float("inf")
        for code, reps_a in a.presence.items():
            reps_b = b.presence.get(code, 0)
            shared = not (a.home_table or b.home_table)
            if not reps_b or (shared and self.load[code] >= self.cap):
                continue
            la, lb = a.load.get(code, 0), b.load.get(code, 0)
            if la >= SESSION_LOAD * reps_a or lb >= SESSION_LOAD * reps_b:
                continue
            day = code[: code.index("-")]
            if a.day_load.get(day, 0) >= a.day_cap[day] or b.day_load.get(day, 0) >= b.day_cap[day]:
                continue
            score = la / (SESSION_LOAD * reps_a) + lb / (SESSION_LOAD * reps_b)
            score += self.load[code] / self.cap if shared else 0.0
            if score < best_score:
                best, best_score = code, score
        return best

    def commit(self, a: _Org, b: _Org, code: str) -> None:
        day = code.split("-")[0]
        if not (a.home_table or b.home_table):
            self.load[code] += 1  # at a shared table
        for org in (a, b):
            org.load[code] = org.load.get(code, 0) + 1
            org.day_load[day] = org.day_load.get(day, 0) + 1
            org.meetings += 1


# Requests are sent over the four weeks before the event; the ones still pending were
# sent in its last days.
_REQUESTS_OPEN = datetime(2023, 4, 17, 1, 0, tzinfo=UTC)
_REQUEST_DAYS = 27.0
_LATE_REQUESTS = datetime(2023, 5, 14, 1, 0, tzinfo=UTC)


def _pair(a: _Org, b: _Org) -> tuple[int, int]:
    return min(a.index, b.index), max(a.index, b.index)


def _pick_receiver(
    rng: random.Random,
    sender: _Org,
    by_kind: dict[OrgKind, list[_Org]],
    pairs: set[tuple[int, int]],
    placement: _Placement,
) -> tuple[_Org, str] | None:
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
    scored: list[tuple[float, int, _Org]] = []
    for cand in candidates:
        if cand is sender or cand.meetings >= cand.cap or _pair(sender, cand) in pairs:
            continue
        scored.append((_affinity(sender, cand) + 1.5 * rng.random(), cand.index, cand))
    for _, _, cand in sorted(scored, key=lambda item: (-item[0], item[1])):
        code = placement.find(sender, cand)
        if code is not None:
            return cand, code
    return None


def _request(rng: random.Random, sender: _Org, receiver: _Org, rules: EventRules) -> _Req:
    """The request ``sender`` sends ``receiver``, answered at the receiver's usual rate."""
    must = rng.random() < (0.3 if receiver.kind is OrgKind.investor else 0.18)
    priority = Priority.must if must else Priority.would_like
    roll = rng.random()
    accept_p = ACCEPT_RATE[receiver.kind]
    if roll < accept_p:
        status = RequestStatus.accepted
    elif roll < accept_p + (1 - accept_p) * 0.3 and sender.pending_out < _limit(
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


def _plan_requests(
    rng: random.Random, orgs: list[_Org], target: int, rules: EventRules, placement: _Placement
) -> tuple[list[_Req], list[_Meet]]:
    """Requests until ``target`` are accepted (or too many draws fail), and their meetings."""
    by_kind: dict[OrgKind, list[_Org]] = {kind: [] for kind in OrgKind}
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


# --- the event -------------------------------------------------------------


def _insert(session: Session, model: type[SQLModel], rows: list[dict]) -> None:
    """Insert ``rows`` with one Core executemany; model defaults fill the blanks.

    Building thousands of SQLModel objects is the slow part of a big event, so the
    bulky tables go through the table directly. Callers that need the new ids read
    them back by a natural key (see ``generate_demo``).
    """
    defaults = {
        name: info.get_default(call_default_factory=True)
        for name, info in model.model_fields.items()
        if name != "id" and not info.is_required()
    }
    table = model.__table__  # type: ignore[attr-defined]
    if rows:
        session.execute(insert(table), [{**defaults, **row} for row in rows])


@dataclass
class _Calendar:
    days: list[Day]
    sessions: list[EventSession]
    codes: list[list[str]]  # session codes, day by day
    slots: list[Slot]
    slots_per_session: int

    @property
    def all_codes(self) -> list[str]:
        return [c for day_codes in self.codes for c in day_codes]


def _limit(value: int | None) -> int:
    """A limit of the demo's rules (all are set; "no limit" would be a large number)."""
    return value if value is not None else 10**6


def _new_event(slug: str, rules: EventRules) -> Event:
    return Event(
        slug=slug,
        name_vi="Tuần lễ Chuyển đổi số và Khởi nghiệp đổi mới sáng tạo – Mekong Delta 2023",
        name_en="Digital Transformation and Innovative Startup Week – Mekong Delta 2023",
        venue="Trung tâm Hội nghị tỉnh Hậu Giang, Vị Thanh",
        city="Vị Thanh, Hậu Giang",
        timezone=TIMEZONE,
        start_date=EVENT_DATES[0],
        end_date=EVENT_DATES[-1],
        description_vi=(
            "Ba ngày kết nối doanh nghiệp công nghệ, startup, nhà đầu tư, cơ quan quản lý nhà "
            "nước và các chủ thể OCOP của Hậu Giang và vùng Đồng bằng sông Cửu Long. Do UBND "
            "tỉnh Hậu Giang phối hợp với Hội Tin học TP.HCM (HCA) tổ chức."
        ),
        description_en=(
            "Three days of one-to-one meetings between technology firms, startups, investors, "
            "government agencies and OCOP producers of Hậu Giang and the Mekong Delta. "
            "Co-organised by the Hậu Giang Provincial People's Committee and the Ho Chi Minh "
            "City Computer Association (HCA)."
        ),
        rules=rules.as_dict(),
    )


def _add_calendar(session: Session, event_id: int) -> _Calendar:
    """Days, a morning and an afternoon session per day, and their slots."""
    days = [Day(event_id=event_id, number=i + 1, on_date=d) for i, d in enumerate(EVENT_DATES)]
    session.add_all(days)
    session.flush()
    sessions: list[EventSession] = []
    codes: list[list[str]] = []
    for day in days:
        assert day.id is not None
        day_codes = []
        for part, label_vi, label_en, start, end in SESSION_TIMES:
            code = f"d{day.number}-{part}"
            day_codes.append(code)
            sessions.append(
                EventSession(
                    day_id=day.id,
                    code=code,
                    name_vi=f"Ngày {day.number} – {label_vi}",
                    name_en=f"Day {day.number} – {label_en}",
                    start=start,
                    end=end,
                    slot_minutes=SLOT_MINUTES,
                )
            )
        codes.append(day_codes)
    session.add_all(sessions)
    session.flush()
    slots = _add_slots(session, sessions, [d for d in days for _ in SESSION_TIMES])
    slots_per_session = len(slots) // len(sessions)
    return _Calendar(days, sessions, codes, slots, slots_per_session)


def _add_slots(session: Session, sessions: list[EventSession], days: list[Day]) -> list[Slot]:
    """``SLOT_MINUTES`` slots filling each session (``days`` holds each session's day)."""
    tz = ZoneInfo(TIMEZONE)
    step = timedelta(minutes=SLOT_MINUTES)
    slots: list[Slot] = []
    for ev_session, day in zip(sessions, days, strict=True):
        assert ev_session.id is not None
        local = datetime.combine(day.on_date, ev_session.start, tzinfo=tz)
        local_end = datetime.combine(day.on_date, ev_session.end, tzinfo=tz)
        k = 0
        while local + step <= local_end:
            k += 1
            slots.append(
                Slot(
                    session_id=ev_session.id,
                    code=f"{ev_session.code}-{k:02d}",
                    start=local.astimezone(UTC),
                    end=(local + step).astimezone(UTC),
                    position=len(slots),
                )
            )
            local += step
    session.add_all(slots)
    session.flush()
    return slots


def _choose_hosts(orgs: list[_Org], n_home: int) -> list[_Org]:
    """The organisations with a home table: the first investors, then agencies."""
    hosts = [o for o in orgs if o.kind is OrgKind.investor][: (n_home + 1) // 2]
    hosts += [o for o in orgs if o.kind is OrgKind.agency][: n_home - len(hosts)]
    for org in hosts:
        org.home_table = True
    return hosts


def _plan_reps(rng: random.Random, org: _Org, calendar: _Calendar, rules: EventRules) -> None:
    """Give ``org`` one or two representatives, and derive its capacity and appetite."""
    two = not org.home_table and rng.random() < TWO_REPS[org.kind]
    codes = calendar.codes
    for _ in range(2 if two else 1):
        rep_sessions = calendar.all_codes if org.home_table else _sessions_for(rng, codes)
        cap = _rep_cap(rep_sessions, calendar.slots_per_session, rules)
        org.reps.append(_Rep(rep_sessions, cap))
    org.cap = sum(rep.cap for rep in org.reps)
    for rep in org.reps:
        for code in rep.sessions:
            org.presence[code] = org.presence.get(code, 0) + 1
        for day_codes in codes:
            present = sum(1 for code in day_codes if code in rep.sessions)
            if present:
                day_key = day_codes[0].split("-")[0]
                fits = min(_limit(rules.max_per_day), SESSION_LOAD * present)
                org.day_cap[day_key] = org.day_cap.get(day_key, 0) + fits
    org.appetite = max(2, round(org.cap * rng.uniform(0.55, 1.0)))


def _insert_orgs(session: Session, event_id: int, orgs: list[_Org]) -> None:
    """Insert the organisations and note each one's new id (names are unique)."""
    created = datetime(2023, 4, 3, 2, 0, tzinfo=UTC)
    org_rows = [
        dict(
            event_id=event_id,
            name=org.name,
            name_folded=fold(org.name),
            kind=org.kind,
            sectors=org.sectors,
            province=org.province,
            stage=org.stage,
            website=org.website,
            description=org.description,
            offers=org.offers,
            seeks=org.seeks,
            offers_text=f"{org.name} có thể hỗ trợ: {_labels(org.offers)}.",
            seeks_text=f"Đang tìm kiếm: {_labels(org.seeks)}.",
            created_at=created + timedelta(minutes=37 * org.index),
        )
        for org in orgs
    ]
    _insert(session, Organisation, org_rows)
    org_ids = dict(
        session.exec(
            select(Organisation.name, Organisation.id).where(Organisation.event_id == event_id)
        ).all()
    )
    for org in orgs:
        org.row_id = org_ids[org.name]


def _add_tables(
    session: Session, event_id: int, hosts: list[_Org], n_tables: int
) -> list[MeetingTable]:
    """``n_tables`` tables in three zones; the first ones are the hosts' home tables."""
    width = max(2, len(str(n_tables)))
    zones = ("A", "B", "C")
    tables = [
        MeetingTable(
            event_id=event_id,
            name=f"B2B-{i + 1:0{width}d}",
            zone=zones[min(2, i * 3 // n_tables)],
            host_org_id=hosts[i].id if i < len(hosts) else None,
        )
        for i in range(n_tables)
    ]
    session.add_all(tables)
    return tables


def _insert_participants(session: Session, rng: random.Random, orgs: list[_Org]) -> int:
    """Insert a participant for every planned representative; returns how many."""
    participants = []
    emails: set[str] = set()
    for org in orgs:
        for r, rep in enumerate(org.reps):
            full, family, given = _person(rng)
            mailbox = f"{slugify(given, separator='')}.{slugify(family, separator='')}"
            mailbox += str(org.index + 1)
            email = f"{mailbox}@example.vn"
            suffix = 2
            while email in emails:
                email = f"{mailbox}-{suffix}@example.vn"
                suffix += 1
            emails.add(email)
            languages = ["vi", "en"] if rng.random() < SPEAKS_ENGLISH[org.kind] else ["vi"]
            participants.append(
                dict(
                    organisation_id=org.id,
                    full_name=full,
                    name_folded=fold(full),
                    title=_title(rng, org, r),
                    email=email,
                    phone=_phone(rng),
                    languages=languages,
                    available_sessions=rep.sessions,
                )
            )
    _insert(session, Participant, participants)
    return len(participants)


def _insert_requests(session: Session, event_id: int, plan: list[_Req], expiry: timedelta) -> None:
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
    _insert(session, MeetingRequest, request_rows)
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


def _insert_meetings(session: Session, event_id: int, meets: list[_Meet]) -> None:
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
    _insert(session, Meeting, rows)


def generate_demo(
    session: Session, *, seed: int = 2023, scale: float = 1.0, slug: str = DEMO_SLUG
) -> DemoSummary:
    """Add the demo event to ``session`` (flushed, not committed) and summarise it."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if session.exec(select(Event.id).where(Event.slug == slug)).first() is not None:
        raise DemoExistsError(f"an event with slug {slug!r} already exists")
    # Every draw comes from this one generator, in a fixed order: keep the order of the
    # steps below, or the same seed no longer gives the same event.
    rng = random.Random(seed)
    rules = default_rules()
    event = _new_event(slug, rules)
    session.add(event)
    session.flush()
    assert event.id is not None
    event_id = event.id
    calendar = _add_calendar(session, event_id)

    # Organisations and their representatives (planned in memory first).
    orgs = _build_orgs(rng, scale)
    n_shared = max(2, round(BASE_TABLES * scale))
    n_home = min(n_shared // 4, max(1, round(BASE_HOME_TABLES * scale)))
    hosts = _choose_hosts(orgs, n_home)
    for org in orgs:
        _plan_reps(rng, org, calendar, rules)
    _insert_orgs(session, event_id, orgs)
    tables = _add_tables(session, event_id, hosts, n_shared + n_home)
    participants = _insert_participants(session, rng, orgs)

    target = round(BASE_MEETINGS * scale)
    placement = _Placement(
        calendar.all_codes, int(TABLE_LOAD * n_shared * calendar.slots_per_session)
    )
    plan, meets = _plan_requests(rng, orgs, target, rules, placement)
    _insert_requests(session, event_id, plan, timedelta(hours=_limit(rules.request_expiry_hours)))
    _insert_meetings(session, event_id, meets)

    by_kind = dict(Counter(org.kind.value for org in orgs))
    by_status = dict(Counter(req.status.value for req in plan))
    return DemoSummary(
        event_id=event_id,
        slug=slug,
        organisations=len(orgs),
        by_kind={kind.value: by_kind.get(kind.value, 0) for kind in OrgKind},
        participants=participants,
        requests=len(plan),
        requests_by_status={s.value: by_status.get(s.value, 0) for s in RequestStatus},
        meetings=len(meets),
        mutual_meetings=sum(1 for m in meets if m.weight == 3),
        must_meetings=sum(1 for m in meets if m.weight == 2),
        days=len(calendar.days),
        sessions=len(calendar.sessions),
        slots=len(calendar.slots),
        tables=len(tables),
        home_tables=len(hosts),
    )

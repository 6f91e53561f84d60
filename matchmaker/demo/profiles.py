"""Organisation profiles: Vietnamese names, sectors, offers, seeks and descriptions,
drawn kind by kind."""

from __future__ import annotations

import random
from collections.abc import Callable

from matchmaker.demo import names as N
from matchmaker.demo.organisations import Org
from matchmaker.demo.vocab import SECTORS, sector_words, stage_label, tag_labels
from matchmaker.models import OrgKind
from matchmaker.provinces import province_of
from matchmaker.text import fold, slugify

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


def _unit(province: str) -> str:
    """The province as stored since the 2025 merger ("Hậu Giang" -> "Cần Thơ"). The
    names drawn stay the 2023 ones (agencies and towns are named after them, and the
    draws stay as they were for a seed); only what is stored moves to the new unit."""
    return province_of(province) or province


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


def _make_startup(rng: random.Random, names: _Names, index: int) -> Org:
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
    province = _unit(
        _weighted(
            rng,
            (
                ("Hậu Giang", 0.45),
                ("Cần Thơ", 0.25),
                ("TP. Hồ Chí Minh", 0.2),
                (rng.choice(N.MEKONG_PROVINCES), 0.1),
            ),
        )
    )
    org = Org(index, OrgKind.startup, name, province, sectors, offers, seeks, stage=stage)
    org.website = _website(brand) if rng.random() < 0.7 else ""
    org.description = (
        f"{name} là startup tại {province} (giai đoạn: {stage_label(stage).lower()}), "
        f"phát triển giải pháp trong lĩnh vực {sector_words(sectors)}."
    )
    return org


def _make_tech_firm(rng: random.Random, names: _Names, index: int) -> Org:
    def build() -> str:
        brand = rng.choice(N.TECH_FIRM_BRANDS)
        form = rng.choice(N.TECH_FIRM_FORMS)
        if form.endswith("{b}") and rng.random() < 0.4:
            brand = f"{brand} {rng.choice(('Số', 'Tech', 'Net', 'Data', 'Cloud', 'Việt'))}"
        return form.format(b=brand)

    name = names.make(build, "Công ty Công nghệ Mekong")
    province = _unit(
        _weighted(
            rng,
            (
                ("TP. Hồ Chí Minh", 0.6),
                ("Cần Thơ", 0.15),
                ("Hậu Giang", 0.1),
                ("Hà Nội", 0.1),
                ("Bình Dương", 0.05),
            ),
        )
    )
    sectors = _pick(rng, TECH_SECTORS, 1, 3)
    offers = _pick(rng, TECH_OFFERS, 2, 4)
    seeks = _pick(rng, TECH_SEEKS, 2, 3)
    org = Org(index, OrgKind.tech_firm, name, province, sectors, offers, seeks)
    org.website = _website(name.split()[-1] + str(index), "com.vn")
    org.description = (
        f"{name} ({province}) cung cấp {tag_labels(offers[:2])} cho doanh nghiệp và cơ quan "
        f"nhà nước trong các lĩnh vực {sector_words(sectors)}."
    )
    return org


def _make_investor(rng: random.Random, names: _Names, index: int, ordinal: int) -> Org:
    def build() -> str:
        if ordinal < len(N.INVESTOR_NAMES) and rng.random() < 0.9:
            return N.INVESTOR_NAMES[ordinal]
        return rng.choice(N.INVESTOR_FORMS).format(
            b=rng.choice(N.BRAND_PREFIXES + N.TECH_FIRM_BRANDS)
        )

    name = names.make(build, "Quỹ Đầu tư Khởi nghiệp")
    province = _unit(
        _weighted(
            rng, (("TP. Hồ Chí Minh", 0.6), ("Cần Thơ", 0.2), ("Hậu Giang", 0.1), ("Hà Nội", 0.1))
        )
    )
    sectors = rng.sample(list(SECTORS), rng.randint(2, 4))
    ticket = rng.choice(("seed_investment", "seed_investment", "series_a_investment"))
    offers = _unique([ticket, *_pick(rng, ("mentoring", "market_access", "co_investment"), 1, 2)])
    seeks = ["deal_flow"] + (["co_investment"] if rng.random() < 0.4 else [])
    org = Org(index, OrgKind.investor, name, province, sectors, offers, seeks)
    org.stage = "seed" if ticket == "seed_investment" else "series_a"
    org.website = _website(name)
    low, high = (1, 5) if ticket == "seed_investment" else (5, 30)
    org.description = (
        f"{name} đầu tư vào startup trong các lĩnh vực {sector_words(sectors)}, "
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


def _make_agency(rng: random.Random, names: _Names, index: int, base: tuple[str, str]) -> Org:
    name, province = base
    if not names.take(name):
        name = names.make(lambda: f"{name} – Đoàn {rng.randint(2, 99)}", name)
    sectors, offers = _agency_profile(name)
    seeks = _pick(rng, AGENCY_SEEKS, 2, 3)
    org = Org(index, OrgKind.agency, name, _unit(province), list(sectors), list(offers), seeks)
    org.website = f"https://{slugify(province, separator='')}.gov.vn"
    org.description = (
        f"{name} tìm kiếm giải pháp {tag_labels(seeks[:2])} phục vụ chuyển đổi số "
        f"và phát triển kinh tế – xã hội trên địa bàn."
    )
    return org


def _make_ocop(rng: random.Random, names: _Names, index: int) -> Org:
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
    org = Org(index, OrgKind.ocop, name, _unit("Hậu Giang"), sectors, offers, seeks)
    org.description = (
        f"{name} sản xuất {product.lower()} đạt chứng nhận OCOP {stars} sao, "
        f"cần {tag_labels(seeks[:2])} để mở rộng thị trường."
    )
    return org


def _make_university(rng: random.Random, names: _Names, index: int, ordinal: int) -> Org:
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
    org = Org(index, OrgKind.university, name, _unit(province), sectors, offers, seeks)
    org.website = _website(name, "edu.vn")
    org.description = (
        f"{name} cung cấp {tag_labels(offers)} cho hệ sinh thái khởi nghiệp vùng ĐBSCL."
    )
    return org


def _make_association(rng: random.Random, names: _Names, index: int, ordinal: int) -> Org:
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
    org = Org(index, OrgKind.association, name, _unit(province), sectors, offers, seeks)
    org.website = _website(name, "org.vn")
    org.description = f"{name} kết nối hội viên với startup, cơ quan nhà nước và nhà đầu tư."
    return org


def build_orgs(rng: random.Random, scale: float) -> list[Org]:
    names = _Names()
    orgs: list[Org] = []
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

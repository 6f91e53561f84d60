"""`python -m tooling eval-matching`: how good are the recommendations, measured.

A generated event whose organisations have HIDDEN TRUE PREFERENCES:

* every organisation has a true kind, true sectors, true needs and true offers
  (tags), drawn by kind (startups need money and pilots and offer products,
  investors offer money and need deal flow, agencies need digital solutions
  and offer pilots and grants, ...);
* how much A truly wants to meet B grows with A's needs that B can meet (in
  B's sectors more than outside them), with B's needs that A can meet, and
  with shared sectors, plus noise; graded 0–3, 0 meaning "not relevant";
* what the recommender sees is a noisy, partial view of that truth: tags are
  dropped and spurious ones added, sectors likewise, some true tags are never
  ticked at all (no startup ticks "deal flow"), and the free texts name the
  needs and offers through synonyms, in Vietnamese or English, some without
  diacritics, among filler sentences.

Every organisation then gets a top 10 among those it may request (the demo's
rules on who may request whom) from the recommender and from two baselines
(random; most shared visible sectors, ties random) — with ``--ablation`` also
from the recommender without one of its signals — scored by precision@10,
recall@10 and NDCG@10 against the hidden grades, averaged over organisations
with at least one relevant partner. Everything is drawn from
``random.Random(seed)``: the same seed and size give the same numbers.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from matchmaker.demo.vocab import SECTORS, TAGS
from matchmaker.matching import DEFAULT_WEIGHTS, Corpus, Profile, Weights
from matchmaker.models import OrgKind
from matchmaker.rules import parse_rules
from matchmaker.text import fold
from tooling import UsageError

K = 10

# Who may request whom in the generated event (the demo's rules).
ALLOWED_PAIRS: dict[str, list[str]] = {
    "startup": ["agency", "association", "investor", "ocop", "tech_firm", "university"],
    "ocop": ["agency", "association", "investor", "startup", "tech_firm"],
    "tech_firm": ["agency", "association", "ocop", "startup", "tech_firm", "university"],
    "investor": ["startup", "tech_firm"],
    "agency": ["ocop", "startup", "tech_firm", "university"],
    "university": ["agency", "startup", "tech_firm"],
    "association": ["agency", "startup", "tech_firm"],
}

KIND_SHARES: tuple[tuple[str, float], ...] = (
    ("startup", 0.48), ("tech_firm", 0.17), ("investor", 0.07), ("agency", 0.10),
    ("ocop", 0.12), ("university", 0.04), ("association", 0.02),
)

SECTOR_OFFERS: dict[str, tuple[str, ...]] = {
    "agritech": ("iot_solutions", "traceability", "data_analytics"),
    "aquaculture": ("iot_solutions", "traceability"),
    "tourism": ("tourism_services", "ecommerce_platform"),
    "ecommerce": ("ecommerce_platform", "digital_payment", "logistics_services"),
    "manufacturing": ("software_development", "iot_solutions", "packaging_design"),
    "smart_city": ("smart_city_solutions", "iot_solutions", "ai_solutions"),
    "fintech": ("digital_payment", "data_analytics"),
    "edtech": ("online_learning", "training"),
    "healthtech": ("telemedicine", "ai_solutions"),
    "logistics": ("logistics_services", "software_development"),
    "digital_government": ("software_development", "cloud_services", "data_analytics"),
}

# (kind) -> (offer pool, need pool, tags always truly offered but never ticked)
POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "startup": (
        (),
        ("mentoring", "pilot_customer", "distribution", "cloud_services", "market_access",
         "funding_grants", "talent", "technology_partner", "land_and_permits",
         "export_partner"),
        ("deal_flow", "startup_partnership"),
    ),
    "tech_firm": (
        ("cloud_services", "iot_solutions", "digital_transformation_consulting",
         "software_development", "cybersecurity", "ecommerce_platform", "data_analytics",
         "ai_solutions", "training", "smart_city_solutions"),
        ("public_sector_contracts", "pilot_customer", "distribution", "talent",
         "startup_partnership", "market_access"),
        ("technology_partner",),
    ),
    "investor": (
        ("mentoring", "market_access", "co_investment"),
        ("deal_flow", "co_investment"),
        (),
    ),
    "agency": (
        ("pilot_customer", "funding_grants", "mentoring", "market_access", "trade_promotion",
         "land_and_permits", "training"),
        ("digital_transformation_consulting", "iot_solutions", "cloud_services",
         "smart_city_solutions", "investment_projects", "training", "software_development",
         "data_analytics"),
        ("public_sector_contracts",),
    ),
    "ocop": (
        ("ocop_products", "raw_materials"),
        ("distribution", "ecommerce_platform", "export_partner", "packaging_design",
         "traceability", "market_access", "logistics_services", "funding_grants",
         "trade_promotion"),
        (),
    ),
    "university": (
        ("talent", "research_collaboration", "incubation", "mentoring", "training"),
        ("startup_partnership", "funding_grants", "technology_partner",
         "public_sector_contracts"),
        (),
    ),
    "association": (
        ("market_access", "networking", "mentoring", "training", "trade_promotion"),
        ("startup_partnership", "public_sector_contracts", "investment_projects"),
        (),
    ),
}

# Other ways of saying a tag in a free text (besides its vi and en labels).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "seed_investment": ("vốn mồi cho startup", "đầu tư thiên thần", "gọi vốn vòng hạt giống"),
    "series_a_investment": ("gọi vốn vòng A", "vốn tăng trưởng", "đầu tư mở rộng quy mô"),
    "mentoring": (
        "người hướng dẫn có kinh nghiệm", "cố vấn chiến lược", "huấn luyện đội ngũ sáng lập",
    ),
    "pilot_customer": ("đơn vị áp dụng thử", "thí điểm giải pháp", "khách hàng đầu tiên"),
    "distribution": ("mạng lưới đại lý", "phân phối sản phẩm", "điểm bán lẻ"),
    "cloud_services": ("hạ tầng đám mây", "máy chủ và lưu trữ", "cloud hosting"),
    "iot_solutions": ("cảm biến và thiết bị kết nối", "internet vạn vật", "thiết bị IoT"),
    "ai_solutions": ("trí tuệ nhân tạo", "học máy", "AI"),
    "data_analytics": ("khai thác dữ liệu", "dữ liệu lớn", "báo cáo thông minh"),
    "software_development": (
        "lập trình ứng dụng", "xây dựng phần mềm theo yêu cầu", "gia công phần mềm",
    ),
    "cybersecurity": ("bảo mật hệ thống", "an ninh mạng", "bảo vệ dữ liệu"),
    "ecommerce_platform": ("sàn thương mại điện tử", "bán hàng trực tuyến", "gian hàng online"),
    "digital_payment": ("ví điện tử", "thanh toán không dùng tiền mặt", "cổng thanh toán"),
    "traceability": ("mã QR truy xuất", "minh bạch nguồn gốc sản phẩm", "nhật ký sản xuất điện tử"),
    "smart_city_solutions": (
        "giao thông thông minh", "chiếu sáng thông minh", "trung tâm điều hành đô thị",
    ),
    "online_learning": ("học trực tuyến", "lớp học số", "nền tảng e-learning"),
    "telemedicine": ("tư vấn sức khỏe trực tuyến", "y tế từ xa", "bác sĩ online"),
    "logistics_services": ("vận chuyển hàng hóa", "kho bãi và giao nhận", "chuỗi cung ứng lạnh"),
    "tourism_services": ("tour trải nghiệm", "du lịch cộng đồng", "lưu trú homestay"),
    "market_access": ("mở rộng thị trường", "kết nối khách hàng", "đầu ra ổn định"),
    "export_partner": ("xuất khẩu sản phẩm", "nhà nhập khẩu nước ngoài", "thị trường quốc tế"),
    "digital_transformation_consulting": (
        "lộ trình chuyển đổi số", "tư vấn số hóa quy trình", "chuyển đổi số",
    ),
    "funding_grants": ("nguồn vốn hỗ trợ", "quỹ hỗ trợ doanh nghiệp", "kinh phí khuyến công"),
    "talent": ("sinh viên thực tập", "kỹ sư trẻ", "tuyển dụng nhân sự"),
    "land_and_permits": ("thủ tục hành chính", "đất xây dựng nhà xưởng", "giấy phép đầu tư"),
    "trade_promotion": ("hội chợ triển lãm", "quảng bá sản phẩm", "kết nối giao thương"),
    "ocop_products": ("đặc sản địa phương", "sản phẩm đạt chuẩn OCOP", "nông sản chế biến"),
    "raw_materials": ("vùng nguyên liệu", "nguyên liệu đầu vào", "nông sản tươi"),
    "packaging_design": ("bao bì sản phẩm", "nhận diện thương hiệu", "tem nhãn"),
    "technology_partner": (
        "hợp tác công nghệ", "đơn vị chuyển giao công nghệ", "đồng phát triển sản phẩm",
    ),
    "public_sector_contracts": ("dự án nhà nước", "đặt hàng của cơ quan", "dự án công"),
    "startup_partnership": (
        "hợp tác khởi nghiệp", "startup tiềm năng", "đổi mới sáng tạo cùng startup",
    ),
    "research_collaboration": ("nghiên cứu ứng dụng", "phòng thí nghiệm", "đề tài khoa học"),
    "incubation": ("vườn ươm", "chương trình tăng tốc", "không gian làm việc chung"),
    "training": ("lớp tập huấn", "bồi dưỡng kỹ năng", "đào tạo nhân lực"),
    "deal_flow": ("dự án gọi vốn", "cơ hội đầu tư", "startup gọi vốn"),
    "co_investment": ("cùng đầu tư", "hợp vốn với quỹ khác", "syndicate"),
    "investment_projects": ("thu hút đầu tư", "nhà đầu tư vào tỉnh", "dự án kêu gọi đầu tư"),
    "networking": ("giao lưu hội viên", "kết nối cộng đồng doanh nghiệp", "mạng lưới doanh nhân"),
}

SECTOR_WORDS: dict[str, tuple[str, ...]] = {
    "agritech": ("nông nghiệp thông minh", "canh tác lúa", "cây ăn trái"),
    "aquaculture": ("nuôi tôm", "nuôi cá", "thủy sản"),
    "tourism": ("du lịch sinh thái", "du lịch miệt vườn", "khách du lịch"),
    "ecommerce": ("bán lẻ", "thương mại", "người tiêu dùng"),
    "manufacturing": ("nhà máy", "chế biến", "sản xuất công nghiệp"),
    "smart_city": ("đô thị", "quản lý đô thị", "thành phố"),
    "fintech": ("tài chính", "ngân hàng", "tín dụng"),
    "edtech": ("giáo dục", "trường học", "học sinh"),
    "healthtech": ("y tế", "bệnh viện", "chăm sóc sức khỏe"),
    "logistics": ("vận tải", "kho vận", "giao hàng"),
    "digital_government": ("dịch vụ công", "chính quyền số", "hành chính công"),
}

FILLERS: tuple[str, ...] = (
    "Đội ngũ trẻ, năng động, nhiều năm kinh nghiệm.",
    "Chúng tôi mong muốn hợp tác lâu dài, cùng phát triển.",
    "Đơn vị hoạt động tại khu vực Đồng bằng sông Cửu Long.",
    "Sản phẩm đã được nhiều khách hàng tin dùng.",
    "Rất mong được gặp gỡ các đối tác tại Tuần lễ.",
    "Our team is based in the Mekong Delta.",
    "We look forward to meeting partners at the event.",
)
OFFER_OPENERS = ("Chúng tôi cung cấp", "Thế mạnh của đơn vị:", "Có thể hỗ trợ", "We offer")
SEEK_OPENERS = ("Đang tìm kiếm", "Chúng tôi cần", "Mong muốn tìm", "We are looking for")

# Noise of the visible profile.
P_KEEP_TAG = 0.6
P_SPURIOUS_TAG = 0.3
P_KEEP_SECTOR = 0.75
P_SPURIOUS_SECTOR = 0.2
P_MENTION = 0.65  # a true need/offer is named in the free text
P_NO_DIACRITICS = 0.3
P_ENGLISH_PHRASE = 0.15


@dataclass(frozen=True)
class Hidden:
    id: int
    kind: str
    sectors: tuple[str, ...]
    needs: frozenset[str]
    offers: frozenset[str]


@dataclass(frozen=True)
class GeneratedEvent:
    hidden: tuple[Hidden, ...]
    visible: tuple[Profile, ...]
    grades: dict[int, dict[int, int]]  # viewer -> {candidate: grade > 0}
    candidates: dict[int, tuple[int, ...]]  # viewer -> ids it may request


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    ndcg: float


@dataclass(frozen=True)
class EvalResult:
    seed: int
    organisations: int
    evaluated: int
    mean_relevant: float
    mean_candidates: float
    methods: dict[str, Scores]


# --- the generated event ---------------------------------------------------


def _sample(rng: random.Random, pool: Sequence[str], low: int, high: int) -> list[str]:
    return rng.sample(list(pool), min(len(pool), rng.randint(low, high)))


def _hidden(rng: random.Random, index: int, kind: str) -> Hidden:
    offer_pool, need_pool, unticked = POOLS[kind]
    sectors = _sample(rng, sorted(SECTORS), 1, 3 if kind in ("investor", "association") else 2)
    if kind == "startup":
        offers = sorted({t for s in sectors for t in _sample(rng, SECTOR_OFFERS[s], 1, 2)})
        money = rng.choice(("seed_investment", "seed_investment", "series_a_investment"))
        needs = [money, *_sample(rng, need_pool, 1, 3)]
    elif kind == "investor":
        ticket = rng.choice(("seed_investment", "seed_investment", "series_a_investment"))
        offers = [ticket, *_sample(rng, offer_pool, 1, 2)]
        needs = _sample(rng, need_pool, 1, 2)
    else:
        offers = _sample(rng, offer_pool, 2, 4)
        needs = _sample(rng, need_pool, 2, 3)
    return Hidden(
        id=index + 1,
        kind=kind,
        sectors=tuple(sectors),
        needs=frozenset(needs),
        offers=frozenset([*offers, *unticked]),
    )


def true_grade(a: Hidden, b: Hidden, noise: float) -> int:
    """How much ``a`` truly wants to meet ``b``: 0 (not relevant) to 3."""
    shared = len(set(a.sectors) & set(b.sectors))
    met = len(a.needs & b.offers)
    given = len(b.needs & a.offers)
    value = (1.0 if shared else 0.6) * met + 0.5 * given + 0.4 * min(shared, 2) + noise
    if met == 0 and given == 0:
        value -= 1.0
    if value >= 2.4:
        return 3
    if value >= 1.7:
        return 2
    if value >= 1.15:
        return 1
    return 0


def _phrase(rng: random.Random, tag: str) -> str:
    vi, en = TAGS[tag]
    if rng.random() < P_ENGLISH_PHRASE:
        return en
    return rng.choice((vi, *SYNONYMS.get(tag, ())))


def _text(rng: random.Random, openers: Sequence[str], tags: Sequence[str]) -> str:
    named = [_phrase(rng, t) for t in tags if rng.random() < P_MENTION]
    parts = []
    if named:
        parts.append(f"{rng.choice(openers)} {', '.join(named)}.")
    if rng.random() < 0.6:
        parts.append(rng.choice(FILLERS))
    text = " ".join(parts)
    return fold(text) if rng.random() < P_NO_DIACRITICS else text


def _visible(rng: random.Random, h: Hidden) -> Profile:
    unticked = set(POOLS[h.kind][2])
    all_tags = sorted(TAGS)

    def noisy(true: frozenset[str]) -> tuple[str, ...]:
        kept = [t for t in sorted(true) if t not in unticked and rng.random() < P_KEEP_TAG]
        if rng.random() < P_SPURIOUS_TAG:
            kept.append(rng.choice(all_tags))
        return tuple(dict.fromkeys(kept))

    sectors = [s for s in h.sectors if rng.random() < P_KEEP_SECTOR]
    if rng.random() < P_SPURIOUS_SECTOR:
        sectors.append(rng.choice(sorted(SECTORS)))
    offers, needs = noisy(h.offers), noisy(h.needs)
    words = [rng.choice(SECTOR_WORDS[s]) for s in h.sectors if rng.random() < 0.7]
    description = (
        f"Đơn vị hoạt động trong lĩnh vực {', '.join(words)}. {rng.choice(FILLERS)}"
        if words
        else rng.choice(FILLERS)
    )
    if rng.random() < P_NO_DIACRITICS:
        description = fold(description)
    return Profile(
        id=h.id,
        name=f"Org {h.id:04d}",
        kind=h.kind,
        sectors=tuple(dict.fromkeys(sectors)),
        offers=offers,
        seeks=needs,
        description=description,
        offers_text=_text(rng, OFFER_OPENERS, sorted(h.offers - unticked)),
        seeks_text=_text(rng, SEEK_OPENERS, sorted(h.needs)),
    )


def generate(seed: int = 2023, organisations: int = 400) -> GeneratedEvent:
    """A generated event with hidden true preferences (deterministic in ``seed``)."""
    if organisations < 2:
        raise ValueError("at least two organisations are needed")
    rng = random.Random(seed)
    kinds = [k for k, _ in KIND_SHARES]
    weights = [w for _, w in KIND_SHARES]
    # Every kind at least once, the rest drawn by share.
    drawn = kinds[: min(len(kinds), organisations)]
    drawn += rng.choices(kinds, weights=weights, k=organisations - len(drawn))
    hidden = tuple(_hidden(rng, i, kind) for i, kind in enumerate(drawn))
    visible = tuple(_visible(rng, h) for h in hidden)
    rules = parse_rules({"allowed_pairs": ALLOWED_PAIRS})
    grades: dict[int, dict[int, int]] = {}
    candidates: dict[int, tuple[int, ...]] = {}
    by_id = {b.id: b for b in hidden}
    for a in hidden:
        allowed = tuple(
            b.id
            for b in hidden
            if b.id != a.id and rules.may_request_kind(OrgKind(a.kind), OrgKind(b.kind))
        )
        candidates[a.id] = allowed
        row = {}
        for b_id in allowed:
            grade = true_grade(a, by_id[b_id], rng.gauss(0.0, 0.3))
            if grade:
                row[b_id] = grade
        grades[a.id] = row
    return GeneratedEvent(hidden, visible, grades, candidates)


# --- rankers and metrics ---------------------------------------------------

Ranker = Callable[[int, Sequence[int]], list[int]]


def random_ranker(seed: int) -> Ranker:
    def rank(viewer: int, candidates: Sequence[int]) -> list[int]:
        rng = random.Random(seed * 1_000_003 + viewer)
        order = list(candidates)
        rng.shuffle(order)
        return order[:K]

    return rank


def sector_ranker(event: GeneratedEvent, seed: int) -> Ranker:
    sectors = {p.id: set(p.sectors) for p in event.visible}

    def rank(viewer: int, candidates: Sequence[int]) -> list[int]:
        rng = random.Random(seed * 1_000_033 + viewer)
        keyed = [(-len(sectors[viewer] & sectors[c]), rng.random(), c) for c in candidates]
        return [c for _, _, c in sorted(keyed)[:K]]

    return rank


# The recommender with one signal switched off (`--ablation`): what each adds.
ABLATIONS: dict[str, Weights] = {
    "- tags": replace(DEFAULT_WEIGHTS, seek=0.0, give=0.0),
    "- text": replace(DEFAULT_WEIGHTS, text_seek=0.0, text_give=0.0, text_all=0.0),
    "- sectors": replace(DEFAULT_WEIGHTS, sector=0.0),
    "- kinds": replace(DEFAULT_WEIGHTS, kind=0.0),
}


def recommender_ranker(event: GeneratedEvent, weights: Weights = DEFAULT_WEIGHTS) -> Ranker:
    corpus = Corpus.build(event.visible).with_weights(weights)

    def rank(viewer: int, candidates: Sequence[int]) -> list[int]:
        matches = corpus.rank(viewer, candidates, limit=K, keep_zero=True)
        return [m.profile.id for m in matches]

    return rank


def _dcg(gains: Sequence[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def metrics(ranked: Sequence[int], grades: dict[int, int]) -> Scores:
    """precision@K, recall@K and NDCG@K of one top list (graded relevance)."""
    top = list(ranked)[:K]
    hits = sum(1 for c in top if grades.get(c, 0) > 0)
    ideal = _dcg(sorted(grades.values(), reverse=True)[:K])
    ndcg = _dcg([grades.get(c, 0) for c in top]) / ideal if ideal else 0.0
    return Scores(hits / K, hits / len(grades) if grades else 0.0, ndcg)


def evaluate(seed: int = 2023, organisations: int = 400, *, ablation: bool = False) -> EvalResult:
    event = generate(seed, organisations)
    rankers: dict[str, Ranker] = {
        "random": random_ranker(seed),
        "shared sector": sector_ranker(event, seed),
        "recommender": recommender_ranker(event),
    }
    if ablation:
        for name, weights in ABLATIONS.items():
            rankers[name] = recommender_ranker(event, weights)
    viewers = [h.id for h in event.hidden if event.grades[h.id]]
    methods = {}
    for name, ranker in rankers.items():
        per_org = [metrics(ranker(v, event.candidates[v]), event.grades[v]) for v in viewers]
        n = max(1, len(per_org))
        methods[name] = Scores(
            sum(s.precision for s in per_org) / n,
            sum(s.recall for s in per_org) / n,
            sum(s.ndcg for s in per_org) / n,
        )
    return EvalResult(
        seed=seed,
        organisations=organisations,
        evaluated=len(viewers),
        mean_relevant=sum(len(event.grades[v]) for v in viewers) / max(1, len(viewers)),
        mean_candidates=sum(len(event.candidates[v]) for v in viewers) / max(1, len(viewers)),
        methods=methods,
    )


def format_table(result: EvalResult) -> str:
    lines = [
        f"eval-matching: seed {result.seed}, {result.organisations} organisations, "
        f"{result.evaluated} with relevant partners "
        f"(on average {result.mean_relevant:.1f} relevant of {result.mean_candidates:.0f} "
        f"they may request)",
        "",
        f"{'method':<16}{'P@10':>8}{'R@10':>8}{'NDCG@10':>10}",
        "-" * 42,
    ]
    for name, s in result.methods.items():
        lines.append(f"{name:<16}{s.precision:>8.3f}{s.recall:>8.3f}{s.ndcg:>10.3f}")
    return "\n".join(lines)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--orgs", type=int, default=400, help="organisations to generate (>= 2)")
    ap.add_argument("--ablation", action="store_true", help="also without each signal")


def run(args: argparse.Namespace) -> int:
    if args.orgs < 2 or args.orgs > 20_000:
        raise UsageError("--orgs: must be between 2 and 20000")
    print(format_table(evaluate(seed=args.seed, organisations=args.orgs, ablation=args.ablation)))
    return 0

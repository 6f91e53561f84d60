"""Stable slugs (and their vi/en labels) for sectors, offers/seeks tags and stages.

The demo generator uses these; the interface may use the labels to display them.
"""

from __future__ import annotations

SECTORS: dict[str, tuple[str, str]] = {
    "agritech": ("Nông nghiệp công nghệ cao", "Agriculture & agritech"),
    "aquaculture": ("Thủy sản", "Aquaculture"),
    "tourism": ("Du lịch", "Tourism"),
    "ecommerce": ("Thương mại và thương mại điện tử", "Commerce & e-commerce"),
    "manufacturing": ("Công nghiệp chế biến, chế tạo", "Manufacturing"),
    "smart_city": ("Đô thị thông minh", "Smart city"),
    "fintech": ("Công nghệ tài chính", "Fintech"),
    "edtech": ("Công nghệ giáo dục", "Edtech"),
    "healthtech": ("Công nghệ y tế", "Healthtech"),
    "logistics": ("Logistics", "Logistics"),
    "digital_government": ("Chính quyền số", "Digital government"),
}

TAGS: dict[str, tuple[str, str]] = {
    "seed_investment": ("vốn đầu tư giai đoạn hạt giống", "seed investment"),
    "series_a_investment": ("vốn đầu tư vòng A", "series A investment"),
    "mentoring": ("cố vấn, huấn luyện khởi nghiệp", "mentoring"),
    "pilot_customer": ("khách hàng thí điểm", "pilot customer"),
    "distribution": ("kênh phân phối", "distribution"),
    "cloud_services": ("dịch vụ điện toán đám mây", "cloud services"),
    "iot_solutions": ("giải pháp IoT", "IoT solutions"),
    "ai_solutions": ("giải pháp trí tuệ nhân tạo", "AI solutions"),
    "data_analytics": ("phân tích dữ liệu", "data analytics"),
    "software_development": ("phát triển phần mềm", "software development"),
    "cybersecurity": ("an toàn thông tin", "cybersecurity"),
    "ecommerce_platform": ("nền tảng thương mại điện tử", "e-commerce platform"),
    "digital_payment": ("thanh toán số", "digital payment"),
    "traceability": ("truy xuất nguồn gốc", "traceability"),
    "smart_city_solutions": ("giải pháp đô thị thông minh", "smart city solutions"),
    "online_learning": ("đào tạo trực tuyến", "online learning"),
    "telemedicine": ("khám chữa bệnh từ xa", "telemedicine"),
    "logistics_services": ("dịch vụ logistics, vận chuyển", "logistics services"),
    "tourism_services": ("dịch vụ du lịch", "tourism services"),
    "market_access": ("tiếp cận thị trường", "market access"),
    "export_partner": ("đối tác xuất khẩu", "export partner"),
    "digital_transformation_consulting": (
        "tư vấn chuyển đổi số",
        "digital transformation consulting",
    ),
    "funding_grants": ("hỗ trợ kinh phí, tài trợ", "funding and grants"),
    "talent": ("nguồn nhân lực", "talent"),
    "land_and_permits": ("mặt bằng và thủ tục đầu tư", "land and permits"),
    "trade_promotion": ("xúc tiến thương mại", "trade promotion"),
    "ocop_products": ("sản phẩm OCOP", "OCOP products"),
    "raw_materials": ("nguồn nguyên liệu", "raw materials"),
    "packaging_design": ("thiết kế bao bì, nhãn hiệu", "packaging and branding"),
    "technology_partner": ("đối tác công nghệ", "technology partner"),
    "public_sector_contracts": ("dự án khu vực công", "public sector projects"),
    "startup_partnership": ("hợp tác với startup", "startup partnership"),
    "research_collaboration": ("hợp tác nghiên cứu", "research collaboration"),
    "incubation": ("ươm tạo", "incubation"),
    "training": ("đào tạo, tập huấn", "training"),
    "deal_flow": ("dự án khởi nghiệp tiềm năng", "deal flow"),
    "co_investment": ("đồng đầu tư", "co-investment"),
    "investment_projects": ("dự án đầu tư vào tỉnh", "investment projects"),
    "networking": ("kết nối hội viên", "networking"),
}

STAGES: dict[str, tuple[str, str]] = {
    "idea": ("Ý tưởng", "Idea"),
    "mvp": ("Sản phẩm mẫu (MVP)", "MVP"),
    "seed": ("Hạt giống (seed)", "Seed"),
    "series_a": ("Series A", "Series A"),
    "growth": ("Tăng trưởng", "Growth"),
}


def sector_label(slug: str, locale: str = "vi") -> str:
    vi, en = SECTORS.get(slug, (slug, slug))
    return en if locale == "en" else vi


def tag_label(slug: str, locale: str = "vi") -> str:
    vi, en = TAGS.get(slug, (slug, slug))
    return en if locale == "en" else vi


def stage_label(slug: str, locale: str = "vi") -> str:
    vi, en = STAGES.get(slug, (slug, slug))
    return en if locale == "en" else vi


def tag_labels(tags: list[str]) -> str:
    """The Vietnamese labels of ``tags``, comma-separated (for the demo's prose)."""
    return ", ".join(tag_label(t) for t in tags)


def sector_words(sectors: list[str]) -> str:
    """The Vietnamese names of ``sectors`` in lower case, comma-separated."""
    return ", ".join(SECTORS[s][0].lower() for s in sectors)

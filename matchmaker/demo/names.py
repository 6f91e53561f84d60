"""Vietnamese names for the demo event: people, places and organisations.

Lists are tuples (ordered) so generation is deterministic for a seed.
"""

from __future__ import annotations

# Family names with rough frequencies (percent) in southern Vietnam.
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 36), ("Trần", 11), ("Lê", 9.5), ("Phạm", 6), ("Huỳnh", 5), ("Võ", 4.5),
    ("Phan", 4.5), ("Trương", 2), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1.5), ("Hồ", 1.5),
    ("Ngô", 1.5), ("Dương", 1.2), ("Lý", 1), ("Hoàng", 1.5), ("Vũ", 1), ("Châu", 0.8),
    ("Lâm", 0.8), ("Tô", 0.5), ("Đinh", 0.6), ("Mai", 0.6), ("Thái", 0.5), ("Quách", 0.4),
    ("Tạ", 0.4), ("La", 0.3), ("Kha", 0.2), ("Danh", 0.3),
)

MIDDLE_MALE: tuple[str, ...] = (
    "Văn", "Văn", "Hữu", "Minh", "Quốc", "Thanh", "Đức", "Hoàng", "Công", "Tấn", "Trung",
    "Ngọc", "Phước", "Thành", "Hoài", "Duy", "Gia", "Nhật",
)
MIDDLE_FEMALE: tuple[str, ...] = (
    "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Mỹ", "Bích", "Hồng", "Thùy", "Phương",
    "Minh", "Hoàng", "Bảo", "Cẩm", "Diễm",
)
GIVEN_MALE: tuple[str, ...] = (
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khang", "Khoa", "Long", "Minh", "Nam",
    "Phúc", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Trí", "Tuấn", "Vinh", "Hiếu", "Lộc",
    "Phát", "Nhân", "Tâm", "Toàn", "Hòa", "Kiệt", "Đạt", "Huy", "Nghĩa", "Thịnh", "Tín",
    "Triều", "Vũ", "Bảo", "Khải", "Luân", "Tú", "Hậu",
)
GIVEN_FEMALE: tuple[str, ...] = (
    "Anh", "Châu", "Diễm", "Dung", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai",
    "My", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Trinh", "Uyên",
    "Vy", "Yến", "Thư", "Nhi", "Hằng", "Tuyết", "Loan", "Xuân", "Hiền", "Thủy", "Ngọc",
    "Huyền", "Trâm", "Vân",
)

HAU_GIANG_PLACES: tuple[str, ...] = (
    "Vị Thanh", "Ngã Bảy", "Long Mỹ", "Phụng Hiệp", "Vị Thủy", "Châu Thành", "Châu Thành A",
    "Hỏa Tiến", "Hỏa Lựu", "Tân Tiến", "Vị Tân", "Tân Long", "Long Thạnh", "Phú Hữu",
    "Đông Phước", "Vĩnh Viễn", "Lương Tâm", "Xà Phiên", "Vị Thắng", "Tân Phước Hưng",
    "Hiệp Hưng", "Cái Tắc", "Một Ngàn", "Bảy Ngàn", "Rạch Gòi", "Kinh Cùng", "Cây Dương",
    "Nàng Mau", "Vĩnh Tường", "Thạnh Xuân", "Tân Bình", "Phương Bình", "Hòa An", "Long Bình",
)

MEKONG_PROVINCES: tuple[str, ...] = (
    "Cần Thơ", "Sóc Trăng", "Bạc Liêu", "Cà Mau", "Kiên Giang", "An Giang", "Đồng Tháp",
    "Vĩnh Long", "Trà Vinh", "Bến Tre", "Tiền Giang", "Long An",
)

# --- Agencies --------------------------------------------------------------

# The real provincial and district bodies of Hậu Giang (first come first).
HAU_GIANG_AGENCIES: tuple[str, ...] = (
    "Sở Thông tin và Truyền thông tỉnh Hậu Giang",
    "Sở Công Thương tỉnh Hậu Giang",
    "Sở Văn hóa, Thể thao và Du lịch tỉnh Hậu Giang",
    "Sở Nông nghiệp và Phát triển nông thôn tỉnh Hậu Giang",
    "Sở Khoa học và Công nghệ tỉnh Hậu Giang",
    "Sở Kế hoạch và Đầu tư tỉnh Hậu Giang",
    "Trung tâm Xúc tiến Thương mại tỉnh Hậu Giang",
    "UBND thành phố Vị Thanh",
    "UBND thành phố Ngã Bảy",
    "UBND thị xã Long Mỹ",
    "UBND huyện Châu Thành A",
    "UBND huyện Châu Thành",
    "UBND huyện Phụng Hiệp",
    "UBND huyện Vị Thủy",
    "UBND huyện Long Mỹ",
    "Sở Tài chính tỉnh Hậu Giang",
    "Sở Giáo dục và Đào tạo tỉnh Hậu Giang",
    "Sở Y tế tỉnh Hậu Giang",
    "Sở Giao thông vận tải tỉnh Hậu Giang",
    "Sở Tài nguyên và Môi trường tỉnh Hậu Giang",
    "Sở Lao động – Thương binh và Xã hội tỉnh Hậu Giang",
    "Văn phòng UBND tỉnh Hậu Giang",
    "Ban Quản lý các khu công nghiệp tỉnh Hậu Giang",
    "Trung tâm Công nghệ thông tin và Truyền thông tỉnh Hậu Giang",
    "Trung tâm Phục vụ hành chính công tỉnh Hậu Giang",
    "Trung tâm Khuyến nông tỉnh Hậu Giang",
    "Khu Nông nghiệp ứng dụng công nghệ cao tỉnh Hậu Giang",
    "Liên minh Hợp tác xã tỉnh Hậu Giang",
    "Tỉnh Đoàn Hậu Giang",
    "Ngân hàng Nhà nước Chi nhánh tỉnh Hậu Giang",
)

# Departments found in every province, for scaled-up events.
PROVINCIAL_DEPARTMENTS: tuple[str, ...] = (
    "Sở Thông tin và Truyền thông",
    "Sở Công Thương",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Khoa học và Công nghệ",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tài chính",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Giao thông vận tải",
    "Trung tâm Xúc tiến Thương mại",
    "Trung tâm Khuyến nông",
    "Ban Quản lý các khu công nghiệp",
    "Liên minh Hợp tác xã",
)

# --- Universities and incubators -------------------------------------------

UNIVERSITIES: tuple[tuple[str, str], ...] = (
    ("Trường Đại học Cần Thơ", "Cần Thơ"),
    ("Trường Đại học Võ Trường Toản", "Hậu Giang"),
    ("Trường Đại học Nam Cần Thơ", "Cần Thơ"),
    ("Trường Đại học Tây Đô", "Cần Thơ"),
    ("Trường Đại học Kỹ thuật – Công nghệ Cần Thơ", "Cần Thơ"),
    ("Trường Cao đẳng Cộng đồng Hậu Giang", "Hậu Giang"),
    ("Vườn ươm Doanh nghiệp Công nghệ Nông nghiệp Cần Thơ", "Cần Thơ"),
    ("Trung tâm Khởi nghiệp Sáng tạo TP.HCM (SIHUB)", "TP. Hồ Chí Minh"),
    ("Trung tâm Hỗ trợ Khởi nghiệp Đổi mới sáng tạo Hậu Giang", "Hậu Giang"),
    ("Trường Đại học FPT Cần Thơ", "Cần Thơ"),
    ("Trường Đại học Công nghệ Thông tin – ĐHQG TP.HCM", "TP. Hồ Chí Minh"),
    ("Trường Đại học Bách khoa – ĐHQG TP.HCM", "TP. Hồ Chí Minh"),
    ("Trường Đại học Trà Vinh", "Trà Vinh"),
    ("Trường Đại học An Giang", "An Giang"),
    ("Trường Đại học Đồng Tháp", "Đồng Tháp"),
    ("Trường Đại học Bạc Liêu", "Bạc Liêu"),
    ("Trường Đại học Kinh tế TP.HCM – Vườn ươm UEH", "TP. Hồ Chí Minh"),
    ("Trường Cao đẳng Kinh tế – Kỹ thuật Cần Thơ", "Cần Thơ"),
)
INCUBATOR_FORMS: tuple[str, ...] = (
    "Vườn ươm Khởi nghiệp {p}",
    "Trung tâm Đổi mới sáng tạo {p}",
    "Không gian Khởi nghiệp {p}",
    "Trường Cao đẳng nghề {p}",
)

# --- Associations ----------------------------------------------------------

ASSOCIATIONS: tuple[tuple[str, str], ...] = (
    ("Hội Tin học TP.HCM (HCA)", "TP. Hồ Chí Minh"),
    ("Hội Doanh nghiệp tỉnh Hậu Giang", "Hậu Giang"),
    ("Hội Doanh nhân trẻ tỉnh Hậu Giang", "Hậu Giang"),
    ("Hiệp hội Doanh nghiệp TP. Cần Thơ", "Cần Thơ"),
    ("Hội Nông dân tỉnh Hậu Giang", "Hậu Giang"),
    ("Hiệp hội Thương mại điện tử Việt Nam – Chi hội phía Nam", "TP. Hồ Chí Minh"),
)
ASSOCIATION_FORMS: tuple[str, ...] = (
    "Hội Doanh nghiệp tỉnh {p}",
    "Hội Doanh nhân trẻ tỉnh {p}",
    "Hiệp hội Doanh nghiệp nhỏ và vừa tỉnh {p}",
)

# --- Companies (fictional brands) ------------------------------------------

BRAND_PREFIXES: tuple[str, ...] = (
    "Mekong", "Agri", "Smart", "Viet", "Green", "Eco", "Delta", "Phù Sa", "Sen", "Lúa Vàng",
    "Mê Kông", "Tây Đô", "Hậu Giang", "Sông Hậu", "Cửu Long", "Miền Tây", "Nông", "Blue",
    "Bright", "Sao", "Nam", "Tân", "Việt", "Rạch", "Kênh", "Lotus", "Bamboo", "Dừa", "Mango",
    "Open", "Hi", "Go", "Neo", "Next", "Sky", "One", "Ta", "Nhà", "Chợ", "Phố",
)
BRAND_ROOTS: dict[str, tuple[str, ...]] = {
    "agritech": ("Farm", "Agri", "Nông Trại", "Rice", "Seed", "Field", "Crop", "Garden"),
    "aquaculture": ("Fish", "Aqua", "Tôm", "Cá", "Pond", "Shrimp"),
    "tourism": ("Trip", "Travel", "Tour", "Homestay", "Du Lịch", "Explore"),
    "ecommerce": ("Mart", "Shop", "Chợ", "Market", "Deal", "Store", "Buy"),
    "manufacturing": ("Factory", "Make", "Pack", "Chế Tạo", "Machine", "Print"),
    "smart_city": ("City", "Urban", "Sense", "Grid", "Light", "Map"),
    "fintech": ("Pay", "Coin", "Fin", "Wallet", "Lend", "Ví"),
    "edtech": ("Learn", "Edu", "Class", "Học", "Skill", "Kids"),
    "healthtech": ("Care", "Health", "Med", "Khỏe", "Clinic", "Doctor"),
    "logistics": ("Ship", "Go", "Cargo", "Express", "Giao", "Hub", "Truck"),
    "digital_government": ("Gov", "eGov", "Civic", "Data", "Sign", "Cloud"),
}
TECH_FIRM_FORMS: tuple[str, ...] = (
    "Công ty Cổ phần Công nghệ {b}",
    "Công ty TNHH Giải pháp Phần mềm {b}",
    "Công ty Cổ phần {b} Software",
    "Công ty TNHH {b} Technology",
    "Công ty Cổ phần Chuyển đổi số {b}",
    "{b} Solutions",
    "Tập đoàn Công nghệ {b}",
    "Công ty Cổ phần Dữ liệu {b}",
)
TECH_FIRM_BRANDS: tuple[str, ...] = (
    "Sài Gòn", "Nam Việt", "Phương Nam", "Gia Định", "Bến Thành", "Thủ Đức", "Sao Mai",
    "Vạn Xuân", "Trường Sơn", "Đông Á", "Tân Cảng", "Hưng Thịnh", "Quang Trung", "Bách Việt",
    "Lạc Hồng", "An Phát", "Kim Long", "Thiên An", "Hòa Bình", "Phú Mỹ", "Minh Khang",
    "Việt Tín", "Đại Phát", "Hải Âu", "Nhật Quang", "Song Long", "Toàn Cầu", "Thành Công",
    "Tin Việt", "Sông Hàn", "Vietsoft", "Infocom", "Datavina", "Cloudviet", "Saigontech",
    "Netcore", "Vinasec", "Mekosoft", "Optimus", "Hyperlink",
)
STARTUP_FORMS: tuple[str, ...] = (
    "{b}",
    "{b}",
    "Công ty TNHH {b}",
    "Công ty Cổ phần {b}",
    "{b} JSC",
)

# --- Investors -------------------------------------------------------------

INVESTOR_NAMES: tuple[str, ...] = (
    "Quỹ Đầu tư Mekong Ventures",
    "Quỹ Khởi nghiệp Sáng tạo Sen Vàng",
    "Delta Capital Partners",
    "Mạng lưới Nhà đầu tư thiên thần Cửu Long",
    "Quỹ Đầu tư phát triển tỉnh Hậu Giang",
    "Saigon Seed Fund",
    "Quỹ Đổi mới công nghệ Phương Nam",
    "Lúa Vàng Angels",
    "Tây Đô Venture Partners",
    "Quỹ Hỗ trợ khởi nghiệp Sông Hậu",
    "Nam Việt Growth Capital",
    "Quỹ Đầu tư Nông nghiệp Xanh AgriFund",
    "Blue Lotus Ventures",
    "Quỹ Tăng tốc Khởi nghiệp Phù Sa",
    "Bến Thành Angel Club",
    "Quỹ Đầu tư Tác động Miền Tây",
    "Gia Định Capital",
    "Mạng lưới Nhà đầu tư Doanh nhân trẻ TP.HCM",
    "Quỹ Đầu tư Công nghệ Việt Tín",
    "Hưng Thịnh Ventures",
)
INVESTOR_FORMS: tuple[str, ...] = (
    "Quỹ Đầu tư {b} Ventures",
    "{b} Capital",
    "Quỹ Khởi nghiệp {b}",
    "{b} Angels",
    "Mạng lưới Nhà đầu tư thiên thần {b}",
)

# --- OCOP producers --------------------------------------------------------

# (product, sector)
OCOP_PRODUCTS: tuple[tuple[str, str], ...] = (
    ("Khóm Cầu Đúc", "agritech"),
    ("Cá thát lát", "aquaculture"),
    ("Chả cá thát lát", "aquaculture"),
    ("Mật ong rừng tràm", "agritech"),
    ("Bưởi Năm Roi", "agritech"),
    ("Trà mãng cầu xiêm", "manufacturing"),
    ("Khô cá lóc", "aquaculture"),
    ("Nước mắm cá linh", "manufacturing"),
    ("Cam sành", "agritech"),
    ("Gạo thơm", "agritech"),
    ("Tinh bột nghệ", "manufacturing"),
    ("Hàng thủ công lục bình", "manufacturing"),
    ("Lươn đồng", "aquaculture"),
    ("Cá rô đồng", "aquaculture"),
    ("Mứt khóm", "manufacturing"),
    ("Bánh phồng tôm", "manufacturing"),
    ("Chanh không hạt", "agritech"),
    ("Dưa lưới", "agritech"),
    ("Nấm rơm", "agritech"),
    ("Rượu khóm", "manufacturing"),
    ("Ếch đồng", "aquaculture"),
    ("Trái cây sấy dẻo", "manufacturing"),
    ("Du lịch sinh thái miệt vườn", "tourism"),
    ("Đặc sản chợ nổi", "tourism"),
)
OCOP_FORMS: tuple[str, ...] = (
    "HTX {p} {l}",
    "Cơ sở {p} {l}",
    "Công ty TNHH {p} {l}",
    "Hộ kinh doanh {p} {l}",
    "Tổ hợp tác {p} {l}",
)

# --- Titles by organisation kind ---------------------------------------------

TITLES: dict[str, tuple[str, ...]] = {
    "startup": (
        "Nhà sáng lập kiêm CEO", "Đồng sáng lập", "Giám đốc điều hành", "CTO",
        "Giám đốc sản phẩm",
    ),
    "tech_firm": (
        "Giám đốc", "Phó Tổng Giám đốc", "Giám đốc kinh doanh",
        "Trưởng phòng Giải pháp chuyển đổi số", "Giám đốc khu vực Mekong", "CEO",
    ),
    "investor": (
        "Đối tác điều hành (Managing Partner)", "Giám đốc đầu tư",
        "Chuyên viên phân tích đầu tư", "Nhà đầu tư thiên thần",
    ),
    "agency_so": ("Giám đốc Sở", "Phó Giám đốc Sở", "Trưởng phòng", "Chuyên viên"),
    "agency_ubnd": ("Chủ tịch UBND", "Phó Chủ tịch UBND", "Trưởng phòng Kinh tế"),
    "agency_other": ("Giám đốc", "Phó Giám đốc", "Trưởng phòng", "Chuyên viên"),
    "ocop": ("Chủ cơ sở", "Giám đốc HTX", "Chủ nhiệm HTX", "Phụ trách kinh doanh"),
    "university": (
        "Hiệu trưởng", "Phó Hiệu trưởng", "Giám đốc Vườn ươm", "Trưởng khoa", "Giảng viên",
    ),
    "association": ("Chủ tịch Hội", "Phó Chủ tịch Hội", "Tổng Thư ký"),
}

"""Vietnam's provincial-level units since the 2025 merger, and every older way of
writing one.

Resolution 202/2025/QH15 (in force from 12 June 2025) merged the 63 provinces and
cities into 34 units: 28 provinces and 6 centrally-run cities. An organisation's
province is stored as the unit's Vietnamese name (`PROVINCES`' keys); registration, the
profile forms and the importer pass what was typed through :func:`province_of`, so a
spreadsheet saying "Hậu Giang", "TP HCM" or "Sài Gòn" still imports, into the unit
that absorbed it ("Cần Thơ", "TP. Hồ Chí Minh").

Pure data and string work: the demo generator, the services and the templates all
use it, so it sits below them.
"""

from __future__ import annotations

import re

from matchmaker.text import fold

__all__ = ["CITIES", "MERGED_INTO", "PROVINCES", "province_label", "province_of"]

# The six centrally-run cities, then the 28 provinces (each list alphabetical in
# Vietnamese): stored name -> (Vietnamese label, English label).
CITIES: dict[str, tuple[str, str]] = {
    "Cần Thơ": ("Cần Thơ", "Can Tho"),
    "Đà Nẵng": ("Đà Nẵng", "Da Nang"),
    "Hà Nội": ("Hà Nội", "Hanoi"),
    "Hải Phòng": ("Hải Phòng", "Hai Phong"),
    "TP. Hồ Chí Minh": ("TP. Hồ Chí Minh", "Ho Chi Minh City"),
    "Huế": ("Huế", "Hue"),
}
_PROVINCES_ONLY: dict[str, tuple[str, str]] = {
    "An Giang": ("An Giang", "An Giang"),
    "Bắc Ninh": ("Bắc Ninh", "Bac Ninh"),
    "Cà Mau": ("Cà Mau", "Ca Mau"),
    "Cao Bằng": ("Cao Bằng", "Cao Bang"),
    "Đắk Lắk": ("Đắk Lắk", "Dak Lak"),
    "Điện Biên": ("Điện Biên", "Dien Bien"),
    "Đồng Nai": ("Đồng Nai", "Dong Nai"),
    "Đồng Tháp": ("Đồng Tháp", "Dong Thap"),
    "Gia Lai": ("Gia Lai", "Gia Lai"),
    "Hà Tĩnh": ("Hà Tĩnh", "Ha Tinh"),
    "Hưng Yên": ("Hưng Yên", "Hung Yen"),
    "Khánh Hòa": ("Khánh Hòa", "Khanh Hoa"),
    "Lai Châu": ("Lai Châu", "Lai Chau"),
    "Lâm Đồng": ("Lâm Đồng", "Lam Dong"),
    "Lạng Sơn": ("Lạng Sơn", "Lang Son"),
    "Lào Cai": ("Lào Cai", "Lao Cai"),
    "Nghệ An": ("Nghệ An", "Nghe An"),
    "Ninh Bình": ("Ninh Bình", "Ninh Binh"),
    "Phú Thọ": ("Phú Thọ", "Phu Tho"),
    "Quảng Ngãi": ("Quảng Ngãi", "Quang Ngai"),
    "Quảng Ninh": ("Quảng Ninh", "Quang Ninh"),
    "Quảng Trị": ("Quảng Trị", "Quang Tri"),
    "Sơn La": ("Sơn La", "Son La"),
    "Tây Ninh": ("Tây Ninh", "Tay Ninh"),
    "Thái Nguyên": ("Thái Nguyên", "Thai Nguyen"),
    "Thanh Hóa": ("Thanh Hóa", "Thanh Hoa"),
    "Tuyên Quang": ("Tuyên Quang", "Tuyen Quang"),
    "Vĩnh Long": ("Vĩnh Long", "Vinh Long"),
}
PROVINCES: dict[str, tuple[str, str]] = CITIES | _PROVINCES_ONLY

# The 29 provinces and cities of before the merger that another unit absorbed.
MERGED_INTO: dict[str, str] = {
    "Hà Giang": "Tuyên Quang",
    "Yên Bái": "Lào Cai",
    "Bắc Kạn": "Thái Nguyên",
    "Vĩnh Phúc": "Phú Thọ",
    "Hòa Bình": "Phú Thọ",
    "Bắc Giang": "Bắc Ninh",
    "Thái Bình": "Hưng Yên",
    "Hải Dương": "Hải Phòng",
    "Hà Nam": "Ninh Bình",
    "Nam Định": "Ninh Bình",
    "Quảng Bình": "Quảng Trị",
    "Quảng Nam": "Đà Nẵng",
    "Kon Tum": "Quảng Ngãi",
    "Bình Định": "Gia Lai",
    "Phú Yên": "Đắk Lắk",
    "Ninh Thuận": "Khánh Hòa",
    "Đắk Nông": "Lâm Đồng",
    "Bình Thuận": "Lâm Đồng",
    "Bình Phước": "Đồng Nai",
    "Bình Dương": "TP. Hồ Chí Minh",
    "Bà Rịa – Vũng Tàu": "TP. Hồ Chí Minh",
    "Long An": "Tây Ninh",
    "Tiền Giang": "Đồng Tháp",
    "Bến Tre": "Vĩnh Long",
    "Trà Vinh": "Vĩnh Long",
    "Kiên Giang": "An Giang",
    "Hậu Giang": "Cần Thơ",
    "Sóc Trăng": "Cần Thơ",
    "Bạc Liêu": "Cà Mau",
}

# Other ways people write a unit, old or new: abbreviations, older official names,
# spellings without diacritics that fold differently, big towns used as the province.
_ALIASES: dict[str, str] = {
    "Hồ Chí Minh": "TP. Hồ Chí Minh",
    "HCM": "TP. Hồ Chí Minh",
    "TPHCM": "TP. Hồ Chí Minh",
    "HCMC": "TP. Hồ Chí Minh",
    "Sài Gòn": "TP. Hồ Chí Minh",
    "Vũng Tàu": "TP. Hồ Chí Minh",
    "BR-VT": "TP. Hồ Chí Minh",
    "BRVT": "TP. Hồ Chí Minh",
    "Bà Rịa Vũng Tàu": "TP. Hồ Chí Minh",
    "HN": "Hà Nội",
    "TPHN": "Hà Nội",
    "HP": "Hải Phòng",
    "Thừa Thiên Huế": "Huế",
    "Thừa Thiên - Huế": "Huế",
    "TT Huế": "Huế",
    "TTH": "Huế",
    "CT": "Cần Thơ",
    "TPCT": "Cần Thơ",
    "Đắc Lắc": "Đắk Lắk",
    "Đăk Lăk": "Đắk Lắk",
    "Đắk Lăk": "Đắk Lắk",
    "Đắc Nông": "Lâm Đồng",
    "Đăk Nông": "Lâm Đồng",
    "Bắc Cạn": "Thái Nguyên",
    "Kontum": "Quảng Ngãi",
}

# Words around a name that do not change which unit it is.
_PREFIXES = (("thanh", "pho"), ("tinh",), ("tp",))
_SUFFIXES = (("city",), ("province",), ("municipality",))
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _words(raw: str) -> list[str]:
    words = _NOT_WORD.sub(" ", fold(raw)).split()
    for prefix in _PREFIXES:
        if len(words) > len(prefix) and tuple(words[: len(prefix)]) == prefix:
            words = words[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
            words = words[: -len(suffix)]
            break
    return words


def _keys(raw: str) -> tuple[str, str]:
    """The spaced and the run-together form ("ha noi", "hanoi"), so "Saigon" is "Sài Gòn"."""
    words = _words(raw)
    return " ".join(words), "".join(words)


def _index() -> dict[str, str]:
    by_key: dict[str, str] = {}
    names: list[tuple[str, str]] = []
    for name, (vi, en) in PROVINCES.items():
        names += [(name, name), (vi, name), (en, name)]
    names += list(MERGED_INTO.items()) + list(_ALIASES.items())
    for written, unit in names:
        for key in _keys(written):
            by_key.setdefault(key, unit)
    return by_key


_BY_KEY = _index()


def province_of(raw: str) -> str | None:
    """The unit `raw` names, as stored (``"tinh Hau Giang"`` -> ``"Cần Thơ"``,
    ``"TP HCM"`` -> ``"TP. Hồ Chí Minh"``), or None when it names none."""
    spaced, joined = _keys(raw)
    if not joined:
        return None
    return _BY_KEY.get(spaced) or _BY_KEY.get(joined)


def province_label(name: str, locale: str = "vi") -> str:
    """A stored province in `locale`; a value from before the merger (a row written
    before validation knew the units) shows as it was written."""
    vi, en = PROVINCES.get(name, (name, name))
    return en if locale == "en" else vi

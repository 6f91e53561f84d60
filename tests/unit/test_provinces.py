"""The 34 provincial-level units since the 2025 merger, and every older way of writing one."""

from __future__ import annotations

import pytest

from matchmaker.profiles import OrganisationInput, organisation_errors
from matchmaker.provinces import CITIES, MERGED_INTO, PROVINCES, province_label, province_of


def test_provinces_are_the_28_provinces_and_6_cities_after_the_merger() -> None:
    assert len(PROVINCES) == 34
    assert set(CITIES) == {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "TP. Hồ Chí Minh", "Cần Thơ"}
    assert len(set(PROVINCES) - set(CITIES)) == 28


def test_provinces_and_the_merged_ones_are_the_63_of_before() -> None:
    assert len(MERGED_INTO) == 29
    assert not set(MERGED_INTO) & set(PROVINCES)
    assert set(MERGED_INTO.values()) <= set(PROVINCES)


@pytest.mark.parametrize("name", list(PROVINCES))
def test_province_of_a_unit_is_itself_written_any_way(name: str) -> None:
    vi, en = PROVINCES[name]
    assert province_of(name) == province_of(vi) == province_of(en) == name
    assert province_of(f"  {name.upper()} ") == name


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("Hậu Giang", "Cần Thơ"),
        ("tỉnh Sóc Trăng", "Cần Thơ"),
        ("Cần Thơ", "Cần Thơ"),
        ("TP Cần Thơ", "Cần Thơ"),
        ("Thành phố Cần Thơ", "Cần Thơ"),
        ("Can Tho City", "Cần Thơ"),
        ("HCM", "TP. Hồ Chí Minh"),
        ("TP HCM", "TP. Hồ Chí Minh"),
        ("TP.HCM", "TP. Hồ Chí Minh"),
        ("tphcm", "TP. Hồ Chí Minh"),
        ("Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh"),
        ("Sài Gòn", "TP. Hồ Chí Minh"),
        ("Saigon", "TP. Hồ Chí Minh"),
        ("Ho Chi Minh City", "TP. Hồ Chí Minh"),
        ("Bình Dương", "TP. Hồ Chí Minh"),
        ("Bà Rịa - Vũng Tàu", "TP. Hồ Chí Minh"),
        ("BR-VT", "TP. Hồ Chí Minh"),
        ("Hanoi", "Hà Nội"),
        ("ha noi", "Hà Nội"),
        ("Thừa Thiên Huế", "Huế"),
        ("Quảng Nam", "Đà Nẵng"),
        ("Hải Dương", "Hải Phòng"),
        ("Hoà Bình", "Phú Thọ"),  # the older placement of the tone mark
        ("Long An", "Tây Ninh"),
        ("Bến Tre", "Vĩnh Long"),
        ("Tiền Giang", "Đồng Tháp"),
        ("Kiên Giang", "An Giang"),
        ("Bạc Liêu", "Cà Mau"),
        ("Daklak", "Đắk Lắk"),
        ("Kontum", "Quảng Ngãi"),
    ],
)
def test_province_of_an_old_name_or_abbreviation_is_its_unit(written: str, unit: str) -> None:
    assert province_of(written) == unit


@pytest.mark.parametrize("written", ["", "  ", "tỉnh", "TP", "Vientiane", "Vị Thanh", "Đông Dương"])
def test_province_of_anything_else_is_none(written: str) -> None:
    assert province_of(written) is None


def test_province_label_in_each_language_and_an_unknown_value_as_written() -> None:
    assert province_label("TP. Hồ Chí Minh", "vi") == "TP. Hồ Chí Minh"
    assert province_label("TP. Hồ Chí Minh", "en") == "Ho Chi Minh City"
    assert province_label("Vị Thanh", "en") == "Vị Thanh"


def _checked(province: str) -> tuple[str, dict[str, str]]:
    data = OrganisationInput(
        name="Hợp tác xã Cam Sành",
        kind="ocop",
        sectors=["agritech"],
        province=province,
        description="Cam sành Phụng Hiệp.",
    )
    errors = {name: error.message for name, error in organisation_errors(data).items()}
    return data.province, errors


def test_organisation_errors_stores_an_old_province_as_its_unit() -> None:
    assert _checked("  Hậu   Giang ") == ("Cần Thơ", {})


def test_organisation_errors_refuses_a_province_not_of_vietnam_with_the_value() -> None:
    data = OrganisationInput(province="Vientiane")
    error = organisation_errors(data)["province"]
    assert error.message == (
        "“%(value)s” is not a province or city of Vietnam: choose one from the list."
    )
    assert error.params == {"value": "Vientiane"}

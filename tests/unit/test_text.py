"""Diacritic-insensitive folding and slugs for Vietnamese text."""

from __future__ import annotations

import pytest

from matchmaker.text import fold, join_place, slugify

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hậu Giang", "hau giang"),
        ("ĐẦU TƯ", "dau tu"),
        ("đổi mới sáng tạo", "doi moi sang tao"),
        ("Sở Nông nghiệp và Phát triển nông thôn", "so nong nghiep va phat trien nong thon"),
        ("Nguyễn Thị Ánh Tuyết", "nguyen thi anh tuyet"),
        ("Vị Thanh", "vi thanh"),
        ("Ngã Bảy", "nga bay"),
        ("  Khóm \t Cầu\nĐúc  ", "khom cau duc"),
        ("Hội Tin học TP.HCM (HCA)", "hoi tin hoc tp.hcm (hca)"),
        ("", ""),
    ],
)
def test_fold_strips_vietnamese_diacritics(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_is_the_same_for_composed_and_decomposed_input() -> None:
    composed = "Hậu Giang"
    decomposed = "Ha\u0323\u0302u Giang"  # a + dot below + circumflex

    assert fold(decomposed) == fold(composed) == "hau giang"


def test_fold_is_idempotent() -> None:
    once = fold("Tuần lễ Chuyển đổi số – Mekong Delta 2023")

    assert fold(once) == once


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Hậu Giang 2023", "hau-giang-2023"),
        ("Sở Văn hóa, Thể thao và Du lịch", "so-van-hoa-the-thao-va-du-lich"),
        ("Đại học Cần Thơ", "dai-hoc-can-tho"),
        ("  --Khóm Cầu Đúc!!  ", "khom-cau-duc"),
        ("Hội Tin học TP.HCM (HCA)", "hoi-tin-hoc-tp-hcm-hca"),
    ],
)
def test_slugify_makes_ascii_slugs(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_takes_a_separator_and_a_maximum_length() -> None:
    assert slugify("Bưởi Năm Roi", separator="") == "buoinamroi"
    assert slugify("Bưởi Năm Roi Phú Hữu", max_length=12) == "buoi-nam-roi"


@pytest.mark.parametrize(
    ("parts", "joined"),
    [
        (
            ("Trung tâm Hội nghị tỉnh Hậu Giang, Vị Thanh", "Vị Thanh, Hậu Giang"),
            "Trung tâm Hội nghị tỉnh Hậu Giang, Vị Thanh, Hậu Giang",
        ),
        (("Vị Thanh", "Vị Thanh"), "Vị Thanh"),
        (("Khách sạn Mường Thanh", "vi thanh"), "Khách sạn Mường Thanh, vi thanh"),
        (("", "Cần Thơ"), "Cần Thơ"),
        (("Hội trường A,  ", ""), "Hội trường A"),
    ],
)
def test_join_place_names_each_place_once(parts: tuple[str, str], joined: str) -> None:
    assert join_place(*parts) == joined

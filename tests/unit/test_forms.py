"""Reading submitted values without trusting them (matchmaker/web/forms.py)."""

from __future__ import annotations

import pytest
from litestar.exceptions import ValidationException

from matchmaker.models import OrgKind
from matchmaker.web.forms import kind_filter, safe_next, text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "  Hậu Giang  "}, "Hậu Giang"),
        ({"name": ["first", "second"]}, "first"),
        ({"name": []}, ""),
        ({}, ""),
        ({"name": "a\x00b"}, "ab"),
        ({"name": 42}, "42"),
        ({"name": "x" * 50}, "x" * 10),
    ],
)
def test_text_trims_and_bounds_values(data: dict[str, object], expected: str) -> None:
    assert text(data, "name", max_length=10) == expected


@pytest.mark.parametrize(
    "target", ["/organiser", "/organiser?q=hau%20giang&page=2", "/me/agenda#today"]
)
def test_safe_next_keeps_local_paths(target: str) -> None:
    assert safe_next(target, "/") == target


@pytest.mark.parametrize(
    "target",
    [
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        " //evil.example",
        "/ /evil.example",
        "javascript:alert(1)",
        "organiser",
    ],
)
def test_safe_next_refuses_anything_that_could_leave_the_site(target: str) -> None:
    assert safe_next(target, "/home") == "/home"


def test_kind_filter_empty_means_all_kinds() -> None:
    assert kind_filter("") is None


def test_kind_filter_known_kind() -> None:
    assert kind_filter("ocop") is OrgKind.ocop


def test_kind_filter_unknown_kind_is_a_validation_error() -> None:
    with pytest.raises(ValidationException) as caught:
        kind_filter("nonsense")
    assert caught.value.extra == [
        {"key": "kind", "source": "query", "message": "Unknown organisation kind"}
    ]

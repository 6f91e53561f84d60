"""Organisation field validation: every field's problem at once, with its message."""

from __future__ import annotations

import pytest

from matchmaker.errors import DomainError
from matchmaker.profiles import MAX_TAGS, OrganisationInput, normalise_website, organisation_errors


def valid() -> OrganisationInput:
    return OrganisationInput(
        name="Hợp tác xã Cam Sành",
        kind="ocop",
        sectors=["agritech"],
        province="Hậu Giang",
        description="Cam sành Phụng Hiệp đạt chuẩn OCOP 4 sao.",
        offers=["ocop_products"],
        seeks=["distribution", "export_partner"],
    )


def messages(data: OrganisationInput) -> dict[str, str]:
    return {name: error.message for name, error in organisation_errors(data).items()}


def test_organisation_errors_none_for_valid_input() -> None:
    assert messages(valid()) == {}


def test_organisation_errors_lists_every_missing_required_field() -> None:
    assert messages(OrganisationInput()) == {
        "name": "This field is required.",
        "kind": "This field is required.",
        "sectors": "Choose at least one.",
        "province": "This field is required.",
        "description": "This field is required.",
    }


def test_organisation_errors_refuses_values_outside_the_vocabularies() -> None:
    data = valid()
    data.kind, data.sectors, data.stage, data.seeks = "bank", ["space"], "unicorn", ["gold"]
    assert messages(data) == {
        "kind": "Choose from the list.",
        "sectors": "Choose from the list.",
        "stage": "Choose from the list.",
        "seeks": "Choose from the list.",
    }


def test_organisation_errors_caps_tags_and_lengths() -> None:
    data = valid()
    data.offers = [
        "mentoring",
        "talent",
        "training",
        "incubation",
        "deal_flow",
        "networking",
        "co_investment",
        "market_access",
        "export_partner",
    ]
    data.description = "x" * 2001
    data.name = "X"
    errors = organisation_errors(data)
    assert len(data.offers) == MAX_TAGS + 1
    assert errors["offers"].message == "Choose at most %(n)s."
    assert errors["offers"].params == {"n": MAX_TAGS}
    assert errors["description"].params == {"n": 2000}
    assert errors["name"].message == "At least %(n)s characters."


def test_organisation_errors_drops_repeated_tags_and_extra_spaces() -> None:
    data = valid()
    data.name = "  Hợp   tác xã  "
    data.seeks = ["distribution", "distribution"]
    assert messages(data) == {}
    assert (data.name, data.seeks) == ("Hợp tác xã", ["distribution"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("haugiang.gov.vn", "https://haugiang.gov.vn"),
        ("http://example.vn/gioi-thieu", "http://example.vn/gioi-thieu"),
    ],
)
def test_normalise_website_accepts_addresses(raw: str, expected: str) -> None:
    assert normalise_website(raw) == expected


@pytest.mark.parametrize(
    "raw", ["not a site", "ftp://example.vn", "https://localhost", "javascript:alert(1)"]
)
def test_normalise_website_refuses_non_web_addresses(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        normalise_website(raw)
    assert caught.value.field == "website"

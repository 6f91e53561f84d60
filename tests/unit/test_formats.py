"""Dates and times: one fixed style per language, always in the event's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from matchmaker import formats

# 01:30 UTC is 08:30 in Asia/Ho_Chi_Minh (UTC+7), on Thursday 18 May 2023.
MORNING = datetime(2023, 5, 18, 1, 30, tzinfo=UTC)
ZONE = "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("vi", "Thứ Năm, 18/05/2023 08:30"), ("en", "Thu 18 May 2023, 08:30")],
)
def test_datetime_per_locale(locale: str, expected: str) -> None:
    assert formats.format_datetime(MORNING, locale, ZONE) == expected


@pytest.mark.parametrize(
    ("locale", "expected"), [("vi", "Thứ Năm, 18/05/2023"), ("en", "Thu 18 May 2023")]
)
def test_date_per_locale(locale: str, expected: str) -> None:
    assert formats.format_date(date(2023, 5, 18), locale) == expected
    assert formats.format_date(MORNING, locale, ZONE) == expected


@pytest.mark.parametrize(("locale", "expected"), [("vi", "Thứ Năm 18/05"), ("en", "Thu 18 May")])
def test_day_per_locale(locale: str, expected: str) -> None:
    assert formats.format_day(MORNING, locale, ZONE) == expected


@pytest.mark.parametrize(
    ("locale", "expected"), [("vi", "Thứ Năm 18/05 08:30"), ("en", "Thu 18 May, 08:30")]
)
def test_day_time_per_locale(locale: str, expected: str) -> None:
    assert formats.format_day_time(MORNING, locale, ZONE) == expected


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_times_use_a_24_hour_clock_in_every_locale(locale: str) -> None:
    afternoon = datetime(2023, 5, 18, 7, 5, tzinfo=UTC)  # 14:05 event time
    end = datetime(2023, 5, 18, 7, 25, tzinfo=UTC)

    assert formats.format_time(afternoon, locale, ZONE) == "14:05"
    assert formats.format_time(time(14, 5), locale, ZONE) == "14:05"
    assert formats.format_time_range(afternoon, end, locale, ZONE) == "14:05–14:25"


def test_the_event_zone_decides_the_date() -> None:
    late = datetime(2023, 5, 17, 18, 0, tzinfo=UTC)  # 01:00 on 18 May in Vietnam

    assert formats.format_datetime(late, "en", ZONE) == "Thu 18 May 2023, 01:00"
    assert formats.format_datetime(late, "en", "UTC") == "Wed 17 May 2023, 18:00"


def test_a_time_without_a_zone_is_utc_whatever_the_servers_zone() -> None:
    # SQLite hands stored times back without a zone: they are UTC.
    stored = MORNING.replace(tzinfo=None)

    assert formats.format_datetime(stored, "vi", ZONE) == "Thứ Năm, 18/05/2023 08:30"


def test_an_unknown_locale_gets_the_english_patterns() -> None:
    assert formats.patterns("fr") == formats.PATTERNS["en"]

"""Dates and times as people read them: one fixed set of patterns per language.

Every page, e-mail, notification, PDF, calendar description and spreadsheet writes
dates and times through this module (templates through the `date`, `day`, `time`,
`timerange`, `daytime` and `datetime` filters of `matchmaker.web.render`), so a reader never meets
two styles in one language. Times are always shown in the event's time zone and on a
24-hour clock.

| form       | Tiếng Việt                 | English                  | for                  |
| ---------- | -------------------------- | ------------------------ | -------------------- |
| `date`     | Thứ Năm, 18/05/2023        | Thu 18 May 2023          | headings, event days |
| `day`      | Thứ Năm 18/05              | Thu 18 May               | sentences, tables    |
| `time`     | 08:30                      | 08:30                    | slot times           |
| `datetime` | Thứ Năm, 18/05/2023 08:30  | Thu 18 May 2023, 08:30   | when, deadlines      |
| `daytime`  | Thứ Năm 18/05 08:30        | Thu 18 May, 08:30        | slots in a list      |

`day` leaves out the year: it is for the event's own days, where the year is plain.

Spreadsheets get real dates with the matching Excel number formats (`EXCEL_*`); the
CSV files keep ISO dates for scripts.

A datetime without a zone is UTC (SQLite hands stored times back without one): it is
never read in the server's own zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.dates import format_time as babel_time

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Patterns:
    """Babel (CLDR) patterns of one language."""

    date: str
    day: str
    time: str
    datetime: str


PATTERNS = {
    "vi": Patterns(
        date="EEEE, dd/MM/y", day="EEEE dd/MM", time="HH:mm", datetime="EEEE, dd/MM/y HH:mm"
    ),
    "en": Patterns(
        date="EEE d MMM y", day="EEE d MMM", time="HH:mm", datetime="EEE d MMM y, HH:mm"
    ),
}

# Excel number formats of event-local dates and times (spreadsheets keep no zone).
EXCEL_DATETIME = {"vi": "dd/mm/yyyy hh:mm", "en": "d mmm yyyy, hh:mm"}
EXCEL_DATE = {"vi": "dd/mm/yyyy", "en": "d mmm yyyy"}
EXCEL_TIME = "hh:mm"


def patterns(locale: str) -> Patterns:
    return PATTERNS.get(locale, PATTERNS["en"])


def in_zone(value: datetime, zone: str = DEFAULT_ZONE) -> datetime:
    """`value` in the event's zone; a value without a zone is UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone))


def _calendar_date(value: date | datetime, zone: str) -> date:
    return in_zone(value, zone).date() if isinstance(value, datetime) else value


# Babel takes ~0.1 ms per call and a page shows the same few slot times many times:
# results are remembered. A datetime's key holds its offset (equal instants in two
# zones compare equal but may fall on different dates).


def format_date(value: date | datetime, locale: str, zone: str = DEFAULT_ZONE) -> str:
    """"Thứ Năm, 18/05/2023" / "Thu 18 May 2023"."""
    return _date(_calendar_date(value, zone), locale, "date")


def format_day(value: date | datetime, locale: str, zone: str = DEFAULT_ZONE) -> str:
    """The date without its year: "Thứ Năm 18/05" / "Thu 18 May"."""
    return _date(_calendar_date(value, zone), locale, "day")


@lru_cache(maxsize=4096)
def _date(value: date, locale: str, form: str) -> str:
    return babel_date(value, getattr(patterns(locale), form), locale=locale)


def format_time(value: datetime | time, locale: str, zone: str = DEFAULT_ZONE) -> str:
    """"08:30" (24-hour, in the event's zone; a `time` is already local)."""
    offset = value.utcoffset() if isinstance(value, datetime) else None
    return _time(value, offset, locale, zone)


@lru_cache(maxsize=8192)
def _time(value: datetime | time, _offset: timedelta | None, locale: str, zone: str) -> str:
    local = in_zone(value, zone) if isinstance(value, datetime) else value
    return babel_time(local, patterns(locale).time, locale=locale)


def format_time_range(
    start: datetime | time, end: datetime | time, locale: str, zone: str = DEFAULT_ZONE
) -> str:
    """"08:00–08:20"."""
    return f"{format_time(start, locale, zone)}–{format_time(end, locale, zone)}"


def format_datetime(value: datetime, locale: str, zone: str = DEFAULT_ZONE) -> str:
    """"Thứ Năm, 18/05/2023 08:30" / "Thu 18 May 2023, 08:30"."""
    return _datetime(value, value.utcoffset(), locale, zone)


@lru_cache(maxsize=8192)
def _datetime(value: datetime, _offset: timedelta | None, locale: str, zone: str) -> str:
    return babel_datetime(in_zone(value, zone), patterns(locale).datetime, locale=locale)


def format_day_time(value: datetime, locale: str, zone: str = DEFAULT_ZONE) -> str:
    """A slot within the event: "Thứ Năm 18/05 08:30" / "Thu 18 May, 08:30"."""
    day = format_day(value, locale, zone)
    clock = format_time(value, locale, zone)
    return f"{day} {clock}" if locale == "vi" else f"{day}, {clock}"

"""The demo event itself and its calendar: days, sessions, slots and meeting tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from matchmaker.models import Day, Event, EventSession, MeetingTable, Slot
from matchmaker.rules import EventRules

TIMEZONE = "Asia/Ho_Chi_Minh"
EVENT_DATES = (date(2023, 5, 18), date(2023, 5, 19), date(2023, 5, 20))
SESSION_TIMES = (
    ("am", "Buổi sáng", "Morning", time(8, 0), time(11, 0)),
    ("pm", "Buổi chiều", "Afternoon", time(13, 30), time(16, 30)),
)
SLOT_MINUTES = 20

# Shared B2B tables, plus home tables reserved for a few hosts (the solver keeps a
# home table for its host, so home tables add to the shared ones).
BASE_TABLES = 30
BASE_HOME_TABLES = 3


@dataclass
class Calendar:
    days: list[Day]
    sessions: list[EventSession]
    codes: list[list[str]]  # session codes, day by day
    slots: list[Slot]
    slots_per_session: int

    @property
    def all_codes(self) -> list[str]:
        return [c for day_codes in self.codes for c in day_codes]


def new_event(slug: str, rules: EventRules) -> Event:
    return Event(
        slug=slug,
        name_vi="Tuần lễ Chuyển đổi số và Khởi nghiệp đổi mới sáng tạo – Mekong Delta 2023",
        name_en="Digital Transformation and Innovative Startup Week – Mekong Delta 2023",
        venue="Trung tâm Hội nghị tỉnh Hậu Giang, Vị Thanh",
        city="Vị Thanh, Hậu Giang",
        timezone=TIMEZONE,
        start_date=EVENT_DATES[0],
        end_date=EVENT_DATES[-1],
        description_vi=(
            "Ba ngày kết nối doanh nghiệp công nghệ, startup, nhà đầu tư, cơ quan quản lý nhà "
            "nước và các chủ thể OCOP của Hậu Giang và vùng Đồng bằng sông Cửu Long. Do UBND "
            "tỉnh Hậu Giang phối hợp với Hội Tin học TP.HCM (HCA) tổ chức."
        ),
        description_en=(
            "Three days of one-to-one meetings between technology firms, startups, investors, "
            "government agencies and OCOP producers of Hậu Giang and the Mekong Delta. "
            "Co-organised by the Hậu Giang Provincial People's Committee and the Ho Chi Minh "
            "City Computer Association (HCA)."
        ),
        rules=rules.as_dict(),
    )


def add_calendar(session: Session, event_id: int) -> Calendar:
    """Days, a morning and an afternoon session per day, and their slots."""
    days = [Day(event_id=event_id, number=i + 1, on_date=d) for i, d in enumerate(EVENT_DATES)]
    session.add_all(days)
    session.flush()
    sessions: list[EventSession] = []
    codes: list[list[str]] = []
    for day in days:
        assert day.id is not None
        day_codes = []
        for part, label_vi, label_en, start, end in SESSION_TIMES:
            code = f"d{day.number}-{part}"
            day_codes.append(code)
            sessions.append(
                EventSession(
                    day_id=day.id,
                    code=code,
                    name_vi=f"Ngày {day.number} – {label_vi}",
                    name_en=f"Day {day.number} – {label_en}",
                    start=start,
                    end=end,
                    slot_minutes=SLOT_MINUTES,
                )
            )
        codes.append(day_codes)
    session.add_all(sessions)
    session.flush()
    slots = _add_slots(session, sessions, [d for d in days for _ in SESSION_TIMES])
    slots_per_session = len(slots) // len(sessions)
    return Calendar(days, sessions, codes, slots, slots_per_session)


def _add_slots(session: Session, sessions: list[EventSession], days: list[Day]) -> list[Slot]:
    """``SLOT_MINUTES`` slots filling each session (``days`` holds each session's day)."""
    tz = ZoneInfo(TIMEZONE)
    step = timedelta(minutes=SLOT_MINUTES)
    slots: list[Slot] = []
    for ev_session, day in zip(sessions, days, strict=True):
        assert ev_session.id is not None
        local = datetime.combine(day.on_date, ev_session.start, tzinfo=tz)
        local_end = datetime.combine(day.on_date, ev_session.end, tzinfo=tz)
        k = 0
        while local + step <= local_end:
            k += 1
            slots.append(
                Slot(
                    session_id=ev_session.id,
                    code=f"{ev_session.code}-{k:02d}",
                    start=local.astimezone(UTC),
                    end=(local + step).astimezone(UTC),
                    position=len(slots),
                )
            )
            local += step
    session.add_all(slots)
    session.flush()
    return slots


def add_tables(
    session: Session, event_id: int, host_ids: list[int], n_tables: int
) -> list[MeetingTable]:
    """``n_tables`` tables in three zones; the first ones are home tables of the hosts
    ``host_ids``."""
    width = max(2, len(str(n_tables)))
    zones = ("A", "B", "C")
    tables = [
        MeetingTable(
            event_id=event_id,
            name=f"B2B-{i + 1:0{width}d}",
            zone=zones[min(2, i * 3 // n_tables)],
            host_org_id=host_ids[i] if i < len(host_ids) else None,
        )
        for i in range(n_tables)
    ]
    session.add_all(tables)
    return tables

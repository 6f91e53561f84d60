"""Every reason code rendered in Vietnamese and English, with organisation names and
local dates and times in the event's time zone (Asia/Ho_Chi_Minh, UTC+7)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from matchmaker.models import Meeting, MeetingStatus, RunReason
from matchmaker.reasons import Names, SlotTime, describe, meeting_reason

pytestmark = pytest.mark.unit

MORNING = 100  # session ids: 19 May 08:00-09:00, 20 May 14:00-15:20 local
AFTERNOON = 200


def _slot(day: int, hour: int, minute: int, session: int) -> SlotTime:
    return SlotTime(datetime(2023, 5, day, hour - 7, minute, tzinfo=UTC), session)


NAMES = Names(
    orgs={1: "Sở NN&PTNT", 2: "FPT Cần Thơ", 3: "Quỹ Mekong"},
    slots={
        11: _slot(19, 8, 0, MORNING),
        12: _slot(19, 8, 20, MORNING),
        13: _slot(19, 8, 40, MORNING),
        21: _slot(20, 14, 0, AFTERNOON),
        22: _slot(20, 14, 20, AFTERNOON),
        23: _slot(20, 14, 40, AFTERNOON),
        24: _slot(20, 15, 0, AFTERNOON),
    },
)
PAIR = {"participants": [1, 2]}


def _counts(slots: list[int], booked: tuple[int, int] = (0, 0), **counts: int) -> dict[str, Any]:
    return {
        **PAIR,
        "slots": slots,
        "booked": list(booked),
        "tables_full": counts.get("tables_full", 0),
        "daily_limit": counts.get("daily_limit", 0),
        "other": counts.get("other", 0),
    }


CASES = [
    (
        "tables_full",
        _counts([11, 12, 13], tables_full=3),
        "Sở NN&PTNT và FPT Cần Thơ chỉ cùng rảnh vào sáng Thứ Sáu 19/05: "
        "tất cả các bàn đều đã kín vào thời gian đó.",
        "Sở NN&PTNT and FPT Cần Thơ are both free only on the morning of Fri 19 May: "
        "every table is taken then.",
    ),
    (
        "participant_booked",
        _counts([11, 12, 21, 22, 23], booked=(3, 1), tables_full=1),
        "Sở NN&PTNT và FPT Cần Thơ chỉ cùng rảnh lúc 08:00 và 08:20, Thứ Sáu 19/05 và vào 3 khung "
        "giờ của buổi chiều Thứ Bảy 20/05: Sở NN&PTNT đã kín lịch ở 3 khung giờ trong số đó; "
        "FPT Cần Thơ đã kín lịch ở 1 khung giờ trong số đó; "
        "tất cả các bàn đều đã kín ở 1 khung giờ trong số đó.",
        "Sở NN&PTNT and FPT Cần Thơ are both free only at 08:00 and 08:20 on Fri 19 May and in "
        "3 slots of the afternoon of Sat 20 May: Sở NN&PTNT is already booked in 3 of these slots; "
        "FPT Cần Thơ is already booked in 1 of these slots; "
        "every table is taken in 1 of these slots.",
    ),
    (
        "daily_limit",
        _counts([11, 12, 13, 21, 22, 23, 24], daily_limit=7),
        "Sở NN&PTNT và FPT Cần Thơ đều rảnh ở mọi khung giờ: "
        "đã đạt giới hạn số cuộc gặp trong ngày vào thời gian đó.",
        "Sở NN&PTNT and FPT Cần Thơ are both free in every slot: "
        "a daily meeting limit is reached then.",
    ),
    (
        "order_or_consecutive",
        _counts([21], other=1),
        "Sở NN&PTNT và FPT Cần Thơ chỉ cùng rảnh lúc 14:00, Thứ Bảy 20/05: xếp vào đó sẽ vượt giới "
        "hạn số cuộc gặp liên tiếp, phá thứ tự bắt buộc hoặc đẩy ra những cuộc gặp được ưu "
        "tiên hơn.",
        "Sở NN&PTNT and FPT Cần Thơ are both free only at 14:00 on Sat 20 May: placing it there "
        "would exceed a limit of meetings in a row, break a required order or push out "
        "meetings of higher priority.",
    ),
    (
        "no_common_slot",
        {**PAIR, "within_allowed": False},
        "Sở NN&PTNT và FPT Cần Thơ không bao giờ cùng có mặt.",
        "Sở NN&PTNT and FPT Cần Thơ are never available at the same time.",
    ),
    (
        "no_common_slot",
        {**PAIR, "within_allowed": True},
        "Sở NN&PTNT và FPT Cần Thơ không cùng có mặt trong khung giờ nào được phép cho cuộc "
        "gặp này.",
        "Sở NN&PTNT and FPT Cần Thơ are never available at the same time in the slots allowed "
        "for this meeting.",
    ),
    (
        "no_allowed_slot",
        PAIR,
        "Cuộc gặp này không được phép xếp vào khung giờ nào.",
        "No slot is allowed for this meeting.",
    ),
    (
        "no_slot",
        PAIR,
        "Không có khung giờ nào khả thi cho cuộc gặp này.",
        "No slot is possible for this meeting.",
    ),
    (
        "fixed_unavailable",
        {**PAIR, "slot": 12, "unavailable": [2]},
        "Cuộc gặp bị khóa lúc 08:20, Thứ Sáu 19/05 nhưng FPT Cần Thơ không có mặt lúc đó.",
        "This meeting is locked at 08:20 on Fri 19 May, but FPT Cần Thơ is not available then.",
    ),
    (
        "fixed_not_allowed",
        {**PAIR, "slot": 12},
        "Cuộc gặp bị khóa lúc 08:20, Thứ Sáu 19/05 nhưng không được phép xếp vào khung giờ đó.",
        "This meeting is locked at 08:20 on Fri 19 May, but that slot is not allowed for it.",
    ),
    (
        "blocked_by_fixed",
        {**PAIR, "slots": [11]},
        "Mọi khung giờ Sở NN&PTNT và FPT Cần Thơ cùng rảnh đều đã có cuộc gặp bị khóa.",
        "Every slot where Sở NN&PTNT and FPT Cần Thơ are both free is taken by a locked meeting.",
    ),
    (
        "order_window",
        {"meeting": 7, **PAIR},
        "Cuộc gặp giữa Sở NN&PTNT và FPT Cần Thơ: Không có khung giờ nào nằm giữa các cuộc "
        "gặp phải diễn ra trước và sau nó.",
        "Meeting of Sở NN&PTNT and FPT Cần Thơ: No slot fits between the meetings that must "
        "take place before and after it.",
    ),
    (
        "fixed_conflict",
        {"participant": 3, "slot": 21, "meetings": 2, "capacity": 1},
        "Quỹ Mekong có 2 cuộc gặp bị khóa lúc 14:00, Thứ Bảy 20/05 nhưng chỉ tiếp được 1 cuộc "
        "cùng lúc.",
        "Quỹ Mekong has 2 locked meetings at 14:00 on Sat 20 May but can hold 1 at once.",
    ),
    (
        "fixed_tables",
        {"slot": 21, "meetings": 4, "tables": 3},
        "Có 4 cuộc gặp bị khóa lúc 14:00, Thứ Bảy 20/05 nhưng chỉ có 3 bàn.",
        "4 meetings are locked at 14:00 on Sat 20 May but there are only 3 tables.",
    ),
    (
        "fixed_order",
        {"meeting": 7, "slot": 11, "before": 8, "before_slot": 21},
        "Một cuộc gặp bị khóa lúc 14:00, Thứ Bảy 20/05 lại phải diễn ra trước một cuộc gặp bị "
        "khóa lúc 08:00, Thứ Sáu 19/05.",
        "A meeting locked at 14:00 on Sat 20 May must take place before one locked at 08:00 "
        "on Fri 19 May.",
    ),
    (
        "precedence_cycle",
        {"cycle": [7, 8, 7]},
        "2 cuộc gặp phải lần lượt diễn ra trước nhau theo một vòng khép kín.",
        "2 meetings must each take place before the next, in a closed circle.",
    ),
    (
        "too_many_meetings",
        {"participant": 3, "meetings": 9, "fit": 7, "slots": [11, 12], "capacity": 1},
        "Quỹ Mekong có 9 cuộc gặp nhưng chỉ xếp được tối đa 7 cuộc vào các khung giờ có thể.",
        "Quỹ Mekong has 9 meetings, but at most 7 fit in the slots where they can take place.",
    ),
    (
        "too_few_table_slots",
        {"meetings": 40, "table_slots": 36, "tables": 6},
        "Có 40 cuộc gặp nhưng chỉ có 36 lượt bàn (6 bàn mỗi khung giờ).",
        "There are 40 meetings but only 36 places (6 tables a slot).",
    ),
    (
        "no_feasible_schedule",
        {"require_all": True},
        "Không có lịch nào vừa tuân thủ mọi quy tắc vừa xếp được tất cả các cuộc gặp.",
        "No schedule keeps every rule and places every meeting.",
    ),
    (
        "no_feasible_schedule",
        {"require_all": False},
        "Không có lịch nào tuân thủ được mọi quy tắc.",
        "No schedule keeps every rule.",
    ),
    (
        "time_limit",
        {"seconds": 60.0},
        "Không tìm được lịch nào trong 60 giây.",
        "No schedule was found within 60 seconds.",
    ),
    (
        "invalid",
        {"field": "meetings.0.participants", "message": "Field required"},
        "Dữ liệu xếp lịch không hợp lệ: meetings.0.participants: Field required",
        "The scheduling data is invalid: meetings.0.participants: Field required",
    ),
]


@pytest.mark.parametrize(("code", "params", "vi", "en"), CASES, ids=[c[0] for c in CASES])
def test_reason_renders_in_vietnamese_and_english(
    code: str, params: dict[str, Any], vi: str, en: str
) -> None:
    reason = RunReason(code=code, params=params, text="(English text of the solver)")

    assert describe(reason, NAMES, "vi") == vi
    assert describe(reason, NAMES, "en") == en


def test_reason_about_one_meeting_that_names_it_gets_no_prefix() -> None:
    reason = RunReason(
        code="no_common_slot", params={"meeting": 7, **PAIR, "within_allowed": False}
    )

    assert describe(reason, NAMES, "en") == (
        "Sở NN&PTNT and FPT Cần Thơ are never available at the same time."
    )


def test_reason_without_code_is_its_stored_text() -> None:
    old = RunReason(text="FPT Cần Thơ is fully booked")

    assert describe(old, NAMES, "vi") == "FPT Cần Thơ is fully booked"


def test_reason_of_many_sessions_names_four_and_counts_the_rest() -> None:
    slots = {
        10 * d + 1: SlotTime(datetime(2023, 5, 18, 1, 0, tzinfo=UTC).replace(day=17 + d), d)
        for d in range(1, 7)
    }
    names = Names(orgs=NAMES.orgs, slots={**slots, 99: _slot(19, 9, 0, 99)})
    reason = RunReason(code="tables_full", params=_counts(sorted(slots), tables_full=6))

    assert describe(reason, names, "en") == (
        "Sở NN&PTNT and FPT Cần Thơ are both free only on the morning of Thu 18 May, on the "
        "morning of Fri 19 May, on the morning of Sat 20 May, on the morning of Sun 21 May and "
        "in 2 other sessions: every table is taken then."
    )


def test_meeting_reason_prefers_the_organisers_words_for_a_cancelled_meeting() -> None:
    meeting = Meeting(
        event_id=1,
        org_a_id=1,
        org_b_id=2,
        status=MeetingStatus.cancelled,
        unscheduled_reason="Đối tác rút lui",
        unscheduled_code="no_common_slot",
        unscheduled_params={**PAIR, "within_allowed": False},
    )

    assert meeting_reason(meeting, NAMES, "en") == "Đối tác rút lui"


def test_meeting_reason_renders_the_solvers_code_for_an_unscheduled_meeting() -> None:
    meeting = Meeting(
        event_id=1,
        org_a_id=1,
        org_b_id=2,
        status=MeetingStatus.unscheduled,
        unscheduled_code="no_common_slot",
        unscheduled_params={**PAIR, "within_allowed": False},
    )

    assert meeting_reason(meeting, NAMES, "vi") == (
        "Sở NN&PTNT và FPT Cần Thơ không bao giờ cùng có mặt."
    )

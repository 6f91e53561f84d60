"""Availability rules: sessions attended, slots missed, the last session kept."""

from __future__ import annotations

import pytest

from matchmaker.availability import attended_sessions, unavailable_codes, with_session
from matchmaker.errors import DomainError

SLOTS = {
    "d1-am": ("d1-am-01", "d1-am-02"),
    "d1-pm": ("d1-pm-01", "d1-pm-02"),
    "d2-am": ("d2-am-01", "d2-am-02"),
}
ALL = list(SLOTS)


def test_attended_sessions_empty_means_all() -> None:
    assert attended_sessions([], ALL) == set(ALL)


def test_attended_sessions_ignores_unknown_codes() -> None:
    assert attended_sessions(["d1-am", "d9-am"], ALL) == {"d1-am"}


def test_unavailable_codes_present_everywhere_is_empty() -> None:
    assert unavailable_codes([], [], SLOTS) == set()


def test_unavailable_codes_combines_skipped_sessions_and_single_slots() -> None:
    assert unavailable_codes(["d1-am", "d2-am"], ["d2-am-02", "gone-01"], SLOTS) == {
        "d1-pm-01",
        "d1-pm-02",
        "d2-am-02",
    }


def test_with_session_marking_absent_lists_the_others() -> None:
    assert with_session([], ALL, "d1-pm", present=False) == ["d1-am", "d2-am"]


def test_with_session_present_everywhere_normalises_to_empty() -> None:
    assert with_session(["d1-am", "d2-am"], ALL, "d1-pm", present=True) == []


def test_with_session_refuses_leaving_the_last_session() -> None:
    with pytest.raises(DomainError) as caught:
        with_session(["d2-am"], ALL, "d2-am", present=False)
    assert caught.value.message == "A representative must be present in at least one session."

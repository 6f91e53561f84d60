"""Online meetings of hybrid events: a meeting at an online table, or in an online
session, takes place by video, in its own room (``Meeting.video_room``, random and
unguessable) on a Jitsi Meet server by default (MATCHMAKER_VIDEO_BASE_URL)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from matchmaker.models import EventSession, Meeting, MeetingTable, Slot

DEFAULT_VIDEO_BASE_URL = "https://meet.jit.si"
ROOM_PREFIX = "Matchmaker-"


def video_url(meeting: Meeting, base_url: str = DEFAULT_VIDEO_BASE_URL) -> str:
    return f"{base_url.rstrip('/')}/{ROOM_PREFIX}{meeting.video_room}"


def online_sessions(session: Session, slot_ids: Iterable[int]) -> set[int]:
    """The slots among ``slot_ids`` that belong to an online session."""
    ids = sorted(set(slot_ids))
    if not ids:
        return set()
    return {
        int(slot_id or 0)
        for slot_id in session.exec(
            select(Slot.id)
            .join(EventSession, col(EventSession.id) == col(Slot.session_id))
            .where(col(Slot.id).in_(ids), col(EventSession.online).is_(True))
        ).all()
    }


def is_online(meeting: Meeting, table: MeetingTable | None, online_slots: set[int]) -> bool:
    """Whether the meeting takes place by video: at an online table or in an online
    session (``online_slots`` from `online_sessions`)."""
    if meeting.slot_id is None:
        return False
    return bool(table is not None and table.online) or meeting.slot_id in online_slots


def link_for(session: Session, meeting: Meeting, base_url: str = DEFAULT_VIDEO_BASE_URL) -> str:
    """The meeting's video link, or "" when it takes place in person."""
    table = session.get(MeetingTable, meeting.table_id) if meeting.table_id else None
    slots = online_sessions(session, [meeting.slot_id] if meeting.slot_id else [])
    return video_url(meeting, base_url) if is_online(meeting, table, slots) else ""

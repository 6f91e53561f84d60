"""The audit log: every organiser action, with who and when."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from matchmaker.models import Account, AuditLog, Event


def record(
    session: Session,
    action: str,
    *,
    event: Event | None = None,
    account: Account | None = None,
    **detail: Any,
) -> AuditLog:
    """Log `action` (a short dotted name such as "setup.change" or "meeting.move")."""
    entry = AuditLog(
        event_id=event.id if event else None,
        account_id=account.id if account else None,
        action=action,
        detail=detail,
    )
    session.add(entry)
    return entry


def recent(session: Session, event: Event, *, limit: int = 200, offset: int = 0) -> list[AuditLog]:
    return list(
        session.exec(
            select(AuditLog)
            .where(AuditLog.event_id == event.id)
            .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
            .offset(offset)
            .limit(limit)
        )
    )

"""Finding organisations and participants: diacritic-insensitive search, filters, pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, func, select

from matchmaker.models import Event, Organisation, OrgKind, Participant
from matchmaker.text import fold

T = TypeVar("T")
PAGE_SIZE = 25


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def counts_by_kind(session: Session, event: Event) -> dict[str, int]:
    rows = session.exec(
        select(Organisation.kind, func.count())
        .where(Organisation.event_id == event.id, col(Organisation.approved).is_(True))
        .group_by(Organisation.kind)
    ).all()
    found = {kind.value if isinstance(kind, OrgKind) else str(kind): n for kind, n in rows}
    return {kind.value: found.get(kind.value, 0) for kind in OrgKind}


def search_participants(
    session: Session,
    event: Event,
    *,
    query: str = "",
    kind: OrgKind | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> Page[tuple[Participant, Organisation]]:
    """Representatives with their organisation, matching `query` in the person's
    name, the organisation's name or the email, ignoring Vietnamese diacritics."""
    conditions: list[ColumnElement[bool]] = [col(Organisation.event_id) == event.id]
    if kind is not None:
        conditions.append(col(Organisation.kind) == kind)
    folded = fold(query)
    if folded:
        pattern = f"%{folded}%"
        conditions.append(
            or_(
                col(Participant.name_folded).like(pattern),
                col(Organisation.name_folded).like(pattern),
                col(Participant.email).like(pattern),
            )
        )
    base = select(Participant, Organisation).join(
        Organisation, col(Participant.organisation_id) == col(Organisation.id)
    )
    count_stmt = (
        select(func.count())
        .select_from(Participant)
        .join(Organisation, col(Participant.organisation_id) == col(Organisation.id))
        .where(*conditions)
    )
    total = int(session.exec(count_stmt).one())
    page = max(1, page)
    rows = session.exec(
        base.where(*conditions)
        .order_by(col(Organisation.name_folded), col(Participant.name_folded), col(Participant.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(items=[(p, o) for p, o in rows], total=total, page=page, per_page=per_page)

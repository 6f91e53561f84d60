"""Bulk inserts for the demo's big tables."""

from __future__ import annotations

from sqlalchemy import insert
from sqlmodel import Session, SQLModel


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict]) -> None:
    """Insert ``rows`` with one Core executemany; model defaults fill the blanks.

    Building thousands of SQLModel objects is the slow part of a big event, so the
    bulky tables go through the table directly. Callers that need the new ids read
    them back by a natural key (see ``insert_orgs`` and ``insert_requests``).
    """
    table = model.__table__  # type: ignore[attr-defined]
    # A column whose own default is a function (a meeting's video room) gets a value per
    # row from it; the model's other defaults are the same for every row.
    per_row = {c.name for c in table.columns if c.default is not None and c.default.is_callable}
    defaults = {
        name: info.get_default(call_default_factory=True)
        for name, info in model.model_fields.items()
        if name != "id" and not info.is_required() and name not in per_row
    }
    if rows:
        session.execute(insert(table), [{**defaults, **row} for row in rows])

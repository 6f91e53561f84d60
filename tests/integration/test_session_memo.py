"""What a unit of work reads once (matchmaker.db.session_memo, keep_loaded): remembered
until the session writes, never while it holds changes not yet flushed."""

from __future__ import annotations

import gc

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from matchmaker.db import keep_loaded, session_memo
from matchmaker.models import Organisation
from tests.factories import make_event, make_org


def _names(db: Session, reads: list[int]) -> list[str]:
    def read() -> list[str]:
        reads.append(1)
        return list(db.exec(select(Organisation.name).order_by(col(Organisation.id))))

    return session_memo(db, "names", read)


def test_session_memo_reads_once_until_a_commit(db: Session) -> None:
    event = make_event(db)
    make_org(db, event, "Mekong Agritech")
    db.commit()
    reads: list[int] = []

    assert _names(db, reads) == _names(db, reads) == ["Mekong Agritech"]
    make_org(db, event, "Cần Thơ Ventures")
    db.commit()

    assert _names(db, reads) == ["Mekong Agritech", "Cần Thơ Ventures"]
    assert len(reads) == 2


def test_session_memo_is_not_used_with_changes_waiting(db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Mekong Agritech")
    db.commit()
    reads: list[int] = []
    _names(db, reads)

    org.name = "Mekong Agritech JSC"  # not flushed yet: the read flushes it first

    assert _names(db, reads) == ["Mekong Agritech JSC"]
    assert len(reads) == 2


def test_session_memo_forgets_at_an_update_statement(db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Mekong Agritech")
    db.commit()
    reads: list[int] = []
    _names(db, reads)

    db.exec(update(Organisation).where(col(Organisation.id) == org.id).values(name="Khóm"))  # type: ignore[call-overload]

    assert _names(db, reads) == ["Khóm"]
    assert len(reads) == 2


def _held_after_loading(db: Session, org_id: int) -> bool:
    db.get(Organisation, org_id)  # and let go of it
    gc.collect()
    return db.identity_key(Organisation, org_id) in db.identity_map


def test_keep_loaded_holds_what_the_session_loaded(engine: Engine) -> None:
    with Session(engine) as setup:
        org_id = make_org(setup, make_event(setup), "Mekong Agritech").id or 0
        setup.commit()

    with Session(engine) as plain, keep_loaded(Session(engine)) as keeping:
        assert not _held_after_loading(plain, org_id)  # the identity map's weak hold
        assert _held_after_loading(keeping, org_id)  # so a second get reads nothing

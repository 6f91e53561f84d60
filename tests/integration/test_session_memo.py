"""What a unit of work reads once (matchmaker.db.session_memo, keep_loaded): remembered
until the session writes, never while it holds changes not yet flushed."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event, update
from sqlmodel import Session, col, select

from matchmaker.availability import teams
from matchmaker.db import keep_loaded, loaded_by_id, session_memo
from matchmaker.models import Organisation
from tests.factories import make_event, make_org, make_participant


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


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_loaded_by_id_reads_only_what_the_session_does_not_hold(engine: Engine) -> None:
    with Session(engine) as setup:
        event_row = make_event(setup)
        a, b = make_org(setup, event_row, "Mekong Agritech"), make_org(setup, event_row, "Khóm")
        setup.commit()
        ids = (a.id or 0, b.id or 0)
    with keep_loaded(Session(engine)) as db:
        held = db.get(Organisation, ids[0])
        with _statements(engine) as statements:
            rows = loaded_by_id(db, Organisation, ids)

    assert rows[ids[0]] is held
    assert {i: o.name for i, o in rows.items()} == {ids[0]: "Mekong Agritech", ids[1]: "Khóm"}
    assert len(statements) == 1  # the second organisation only


def test_loaded_by_id_reads_again_what_a_commit_expired(engine: Engine) -> None:
    with Session(engine) as setup:
        org_id = make_org(setup, make_event(setup), "Mekong Agritech").id or 0
        setup.commit()
    with Session(engine) as db:  # expires on commit
        db.get(Organisation, org_id)
        db.commit()
        with Session(engine) as other:  # renamed elsewhere meanwhile
            other.exec(update(Organisation).values(name="Khóm"))  # type: ignore[call-overload]
            other.commit()

        assert loaded_by_id(db, Organisation, [org_id])[org_id].name == "Khóm"


def test_teams_read_once_for_the_agenda_and_the_clash_check(db: Session, engine: Engine) -> None:
    event_row = make_event(db)
    org, other = make_org(db, event_row, "Mekong Agritech"), make_org(db, event_row, "Khóm")
    make_participant(db, org, "Trần Thị Bình")
    make_participant(db, other, "Lê Văn An")
    db.commit()
    with keep_loaded(Session(engine)) as session:
        first = teams(session, [org.id or 0, other.id or 0])
        with _statements(engine) as statements:
            again = teams(session, [other.id or 0])

    assert [p.full_name for p in again[other.id or 0]] == ["Lê Văn An"]
    assert again[other.id or 0] == first[other.id or 0]
    assert statements == []

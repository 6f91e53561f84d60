"""The directory stamp names one state of the event's organisations: every change
through a session renews it in the same transaction, so what a process keeps under it
(the directory's rows, the recommender's profiles) is never an older state."""

from __future__ import annotations

from sqlalchemy import Engine, insert, update
from sqlmodel import Session, col

from matchmaker.discovery import DirectoryFilters, search_organisations
from matchmaker.matching import fit_values
from matchmaker.models import Event, Organisation, OrgKind, directory_stamp
from tests.factories import make_event, make_org


def _found(db: Session, event: Event, q: str = "") -> list[Organisation]:
    return search_organisations(db, event, DirectoryFilters(q=q, sort="name")).items


def _names(db: Session, event: Event, q: str = "") -> list[str]:
    return [o.name for o in _found(db, event, q)]


def test_stamp_renewed_by_a_change_and_not_by_a_read(db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Mekong Agritech")
    db.commit()
    first = directory_stamp(db, event.id)
    _names(db, event)
    assert directory_stamp(db, event.id) == first

    org.description = "Truy xuất nguồn gốc"
    db.commit()

    assert directory_stamp(db, event.id) not in (first, None)


def test_every_new_event_has_a_stamp_of_its_own(db: Session) -> None:
    one, other = make_event(db), make_event(db)
    db.commit()
    stamps = {directory_stamp(db, one.id), directory_stamp(db, other.id)}
    assert None not in stamps and len(stamps) == 2


def test_search_shows_a_change_made_by_another_session(engine: Engine, db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Mekong Agritech")
    db.commit()
    assert _names(db, event, "mekong") == ["Mekong Agritech"]

    with Session(engine) as other:  # another request, or another process
        other.exec(  # type: ignore[call-overload]
            update(Organisation).where(col(Organisation.id) == org.id).values(name="Khóm Cầu Đúc")
        )
        other.commit()

    # (db's organisation object keeps its old name, the identity map's, as ever; a
    # request's session is new)
    assert _names(db, event, "mekong") == []
    assert [o.id for o in _found(db, event, "khom")] == [org.id]


def test_search_shows_changes_not_yet_flushed(db: Session) -> None:
    event = make_event(db)
    org = make_org(db, event, "Mekong Agritech")
    db.commit()
    _names(db, event)

    org.approved = False

    assert _names(db, event) == []


def test_bulk_insert_renews_the_stamp_for_the_recommender(db: Session) -> None:
    event = make_event(db)
    viewer = make_org(db, event, "Mekong Agritech", seeks=["funding_grants"])
    db.commit()
    assert fit_values(db, event, viewer) == {}

    db.execute(  # as the demo's bulk inserts do (matchmaker.demo.rows)
        insert(Organisation),
        [{"event_id": event.id, "name": "Quỹ Cần Thơ", "name_folded": "quy can tho",
          "kind": OrgKind.investor, "sectors": [], "offers": ["funding_grants"], "seeks": []}],
    )  # fmt: skip
    db.commit()

    assert list(fit_values(db, event, viewer).values()) != []

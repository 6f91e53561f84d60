"""Migrations build the whole schema from an empty database, and it matches the models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import SQLModel

import matchmaker.models  # noqa: F401  (registers every table)
from matchmaker.db import alembic_config, make_engine, upgrade
from tests.pgserver import PostgresServer


@pytest.fixture(params=["sqlite", "postgres"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with nothing in it, not even the alembic version table."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    else:
        server: PostgresServer | None = request.getfixturevalue("pg_server")
        if server is None:
            pytest.skip("PostgreSQL is not installed here (CI installs it)")
        name = f"mm_empty_{uuid.uuid4().hex[:10]}"
        admin = make_engine(server.url())
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        engine = make_engine(server.url(name))
    yield engine
    engine.dispose()


def _head() -> str:
    url = "sqlite://"
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


def test_migrations_upgrade_empty_database_to_head(empty_engine: Engine) -> None:
    assert inspect(empty_engine).get_table_names() == []
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    tables = set(inspect(empty_engine).get_table_names())
    assert current == _head()
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_migrations_schema_matches_models(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], "models and migrations differ; add the change to 0002"


def test_migrations_upgrade_twice_is_harmless(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    assert current == _head()


def test_migrations_downgrade_to_base_and_up_again(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    cfg = alembic_config(empty_engine.url.render_as_string(hide_password=False))
    with empty_engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) == set(SQLModel.metadata.tables) | {
        "alembic_version"
    }


def test_migrations_0007_removes_sign_in_links_kept_in_the_outbox(empty_engine: Engine) -> None:
    cfg = alembic_config(empty_engine.url.render_as_string(hide_password=False))
    with empty_engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0006")
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO notification (id, to_email, subject, body, link, created_at, "
                "sent_at, send_error) VALUES "
                "(1, 'a@x.vn', 's', 'b', '/signin/link/unsent-token', '2023-05-01', NULL, ''),"
                "(2, 'b@x.vn', 's', 'b', '/signin/link/sent-token', '2023-05-01', "
                "'2023-05-02', ''),"
                "(3, 'c@x.vn', 's', 'b', '/me/agenda', '2023-05-01', NULL, '')"
            )
        )
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, link, sign_in_hours FROM notification ORDER BY id")
        ).all()
    # The one still to send gets a fresh link when it is sent; the sent one keeps none.
    assert [tuple(row) for row in rows] == [(1, "", 72), (2, "", None), (3, "/me/agenda", None)]


def _insert_event(conn: Connection) -> None:
    """Event 1, as the columns stood at 0012-0013."""
    conn.execute(
        text(
            "INSERT INTO event (id, slug, name_vi, name_en, venue, city, timezone, "
            "start_date, end_date, description_vi, description_en, rules, "
            "require_approval, created_at) VALUES (1, 'e', 'E', 'E', '', '', "
            "'Asia/Ho_Chi_Minh', '2023-05-18', '2023-05-20', '', '', '{}', false, "
            "'2023-04-01')"
        )
    )


def test_migrations_0013_moves_pre_merger_provinces_to_their_unit(empty_engine: Engine) -> None:
    cfg = alembic_config(empty_engine.url.render_as_string(hide_password=False))
    with empty_engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0012")
    with empty_engine.begin() as conn:
        _insert_event(conn)
        for org_id, province in enumerate(
            ["Hậu Giang", "TP HCM", "Bình Dương", "Cần Thơ", "Vị Thanh", ""], start=1
        ):
            conn.execute(
                text(
                    "INSERT INTO organisation (id, event_id, name, name_folded, kind, sectors, "
                    "province, stage, website, description, offers, seeks, offers_text, "
                    "seeks_text, approved, created_at) VALUES (:id, 1, :name, '', 'startup', "
                    "'[]', :province, '', '', '', '[]', '[]', '', '', true, '2023-04-01')"
                ),
                {"id": org_id, "name": f"Org {org_id}", "province": province},
            )
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT province FROM organisation ORDER BY id")).scalars()
        # Free text that names no unit stays as written (the profile form asks again).
        assert list(rows) == [
            "Cần Thơ", "TP. Hồ Chí Minh", "TP. Hồ Chí Minh", "Cần Thơ", "Vị Thanh", "",
        ]  # fmt: skip


def test_migrations_0014_upgrades_a_database_that_has_published(empty_engine: Engine) -> None:
    """A schedule version points at the run it published: on SQLite (foreign keys on)
    a migration that copies and drops solve_run would fail here."""
    cfg = alembic_config(empty_engine.url.render_as_string(hide_password=False))
    with empty_engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0013")
    with empty_engine.begin() as conn:
        _insert_event(conn)
        conn.execute(
            text(
                "INSERT INTO solve_run (id, event_id, parameters, status, stop_requested, "
                "progress, objective, bound, solver_status, message, result, created_at) "
                "VALUES (7, 1, '{}', 'finished', false, '[]', '{}', '{}', 'OPTIMAL', '', "
                "'{}', '2023-05-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO schedule_version (id, event_id, number, kind, published_at, "
                "assignments, run_id) VALUES (1, 1, 1, 'final', '2023-05-02', '{}', 7)"
            )
        )
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        run = conn.execute(text("SELECT id, worker_host, heartbeat_at FROM solve_run")).one()
        version = conn.execute(text("SELECT run_id FROM schedule_version")).scalar_one()
    assert (tuple(run), version) == ((7, "", None), 7)

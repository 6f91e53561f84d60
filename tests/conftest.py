"""Shared fixtures: a real database per test (SQLite, and PostgreSQL on a server the
test run starts itself), the HTTP app, signed-in clients and factories."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from matchmaker import accounts
from matchmaker.db import make_engine, upgrade
from matchmaker.models import Account
from matchmaker.settings import Settings
from matchmaker.web.app import create_app
from tests.factories import ORGANISER_PASSWORD
from tests.pgserver import PostgresServer, find_bin
from tests.smtp import SMTPServer, running_smtp_server

accounts.use_fast_hashing()

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests under tests/<kind>/ carry the <kind> marker."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        for kind in ("unit", "integration", "e2e"):
            if kind in parts:
                item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer | None]:
    if not find_bin("initdb"):
        if IN_CI:
            pytest.fail("PostgreSQL server binaries are missing (CI must not skip them)")
        yield None
        return
    server = PostgresServer()
    server.start()
    engine = make_engine(server.url())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("CREATE DATABASE mm_template"))
    engine.dispose()
    template_engine = make_engine(server.url("mm_template"))
    upgrade(template_engine)
    template_engine.dispose()
    yield server
    server.stop()


def _postgres_engine(server: PostgresServer) -> Engine:
    name = f"mm_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server.url())
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE mm_template"))
    admin.dispose()
    return make_engine(server.url(name))


@pytest.fixture(params=["sqlite", "postgres"])
def engine(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
) -> Iterator[Engine]:
    """A fresh, migrated database for one test, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "matchmaker.db"
        shutil.copy(sqlite_template, path)
        eng = make_engine(f"sqlite:///{path}")
    else:
        server = request.getfixturevalue("pg_server")
        if server is None:
            pytest.skip("PostgreSQL is not installed here (CI installs it)")
        eng = _postgres_engine(server)
    yield eng
    eng.dispose()
    if request.param == "postgres":
        # Drop it now: thousands of leftover databases make the server's shutdown slow.
        admin = make_engine(server.url())
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{eng.url.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session for arranging data; commit before the app reads it."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", secret_key=TEST_SECRET, login_max_attempts=5)


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Litestar:
    return create_app(settings, engine=engine)


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A local SMTP server that keeps what it receives (tests.smtp)."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client


def csrf_token(client: TestClient) -> str:
    """The CSRF token a browser would send back (cookie set by any safe request)."""
    if "csrftoken" not in client.cookies:
        client.get("/signin")
    return str(client.cookies["csrftoken"])


def post_form(client: TestClient, url: str, data: dict[str, str], **kwargs: object):  # type: ignore[no-untyped-def]
    """Submit a form the way the browser does, CSRF token included."""
    return client.post(url, data={**data, "_csrf_token": csrf_token(client)}, **kwargs)  # type: ignore[arg-type]


def sign_in_as(client: TestClient, account: Account, db: Session) -> None:
    """Open a session for `account` through the personal-link flow (or password)."""
    if account.password_hash:
        response = post_form(
            client,
            "/signin",
            {"email": account.email, "password": ORGANISER_PASSWORD},
            follow_redirects=False,
        )
    else:
        token = accounts.issue_token(db, account)
        db.commit()
        response = post_form(client, f"/signin/link/{token}", {}, follow_redirects=False)
    assert response.status_code == 303, response.text

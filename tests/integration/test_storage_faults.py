"""A read-only database or a full disk: the person sees that nothing was saved and whom to
tell (503, in their language), a JSON client gets a code, the log one line; and the
start-up check names the path. The conditions are real: SQLite opened read-only
(`mode=ro`, as it opens a file it may not write), PostgreSQL with
default_transaction_read_only, SQLite's own page limit for a full disk."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, event, inspect
from sqlmodel import Session, select

from matchmaker import cli, storage
from matchmaker.db import make_engine
from matchmaker.models import Account, Organisation
from matchmaker.settings import Settings
from matchmaker.web.app import create_app
from tests.conftest import csrf_token, post_form, sign_in_as
from tests.factories import (
    ORGANISER_PASSWORD,
    make_event,
    make_org,
    make_organiser,
    make_participant,
)

PROFILE: dict[str, Any] = {
    "name": "Công ty Nông nghiệp Số",
    "kind": "startup",
    "sectors": ["agritech"],
    "province": "Hậu Giang",
    "stage": "seed",
    "website": "nongnghiepso.vn",
    "description": "Cảm biến độ mặn cho ruộng lúa.",
    "offers": ["iot_solutions"],
    "seeks": ["seed_investment"],
    "offers_text": "",
    "seeks_text": "",
}


def read_only(engine: Engine) -> Engine:
    """The same database, refusing writes the way an operator's mistake would."""
    if engine.dialect.name == "sqlite":
        return make_engine(f"sqlite:///file:{engine.url.database}?mode=ro&uri=true")
    with engine.connect() as connection:
        connection.exec_driver_sql(
            f'ALTER DATABASE "{engine.url.database}" SET default_transaction_read_only = on'
        )
        connection.commit()
    engine.dispose()  # the pool's connections began before the change
    return engine


@pytest.fixture
def participant(db: Session) -> tuple[Organisation, Account]:
    current = make_event(db)
    org = make_org(db, current, "Tên Cũ", description="Cũ")
    _, account = make_participant(db, org, "Võ Minh Khoa")
    db.commit()
    return org, account


@contextmanager
def read_only_browser(
    client: TestClient, settings: Settings, engine: Engine
) -> Iterator[TestClient]:
    """The same browser (its cookies: session, CSRF, language) talking to a server whose
    database has become read-only."""
    csrf_token(client)
    ro = read_only(engine)
    try:
        with TestClient(
            create_app(settings, engine=ro),
            base_url="http://testserver.local",
            cookies=client.cookies,
        ) as browser:
            yield browser
    finally:
        ro.dispose()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def operator_log() -> Iterator[list[logging.LogRecord]]:
    """What the server logs about unsaved writes. (Not caplog: the app's logging set-up
    replaces the root logger's handlers, caplog's among them.)"""
    handler = _Records()
    logger = logging.getLogger("matchmaker")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def _not_saved(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.getMessage().startswith("not saved (")]


def test_signin_on_a_read_only_database_says_nothing_was_saved(
    client: TestClient,
    db: Session,
    settings: Settings,
    engine: Engine,
    operator_log: list[logging.LogRecord],
) -> None:
    organiser = make_organiser(db)
    db.commit()

    with read_only_browser(client, settings, engine) as browser:
        response = post_form(
            browser,
            "/signin",
            {"email": organiser.email, "password": ORGANISER_PASSWORD},
            follow_redirects=False,
        )

    assert response.status_code == 503
    assert "<h1>Cơ sở dữ liệu đang ở chế độ chỉ đọc</h1>" in response.text
    assert "Những gì bạn vừa nhập chưa được lưu. Vui lòng báo cho ban tổ chức." in response.text
    assert "Đã có lỗi xảy ra" not in response.text  # not the generic 500 page
    (record,) = _not_saved(operator_log)
    assert record.levelno == logging.ERROR and record.exc_info is None
    assert record.getMessage().startswith("not saved (POST /signin): the database ")
    assert " is read-only: " in record.getMessage()


def test_profile_save_on_a_read_only_database_answers_in_english_and_changes_nothing(
    client: TestClient,
    db: Session,
    participant: tuple[Organisation, Account],
    settings: Settings,
    engine: Engine,
) -> None:
    org, account = participant
    sign_in_as(client, account, db)
    client.cookies.set("mm_lang", "en")
    with read_only_browser(client, settings, engine) as browser:
        response = post_form(browser, "/me/profile", PROFILE, follow_redirects=False)

    assert response.status_code == 503
    assert "<h1>The database is read-only</h1>" in response.text
    assert "What you entered was not saved. Please tell the organisers." in response.text
    db.refresh(org)
    assert (org.name, org.description) == ("Tên Cũ", "Cũ")


def test_json_client_on_a_read_only_database_gets_503_with_a_code(
    client: TestClient,
    db: Session,
    participant: tuple[Organisation, Account],
    settings: Settings,
    engine: Engine,
) -> None:
    _, account = participant
    sign_in_as(client, account, db)
    client.cookies.set("mm_lang", "en")
    with read_only_browser(client, settings, engine) as browser:
        response = post_form(
            browser, "/me/profile", PROFILE, headers={"accept": "application/json"}
        )

    assert response.status_code == 503
    assert response.json() == {
        "status_code": 503,
        "error": "The database is read-only",
        "code": "database_read_only",
        "detail": "What you entered was not saved. Please tell the organisers.",
    }


def test_htmx_click_on_a_read_only_database_shows_the_notice_as_the_page(
    client: TestClient,
    db: Session,
    participant: tuple[Organisation, Account],
    settings: Settings,
    engine: Engine,
) -> None:
    """htmx leaves an error answer unswapped: the notice replaces the page instead of
    the click doing nothing visible."""
    _, account = participant
    sign_in_as(client, account, db)
    with read_only_browser(client, settings, engine) as browser:
        response = post_form(browser, "/me/profile", PROFILE, headers={"HX-Request": "true"})
        home = browser.get("/")

    assert response.status_code == 503
    assert (
        response.headers["HX-Retarget"],
        response.headers["HX-Reswap"],
        response.headers["HX-Reselect"],
    ) == ("body", "innerHTML", "unset")
    assert '{"code":"503","swap":true,"error":true}' in home.text  # base.html's htmx-config


def test_organiser_on_a_read_only_database_is_pointed_at_the_server_log(
    client: TestClient, db: Session, settings: Settings, engine: Engine
) -> None:
    organiser = make_organiser(db)
    db.commit()
    sign_in_as(client, organiser, db)
    client.cookies.set("mm_lang", "en")
    with read_only_browser(client, settings, engine) as browser:
        response = post_form(browser, "/signout", {}, follow_redirects=False)  # ends sessions

    assert response.status_code == 503
    assert (
        "What you entered was not saved. Tell whoever runs the server: its log names the "
        "file at fault."
    ) in response.text


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_profile_save_on_a_full_disk_says_nothing_was_saved(
    client: TestClient,
    db: Session,
    participant: tuple[Organisation, Account],
    engine: Engine,
    operator_log: list[logging.LogRecord],
) -> None:
    """SQLite's page limit at the file's size: any write that needs one more page fails
    with SQLite's own "database or disk is full", as on a full disk."""
    org, account = participant
    sign_in_as(client, account, db)
    db.close()
    engine.dispose()
    with engine.connect() as connection:  # no free pages left inside the file either
        connection.exec_driver_sql("VACUUM")
    engine.dispose()

    def no_room(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute("PRAGMA max_page_count = 1")  # type: ignore[attr-defined]

    event.listen(engine, "connect", no_room)
    # 2000 characters of three bytes each: the row needs pages the file cannot grow.
    response = post_form(
        client, "/me/profile", {**PROFILE, "description": "ễ" * 2000}, follow_redirects=False
    )
    event.remove(engine, "connect", no_room)
    engine.dispose()

    assert response.status_code == 503
    assert "<h1>Ổ đĩa của máy chủ đã đầy</h1>" in response.text
    assert "Những gì bạn vừa nhập chưa được lưu. Vui lòng báo cho ban tổ chức." in response.text
    (record,) = _not_saved(operator_log)
    assert record.getMessage().endswith("has no room left (disk full): database or disk is full")
    with Session(engine) as check:
        stored = check.get(Organisation, org.id)
        assert stored is not None and stored.description == "Cũ"


# --- the start-up check -------------------------------------------------------------


def test_startup_check_is_quiet_on_a_writable_database_and_leaves_no_trace(
    engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(var_dir=tmp_path / "var", min_free_mb=1)

    assert storage.startup_warnings(settings, engine) == []
    assert "matchmaker_write_probe" not in inspect(engine).get_table_names()
    assert list((tmp_path / "var").iterdir()) == []


def test_startup_check_names_a_read_only_database(engine: Engine, tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var", min_free_mb=1)
    ro = read_only(engine)

    warnings = storage.startup_warnings(settings, ro)
    ro.dispose()

    (warning,) = warnings
    if engine.dialect.name == "sqlite":
        assert warning.startswith(
            f"the database {Path(str(engine.url.database)).resolve()} is read-only: "
            "attempt to write a readonly database."
        )
    else:
        assert warning.startswith(
            f"the database {engine.url.render_as_string(hide_password=True)} is read-only: "
            "its transactions are read-only (default_transaction_read_only, or a standby "
            "server)."
        )


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_startup_check_warns_of_little_free_space_naming_the_folders(
    engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(var_dir=tmp_path / "var", min_free_mb=10**9)

    (warning,) = storage.startup_warnings(settings, engine)

    database_dir = Path(str(engine.url.database)).resolve().parent
    assert warning.startswith("only ")
    assert (
        f" MB free on the disk of {database_dir} and {(tmp_path / 'var').resolve()} "
        "(below 1000000000 MB, MATCHMAKER_MIN_FREE_MB)"
    ) in warning


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_startup_check_names_a_var_folder_that_cannot_be_written(
    engine: Engine, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings = Settings(var_dir=blocker / "var", min_free_mb=1)

    (warning,) = storage.startup_warnings(settings, engine)

    assert warning.startswith(f"cannot write in the var folder {blocker / 'var'}: Not a directory.")


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_cli_on_a_read_only_database_exits_saying_it_cannot_write(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(
        "MATCHMAKER_DATABASE_URL", f"sqlite:///file:{engine.url.database}?mode=ro&uri=true"
    )
    monkeypatch.setenv("MATCHMAKER_VAR_DIR", str(tmp_path / "var"))

    code = cli.main(["create-organiser", "btc@example.vn", "--password", "mat-khau-rat-dai-1"])

    assert code == 2
    assert capsys.readouterr().err == (
        "matchmaker: database: cannot write (attempt to write a readonly database)\n"
    )


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_cli_with_a_var_folder_it_cannot_write_exits_naming_the_folder(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", f"sqlite:///{engine.url.database}")
    monkeypatch.setenv("MATCHMAKER_VAR_DIR", str(blocker / "var"))

    code = cli.main(["demo", "--scale", "0.05"])

    assert code == 2
    assert capsys.readouterr().err == f"matchmaker: {blocker / 'var'}: Not a directory\n"
    with Session(engine) as session:  # the demo's rows went with the failed command
        assert session.exec(select(Organisation)).first() is None

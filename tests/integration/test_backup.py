"""`matchmaker backup` and `matchmaker restore`, on SQLite and PostgreSQL: a backup taken
while the application writes is one consistent moment, a restore gives back exactly
that, a database holding data is not overwritten by accident, and bad files are
refused with a message naming them."""

from __future__ import annotations

import io
import shutil
import sqlite3
import stat
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import Session, SQLModel, select

from matchmaker import backup
from matchmaker import requests as svc
from matchmaker.cli import main as cli_main
from matchmaker.db import alembic_config, make_engine, session_scope
from matchmaker.demo import generate_demo
from matchmaker.models import Account, MeetingRequest, OrgKind, RequestStatus
from tests.factories import make_event, make_org, make_participant
from tests.pgserver import PostgresServer

# the schema revision this checkout migrates to
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()

Contents = dict[str, list[tuple[Any, ...]]]
NewDatabase = Callable[..., Engine]


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def contents(engine: Engine) -> Contents:
    """Every row of every table, in an order that does not depend on the database."""
    with engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
        return {
            table: sorted(
                (tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table}"'))), key=repr
            )
            for table in tables
        }


@pytest.fixture
def new_database(
    request: pytest.FixtureRequest, engine: Engine, tmp_path: Path, sqlite_template: Path
) -> Iterator[NewDatabase]:
    """Makes more databases of the same kind as `engine`: migrated and empty (as a
    server that has started once), or not even created (`migrated=False`)."""
    made: list[Engine] = []
    server: PostgresServer | None = None
    if engine.url.get_backend_name() == "postgresql":
        server = request.getfixturevalue("pg_server")

    def make(*, migrated: bool = True) -> Engine:
        name = f"mm_{uuid.uuid4().hex[:12]}"
        if server is None:
            path = tmp_path / f"{name}.db"
            if migrated:
                shutil.copy(sqlite_template, path)
            made.append(make_engine(f"sqlite:///{path}"))
        else:
            template = "TEMPLATE mm_template" if migrated else ""
            with admin(server) as conn:
                conn.execute(text(f"CREATE DATABASE {name} {template}"))
            made.append(make_engine(server.url(name)))
        return made[-1]

    yield make
    for eng in made:
        eng.dispose()
        if server is not None:
            with admin(server) as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{eng.url.database}" WITH (FORCE)'))


@contextmanager
def admin(server: PostgresServer) -> Iterator[Connection]:
    """An autocommit connection to the server's maintenance database."""
    eng = make_engine(server.url())
    try:
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield conn
    finally:
        eng.dispose()


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[Engine], None]:
    """Point the `matchmaker` command at a database (as MATCHMAKER_DATABASE_URL does)."""
    monkeypatch.setenv("MATCHMAKER_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MATCHMAKER_DATABASE_URL", raising=False)

    def use(engine: Engine) -> None:
        monkeypatch.setenv("MATCHMAKER_DATABASE_URL", url_of(engine))

    return use


def load_demo(engine: Engine) -> None:
    with session_scope(engine) as session:
        generate_demo(session, seed=7, scale=0.05)


class Writer(threading.Thread):
    """Keeps writing through the services, as the application does while a backup runs:
    each step registers a new organisation with its representative and account, who
    requests a meeting; every other step the host accepts the oldest pending request.
    After each commit it records the database's whole contents (it is the only writer,
    so that is exactly the state the commit left)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = make_engine(url)
        self.states: list[Contents] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                event = make_event(session)
                event.rules = {"max_meetings": 10_000}  # the host accepts as long as it runs
                host = make_org(session, event, "Quỹ Đầu tư Sáng tạo Cần Thơ", OrgKind.investor)
                _, host_account = make_participant(session, host, "Trần Thị Bình")
                session.commit()
                step = 0
                while not self.stop.is_set():
                    step += 1
                    org = make_org(session, event, f"Khởi nghiệp số {step}", OrgKind.startup)
                    _, account = make_participant(session, org, f"Người đại diện {step}")
                    svc.create_request(session, event, org, host.id, "Xin gặp.", "must", account)
                    if step % 2 == 0:
                        self._accept_oldest(session, event, host_account)
                    session.commit()
                    self.states.append(contents(self.engine))
        except BaseException as exc:
            self.error = exc
        finally:
            self.engine.dispose()

    @staticmethod
    def _accept_oldest(session: Session, event: Any, host_account: Account) -> None:
        pending = session.exec(
            select(MeetingRequest)
            .where(MeetingRequest.status == RequestStatus.pending)
            .order_by(MeetingRequest.id)  # type: ignore[arg-type]
        ).first()
        assert pending is not None
        svc.accept(session, pending.id or 0, host_account)

    def wait_for(self, states: int) -> None:
        while len(self.states) < states:
            assert self.is_alive(), f"the writer stopped: {self.error!r}"
            self.stop.wait(0.01)


def test_backup_while_the_application_writes_restores_one_consistent_moment(
    engine: Engine,
    new_database: NewDatabase,
    use_database: Callable[[Engine], None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    writer = Writer(url_of(engine))
    writer.start()
    taken: list[tuple[Path, int, int]] = []  # (file, states before it, states after it)
    try:
        use_database(engine)
        for n in range(3):
            writer.wait_for(3 * (n + 1))
            before = len(writer.states)
            path = tmp_path / f"during-{n}.backup"
            assert cli_main(["backup", str(path)]) == 0
            taken.append((path, before, len(writer.states)))
        writer.wait_for(len(writer.states) + 2)  # the writes went on after the backups
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.error is None
    capsys.readouterr()
    target = new_database()
    use_database(target)

    for n, (path, before, after) in enumerate(taken):
        assert cli_main(["restore", str(path), *(["--force"] if n else [])]) == 0
        restored = contents(target)
        moments = [i + 1 for i, state in enumerate(writer.states) if state == restored]

        # The restored database is the source after some commit: never half a commit,
        # nothing from before the backup missing, nothing from after it present (the
        # writer may have committed and not yet recorded when the backup finished).
        assert len(moments) == 1, f"backup {n} equals no state the writer committed"
        assert before <= moments[0] <= after + 1


def test_restore_into_an_empty_database_is_identical_to_the_source(
    engine: Engine,
    new_database: NewDatabase,
    use_database: Callable[[Engine], None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    load_demo(engine)
    source = contents(engine)
    path = tmp_path / "demo.backup"
    use_database(engine)
    assert cli_main(["backup", str(path)]) == 0
    wrote = capsys.readouterr().out
    target = new_database()
    use_database(target)

    code = cli_main(["restore", str(path)])

    assert code == 0
    assert capsys.readouterr().out == (
        f"restored {path} into {backup.describe(url_of(target))} (schema revision {HEAD})\n"
    )
    assert contents(target) == source
    assert set(source) >= set(SQLModel.metadata.tables) | {"alembic_version"}
    assert sum(1 for rows in source.values() if rows) >= 10
    size = path.stat().st_size
    assert wrote == f"wrote {path} ({backup.human_size(size)}, schema revision {HEAD})\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_restored_database_takes_new_rows(
    engine: Engine, new_database: NewDatabase, use_database: Callable[[Engine], None],
    tmp_path: Path,
) -> None:  # fmt: skip
    load_demo(engine)
    path = tmp_path / "demo.backup"
    use_database(engine)
    assert cli_main(["backup", str(path)]) == 0
    target = new_database()
    use_database(target)
    assert cli_main(["restore", str(path)]) == 0

    # The id sequences came back with the rows (PostgreSQL keeps them apart).
    with session_scope(target) as session:
        org = make_org(session, make_event(session), "Công ty mới sau khôi phục")

    assert org.id is not None
    with target.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM organisation")).scalar_one() > 1


def test_backup_without_a_path_goes_to_the_backups_folder(
    engine: Engine, use_database: Callable[[Engine], None], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    use_database(engine)

    assert cli_main(["backup"]) == 0

    folder = tmp_path / "var" / "backups"
    (made,) = folder.iterdir()
    assert made.name.startswith("matchmaker-")
    assert made.suffix == (".db" if engine.url.get_backend_name() == "sqlite" else ".dump")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert capsys.readouterr().out.startswith(f"wrote {made} (")


def test_backup_into_a_folder_writes_a_timestamped_file_there(
    engine: Engine, use_database: Callable[[Engine], None], tmp_path: Path
) -> None:
    use_database(engine)
    folder = tmp_path / "usb"
    folder.mkdir()

    assert cli_main(["backup", str(folder)]) == 0

    (made,) = folder.iterdir()
    assert made.name.startswith("matchmaker-")


def test_restore_refuses_a_database_holding_data_without_force(
    engine: Engine,
    new_database: NewDatabase,
    use_database: Callable[[Engine], None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "empty.backup"
    use_database(new_database())
    assert cli_main(["backup", str(path)]) == 0
    load_demo(engine)
    before = contents(engine)
    use_database(engine)
    capsys.readouterr()

    code = cli_main(["restore", str(path)])

    assert code == 2
    rows = sum(len(r) for t, r in before.items() if t != "alembic_version")
    assert capsys.readouterr().err == (
        f"matchmaker: database: {backup.describe(url_of(engine))} holds {rows} rows; "
        f"restoring {path} would replace them (--force to do so)\n"
    )
    assert contents(engine) == before


def test_restore_with_force_replaces_the_data(
    engine: Engine, new_database: NewDatabase, use_database: Callable[[Engine], None],
    tmp_path: Path,
) -> None:  # fmt: skip
    empty = new_database()
    path = tmp_path / "empty.backup"
    use_database(empty)
    assert cli_main(["backup", str(path)]) == 0
    load_demo(engine)
    use_database(engine)

    assert cli_main(["restore", str(path), "--force"]) == 0

    assert contents(engine) == contents(empty)


def _filled_database_and_empty_backup(
    engine: Engine, new_database: NewDatabase, use_database: Callable[[Engine], None],
    path: Path,
) -> int:  # fmt: skip
    """`engine` holds the demo event, `path` a backup of an empty database; returns
    the rows `engine` holds."""
    use_database(new_database())
    assert cli_main(["backup", str(path)]) == 0
    load_demo(engine)
    use_database(engine)
    return sum(len(rows) for t, rows in contents(engine).items() if t != "alembic_version")


def test_restore_in_a_terminal_replaces_the_data_once_confirmed(
    engine: Engine,
    new_database: NewDatabase,
    use_database: Callable[[Engine], None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "empty.backup"
    rows = _filled_database_and_empty_backup(engine, new_database, use_database, path)
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    capsys.readouterr()

    code = cli_main(["restore", str(path)])

    shown = backup.describe(url_of(engine))
    assert code == 0
    assert capsys.readouterr().out == (
        f"{shown} holds {rows} rows. Replace them with {path}? [y/N] "
        f"restored {path} into {shown} (schema revision {HEAD})\n"
    )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM organisation")).scalar_one() == 0


@pytest.mark.parametrize("answer", ["n\n", "\n", ""])
def test_restore_in_a_terminal_changes_nothing_unless_confirmed(
    engine: Engine,
    new_database: NewDatabase,
    use_database: Callable[[Engine], None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: str,
) -> None:
    path = tmp_path / "empty.backup"
    _filled_database_and_empty_backup(engine, new_database, use_database, path)
    before = contents(engine)
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    capsys.readouterr()

    code = cli_main(["restore", str(path)])

    assert code == 2
    assert capsys.readouterr().err == "matchmaker: restore: cancelled, nothing changed\n"
    assert contents(engine) == before


class Terminal(io.StringIO):
    """Standard input as a person at a terminal types it."""

    def isatty(self) -> bool:
        return True


def test_restore_of_an_older_backup_migrates_it(
    engine: Engine,
    new_database: NewDatabase,
    use_database: Callable[[Engine], None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = new_database(migrated=False)
    config = alembic_config(url_of(old))
    with old.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
        conn.execute(
            text(
                "INSERT INTO account (email, display_name, role, locale, active, created_at) "
                "VALUES ('an@example.vn', 'Nguyễn Văn An', 'organiser', 'vi', true, "
                "'2023-05-01 00:00:00')"
            )
        )
    path = tmp_path / "old.backup"
    use_database(old)
    assert cli_main(["backup", str(path)]) == 0
    target = new_database()  # at the newest schema, as after `matchmaker serve`
    use_database(target)
    capsys.readouterr()

    code = cli_main(["restore", str(path)])

    assert code == 0
    assert capsys.readouterr().out.endswith(f"(schema revision 0004, migrated to {HEAD})\n")
    with Session(target) as session:
        (account,) = session.exec(select(Account)).all()
    assert (account.email, account.session_generation) == ("an@example.vn", 0)


def test_restore_leaves_no_table_the_backup_lacks(
    engine: Engine, new_database: NewDatabase, use_database: Callable[[Engine], None],
    tmp_path: Path,
) -> None:  # fmt: skip
    path = tmp_path / "demo.backup"
    load_demo(engine)
    use_database(engine)
    assert cli_main(["backup", str(path)]) == 0
    target = new_database()
    with target.begin() as conn:  # as a later version's migration would have added
        conn.execute(text("CREATE TABLE feature_of_later (id INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO feature_of_later VALUES (1)"))
    use_database(target)

    assert cli_main(["restore", str(path), "--force"]) == 0

    assert contents(target) == contents(engine)


def test_restore_into_a_database_not_yet_created_on_sqlite(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "source.db"
    shutil.copy(sqlite_template, source)
    source_engine = make_engine(f"sqlite:///{source}")
    load_demo(source_engine)
    path = tmp_path / "demo.backup"
    var = tmp_path / "new-machine" / "var"
    monkeypatch.setenv("MATCHMAKER_VAR_DIR", str(var))
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", f"sqlite:///{source}")
    assert cli_main(["backup", str(path)]) == 0
    monkeypatch.delenv("MATCHMAKER_DATABASE_URL")

    assert cli_main(["restore", str(path)]) == 0

    restored = var / "matchmaker.db"
    restored_engine = make_engine(f"sqlite:///{restored}")
    assert contents(restored_engine) == contents(source_engine)
    restored_engine.dispose()
    source_engine.dispose()
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE(restored.stat().st_mode) == 0o600


def _not_a_backup(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("Danh sách khách mời\n" * 50)
    return path


def _empty_file(tmp_path: Path) -> Path:
    path = tmp_path / "empty.db"
    path.touch()
    return path


def _other_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE guests (name TEXT)")
    return path


BAD_FILES: dict[str, tuple[Callable[[Path], Path], dict[str, str]]] = {
    "missing": (lambda tmp: tmp / "nowhere.backup", {"*": "no such file"}),
    "folder": (lambda tmp: tmp, {"*": "not a file"}),
    "text": (
        _not_a_backup,
        {
            "sqlite": "not a SQLite backup (file is not a database)",
            "postgresql": "not a pg_dump archive (pg_restore: error: input file does not "
            "appear to be a valid archive)",
        },
    ),
    "empty": (
        _empty_file,
        {
            "sqlite": "empty file, not a Matchmaker backup",
            "postgresql": "not a pg_dump archive (pg_restore: error: input file is too short "
            "(read 0, expected 5))",
        },
    ),
    "another SQLite file": (
        _other_sqlite,
        {
            "sqlite": "a SQLite file, but not a Matchmaker backup",
            "postgresql": "a SQLite backup; this database is PostgreSQL",
        },
    ),
}


@pytest.mark.parametrize("bad", list(BAD_FILES))
def test_restore_of_a_bad_file_says_which_and_changes_nothing(
    engine: Engine,
    use_database: Callable[[Engine], None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    bad: str,
) -> None:
    make, messages = BAD_FILES[bad]
    path = make(tmp_path)
    load_demo(engine)
    before = contents(engine)
    use_database(engine)

    code = cli_main(["restore", str(path), "--force"])

    message = messages.get(engine.url.get_backend_name(), messages.get("*"))
    assert code == 2
    assert capsys.readouterr().err == f"matchmaker: {path}: {message}\n"
    assert contents(engine) == before


def test_restore_refuses_a_backup_from_a_newer_version(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path = tmp_path / "future.db"
    shutil.copy(sqlite_template, path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    monkeypatch.setenv("MATCHMAKER_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MATCHMAKER_DATABASE_URL", raising=False)

    code = cli_main(["restore", str(path)])

    assert code == 2
    assert capsys.readouterr().err == (
        f"matchmaker: {path}: made by a newer Matchmaker (schema revision 0099 is unknown here)\n"
    )


def test_restore_of_a_damaged_sqlite_file_says_so(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path = tmp_path / "damaged.db"
    shutil.copy(sqlite_template, path)
    filled = make_engine(f"sqlite:///{path}")
    load_demo(filled)
    filled.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'organisation'"
        ).fetchone()
    data = bytearray(path.read_bytes())
    start = (root - 1) * 4096
    data[start + 8 : start + 4096] = b"\xff" * (4096 - 8)  # the table's first page scribbled on
    path.write_bytes(bytes(data))
    monkeypatch.setenv("MATCHMAKER_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MATCHMAKER_DATABASE_URL", raising=False)

    code = cli_main(["restore", str(path)])

    assert code == 2
    assert capsys.readouterr().err == (
        f"matchmaker: {path}: damaged SQLite file (database disk image is malformed)\n"
    )


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        ("missing/x.backup", "the folder {tmp}/missing does not exist"),
        ("file.txt/x.backup", "{tmp}/file.txt is a file, not a folder"),
    ],
)
def test_backup_to_an_unwritable_place_says_where(
    engine: Engine, use_database: Callable[[Engine], None], tmp_path: Path,
    capsys: pytest.CaptureFixture[str], destination: str, message: str,
) -> None:  # fmt: skip
    (tmp_path / "file.txt").write_text("not a folder")
    use_database(engine)
    path = tmp_path / destination

    code = cli_main(["backup", str(path)])

    assert code == 2
    assert capsys.readouterr().err == f"matchmaker: {path}: {message.format(tmp=tmp_path)}\n"
    assert not path.exists()


def test_backup_of_a_missing_sqlite_database_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "var" / "matchmaker.db"
    monkeypatch.setenv("MATCHMAKER_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MATCHMAKER_DATABASE_URL", raising=False)

    code = cli_main(["backup", str(tmp_path / "x.db")])

    assert code == 2
    assert capsys.readouterr().err == f"matchmaker: database: no SQLite file at {database}\n"
    assert not database.exists()
    assert list(tmp_path.iterdir()) == []  # no folder made, no partial file left

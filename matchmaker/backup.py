"""Backups of the whole database and restoring them: SQLite through its online backup
API, PostgreSQL through pg_dump and pg_restore. Either can run while the application
serves and writes; a backup is one consistent moment of the database."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError as AlembicCommandError
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, make_url

from matchmaker.db import alembic_config, make_engine, upgrade
from matchmaker.paths import private_dir

VERSION_TABLE = "alembic_version"
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message names the file at fault."""


class NotEmpty(BackupError):
    """Restoring would overwrite data the database holds."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    revision: str


@dataclass(frozen=True)
class RestoreResult:
    revision: str  # the schema revision the backup was made at
    head: str  # the revision the database is at now


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def describe(url: str) -> str:
    """The database as a person recognises it, never with its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(_sqlite_path(parsed))
    return parsed.set(password=None).render_as_string(hide_password=False)


def default_path(backup_dir: Path, url: str, now: datetime) -> Path:
    """A new file in the backups folder, named by the UTC time it is taken."""
    suffix = ".db" if is_sqlite(url) else ".dump"
    return backup_dir / f"matchmaker-{now:%Y%m%d-%H%M%SZ}{suffix}"


def human_size(size: int) -> str:
    amount = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{size} bytes" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")


# --- backup ------------------------------------------------------------------------


def backup(url: str, output: Path) -> BackupInfo:
    """Write a backup of the database at `url` to `output` (a file, or a folder to put
    a timestamped file in), readable by this user only. The file appears whole or not
    at all: it is written beside its place and renamed when complete."""
    target = _writable_target(output)
    partial = target.with_name(f".{target.name}.partial")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise BackupError(f"{target}: cannot write ({exc.strerror})") from exc
    os.close(fd)
    try:
        if is_sqlite(url):
            _sqlite_backup(_sqlite_path(make_url(url)), partial)
        else:
            _pg_dump(make_url(url), partial)
        revision = inspect_backup(partial, url, name=target)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(target, target.stat().st_size, revision)


def _writable_target(output: Path) -> Path:
    if output.is_dir():
        raise BackupError(f"{output}: is a folder; give a file name")
    parent = output.parent
    if parent.exists() and not parent.is_dir():
        raise BackupError(f"{output}: {parent} is a file, not a folder")
    if not parent.is_dir():
        raise BackupError(f"{output}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BackupError(f"{output}: cannot write in {parent} (permission denied)")
    return output


def backup_dir(var_dir: Path) -> Path:
    """var/backups, made private if missing (a backup holds every participant's data)."""
    folder = var_dir / "backups"
    try:
        private_dir(var_dir)
        return private_dir(folder)
    except OSError as exc:
        raise BackupError(f"{folder}: cannot create the folder ({exc.strerror})") from exc


def _sqlite_backup(database: Path, partial: Path) -> None:
    if not database.is_file():
        raise BackupError(f"database: no SQLite file at {database}")
    # mode=rw: never create an empty database where the real one is missing.
    source = sqlite3.connect(f"file:{quote(str(database))}?mode=rw", uri=True, timeout=30)
    destination = sqlite3.connect(partial)
    try:
        # One step: a single read transaction, so the copy is one consistent moment;
        # in WAL mode writers go on meanwhile.
        source.backup(destination)
        # The copy is one self-contained file, without -wal and -shm beside it.
        destination.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"database: {database}: {exc}") from exc
    finally:
        destination.close()
        source.close()


def _pg_dump(url: URL, partial: Path) -> None:
    _run(
        [_program("pg_dump"), "--format=custom", f"--file={partial}", _libpq_uri(url)],
        url,
        failure=f"database: pg_dump of {describe(url.render_as_string(hide_password=False))}",
    )


# --- checking a backup file -----------------------------------------------------------


def inspect_backup(path: Path, url: str, *, name: Path | None = None) -> str:
    """Check that `path` is a sound Matchmaker backup for the kind of database at `url`
    and return the schema revision it was made at. `name` is the file named in errors."""
    shown = name or path
    if not path.exists():
        raise BackupError(f"{shown}: no such file")
    if not path.is_file():
        raise BackupError(f"{shown}: not a file")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"{shown}: cannot read ({exc.strerror})") from exc
    sqlite = is_sqlite(url)
    if sqlite and head.startswith(PGDUMP_MAGIC):
        raise BackupError(f"{shown}: a PostgreSQL backup; this database is SQLite")
    if not sqlite and head == SQLITE_MAGIC:
        raise BackupError(f"{shown}: a SQLite backup; this database is PostgreSQL")
    if sqlite:
        revision = _sqlite_revision(path, shown, looks_sqlite=head == SQLITE_MAGIC)
    else:
        revision = _pg_revision(path, shown, make_url(url))
    _check_known(revision, url, shown)
    return revision


def _sqlite_revision(path: Path, shown: Path, *, looks_sqlite: bool) -> str:
    if path.stat().st_size == 0:
        raise BackupError(f"{shown}: empty file, not a Matchmaker backup")
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{shown}: cannot open ({exc})") from exc
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"{shown}: damaged SQLite file ({'; '.join(problems[:3])})")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if VERSION_TABLE not in tables:
            raise BackupError(f"{shown}: a SQLite file, but not a Matchmaker backup")
        rows = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
    except sqlite3.DatabaseError as exc:
        what = "damaged SQLite file" if looks_sqlite else "not a SQLite backup"
        raise BackupError(f"{shown}: {what} ({exc})") from exc
    finally:
        conn.close()
    if len(rows) != 1:
        raise BackupError(f"{shown}: no schema revision recorded, not a Matchmaker backup")
    return str(rows[0][0])


def _pg_revision(path: Path, shown: Path, url: URL) -> str:
    restore = _program("pg_restore")
    listing = _run([restore, "--list", str(path)], url, failure=f"{shown}: not a pg_dump archive")
    if f"TABLE DATA public {VERSION_TABLE} " not in listing:
        raise BackupError(f"{shown}: a pg_dump archive, but not a Matchmaker backup")
    script = _run(
        [restore, "--data-only", f"--table={VERSION_TABLE}", "--file=-", str(path)],
        url,
        failure=f"{shown}: unreadable pg_dump archive",
    )
    # The table's data comes as `COPY public.alembic_version (version_num) FROM stdin;`,
    # one line per row, then `\.`.
    lines = script.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("COPY ")), None)
    rows = [] if start is None else lines[start + 1 : lines.index("\\.", start)]
    if len(rows) != 1:
        raise BackupError(f"{shown}: no schema revision recorded, not a Matchmaker backup")
    return rows[0]


def _check_known(revision: str, url: str, shown: Path) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(url))
    try:
        known = scripts.get_revision(revision)
    except AlembicCommandError:
        known = None
    if known is None:
        raise BackupError(
            f"{shown}: made by a newer Matchmaker (schema revision {revision} is unknown here)"
        )


# --- restore ---------------------------------------------------------------------------


def stored_rows(engine: Engine) -> int:
    """How many rows the database holds, the schema's own bookkeeping aside."""
    with engine.connect() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != VERSION_TABLE]
        preparer = conn.dialect.identifier_preparer
        return sum(
            int(conn.execute(text(f"SELECT count(*) FROM {preparer.quote(t)}")).scalar_one())
            for t in tables
        )


def restore(url: str, path: Path, *, force: bool) -> RestoreResult:
    """Replace the contents of the database at `url` with the backup `path`, then
    migrate it to the newest schema. Without `force`, a database holding data is
    refused (NotEmpty) and left as it was."""
    revision = inspect_backup(path, url)
    engine = make_engine(url)
    try:
        rows = stored_rows(engine)
        if rows and not force:
            raise NotEmpty(
                f"database: {describe(url)} holds {rows} rows; "
                f"restoring {path} would replace them (--force to do so)"
            )
        if is_sqlite(url):
            _sqlite_restore(engine, path)
        else:
            _pg_restore(engine, path)
        engine.dispose()  # nothing of the old contents stays in a pooled connection
        upgrade(engine)
        with engine.connect() as conn:
            head = str(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar())
    finally:
        engine.dispose()
    return RestoreResult(revision=revision, head=head)


def _sqlite_restore(engine: Engine, path: Path) -> None:
    source = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    raw = engine.raw_connection()
    try:
        # The backup API into the live file takes its lock and replaces every page, so
        # other connections see the old database or the restored one, never a mixture.
        source.backup(raw.driver_connection)  # type: ignore[arg-type]
    except sqlite3.Error as exc:
        target = describe(str(engine.url))
        raise BackupError(f"{path}: cannot restore into {target} ({exc})") from exc
    finally:
        raw.close()
        source.close()


def _pg_restore(engine: Engine, path: Path) -> None:
    url = engine.url
    restore_bin = _program("pg_restore")
    _run([restore_bin, "--list", str(path)], url, failure=f"{path}: unreadable")
    _empty_schema(engine)
    _run(
        [
            restore_bin,
            "--no-owner",
            # Grants name roles of the server the backup came from, which may not exist here.
            "--no-privileges",
            # All or nothing: a failure leaves the database empty, never half restored.
            "--single-transaction",
            f"--dbname={_libpq_uri(url)}",
            str(path),
        ],
        url,
        failure=f"{path}: pg_restore into {describe(url.render_as_string(hide_password=False))}",
    )


def _empty_schema(engine: Engine) -> None:
    """Every table and enum type of the schema dropped, the backup then restored into the
    empty schema: `pg_restore --clean` drops only what the archive holds, so a newer
    schema's tables, and its foreign keys onto the archive's tables, stood in its way."""
    with engine.begin() as conn:
        preparer = conn.dialect.identifier_preparer
        for table in inspect(conn).get_table_names(schema="public"):
            conn.execute(text(f"DROP TABLE IF EXISTS {preparer.quote(table)} CASCADE"))
        types = conn.execute(
            text(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = 'public' AND t.typtype = 'e'"
            )
        ).scalars()
        for name in list(types):
            conn.execute(text(f"DROP TYPE IF EXISTS {preparer.quote(name)} CASCADE"))


# --- PostgreSQL programs -----------------------------------------------------------------


def _program(name: str) -> str:
    """pg_dump or pg_restore from PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    raise BackupError(
        f"{name}: not found on PATH nor in /usr/lib/postgresql/*/bin; install the "
        "PostgreSQL client programs (Debian: apt-get install postgresql-client)"
    )


def _libpq_uri(url: URL) -> str:
    """The URL as pg_dump reads it; the password goes through the environment, not the
    command line that every user of the machine can see."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL, *, failure: str) -> str:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = " ".join(done.stderr.split()) or f"exit status {done.returncode}"
        raise BackupError(f"{failure} ({reason})")
    return done.stdout


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("database: an in-memory SQLite database has nothing to back up")
    return Path(url.database)

"""Storage faults: a read-only database or a full disk.

``storage_fault`` recognises them in whatever SQLite, PostgreSQL or the file system
raised (wrapped by SQLAlchemy or not), so the web layer can say what happened instead of
a generic server error. ``startup_warnings`` looks for them before the server starts:
whether the database and the var/ folder take writes, and how much room their disks
have left."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import tempfile
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from matchmaker.db import sqlite_file
from matchmaker.settings import Settings


class Fault(StrEnum):
    """What stops writes; the value is the code the JSON API answers with."""

    read_only = "database_read_only"
    disk_full = "disk_full"


# SQLite's primary result codes (the low byte of the extended ones).
_SQLITE_CODES = {8: Fault.read_only, 13: Fault.disk_full}  # SQLITE_READONLY, SQLITE_FULL
# PostgreSQL's SQLSTATEs: read_only_sql_transaction (default_transaction_read_only, a
# standby) and disk_full ("could not extend file ...: No space left on device").
_SQLSTATES = {"25006": Fault.read_only, "53100": Fault.disk_full}
_ERRNOS = {
    errno.ENOSPC: Fault.disk_full,
    errno.EDQUOT: Fault.disk_full,
    errno.EROFS: Fault.read_only,
}
# When a driver gives no code: the messages SQLite and PostgreSQL use.
_MESSAGES = {
    "attempt to write a readonly database": Fault.read_only,
    "read-only transaction": Fault.read_only,
    "database or disk is full": Fault.disk_full,
    "could not extend file": Fault.disk_full,
    "no space left on device": Fault.disk_full,
}


def _own_fault(exc: BaseException) -> Fault | None:
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _SQLITE_CODES:
            return _SQLITE_CODES[code & 0xFF]
    sqlstate = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)  # psycopg 3, 2
    if isinstance(sqlstate, str) and sqlstate in _SQLSTATES:
        return _SQLSTATES[sqlstate]
    if isinstance(exc, OSError) and exc.errno in _ERRNOS:
        return _ERRNOS[exc.errno]
    # Only the drivers' own errors: SQLAlchemy's message also carries the statement.
    if isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("psycopg"):
        message = str(exc).lower()
        for fragment, fault in _MESSAGES.items():
            if fragment in message:
                return fault
    return None


def _underlying(exc: BaseException) -> list[BaseException]:
    """The errors behind ``exc``: the driver's, the causes, the members of a group."""
    linked: list[BaseException] = []
    orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
    if isinstance(orig, BaseException):
        linked.append(orig)
    if isinstance(exc, BaseExceptionGroup):
        linked.extend(exc.exceptions)
    linked.extend(e for e in (exc.__cause__, exc.__context__) if e is not None)
    return linked


def _find(exc: BaseException) -> tuple[Fault, BaseException] | None:
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        fault = _own_fault(current)
        if fault is not None:
            return fault, current
        pending.extend(_underlying(current))
    return None


def storage_fault(exc: BaseException) -> Fault | None:
    """The storage fault behind ``exc``, if any (None for every other error)."""
    found = _find(exc)
    return found[0] if found else None


def describe(exc: BaseException, engine: Engine) -> str:
    """One line for the operator: what is at fault, where, and the system's own words."""
    found = _find(exc)
    if found is None:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    fault, cause = found
    if isinstance(cause, OSError):
        where = str(cause.filename) if cause.filename else "a file under the var folder"
        reason = cause.strerror or str(cause)
    else:
        where = _database_name(engine)
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    what = "is read-only" if fault is Fault.read_only else "has no room left (disk full)"
    return f"{where} {what}: {reason}"


def _database_name(engine: Engine) -> str:
    path = sqlite_file(engine.url)
    if path is not None:
        return f"the database {path.resolve()}"
    return f"the database {engine.url.render_as_string(hide_password=True)}"


# --- at start-up ----------------------------------------------------------------------

_PROBE_TABLE = "matchmaker_write_probe"


def database_write_problem(engine: Engine) -> str | None:
    """Why the database refuses writes (None when it takes them); errors that are not
    storage faults (the server cannot be reached, ...) are raised.

    SQLite: a table is created and rolled back, which a file opened read-only refuses
    (reads alone would not notice). PostgreSQL: the session's own answer, whether its
    transactions are read-only (default_transaction_read_only, a standby); a probe table
    would also need CREATE on the schema, which an application role may lack."""
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                read_only = connection.exec_driver_sql("SHOW transaction_read_only").scalar()
                if str(read_only).lower() == "on":
                    return (
                        f"{_database_name(engine)} is read-only: its transactions are "
                        "read-only (default_transaction_read_only, or a standby server)"
                    )
                return None
            try:
                # Python's sqlite3 runs DDL outside a transaction unless one is begun.
                connection.exec_driver_sql("BEGIN")
                connection.exec_driver_sql(f"CREATE TABLE {_PROBE_TABLE} (x INTEGER)")
            finally:
                connection.rollback()
    except SQLAlchemyError as exc:
        if storage_fault(exc) is None:
            raise
        return describe(exc, engine)
    return None


def folder_write_problem(folder: Path) -> str | None:
    """Why no file can be written in ``folder`` (made if missing); None when one can."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder) as probe:
            probe.write(b"x")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        return f"{folder.resolve()}: {exc.strerror or exc}"
    return None


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing parent (what disk_usage can look at)."""
    path = path.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def startup_warnings(settings: Settings, engine: Engine) -> list[str]:
    """What an operator must know before opening the doors: each line names the path."""
    warnings: list[str] = []
    problem = database_write_problem(engine)
    if problem:
        warnings.append(
            f"{problem}. Every sign-in and every change will fail (participants see "
            "'not saved') until it takes writes again."
        )
    var_dir = settings.var_dir
    problem = folder_write_problem(var_dir)
    if problem:
        warnings.append(
            f"cannot write in the var folder {problem}. Uploads, the secret key and "
            "notes of the server cannot be saved (MATCHMAKER_VAR_DIR chooses the folder)."
        )
    folders = [var_dir]
    database = sqlite_file(engine.url)
    if database is not None:
        folders.insert(0, database.parent)
    minimum = settings.min_free_mb * 1024 * 1024
    by_disk: dict[int, tuple[int, list[str]]] = {}
    for folder in folders:
        existing = _existing(folder)
        try:
            device = existing.stat().st_dev
            free = shutil.disk_usage(existing).free
        except OSError:
            continue
        named = by_disk.setdefault(device, (free, []))[1]
        if str(folder.resolve()) not in named:
            named.append(str(folder.resolve()))
    for free, named in by_disk.values():
        if free < minimum:
            warnings.append(
                f"only {free // (1024 * 1024)} MB free on the disk of {' and '.join(named)} "
                f"(below {settings.min_free_mb} MB, MATCHMAKER_MIN_FREE_MB): when it is "
                "full, nothing participants enter can be saved."
            )
    return warnings

"""Storage faults are recognised in what the drivers and the file system really raise,
wrapped or not; every other error is left to the generic handling."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError

from matchmaker.db import sqlite_file, sqlite_read_only
from matchmaker.storage import Fault, storage_fault


def _sqlite_error(
    *setup: str, statement: str = "INSERT INTO t VALUES (randomblob(9000))"
) -> sqlite3.Error:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (x)")
    for sql in setup:
        connection.execute(sql)
    with pytest.raises(sqlite3.Error) as caught:
        connection.execute(statement)
    connection.close()
    return caught.value


def test_storage_fault_read_only_sqlite() -> None:
    assert storage_fault(_sqlite_error("PRAGMA query_only = ON")) is Fault.read_only


def test_storage_fault_full_sqlite() -> None:
    assert storage_fault(_sqlite_error("PRAGMA max_page_count = 1")) is Fault.disk_full


def test_storage_fault_seen_through_sqlalchemy_and_exception_groups() -> None:
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA query_only = ON")
        with pytest.raises(OperationalError) as caught:
            connection.exec_driver_sql("CREATE TABLE t (x)")
    wrapped = caught.value

    assert storage_fault(wrapped) is Fault.read_only
    assert storage_fault(ExceptionGroup("cleanup", [ValueError("x"), wrapped])) is Fault.read_only
    try:
        raise RuntimeError("while saving") from wrapped
    except RuntimeError as outer:
        assert storage_fault(outer) is Fault.read_only


def test_storage_fault_full_device() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with pytest.raises(OSError) as caught, open("/dev/full", "wb", buffering=0) as device:
        device.write(b"x")
    assert storage_fault(caught.value) is Fault.disk_full


@pytest.mark.parametrize(
    ("error", "fault"),
    [
        (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT"), Fault.read_only),
        (psycopg.errors.DiskFull('could not extend file "base/1/2"'), Fault.disk_full),
    ],
)
def test_storage_fault_postgresql_sqlstates(error: Exception, fault: Fault) -> None:
    assert storage_fault(error) is fault


@pytest.mark.parametrize(
    "error",
    [
        _sqlite_error(statement="INSERT INTO missing VALUES (1)"),
        IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")),
        PermissionError(13, "Permission denied", "/var/x"),
        ValueError("database or disk is full"),  # words alone, not a driver's error
    ],
)
def test_storage_fault_none_for_other_errors(error: Exception) -> None:
    assert storage_fault(error) is None


def test_sqlite_file_of_plain_and_uri_urls() -> None:
    plain = make_url("sqlite:////srv/mm/var/matchmaker.db")
    uri = make_url("sqlite:///file:/srv/mm/var/matchmaker.db?mode=ro&uri=true")

    assert (sqlite_file(plain), sqlite_read_only(plain)) == (
        Path("/srv/mm/var/matchmaker.db"),
        False,
    )
    assert (sqlite_file(uri), sqlite_read_only(uri)) == (Path("/srv/mm/var/matchmaker.db"), True)
    assert sqlite_file(make_url("sqlite://")) is None
    assert sqlite_file(make_url("postgresql://u@h/mm")) is None

"""Engine, sessions and migrations."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar, cast
from urllib.parse import parse_qs, unquote, urlsplit

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from matchmaker.paths import resource_dir


def make_engine(url: str, *, pool_size: int | None = None) -> Engine:
    """``pool_size``: connections kept open at most (default: SQLAlchemy's 5 + 10)."""
    parsed = make_url(url)
    # Error messages and tracebacks never carry the statement's parameters (e-mail
    # addresses, names, tokens).
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if pool_size is not None:
        kwargs |= {"pool_size": pool_size, "max_overflow": 0}
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is not None and not sqlite_read_only(parsed):
            _private_file(path)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    elif parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_uri(url: URL) -> tuple[str, dict[str, list[str]]] | None:
    """The path and options of a SQLite URI filename (`sqlite:///file:PATH?mode=ro&uri=true`)."""
    database = url.database or ""
    if str(url.query.get("uri", "")).lower() not in ("1", "true") or not database.startswith(
        "file:"
    ):
        return None
    parts = urlsplit(database)
    options = parse_qs(parts.query)
    for name, value in url.query.items():  # SQLAlchemy hands these to SQLite in the URI too
        options.setdefault(name, [value] if isinstance(value, str) else list(value))
    return unquote(parts.path), options


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite database (None for other databases and in-memory ones)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    uri = _sqlite_uri(url)
    if uri is None:
        return Path(url.database)
    path, options = uri
    if not path or options.get("mode", [""])[-1] == "memory":
        return None
    return Path(path)


def sqlite_read_only(url: URL) -> bool:
    """Opened with `mode=ro`: SQLite must not create the file (nor may we)."""
    uri = _sqlite_uri(url)
    return uri is not None and uri[1].get("mode", [""])[-1] == "ro"


def _private_file(path: Path) -> None:
    """Make the SQLite file readable by this user only before SQLite creates it (its
    -wal and -shm files take the same mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the solve process write progress while the web process reads.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resource_dir("migrations")))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work outside a request: commit on success, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# --- what a unit of work reads more than once ------------------------------------------------

_MEMO = "matchmaker.memo"
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
M = TypeVar("M")


def session_memo(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, remembered under ``key`` for the rest of the session's unit of work
    (a page asks for the event's slot grid or its published version from several
    services). Forgotten at any write: a flush, a commit or rollback, a statement other
    than a SELECT; and not used while the session holds changes not yet flushed."""
    if session.new or session.dirty or session.deleted:
        session.info.pop(_MEMO, None)
        return compute()
    memo: dict[Hashable, Any] = session.info.setdefault(_MEMO, {})
    if key not in memo:
        memo[key] = compute()
    return cast(T, memo[key])


def _forget(session: OrmSession, *_: Any) -> None:
    session.info.pop(_MEMO, None)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(OrmSession, _name, _forget)


@event.listens_for(OrmSession, "do_orm_execute")
def _forget_on_write(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info.pop(_MEMO, None)
        state.session.info[_WROTE] = True


def loaded_by_id(session: Session, model: type[M], ids: Iterable[int]) -> dict[int, M]:
    """Rows of ``model`` by primary key: those the session holds already and up to date
    (a keep_loaded session holds what it read) without a query, the rest in one. The
    same objects a query would give (it would not refresh them either)."""
    found: dict[int, M] = {}
    missing = []
    changing = bool(session.new or session.dirty or session.deleted)  # a query flushes first
    for key in set(ids):
        held = session.identity_map.get(session.identity_key(model, key))
        if held is not None and not changing and not inspect(held).expired_attributes:
            found[key] = cast(M, held)
        else:
            missing.append(key)
    if missing:
        key_column = inspect(model).primary_key[0]
        query = select(model).where(key_column.in_(sorted(missing)))
        found.update((int(getattr(row, key_column.key)), row) for row in session.scalars(query))
    return found


# --- whether a unit of work wrote ---------------------------------------------------------------

_WROTE = "matchmaker.wrote"


def wrote(session: Session) -> bool:
    """Whether committing ``session`` now writes: it flushed or executed a statement
    other than a SELECT since its transaction began, or holds changes not yet flushed."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))


def _wrote(session: OrmSession, *_: Any) -> None:
    session.info[_WROTE] = True


def _ended(session: OrmSession, *_: Any) -> None:
    session.info.pop(_WROTE, None)


event.listen(OrmSession, "after_flush", _wrote)
for _name in ("after_commit", "after_rollback"):
    event.listen(OrmSession, _name, _ended)


# SQLAlchemy's identity map holds objects weakly: an object a service loaded and let go
# of is read again by the next service that asks for it by primary key. A request's
# session keeps every object it loaded until it closes (the recipe of SQLAlchemy's
# "Session referencing behaviour"), so a page asks for the viewer's organisation once.
_KEPT = "matchmaker.kept"


def keep_loaded(session: Session) -> Session:
    """Make ``session`` keep a strong reference to each object it loads."""
    session.info[_KEPT] = []
    return session


@event.listens_for(OrmSession, "loaded_as_persistent")
def _keep(session: OrmSession, instance: object) -> None:
    kept = session.info.get(_KEPT)
    if kept is not None:
        kept.append(instance)


class Latest(Generic[K, V]):
    """The values of the latest ``size`` keys (least recently used dropped first), for
    what a process keeps between requests under a key that names its state (a stamp)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, compute: Callable[[], V]) -> V:
        if key in self._values:
            self._values.move_to_end(key)
            return self._values[key]
        value = self._values[key] = compute()
        while len(self._values) > self.size:
            self._values.popitem(last=False)
        return value

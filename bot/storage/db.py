"""Engine and sessions from a database URL, with the SQLite settings a small server needs.

SQLite is the embedded default, so it gets care: WAL (readers never block the
writer), foreign keys on, a busy timeout instead of instant "database is
locked", and ``BEGIN IMMEDIATE`` for write sessions. The last one serialises
writers from the start of their transaction; without it, two sessions that both
read and then write fail with SQLITE_BUSY instead of waiting their turn.

Within one process, SQLite write sessions also queue on a lock of our own
before they begin: a waiting writer is woken the moment the one before it
finishes, instead of polling SQLite's write lock with the busy handler's
growing sleeps (up to 100 ms each), which under load cost far more than the
transactions themselves. Other processes on the same file still meet the busy
timeout, as before.

The pool heals: a SQLite connection opened while the file was read-only stays
read-only for good, so an error that says the file cannot be written (read-only,
disk I/O, disk full, cannot open) invalidates the pool and the next checkout opens
fresh connections; PostgreSQL connections broken by a server restart are caught by
``pool_pre_ping``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.storage import nul
from bot.storage.models import HealthProbe, utcnow

#: How long a SQLite writer waits for another one before giving up.
SQLITE_BUSY_TIMEOUT_MS = 15_000
#: How long a connection to a database server may take.
CONNECT_TIMEOUT_SECONDS = 10
#: PostgreSQL connections one process keeps open for sessions, and how many more it
#: may open at a peak: a running turn uses one at a time (40 request threads, 32 WeChat
#: turn workers and the recovery pass can run turns at once; more wait their turn).
POSTGRES_POOL_SIZE = 10
POSTGRES_MAX_OVERFLOW = 60
#: A turn also holds its conversation's advisory lock (bot.storage.locks) on a
#: connection of its own, from a pool apart (``Database.lock_engine``). Sharing one pool
#: deadlocked: turns holding their locks took every connection and waited for one more
#: until the 30 s pool timeout, and every message of a busy minute got 503.
#: Budget ``workers x (both pools' size + overflow)`` within the server's max_connections;
#: connections beyond the pool size are opened only at a peak and closed after it.
LOCK_POOL_SIZE = 5
LOCK_MAX_OVERFLOW = 60
#: Execution option that makes a SQLite transaction start DEFERRED (read-only sessions).
_DEFERRED = "yichuang_sqlite_deferred"
#: SQLite primary result codes after which a connection cannot be trusted to write
#: again: SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN.
_SQLITE_UNWRITABLE = frozenset({8, 10, 13, 14})


def rows_changed(result: Any) -> int:
    """How many rows an UPDATE or DELETE touched (0 where the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)


class DatabaseUrlError(ValueError):
    """The database URL cannot be used; the message is one Chinese line."""


def parse_url(url: str) -> URL:
    """The URL parsed, or a Chinese explanation of what is wrong with it."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseUrlError(
            f"数据库地址无效：{url!r}（应为 SQLAlchemy URL，如 sqlite:///var/yichuang.db）"
        ) from exc
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL for messages and logs: the password replaced by ***."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except (ArgumentError, ValueError):
        return "（无法解析的地址）"
    return parsed.render_as_string(hide_password=True)


def is_sqlite(url: str | URL) -> bool:
    parsed = url if isinstance(url, URL) else parse_url(url)
    return parsed.get_backend_name() == "sqlite"


def _sqlite_file(parsed: URL) -> Path | None:
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str, *, sqlite_foreign_keys: bool = True, **kwargs: Any) -> Engine:
    """An engine for ``url``. Creates the directory of a SQLite file if missing.

    ``sqlite_foreign_keys=False`` is for migrations only: SQLite batch migrations
    copy and drop tables, which enforced foreign keys would turn into deletes.
    """
    parsed = parse_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship
    if parsed.get_backend_name() != "sqlite":
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
            if "poolclass" not in kwargs:
                kwargs.setdefault("pool_size", POSTGRES_POOL_SIZE)
                kwargs.setdefault("max_overflow", POSTGRES_MAX_OVERFLOW)
        try:
            return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args, **kwargs)
        except (NoSuchModuleError, ImportError) as exc:
            raise DatabaseUrlError(
                f"不支持的数据库类型或驱动：{parsed.drivername}（可用 sqlite 或 postgresql）"
            ) from exc

    path = _sqlite_file(parsed)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUrlError(f"无法创建数据库所在的目录：{path.parent}") from exc
        engine = create_engine(parsed, connect_args={"check_same_thread": False}, **kwargs)
    else:  # in memory: one shared connection, or every session would see another database
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool,
            **kwargs,
        )
    _configure_sqlite(engine, wal=path is not None, foreign_keys=sqlite_foreign_keys)
    if path is not None:  # an in-memory database lives in its one connection: keep it
        event.listen(engine, "handle_error", _renew_unwritable)
    return engine


def _renew_unwritable(context: ExceptionContext) -> None:
    """A file SQLite could not write: drop the pool's connections (they may have opened
    the file read-only) so the first request after the fault is fixed gets a fresh one."""
    code = getattr(context.original_exception, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _SQLITE_UNWRITABLE:
        context.is_disconnect = True


def _configure_sqlite(engine: Engine, *, wal: bool, foreign_keys: bool) -> None:
    """Pragmas on every new connection; our own BEGIN (pysqlite's is unreliable)."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level: SQLAlchemy's "begin" event emits BEGIN,
        # which also makes SAVEPOINT work as documented.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        deferred = connection.get_execution_options().get(_DEFERRED, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if deferred else "BEGIN IMMEDIATE")


class Database:
    """The engine and session factories of one database, created once per app.

    Objects stay readable after commit (``expire_on_commit=False``): a channel
    renders the messages it just stored without another query.
    """

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        nul.install(self.engine)  # PostgreSQL text cannot hold NUL: stripped for every channel
        self._engine_kwargs = engine_kwargs
        self._lock_engine: Engine | None = None
        self._lock_engine_guard = threading.Lock()
        self._read_engine = self.engine.execution_options(**{_DEFERRED: True})
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        self._read = sessionmaker(self._read_engine, expire_on_commit=False)
        #: SQLite: this process's write sessions take turns here (see the module's doc).
        #: Reentrant, so a write session opened inside another in the same thread meets
        #: SQLite's own lock exactly as it did without this one.
        self._writers = threading.RLock() if self.engine.dialect.name == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error.

        ``readonly=True`` never commits and, on SQLite, does not take the write
        lock, so reads (the REST pull, the desk queue) do not wait for writers.
        Do not hold a write session across a network call: on SQLite it holds
        the database's only write lock.
        """
        factory = self._read if readonly else self._write
        writers = None if readonly else self._writers
        # Never longer than SQLite itself would wait; past that, SQLite decides as before.
        if writers is not None and not writers.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            writers = None
        try:
            with factory() as session:
                try:
                    yield session
                    if not readonly:
                        session.commit()
                    # A read-only session just closes: its transaction ends without a
                    # rollback, which would expire the objects the caller still reads.
                except BaseException:
                    session.rollback()
                    raise
        finally:
            if writers is not None:
                writers.release()

    @property
    def lock_engine(self) -> Engine:
        """PostgreSQL: the engine whose connections hold a turn's advisory lock (see
        ``LOCK_POOL_SIZE``); created on first use, so SQLite never opens it."""
        with self._lock_engine_guard:
            if self._lock_engine is None:
                options = {"pool_size": LOCK_POOL_SIZE, "max_overflow": LOCK_MAX_OVERFLOW}
                self._lock_engine = make_engine(self.url, **{**options, **self._engine_kwargs})
            return self._lock_engine

    def ping(self) -> bool:
        """True when the database answers (for ``GET /health``)."""
        try:
            with self._read_engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def writable(self) -> bool:
        """True when a write commits: the probe row rewritten in one short transaction.

        A database that answers reads may still refuse writes (a read-only file, a
        full disk), and then every message would get 503 while a SELECT says "ok".
        """
        build = pg_insert if self.dialect == "postgresql" else sqlite_insert
        now = utcnow()
        upsert = build(HealthProbe).values(id=1, checked_at=now)
        upsert = upsert.on_conflict_do_update(index_elements=["id"], set_={"checked_at": now})
        try:
            with self.session() as session:
                session.execute(upsert)
        except SQLAlchemyError:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
        with self._lock_engine_guard:
            if self._lock_engine is not None:
                self._lock_engine.dispose()

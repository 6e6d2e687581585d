"""Database engine, declarative base, typed helpers and the request-scoped session."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy import Connection, DateTime, Engine, MetaData, Table, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from memberdesk.config import Settings

# Stable constraint names: Alembic's batch mode on SQLite recreates tables and needs them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every memberdesk table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def insert_on_conflict(session: Session) -> Callable[[Table], Any]:
    """``insert`` of the session's dialect, which has ``on_conflict_do_nothing`` and
    ``on_conflict_do_update`` (PostgreSQL's and SQLite's spell them alike)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def table_of(model: type[Base]) -> Table:
    """The Core table behind a mapped class, typed (for executemany inserts and updates)."""
    return cast(Table, model.__table__)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (naive storage) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; memberdesk stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; we emit
        # BEGIN ourselves (see _begin) so nested transactions work in tests and code.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return on_connect


READ_ONLY = "memberdesk_read_only"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _WriterLock:
    """SQLite allows one writer. Its busy handler makes waiters poll with sleeps of up to
    100 ms, so under load the lock sits free while waiters sleep, and unlucky ones time out.
    Threads of this process queue on a Python lock instead and take over the moment it is
    released; other processes (commands, a worker) still meet the busy timeout."""

    KEY = "memberdesk_writer_lock"

    def __init__(self, timeout_s: float) -> None:
        self.lock = threading.Lock()
        self.timeout_s = timeout_s

    def acquire(self, conn: Any) -> None:
        if not self.lock.acquire(timeout=self.timeout_s):
            raise sa_exc.TimeoutError("waited too long for the SQLite write lock")
        conn.info[self.KEY] = True

    def release(self, conn: Any) -> None:
        """Transaction ended (commit or rollback event of a ``Connection``)."""
        self._release_info(conn.info)

    def release_reset(self, _dbapi: Any, record: Any, _state: Any) -> None:
        """A pooled connection was reset (returned mid-transaction)."""
        self._release_info(record.info)

    def release_invalidated(self, _dbapi: Any, record: Any, _exc: Any) -> None:
        """A pooled connection was invalidated (dropped)."""
        self._release_info(record.info)

    def _release_info(self, info: dict[str, Any]) -> None:
        if info.pop(self.KEY, False):
            self.lock.release()


def _begin(conn: Any, writer: _WriterLock | None = None) -> None:
    # SQLite: IMMEDIATE takes the write lock up front. A deferred transaction that reads and
    # then writes fails at once with SQLITE_BUSY_SNAPSHOT when another writer committed in
    # between (the busy timeout cannot help), so every transaction that may write asks for the
    # lock first and holds it only inside one route body (see DbRoute). Read-only work (sign-in
    # checks, /healthz, reports, verifying the audit chain) takes a plain BEGIN and never
    # blocks or waits for writers: WAL readers see a snapshot.
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    if read_only:
        writer = None
    if writer is not None:
        writer.acquire(conn)
    try:
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
    except BaseException:
        if writer is not None:
            writer.release(conn)
        raise


def _refuse_writes(
    conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    # A write on a read-only connection would upgrade a SQLite snapshot (and fail under load)
    # or silently skip the write lock's ordering: fail loudly, in tests first.
    if conn.get_execution_options().get(READ_ONLY) and statement.lstrip()[:7].upper().startswith(
        _WRITES
    ):
        raise RuntimeError("write attempted on a read-only database connection")


@contextmanager
def read_only_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for long reads that must never block writers."""
    with engine.connect() as conn:
        yield conn.execution_options(**{READ_ONLY: True})


def make_engine(settings: Settings) -> Engine:
    """An engine for the configured URL, tuned for SQLite or pooled for PostgreSQL."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            # The file holds PHI (encrypted) and the audit log: 0600 in a 0700 directory.
            from memberdesk.compliance.crypto import secure_sqlite_file

            secure_sqlite_file(url.database)
        engine = create_engine(
            url,
            hide_parameters=True,  # bound values (PHI) never appear in errors or logs
            connect_args={
                "check_same_thread": False,
                "timeout": settings.sqlite_busy_timeout_ms / 1000,
            },
            pool_size=settings.pool_size,
            max_overflow=settings.pool_max_overflow,
            pool_timeout=settings.pool_timeout_seconds,
        )
        event.listen(engine, "connect", _sqlite_pragmas(settings.sqlite_busy_timeout_ms))
        writer = _WriterLock(settings.sqlite_busy_timeout_ms / 1000)
        event.listen(engine, "begin", functools.partial(_begin, writer=writer))
        event.listen(engine, "commit", writer.release)
        event.listen(engine, "rollback", writer.release)
        # A connection dropped or reset mid-transaction must not keep the lock.
        event.listen(engine.pool, "reset", writer.release_reset)
        event.listen(engine.pool, "invalidate", writer.release_invalidated)
        event.listen(engine, "before_cursor_execute", _refuse_writes)
        return engine
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    connect_args: dict[str, Any] = {}
    if settings.database_schema:
        connect_args["options"] = f"-csearch_path={settings.database_schema}"
    engine = create_engine(
        url,
        hide_parameters=True,
        connect_args=connect_args,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
        pool_timeout=settings.pool_timeout_seconds,
        pool_pre_ping=True,
    )
    event.listen(engine, "before_cursor_execute", _refuse_writes)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Session factory; objects stay readable after the owning route commits."""
    return sessionmaker(engine, expire_on_commit=False)


WRITE_BIND = "memberdesk_write_bind"


class Sessions:
    """Where the application gets its sessions: one per request for the route, and short ones
    of its own (sign-in checks, denials, background work). Tests swap in one that hands out
    the test's own session."""

    def __init__(
        self,
        engine: Engine,
        info: dict[str, Any] | None = None,
        reading_info: dict[str, Any] | None = None,
    ) -> None:
        self._write = sessionmaker(engine, expire_on_commit=False, info=info or {})
        reader = engine.execution_options(**{READ_ONLY: True})
        self._read = sessionmaker(reader, expire_on_commit=False)
        # SQLite has one write lock for the whole database: a route that reads and then
        # audits the read does its reading without it and takes it only to write the entry.
        # PostgreSQL has no such lock, so its reading routes keep one transaction.
        split = engine.dialect.name == "sqlite"
        self._reading = sessionmaker(
            reader if split else engine,
            expire_on_commit=False,
            info={
                **(info or {}),
                **({WRITE_BIND: engine} if split else {}),
                **(reading_info or {}),
            },
        )

    @property
    def write_factory(self) -> sessionmaker[Session]:
        """The factory of writing sessions (to listen for its events)."""
        return self._write

    def request(self) -> Session:
        """The request's session (no I/O until first used)."""
        return self._write()

    def reading(self) -> Session:
        """The session of a route that reads (and audits what it read): see ``begin_writing``."""
        return self._reading()

    def release(self, session: Session) -> None:
        """Return a request's session (a no-op after its route committed)."""
        session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session: never takes SQLite's write lock, refuses any write."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session that may write; the caller commits, anything else is rolled back."""
        with self._write() as session:
            yield session


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request. Creating it does no I/O, and the route (a ``DbRoute``) ends its
    transaction in its own worker thread, so nothing here waits for a thread or a lock."""
    sessions: Sessions = request.app.state.sessions
    session = sessions.request()
    try:
        yield session
    finally:
        sessions.release(session)


async def get_reading_session(request: Request) -> AsyncIterator[Session]:
    """The session of a reading route (member 360, search, lists): it reads without SQLite's
    write lock and writes only its audit entry, in a short transaction of its own."""
    sessions: Sessions = request.app.state.sessions
    session = sessions.reading()
    try:
        yield session
    finally:
        sessions.release(session)


def still_reading(session: Session) -> bool:
    """True for a reading session (SQLite) that has not moved on to writing."""
    write_bind = session.info.get(WRITE_BIND)
    return write_bind is not None and session.bind is not write_bind


def begin_writing(session: Session) -> None:
    """Move a reading session on to writing: its read transaction ends (it wrote nothing) and
    the next statement begins a write transaction. A no-op for any other session."""
    write_bind = session.info.get(WRITE_BIND)
    if write_bind is None or session.bind is write_bind:
        return
    if session.in_transaction():
        session.commit()  # ends the read snapshot; objects stay loaded (expire_on_commit=False)
    session.bind = write_bind


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadingSessionDep = Annotated[Session, Depends(get_reading_session, scope="function")]


def _ending_transactions(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return endpoint(*args, **kwargs)
        finally:
            # Whatever the route did not commit is rolled back here, in the worker thread that
            # ran it: a connection (and SQLite's write lock) is never held while the request
            # waits for the event loop or for another thread.
            for value in kwargs.values():
                if isinstance(value, Session) and value.in_transaction():
                    value.rollback()

    return run


class DbRoute(APIRoute):
    """An API route whose sync endpoint ends its database transaction before it returns."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _ending_transactions(endpoint)
        super().__init__(path, endpoint, **kwargs)

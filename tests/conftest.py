"""Real databases for every test: SQLite always, PostgreSQL when MEMBERDESK_TEST_DATABASE_URL is.

Each test runs inside a transaction that is rolled back, so tests never see each other's rows;
routes' commits become SAVEPOINT releases inside it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from memberdesk.app import create_app
from memberdesk.compliance.crypto import install_keyring, load_or_create_keyring
from memberdesk.config import Settings
from memberdesk.db import get_session, make_engine, make_sessionmaker
from memberdesk.members.seed import run_seed
from memberdesk.migrate import upgrade

PG_URL = os.environ.get("MEMBERDESK_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("MEMBERDESK_REQUIRE_POSTGRES") and not PG_URL:
        raise pytest.UsageError("MEMBERDESK_REQUIRE_POSTGRES is set but no PostgreSQL URL is")


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One var/ for the run, so every app instance shares the test key ring."""
    path = tmp_path_factory.mktemp("var")
    install_keyring(load_or_create_keyring(path))
    return path


SEED_MEMBERS = 400
SEED = 42


@contextmanager
def fresh_database(backend: str, var_dir: Path, tmp: Path) -> Iterator[Settings]:
    """Settings for an empty, migrated database of ``backend``; dropped afterwards."""
    if backend == "sqlite":
        settings = Settings(database_url=f"sqlite:///{tmp / 'test.db'}", var_dir=var_dir)
    else:
        assert PG_URL
        # A schema per database, so parallel runs on one server never collide.
        schema = f"mdtest_{os.getpid()}_{secrets.token_hex(3)}"
        settings = Settings(database_url=PG_URL, database_schema=schema, var_dir=var_dir)
        admin = make_engine(settings.model_copy(update={"database_schema": None}))
        try:
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:
            pytest.exit(f"PostgreSQL at MEMBERDESK_TEST_DATABASE_URL unreachable: {exc}", 2)
    eng = make_engine(settings)
    upgrade(eng)
    eng.dispose()
    try:
        yield settings
    finally:
        if settings.database_schema:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{settings.database_schema}" CASCADE'))
            admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend_settings(
    request: pytest.FixtureRequest, var_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings pointing at a migrated database of one backend holding a small seeded book."""
    with fresh_database(request.param, var_dir, tmp_path_factory.mktemp(request.param)) as settings:
        yield settings


@pytest.fixture(scope="session")
def engine(backend_settings: Settings) -> Iterator[Engine]:
    """An engine on the backend under test; the base book is seeded once and committed."""
    eng = make_engine(backend_settings)
    run_seed(make_sessionmaker(eng), members=SEED_MEMBERS, seed=SEED)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture
def app(backend_settings: Settings, engine: Engine, db: Session):  # type: ignore[no-untyped-def]
    """The application, serving requests on the test's session."""
    application = create_app(backend_settings, engine=engine)
    application.dependency_overrides[get_session] = lambda: db
    return application


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """Real HTTP through the ASGI app."""
    with TestClient(app) as c:
        yield c

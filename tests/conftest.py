"""Real databases for every test: SQLite always, and PostgreSQL when a test URL is set.

Each test runs inside a transaction that is rolled back, so tests never see each other's rows;
routes' commits become SAVEPOINT releases inside it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from memberdesk.app import create_app
from memberdesk.compliance.crypto import install_keyring, load_or_create_keyring
from memberdesk.config import Settings
from memberdesk.db import get_session, make_engine, make_sessionmaker
from memberdesk.members.seed import run_seed
from tests.dbutil import BACKENDS, PG_URL, fresh_database


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

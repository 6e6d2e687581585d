"""Real databases for every test: SQLite always, and PostgreSQL when a test URL is set.

Each test runs inside a transaction that is rolled back, so tests never see each other's rows;
routes' commits become SAVEPOINT releases inside it.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from memberdesk.app import create_app
from memberdesk.compliance import accounts, auth
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.crypto import load_and_install
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import User
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members.seed import run_seed
from tests.dbutil import BACKENDS, PG_URL, fresh_database

# Browser fixtures for every package, one chromium per run.
pytest_plugins = ["tests.browser"]

# Argon2 at RFC strength costs ~100 ms a hash; tests need the behaviour, not the cost.
os.environ.setdefault("MEMBERDESK_ARGON2_TIME_COST", "1")
os.environ.setdefault("MEMBERDESK_ARGON2_MEMORY_KIB", "8")
os.environ.setdefault("MEMBERDESK_ARGON2_PARALLELISM", "1")


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("MEMBERDESK_REQUIRE_POSTGRES") and not PG_URL:
        raise pytest.UsageError("MEMBERDESK_REQUIRE_POSTGRES is set but no PostgreSQL URL is")


@pytest.fixture(autouse=True)
def _share_the_machine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Under ``make test``'s two workers, a test marked ``alone`` (many clients against a live
    server, counting what they get) runs while the other worker waits between its tests: its
    clients and server then have the machine the test was written for."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    lock = tmp_path_factory.getbasetemp().parent / "alone.lock"  # shared by the run's workers
    mode = fcntl.LOCK_EX if request.node.get_closest_marker("alone") else fcntl.LOCK_SH
    with lock.open("a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One var/ for the run, so every app instance shares the test key ring."""
    path = tmp_path_factory.mktemp("var")
    load_and_install(path)
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
        outer.rollback()  # also clears a transaction a failed statement aborted
        connection.close()


class TestSessions:
    """Every session the app asks for (the request's, sign-in look-ups, denials) is the test's
    own, so the app sees what the test wrote and everything is rolled back afterwards."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def request(self) -> Session:
        return self.db

    def reading(self) -> Session:
        return self.db

    def release(self, session: Session) -> None:
        """The test's session outlives the request."""

    @contextmanager
    def read(self) -> Iterator[Session]:
        yield self.db

    write = read


@pytest.fixture
def app(backend_settings: Settings, engine: Engine, db: Session):  # type: ignore[no-untyped-def]
    """The application, serving requests on the test's session (no background jobs)."""
    application = create_app(backend_settings, engine=engine, background=False)
    application.state.sessions = TestSessions(db)
    return application


@pytest.fixture
def anon(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """Real HTTP through the ASGI app, signed in as nobody."""
    with TestClient(app) as c:
        yield c


@dataclass
class Persona:
    """A signed-in user: their account and an HTTP client carrying their API token."""

    user: User
    client: TestClient
    token: str


@pytest.fixture
def login(app, db: Session, backend_settings: Settings):  # type: ignore[no-untyped-def]
    """``login(role, team=None, member_id=None)`` -> a Persona with a fresh account and token."""
    made: list[TestClient] = []

    def make(
        role: Role | str,
        team: str | None = None,
        member_id: int | None = None,
        username: str | None = None,
    ) -> Persona:
        role = Role(role)
        name = username or f"{role.value}-{secrets.token_hex(3)}"
        user = accounts.create_user(
            db,
            backend_settings,
            SYSTEM,
            username=name,
            display_name=name,
            role=role,
            password=PASSWORD,
            team=team,
            member_id=member_id,
        )
        token, _ = auth.create_token(db, SYSTEM, user, "test")
        db.flush()
        client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        made.append(client)
        return Persona(user, client, token)

    yield make
    for c in made:
        c.close()


PASSWORD = "correct horse battery staple"


@pytest.fixture
def agent(login) -> Persona:  # type: ignore[no-untyped-def]
    """A Tier 1 agent on Team A."""
    return login(Role.TIER1_AGENT, team="Team A")


@pytest.fixture
def client(agent: Persona) -> TestClient:
    """HTTP as a Tier 1 agent (the everyday user of the member APIs)."""
    return agent.client

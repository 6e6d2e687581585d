"""A real memberdesk server (uvicorn, a background thread, a free localhost port) on a committed,
seeded database: for browser tests and for key rotation with the service answering.

Unlike the ``app`` fixture, nothing here runs inside a rolled-back transaction: the server commits
like production, so each use gets its own database from ``fresh_database`` (dropped afterwards).
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from memberdesk.compliance import accounts, auth, crypto
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members.seed import run_seed
from memberdesk.server import serve_on
from tests.dbutil import fresh_database

PASSWORD = "correct horse battery staple"
STARTUP_LIMIT_SECONDS = 30.0  # a guard against a server that never comes up, not a timing check


@dataclass(frozen=True)
class Account:
    """A user of the live server: how to sign in, and an API token."""

    username: str
    password: str
    role: Role
    user_id: int
    member_id: int | None
    token: str


@dataclass
class LiveServer:
    """A running server and a way to reach its database from the test."""

    base_url: str
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    accounts: list[Account] = field(default_factory=list)

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base_url + path

    def add_user(
        self, role: Role, member_id: int | None = None, team: str | None = None
    ) -> Account:
        """Create (and commit) an account with the test password and an API token."""
        username = f"{role.value}-{secrets.token_hex(3)}"
        with self.sessions() as session:
            user = accounts.create_user(
                session,
                self.settings,
                SYSTEM,
                username=username,
                display_name=username,
                role=role,
                password=PASSWORD,
                team=team,
                member_id=member_id,
            )
            token, _ = auth.create_token(session, SYSTEM, user, "live-test")
            session.commit()
            account = Account(username, PASSWORD, role, user.id, member_id, token)
        self.accounts.append(account)
        return account


@contextmanager
def keyring_restored() -> Iterator[None]:
    """Put back the process's key ring afterwards: the live app installs its own var/ ring."""
    # The ring is process-global; other tests expect the one the session's var_dir installed.
    saved_ring, saved_path = crypto._Installed.ring, crypto._Installed.path
    try:
        yield
    finally:
        if saved_ring is not None:
            crypto.install_keyring(saved_ring, saved_path)


def _listening_socket() -> socket.socket:
    # Bound before uvicorn starts, so no other process can take the port in between.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """Run the app under uvicorn in a thread, configured as `memberdesk serve` does; yields
    the base URL."""
    sock = _listening_socket()
    port = sock.getsockname()[1]
    server = serve_on(settings, sock)
    app = server.config.app
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the live server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STARTUP_LIMIT_SECONDS)
        sock.close()
        app.state.engine.dispose()


@contextmanager
def live_server(
    backend: str,
    var_dir: Path,
    tmp: Path,
    *,
    members: int = 300,
    seed: int = 7,
    oregon: int = 0,
) -> Iterator[LiveServer]:
    """A fresh ``backend`` database seeded with ``members`` members (and ``oregon`` Oregon
    Health Plan members beside them), served over real HTTP.

    ``var_dir`` holds the key ring the data is encrypted with; the server follows it.
    """
    with keyring_restored(), fresh_database(backend, var_dir, tmp) as settings:
        crypto.load_and_install(var_dir)  # seed under the ring the server will use
        engine = make_engine(settings)
        sessions = make_sessionmaker(engine)
        try:
            run_seed(sessions, members=members, seed=seed)
            if oregon:
                run_seed(sessions, members=oregon, seed=seed, profile="oregon-medicaid")
            with serve(settings) as base_url:
                yield LiveServer(base_url, settings, engine, sessions)
        finally:
            engine.dispose()

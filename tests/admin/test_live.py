"""Several administrators at once on a live server (uvicorn, real HTTP), on each database: one
account edited by all of them at once keeps one edit (the rest are told someone else changed
it), one role grant approved by all of them is approved once, one username or team name asked
for twice exists once, and administrators disabling each other at once always leave one
enabled. Never a 500; every change audited exactly once; the audit chain verifies afterwards.
Counts, not timings.

The clients behave as the pages' forms do, with a bearer token instead of a browser session
(tokens need no CSRF token), and as a well-behaved client after a 503 (busy: wait and send
again)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select, update

from memberdesk.compliance import audit
from memberdesk.compliance.enums import AuditAction, GrantStatus, Role
from memberdesk.compliance.models import AuditEntry, AuditPending, RoleGrant, Team, User
from memberdesk.compliance.verify import verify_chain
from memberdesk.db import read_only_connection
from tests.dbutil import BACKENDS
from tests.livesrv import Account, LiveServer, live_server
from tests.test_concurrency import run_threads

ADMINS = 6
STRONG = "plum tractor sings loudly"


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"admin-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=20) as server:
        yield server


@pytest.fixture
def admins(live: LiveServer) -> list[Account]:
    return [live.add_user(Role.ADMIN) for _ in range(ADMINS)]


def post(client: httpx.Client, account: Account, url: str, data: dict[str, Any]) -> str:
    """The final status of a form sent as a person would: again after a 503 only. A refusal
    of the last administrator's disabling is told apart by its words."""
    for _ in range(8):
        r = client.post(url, data=data, headers={"Authorization": f"Bearer {account.token}"})
        if r.status_code == 303 and r.headers["location"].startswith("/login"):
            return "signed out"  # the page's answer to a token that no longer works
        if r.status_code == 409 and "the last enabled administrator" in r.text:
            return "last administrator"
        if r.status_code != 503:
            return str(r.status_code)
        time.sleep(min(float(r.headers.get("Retry-After", "1")), 2.0))
    return "gave up"


def count(live: LiveServer, action: AuditAction, object_id: int | None = None) -> int:
    with live.sessions() as session:
        audit.seal_all(session)
        session.commit()
        query = select(func.count()).where(AuditEntry.action == action.value)
        if object_id is not None:
            query = query.where(AuditEntry.object_id == str(object_id))
        return session.scalar(query) or 0


def verified(live: LiveServer) -> None:
    with live.sessions() as session:
        audit.seal_all(session)
        session.commit()
        assert session.scalar(select(func.count()).select_from(AuditPending)) == 0
    with read_only_connection(live.engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem


def test_one_account_edited_by_all_at_once_keeps_one_edit(
    live: LiveServer, admins: list[Account]
) -> None:
    target = live.add_user(Role.TIER1_AGENT)

    def work(i: int, client: httpx.Client) -> list[str]:
        form = {
            "display_name": f"Name from admin {i}",
            "team": "",
            "seen_name": target.username,
            "seen_team": "",
        }
        return [post(client, admins[i], f"/admin/accounts/{target.username}/profile", form)]

    outcomes = run_threads(ADMINS, work, live.base_url)
    assert outcomes == Counter({"303": 1, "409": ADMINS - 1}), outcomes
    with live.sessions() as session:
        name = session.scalar(select(User.display_name).where(User.id == target.user_id))
    assert name is not None and name.startswith("Name from admin ")
    assert count(live, AuditAction.USER_UPDATED, target.user_id) == 1


def test_one_grant_approved_by_all_at_once_is_approved_once(
    live: LiveServer, admins: list[Account]
) -> None:
    requester, approvers = admins[0], admins[1:]
    target = live.add_user(Role.WFM_ANALYST)
    with httpx.Client(base_url=live.base_url) as client:
        asked = post(
            client, requester, f"/admin/accounts/{target.username}/role", {"role": "tier1_agent"}
        )
    assert asked == "303"
    with live.sessions() as session:
        grant_id = session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == target.user_id))
    assert grant_id is not None

    def work(i: int, client: httpx.Client) -> list[str]:
        return [post(client, approvers[i], f"/admin/grants/{grant_id}/approve", {})]

    outcomes = run_threads(len(approvers), work, live.base_url)
    assert outcomes == Counter({"303": 1, "409": len(approvers) - 1}), outcomes
    with live.sessions() as session:
        grant = session.get(RoleGrant, grant_id)
        user = session.get(User, target.user_id)
        assert grant is not None and grant.status == GrantStatus.APPROVED
        assert user is not None and user.role == Role.TIER1_AGENT
    assert count(live, AuditAction.ROLE_GRANT_APPROVED, grant_id) == 1
    assert count(live, AuditAction.USER_ROLE_CHANGED, target.user_id) == 1


def test_a_username_or_team_asked_for_twice_at_once_exists_once(
    live: LiveServer, admins: list[Account]
) -> None:
    names = [f"twin-{n}" for n in range(ADMINS // 2)]

    def work(i: int, client: httpx.Client) -> list[str]:
        account = {
            "username": names[i % len(names)],
            "display_name": "Twin",
            "role": "wfm_analyst",
            "password": STRONG,
            "password_again": STRONG,
        }
        made = post(client, admins[i], "/admin/accounts", account)
        team = post(client, admins[i], "/admin/teams", {"name": "Night shift"})
        return [f"account {made}", f"team {team}"]

    outcomes = run_threads(ADMINS, work, live.base_url)
    assert outcomes == Counter(
        {
            "account 303": len(names),
            "account 409": ADMINS - len(names),
            "team 303": 1,
            "team 409": ADMINS - 1,
        }
    ), outcomes
    with live.sessions() as session:
        made = session.scalar(select(func.count()).where(User.username.in_(names)))
        teams = session.scalar(select(func.count()).where(Team.name == "Night shift"))
    assert made == len(names) and teams == 1
    assert count(live, AuditAction.TEAM_CREATED) == 1


def test_administrators_disabling_each_other_leave_one_enabled(
    live: LiveServer, admins: list[Account]
) -> None:
    # Only these administrators are enabled: each disables the next, all at once.
    ours = [a.user_id for a in admins]
    with live.sessions() as session:
        session.execute(
            update(User).where(User.role == Role.ADMIN, User.id.not_in(ours)).values(disabled=True)
        )
        session.commit()
    before = count(live, AuditAction.USER_DISABLED)

    def work(i: int, client: httpx.Client) -> list[str]:
        victim = admins[(i + 1) % ADMINS]
        return [post(client, admins[i], f"/admin/accounts/{victim.username}/disable", {})]

    outcomes = run_threads(ADMINS, work, live.base_url)
    # Disabled; or the actor was disabled first; or refused: the last administrator stays.
    assert set(outcomes) <= {"303", "signed out", "last administrator"}, outcomes
    with live.sessions() as session:
        enabled = session.scalar(
            select(func.count()).where(User.role == Role.ADMIN, User.disabled.is_(False))
        )
    assert enabled is not None and enabled >= 1
    assert enabled == ADMINS - outcomes["303"]
    assert count(live, AuditAction.USER_DISABLED) - before == outcomes["303"]
    verified(live)

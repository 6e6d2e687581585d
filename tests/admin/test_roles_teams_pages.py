"""Roles and their separation of duties, role grants, teams, agent skills and API tokens on
the administration pages, through real HTTP on SQLite and PostgreSQL; who may open the pages;
CSRF on a signed-in browser's forms; the home page's summary."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from memberdesk.cases.models import AgentSkill
from memberdesk.compliance.enums import GrantStatus, Role
from memberdesk.compliance.models import ApiToken, RoleGrant, Team, User
from tests.admin.conftest import entries, field_error
from tests.web.test_pages import csrf_of, sign_in


@pytest.fixture
def admin(login, db: Session):  # type: ignore[no-untyped-def]
    """An administrator acting through the pages (a bearer token: no CSRF token needed);
    committed, as refused requests roll back to the last commit."""
    persona = login(Role.ADMIN)
    db.commit()
    return persona


def role(admin, username: str, value: str):  # type: ignore[no-untyped-def]
    return admin.client.post(
        f"/admin/accounts/{username}/role", data={"role": value}, follow_redirects=False
    )


def test_a_role_without_member_data_applies_at_once(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    target = login(Role.TIER1_AGENT)
    changed = role(admin, target.user.username, "wfm_analyst")
    assert changed.status_code == 303 and changed.headers["location"].endswith("done=role#role")
    db.refresh(target.user)
    assert target.user.role == Role.WFM_ANALYST
    (entry,) = entries(db, "user.role_changed", target.user.id)
    assert entry.actor == admin.user.username
    # Its token follows the role at once: no member search any more.
    assert target.client.post("/api/members/search", json={"last_name": "x"}).status_code == 403


def test_own_role_unknown_role_and_the_same_role_are_refused(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    login(Role.ADMIN)
    own = role(admin, admin.user.username, "wfm_analyst")
    assert own.status_code == 403
    assert field_error(own.text, "role") == "No one may change the role of their own account."
    target = login(Role.TIER1_AGENT)
    db.commit()  # refused requests roll back to here
    for value, words in [
        ("root", "Choose one of the roles in the list."),
        ("member", "Choose one of the roles in the list."),
        ("tier1_agent", "The account has this role already."),
    ]:
        answer = role(admin, target.user.username, value)
        assert answer.status_code == 422 and field_error(answer.text, "role") == words
    db.refresh(admin.user), db.refresh(target.user)
    assert admin.user.role == Role.ADMIN and target.user.role == Role.TIER1_AGENT
    assert not entries(db, "user.role_changed") and not entries(db, "user.role_grant_requested")


def test_a_grant_is_approved_by_another_administrator(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    other = login(Role.ADMIN)
    target = login(Role.WFM_ANALYST)
    db.commit()  # refused requests roll back to here
    asked = role(admin, target.user.username, "tier2_specialist")
    assert asked.headers["location"].endswith("done=role_waiting#role")
    db.refresh(target.user)
    assert target.user.role == Role.WFM_ANALYST  # nothing yet
    grant = db.scalar(select(RoleGrant).where(RoleGrant.user_id == target.user.id))
    assert grant is not None
    page = admin.client.get("/admin/grants").text
    assert target.user.username in page and "You asked for this" in page
    assert f"/admin/grants/{grant.id}/approve" not in page
    # The requester may not approve, nor may the account's holder.
    own = admin.client.post(f"/admin/grants/{grant.id}/approve")
    assert own.status_code == 403 and "someone other than its requester" in own.text
    # A second request while one waits is refused too.
    again = role(admin, target.user.username, "tier3_appeals")
    assert again.status_code == 409 and "already waiting" in field_error(again.text, "role")  # type: ignore[operator]
    assert f"/admin/grants/{grant.id}/approve" in other.client.get("/admin/grants").text
    done = other.client.post(f"/admin/grants/{grant.id}/approve", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/admin/grants?done=approved"
    db.refresh(target.user), db.refresh(grant)
    assert target.user.role == Role.TIER2_SPECIALIST and grant.status == GrantStatus.APPROVED
    assert grant.decided_by == other.user.username
    assert entries(db, "user.role_grant_approved", grant.id)
    twice = other.client.post(f"/admin/grants/{grant.id}/approve")
    assert twice.status_code == 409 and "already decided" in twice.text
    assert "Decided lately" in other.client.get("/admin/grants").text


def test_a_rejected_grant_leaves_the_new_account_disabled(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    officer = login(Role.COMPLIANCE_OFFICER)  # holds role_grant.approve as well
    db.commit()
    admin.client.post(
        "/admin/accounts",
        data={
            "username": "new.agent",
            "display_name": "New Agent",
            "role": "tier1_agent",
            "password": "plum tractor sings loudly",
            "password_again": "plum tractor sings loudly",
        },
    )
    grant = db.scalar(
        select(RoleGrant)
        .join(User, User.id == RoleGrant.user_id)
        .where(User.username == "new.agent")
    )
    assert grant is not None
    page = officer.client.get("/admin/grants")
    assert page.status_code == 200 and "New account (disabled until approved)" in page.text
    assert 'href="/admin/accounts/new.agent"' not in page.text  # no account pages for officers
    rejected = officer.client.post(f"/admin/grants/{grant.id}/reject", follow_redirects=False)
    assert rejected.headers["location"] == "/admin/grants?done=rejected"
    user = db.scalar(select(User).where(User.username == "new.agent"))
    assert user is not None and user.disabled and entries(db, "user.role_grant_rejected", grant.id)
    # Enabling is no way around a refused grant.
    enabling = admin.client.post("/admin/accounts/new.agent/enable")
    assert enabling.status_code == 409 and "refused" in field_error(enabling.text, "signin")  # type: ignore[operator]
    assert admin.client.post("/admin/grants/999999/approve").status_code == 404


def test_tokens_are_listed_without_their_secret_and_revoked(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    target = login(Role.SUPERVISOR)
    db.commit()
    name = target.user.username
    page = admin.client.get(f"/admin/accounts/{name}").text
    assert target.token not in page and target.token[:10] in page and "Works" in page
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == target.user.id))
    assert token is not None
    gone = admin.client.post(
        f"/admin/accounts/{name}/tokens/{token.id}/revoke", follow_redirects=False
    )
    assert gone.status_code == 303 and gone.headers["location"].endswith("done=revoked#tokens")
    assert target.client.get("/api/auth/me").status_code == 401
    assert entries(db, "auth.token_revoked", token.id)
    twice = admin.client.post(f"/admin/accounts/{name}/tokens/{token.id}/revoke")
    assert twice.status_code == 409 and "already revoked" in field_error(twice.text, "tokens")  # type: ignore[operator]
    # A token is revoked only through its own account's page.
    mine = db.scalar(select(ApiToken).where(ApiToken.user_id == admin.user.id))
    wrong = admin.client.post(f"/admin/accounts/{name}/tokens/{mine.id}/revoke")  # type: ignore[union-attr]
    assert wrong.status_code == 404
    assert admin.client.get("/api/auth/me").status_code == 200


def test_teams_are_created_and_renamed_never_by_a_typo(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    made = admin.client.post(
        "/admin/teams", data={"name": "Tier 2 — Billing"}, follow_redirects=False
    )
    assert made.status_code == 303
    team = db.scalar(select(Team).where(Team.name == "Tier 2 — Billing"))
    assert team is not None and entries(db, "team.created", team.id)
    assert "Tier 2 — Billing" in admin.client.get("/admin/teams").text
    dup = admin.client.post("/admin/teams", data={"name": "Tier 2 — Billing"})
    assert dup.status_code == 409
    assert field_error(dup.text, "name") == "A team with this name exists. Choose another name."
    blank = admin.client.post("/admin/teams", data={"name": " "})
    assert blank.status_code == 422 and "1-80 characters" in field_error(blank.text, "name")  # type: ignore[operator]
    url = f"/admin/teams/{team.id}/rename"
    renamed = admin.client.post(
        url,
        data={"name": "Tier 2 — Billing West", "seen": "Tier 2 — Billing"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    db.refresh(team)
    assert team.name == "Tier 2 — Billing West"
    (renamed_entry,) = entries(db, "team.renamed", team.id)
    assert renamed_entry.actor == admin.user.username
    key = f"rename-{team.id}"
    stale = admin.client.post(url, data={"name": "Tier 2 — B", "seen": "Tier 2 — Billing"})
    assert stale.status_code == 409 and "Someone else changed this" in field_error(stale.text, key)  # type: ignore[operator]
    login(Role.TIER1_AGENT, team="Team A")
    db.commit()
    clash = admin.client.post(url, data={"name": "Team A", "seen": "Tier 2 — Billing West"})
    assert clash.status_code == 409 and "exists" in field_error(clash.text, key)  # type: ignore[operator]
    db.refresh(team)
    assert team.name == "Tier 2 — Billing West" and len(entries(db, "team.renamed")) == 1
    assert db.scalar(select(func.count()).select_from(Team).where(Team.name == "Tier 2 — B")) == 0


def skills(admin, username: str, **fields):  # type: ignore[no-untyped-def]
    body = {"tiers": ["1"], "languages": ["en", "es"], "capacity": "12", "seen": "", **fields}
    return admin.client.post(
        f"/admin/accounts/{username}/skills", data=body, follow_redirects=False
    )


def test_skills_and_languages_used_by_routing(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    target = login(Role.TIER1_AGENT)
    db.commit()
    name = target.user.username
    page = admin.client.get(f"/admin/accounts/{name}").text
    assert "Skills and languages" in page and "the role's defaults" in page
    saved = skills(admin, name, case_types=["billing", "claims"])
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=skills#skills")
    row = db.get(AgentSkill, target.user.id)
    assert (
        row is not None
        and row.languages == ["en", "es"]
        and row.case_types == ["billing", "claims"]
    )
    assert row.capacity == 12 and row.tiers == [1]
    assert entries(db, "queue.agent_skills_set", target.user.id)
    # The API reads the same row.
    api = admin.client.get(f"/api/agents/{target.user.id}/skills").json()
    assert api["languages"] == ["en", "es"]
    seen = row.updated_at.isoformat()
    for fields, name_, words in [
        ({"languages": []}, "languages", "Choose at least one language."),
        ({"tiers": []}, "tiers", "Choose at least one tier."),
        ({"tiers": ["4"]}, "tiers", "Choose at least one tier."),
        ({"capacity": "0"}, "capacity", "from 1 to 200"),
        ({"capacity": "lots"}, "capacity", "from 1 to 200"),
        ({"languages": ["english"]}, "languages", "Choose at least one language."),
        ({"case_types": ["pizza"]}, "case_types", "Choose the kinds of case"),
    ]:
        answer = skills(admin, name, seen=seen, **fields)
        assert answer.status_code == 422, fields
        assert words in (field_error(answer.text, name_) or ""), (fields, answer.text)
    stale = skills(admin, name, any_case_type="yes", seen="")  # a form opened before the save
    assert stale.status_code == 409 and "Someone else" in field_error(stale.text, "skills")  # type: ignore[operator]
    db.refresh(row)
    assert (
        row.case_types == ["billing", "claims"] and len(entries(db, "queue.agent_skills_set")) == 1
    )
    anything = skills(admin, name, any_case_type="yes", seen=seen, case_types=["billing"])
    assert anything.status_code == 303
    db.refresh(row)
    assert row.case_types is None
    planner = login(Role.WFM_ANALYST)
    db.commit()
    assert (
        "Skills and languages"
        not in admin.client.get(f"/admin/accounts/{planner.user.username}").text
    )
    none = skills(admin, planner.user.username)
    assert none.status_code == 422 and "Only staff who work cases" in none.text, none.text[-3000:]


@pytest.mark.parametrize("who", [Role.TIER1_AGENT, Role.COMPLIANCE_OFFICER, Role.SUPERVISOR])
def test_only_administrators_open_the_account_pages(login, who: Role) -> None:  # type: ignore[no-untyped-def]
    person = login(who, team="Team A")
    target = login(Role.TIER1_AGENT)
    for path in [
        "/admin/accounts",
        "/admin/accounts/new",
        f"/admin/accounts/{target.user.username}",
        "/admin/teams",
    ]:
        answer = person.client.get(path)
        assert answer.status_code == 403 and "Not available to your role" in answer.text
    refused = person.client.post(f"/admin/accounts/{target.user.username}/disable")
    assert refused.status_code == 403
    grants = person.client.get("/admin/grants").status_code
    assert grants == (200 if who == Role.COMPLIANCE_OFFICER else 403)


def test_a_signed_in_browser_needs_the_forms_csrf_token(app, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    admin = login(Role.ADMIN)
    target = login(Role.TIER1_AGENT)
    with TestClient(app) as browser:
        sign_in(browser, admin.user.username)
        home = browser.get("/").text
        assert 'href="/admin/accounts">Administration</a>' in home
        assert 'href="/admin/accounts?status=locked"' in home
        url = f"/admin/accounts/{target.user.username}"
        page = browser.get(url).text
        forged = browser.post(f"{url}/disable", data={"csrf_token": "forged"})
        assert forged.status_code == 403
        assert browser.post(f"{url}/disable").status_code == 403
        db.refresh(target.user)
        assert not target.user.disabled
        ok = browser.post(
            f"{url}/disable", data={"csrf_token": csrf_of(page)}, follow_redirects=False
        )
        assert ok.status_code == 303
        db.refresh(target.user)
        assert target.user.disabled


def test_the_last_enabled_administrator_stays_one(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    # Only these two administrators are enabled.
    other = login(Role.ADMIN)
    officer = login(Role.COMPLIANCE_OFFICER)
    db.execute(
        update(User)
        .where(User.role == Role.ADMIN, User.id.not_in([admin.user.id, other.user.id]))
        .values(disabled=True)
    )
    db.commit()
    # The first asks for the other to become a compliance officer; the other then disables
    # the first: approving the grant now would leave no administrator.
    asked = role(admin, other.user.username, "compliance_officer")
    assert asked.headers["location"].endswith("done=role_waiting#role")
    off = other.client.post(
        f"/admin/accounts/{admin.user.username}/disable", follow_redirects=False
    )
    assert off.status_code == 303
    grant = db.scalar(select(RoleGrant).where(RoleGrant.user_id == other.user.id))
    assert grant is not None
    refused = officer.client.post(f"/admin/grants/{grant.id}/approve")
    assert refused.status_code == 409
    assert "This is the last enabled administrator" in refused.text
    db.refresh(other.user), db.refresh(grant)
    assert other.user.role == Role.ADMIN and grant.status == GrantStatus.PENDING
    assert not entries(db, "user.role_grant_approved")
    # Nor may the last one leave by a role change of their own.
    own = role(other, other.user.username, "wfm_analyst")
    assert own.status_code == 403 and field_error(own.text, "role")

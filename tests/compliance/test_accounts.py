"""Account administration as a health plan's security officer would check it: separation of
duties, member-portal enrolment with identity facts, enable/unlock/reset, the last
administrator, teams, NIST password rules, and demo logins that work."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance import accounts, auth
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.demo import DEMO_ACCOUNTS, DEMO_FILE, ensure_demo_users
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry, User, WebSession
from memberdesk.compliance.passwords import PasswordRejected, check_strength
from memberdesk.errors import Conflict
from tests import factories as f
from tests.compliance.test_auth import sign_in
from tests.conftest import PASSWORD

STRONG = "a long enough passphrase"


def actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# --- separation of duties (issue 8.3) --------------------------------------------------------


def test_no_one_changes_their_own_role(login, db: Session) -> None:
    admin = login(Role.ADMIN)
    login(Role.ADMIN)  # not the last administrator either
    db.commit()
    own = admin.client.patch(
        f"/api/users/{admin.user.username}", json={"role": "compliance_officer"}
    )
    assert own.status_code == 403 and "own account" in own.json()["detail"][0]["msg"]
    assert db.get(User, admin.user.id).role == Role.ADMIN
    # ... and the admin's token still reads no member and no audit log.
    assert admin.client.get("/api/compliance/audit").status_code == 403


def test_a_phi_role_needs_a_second_person_and_tokens_follow_the_role(login, db: Session) -> None:
    admin, other_admin = login(Role.ADMIN), login(Role.ADMIN)
    officer = login(Role.COMPLIANCE_OFFICER)
    wfm = login(Role.WFM_ANALYST)
    db.commit()
    asked = admin.client.patch(f"/api/users/{wfm.user.username}", json={"role": "tier1_agent"})
    assert asked.status_code == 200
    grant = asked.json()["pending_grant"]
    assert grant["status"] == "pending" and grant["role"] == "tier1_agent"
    assert asked.json()["role"] == "wfm_analyst"  # nothing changed yet
    m = f.member(db)
    db.commit()
    assert wfm.client.get(f"/api/members/{m.id}").status_code == 403
    # The requester cannot approve their own request; the account holder cannot either.
    assert admin.client.post(f"/api/role-grants/{grant['id']}/approve").status_code == 403
    assert other_admin.client.get("/api/role-grants").json()[0]["id"] == grant["id"]
    approved = officer.client.post(f"/api/role-grants/{grant['id']}/approve")
    assert approved.status_code == 200 and approved.json()["decided_by"] == officer.user.username
    # The wfm analyst's existing token follows the new role at once.
    assert wfm.client.get(f"/api/members/{m.id}").status_code == 200
    assert officer.client.post(f"/api/role-grants/{grant['id']}/approve").status_code == 409
    assert {"user.role_grant_requested", "user.role_grant_approved", "user.role_changed"} <= set(
        actions(db)
    )


def test_an_admin_cannot_make_a_phi_account_and_use_it(login, anon, db: Session) -> None:
    admin = login(Role.ADMIN)
    db.commit()
    made = admin.client.post(
        "/api/users",
        json={
            "username": "sock-puppet",
            "display_name": "S",
            "role": "tier1_agent",
            "password": STRONG,
        },
    )
    assert made.status_code == 201
    assert made.json()["disabled"] is True and made.json()["pending_grant"]["kind"] == "create"
    token = anon.post("/api/auth/token", json={"username": "sock-puppet", "password": STRONG})
    assert token.status_code == 401  # disabled until a second person approves
    enable = admin.client.patch("/api/users/sock-puppet", json={"disabled": False})
    assert enable.status_code == 409  # enabling is no way around the grant
    rejected = login(Role.COMPLIANCE_OFFICER).client.post(
        f"/api/role-grants/{made.json()['pending_grant']['id']}/reject"
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert admin.client.patch("/api/users/sock-puppet", json={"disabled": False}).status_code == 409
    # Asked again and approved this time, the account can be enabled.
    again = admin.client.patch("/api/users/sock-puppet", json={"role": "tier2_specialist"})
    grant_id = again.json()["pending_grant"]["id"]
    assert login(Role.ADMIN).client.post(f"/api/role-grants/{grant_id}/approve").status_code == 200
    enabled = admin.client.patch("/api/users/sock-puppet", json={"disabled": False})
    assert enabled.status_code == 200 and enabled.json()["role"] == "tier2_specialist"


def test_roles_without_phi_apply_at_once(login, db: Session) -> None:
    admin = login(Role.ADMIN)
    agent = login(Role.TIER1_AGENT)
    db.commit()
    changed = admin.client.patch(f"/api/users/{agent.user.username}", json={"role": "wfm_analyst"})
    assert changed.status_code == 200 and changed.json()["role"] == "wfm_analyst"
    assert changed.json()["pending_grant"] is None
    assert agent.client.post("/api/members/search", json={"member_number": "1"}).status_code == 403


def test_members_enrol_themselves_with_identity_facts(anon, db: Session) -> None:
    m = f.member(db, last_name="O'Brien-Núñez", dob=date(1980, 5, 17))
    child = f.member(db, subscriber=m, relationship="child", dob=date(2015, 1, 1))
    db.commit()
    facts = {
        "member_number": m.member_number,
        "last_name": "O'Brien-Núñez",
        "date_of_birth": "1980-05-17",
    }
    wrong = anon.post(
        "/api/auth/enrol",
        json={**facts, "date_of_birth": "1980-05-18", "username": "obrien", "password": STRONG},
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body"]
    assert m.member_number not in wrong.text and "1980" not in wrong.text
    made = anon.post(
        "/api/auth/enrol",
        json={**facts, "last_name": "obrien nunez", "username": "obrien", "password": STRONG},
    )
    assert made.status_code == 201 and made.json()["role"] == "member"
    portal = anon.post("/api/auth/token", json={"username": "obrien", "password": STRONG}).json()
    me = anon.get("/api/me", headers={"Authorization": f"Bearer {portal['token']}"})
    assert me.status_code == 200 and me.json()["member"]["id"] == m.id
    again = anon.post("/api/auth/enrol", json={**facts, "username": "obrien2", "password": STRONG})
    assert again.status_code == 409
    minor = anon.post(
        "/api/auth/enrol",
        json={
            "member_number": child.member_number,
            "last_name": "Testperson",
            "date_of_birth": "2015-01-01",
            "username": "kiddo",
            "password": STRONG,
        },
    )
    assert minor.status_code == 422 and minor.json()["detail"][0]["loc"] == [
        "body",
        "date_of_birth",
    ]
    assert {"portal.enrolment_failed", "portal.enrolled"} <= set(actions(db))
    enrolled = db.scalars(select(AuditEntry).where(AuditEntry.action == "portal.enrolled")).one()
    assert enrolled.detail == {"reenrolled": False}


def test_failed_enrolments_are_limited_per_address(anon, db: Session) -> None:
    m = f.member(db)
    db.commit()
    guess = {
        "member_number": m.member_number,
        "last_name": "Testperson",
        "username": "guesser",
        "password": STRONG,
    }
    statuses = [
        anon.post(
            "/api/auth/enrol", json={**guess, "date_of_birth": f"1980-01-{d:02d}"}
        ).status_code
        for d in range(1, 23)
    ]
    assert statuses[:20] == [422] * 20 and 429 in statuses[20:]


# --- administration (issue 8.13) -------------------------------------------------------------


def test_the_last_enabled_admin_cannot_be_disabled_or_demoted(
    login, db: Session, backend_settings
) -> None:
    for u in db.scalars(select(User).where(User.role == Role.ADMIN)):
        u.disabled = True  # whatever the seeded base book holds
    admin = login(Role.ADMIN)
    db.commit()
    own = admin.client.patch(f"/api/users/{admin.user.username}", json={"disabled": True})
    assert own.status_code == 403
    with pytest.raises(Conflict, match="last enabled administrator"):
        accounts.disable_user(db, SYSTEM, admin.user.username)  # the operator, at the command line
    with pytest.raises(Conflict, match="last enabled administrator"):
        accounts.set_role(db, SYSTEM, admin.user.username, Role.WFM_ANALYST)
    second = login(Role.ADMIN)
    db.commit()
    assert (
        second.client.patch(
            f"/api/users/{admin.user.username}", json={"disabled": True}
        ).status_code
        == 200
    )


def test_enable_unlock_and_reset(login, anon, app, db: Session) -> None:
    admin = login(Role.ADMIN)
    agent = login(Role.TIER1_AGENT)
    db.commit()
    name = agent.user.username
    assert admin.client.patch(f"/api/users/{name}", json={"disabled": True}).status_code == 200
    assert agent.client.get("/api/auth/me").status_code == 401
    assert (
        admin.client.patch(f"/api/users/{name}", json={"disabled": False}).json()["disabled"]
        is False
    )
    for _ in range(5):
        anon.post("/api/auth/token", json={"username": name, "password": "wrong"})
    assert db.get(User, agent.user.id).locked_until is not None
    unlocked = admin.client.post(f"/api/users/{name}/unlock")
    assert unlocked.status_code == 200 and unlocked.json()["locked_until"] is None
    with TestClient(app) as browser:
        sign_in(browser, name)
        assert browser.get("/api/auth/me").status_code == 200
        token = anon.post("/api/auth/token", json={"username": name, "password": PASSWORD}).json()
        reset = admin.client.post(f"/api/users/{name}/password-reset")
        assert reset.status_code == 200
        temporary = reset.json()["temporary_password"]
        assert len(temporary) >= 15
        # Sessions and tokens end; the temporary password works only to choose a new one.
        assert browser.get("/api/auth/me").status_code == 401
        bearer = {"Authorization": f"Bearer {token['token']}"}
        assert anon.get("/api/auth/me", headers=bearer).status_code == 401
        refused = anon.post("/api/auth/token", json={"username": name, "password": temporary})
        assert refused.status_code == 403
        assert refused.json()["detail"][0]["type"] == "password_change_required"
        # The sign-in form opens no session: it shows the change-password form instead.
        form = sign_in(browser, name, temporary)
        assert form.status_code == 200 and "Change your password" in form.text
        assert "md_session" not in form.headers.get("set-cookie", "")
        assert browser.get("/api/auth/me").status_code == 401
    weak = anon.post(
        "/api/auth/password",
        json={"username": name, "current_password": temporary, "new_password": "password1234"},
    )
    assert weak.status_code == 422 and weak.json()["detail"][0]["loc"] == ["body", "new_password"]
    changed = anon.post(
        "/api/auth/password",
        json={
            "username": name,
            "current_password": temporary,
            "new_password": "my new long passphrase",
        },
    )
    assert changed.status_code == 204
    assert (
        anon.post(
            "/api/auth/token", json={"username": name, "password": "my new long passphrase"}
        ).status_code
        == 201
    )
    assert {
        "user.disabled",
        "user.enabled",
        "user.unlocked",
        "user.password_reset",
        "auth.password_changed",
    } <= set(actions(db))
    assert admin.client.post(f"/api/users/{admin.user.username}/password-reset").status_code == 403


def test_changing_a_password_needs_the_current_one_and_ends_other_sessions(
    login, anon, app, db: Session
) -> None:
    agent = login(Role.TIER1_AGENT)
    db.commit()
    body = {"username": agent.user.username, "new_password": "another long passphrase"}
    wrong = anon.post("/api/auth/password", json={**body, "current_password": "nope"})
    assert wrong.status_code == 401
    with TestClient(app) as browser:
        sign_in(browser, agent.user.username)
        ok = anon.post("/api/auth/password", json={**body, "current_password": PASSWORD})
        assert ok.status_code == 204
        assert browser.get("/api/auth/me").status_code == 401
    assert agent.client.get("/api/auth/me").status_code == 401
    ended = db.scalars(
        select(WebSession.end_reason).where(WebSession.user_id == agent.user.id)
    ).all()
    assert ended == ["password_changed"]


def test_teams_must_exist(login, db: Session) -> None:
    admin = login(Role.ADMIN)
    db.commit()
    assert admin.client.post("/api/teams", json={"name": "Tier 2 East"}).status_code == 201
    assert admin.client.post("/api/teams", json={"name": "Tier 2 East"}).status_code == 409
    assert "Tier 2 East" in [t["name"] for t in admin.client.get("/api/teams").json()]
    typo = admin.client.post(
        "/api/users",
        json={
            "username": "newwfm",
            "display_name": "W",
            "role": "wfm_analyst",
            "password": STRONG,
            "team": "Tier 2 Eats",
        },
    )
    assert typo.status_code == 422 and typo.json()["detail"][0]["loc"] == ["body", "team"]
    assert "Eats" not in typo.text
    assert "team.created" in actions(db)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("password1234", "at least 15 characters"),
        ("fourteen chars", "at least 15 characters"),
        ("PasswordPassword", "common or breached"),  # case-insensitive
        ("qwertyuiop12345", "common or breached"),
        ("dana-the-supervisor-2026", "must not contain the username"),
        ("my memberdesk password", "service name"),
        ("x" * 1025, "at most 1024"),
    ],
)
def test_password_rules_name_the_rule(password: str, rule: str) -> None:
    with pytest.raises(PasswordRejected) as err:
        check_strength(password, "dana")
    assert rule in str(err.value) and password not in str(err.value)


def test_a_password_is_the_same_however_its_accents_were_typed(login, anon, db: Session) -> None:
    agent = login(Role.TIER1_AGENT)
    db.commit()
    composed = "caf\u00e9 au lait, no sugar"  # é as one code point
    decomposed = "cafe\u0301 au lait, no sugar"  # e + combining acute (another keyboard)
    changed = anon.post(
        "/api/auth/password",
        json={
            "username": agent.user.username,
            "current_password": PASSWORD,
            "new_password": composed,
        },
    )
    assert changed.status_code == 204
    assert "$argon2id$" in db.scalar(select(User.password_hash).where(User.id == agent.user.id))
    for typed in (composed, decomposed):
        signed = anon.post(
            "/api/auth/token",
            json={"username": agent.user.username, "password": typed, "name": "accent"},
        )
        assert signed.status_code == 201, typed


def test_a_hash_from_before_normalisation_still_verifies() -> None:
    from memberdesk.compliance.passwords import hasher, verify_password

    ph = hasher(time_cost=1, memory_kib=8, parallelism=1)
    typed = "cafe\u0301 au lait, no sugar"
    legacy = ph.hash(typed)  # stored as typed, before NFKC
    assert verify_password(ph, legacy, typed)
    assert not verify_password(ph, legacy, "cafe au lait, no sugar")


def test_good_passwords_pass_without_composition_rules() -> None:
    for good in [STRONG, "correct horse battery staple", "ÅÄÖ and 🙂 fifteen+", "x" * 64]:
        check_strength(good, "dana")


# --- demo logins (issue 8.13) ----------------------------------------------------------------


def test_demo_prints_exactly_the_logins_that_work(
    db: Session, backend_settings, tmp_path: Path
) -> None:
    settings = backend_settings.model_copy(update={"var_dir": tmp_path})
    first = {row["username"]: row for row in ensure_demo_users(db, settings)}
    assert set(first) == {name for name, *_ in DEMO_ACCOUNTS}
    agent = db.scalar(select(User).where(User.username == "agent"))
    assert agent is not None
    # Someone changes the agent's password, locks the QA login and disables WFM's.
    agent.password_hash = auth.password_hasher(settings).hash("a password nobody printed")
    qa = db.scalar(select(User).where(User.username == "qa"))
    wfm = db.scalar(select(User).where(User.username == "wfm"))
    assert qa is not None and wfm is not None
    qa.locked_until = auth.now().replace(year=2199)
    wfm.disabled = True
    second = {row["username"]: row for row in ensure_demo_users(db, settings)}
    assert set(second) == set(first)
    assert second["agent"]["password"] != first["agent"]["password"]
    assert second["specialist"]["password"] == first["specialist"]["password"]
    for row in second.values():
        check_strength(row["password"], row["username"])
        user = auth.authenticate(db, settings, SYSTEM, row["username"], row["password"])
        assert not user.must_change_password
    on_disk = json.loads((tmp_path / DEMO_FILE).read_text())
    assert {r["username"]: r["password"] for r in on_disk} == {
        k: v["password"] for k, v in second.items()
    }
    assert (tmp_path / DEMO_FILE).stat().st_mode & 0o077 == 0

"""The account pages through real HTTP on SQLite and PostgreSQL: the list with search and
status, a new account, name and team, disable, enable, unlock and password reset — each with
good and bad input, its audit entry, and nothing changed when refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.enums import GrantStatus, Role
from memberdesk.compliance.models import RoleGrant, Team, User
from tests.admin.conftest import STRONG, entries, field_error
from tests.conftest import PASSWORD


@pytest.fixture
def admin(login, db: Session):  # type: ignore[no-untyped-def]
    """An administrator acting through the pages (a bearer token: no CSRF token needed);
    committed, as refused requests roll back to the last commit."""
    persona = login(Role.ADMIN)
    db.commit()
    return persona


def users(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(User)) or 0


def test_the_list_finds_by_words_and_status(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    locked = login(Role.TIER1_AGENT, username="maria-locked")
    locked.user.display_name = "María Lopez"
    locked.user.locked_until, locked.user.failed_attempts = now() + timedelta(minutes=10), 5
    off = login(Role.TIER2_SPECIALIST, username="dana-off")
    off.user.disabled = True
    login(Role.SUPERVISOR, username="sam-active")
    db.flush()
    page = admin.client.get("/admin/accounts").text
    assert "maria-locked" in page and "dana-off" in page and "sam-active" in page
    found = admin.client.get("/admin/accounts", params={"q": "lopez"}).text
    assert "maria-locked" in found and "sam-active" not in found and "1 account found" in found
    just_locked = admin.client.get("/admin/accounts", params={"status": "locked"}).text
    assert "maria-locked" in just_locked and "dana-off" not in just_locked
    assert "Locked out" in just_locked
    disabled = admin.client.get("/admin/accounts", params={"status": "disabled"}).text
    assert "dana-off" in disabled and "maria-locked" not in disabled
    active = admin.client.get("/admin/accounts", params={"status": "active"}).text
    assert "sam-active" in active and "maria-locked" not in active and "dana-off" not in active
    # LIKE's wildcards are searched for as characters; an unknown status means any status.
    assert "No account matches" in admin.client.get("/admin/accounts?q=%25_%25").text
    assert admin.client.get("/admin/accounts?status=bogus").status_code == 200
    assert admin.client.get("/admin/accounts", params={"q": "x" * 65}).status_code == 422


def new(admin, **fields: str):  # type: ignore[no-untyped-def]
    body = {
        "username": "lee.ortiz",
        "display_name": "Lee Ortiz",
        "role": "wfm_analyst",
        "team": "",
        "password": STRONG,
        "password_again": STRONG,
        **fields,
    }
    return admin.client.post("/admin/accounts", data=body, follow_redirects=False)


def test_a_new_account_must_choose_its_own_password(admin, db: Session) -> None:  # type: ignore[no-untyped-def]
    db.add(Team(name="Planning"))
    db.flush()
    made = new(admin, team="Planning")
    assert made.status_code == 303
    assert made.headers["location"] == "/admin/accounts/lee.ortiz?done=created"
    user = db.scalar(select(User).where(User.username == "lee.ortiz"))
    assert user is not None and user.role == Role.WFM_ANALYST and not user.disabled
    assert user.must_change_password  # the administrator knows the first password
    assert entries(db, "user.created", user.id)
    page = admin.client.get(made.headers["location"]).text
    assert "Account created." in page and "Must choose a new password" in page


def test_a_role_with_member_data_waits_for_a_second_person(admin, db: Session) -> None:  # type: ignore[no-untyped-def]
    made = new(admin, role="tier1_agent")
    assert made.headers["location"].endswith("done=created_waiting")
    user = db.scalar(select(User).where(User.username == "lee.ortiz"))
    assert user is not None and user.disabled
    grant = db.scalar(select(RoleGrant).where(RoleGrant.user_id == user.id))
    assert grant is not None and grant.status == GrantStatus.PENDING
    assert entries(db, "user.role_grant_requested", grant.id)


@pytest.mark.parametrize(
    ("fields", "name", "words", "status"),
    [
        ({"role": "superuser"}, "role", "Choose one of the roles in the list.", 422),
        ({"role": "member"}, "role", "opened by the member", 422),
        (
            {"password": "password1234", "password_again": "password1234"},
            "password",
            "at least 15 characters",
            422,
        ),
        (
            {"password": "passwordpassword", "password_again": "passwordpassword"},
            "password",
            "common or breached",
            422,
        ),
        ({"password_again": "something else entirely"}, "password_again", "not the same", 422),
        ({"team": "Tier 1 - Teem A"}, "team", "There is no team with this name", 422),
        ({"username": "Lee Ortiz!"}, "username", "lower-case letters", 422),
        ({"username": ""}, "username", "Enter a username.", 422),
        ({"display_name": ""}, "display_name", "Enter the person's name", 422),
    ],
)
def test_a_new_account_refused_beside_its_field(  # type: ignore[no-untyped-def]
    admin, db: Session, fields: dict[str, str], name: str, words: str, status: int
) -> None:
    before = users(db)
    answer = new(admin, **fields)
    assert answer.status_code == status
    assert words in (field_error(answer.text, name) or ""), answer.text
    assert users(db) == before and not entries(db, "user.created")
    assert STRONG not in answer.text  # a password is never put back into the page


def test_a_taken_username_is_refused(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    login(Role.TIER1_AGENT, username="lee.ortiz")
    db.commit()
    before = users(db)
    answer = new(admin)
    assert answer.status_code == 409
    assert field_error(answer.text, "username") == "This username is taken. Choose another."
    assert users(db) == before


def profile(admin, username: str, **fields: str):  # type: ignore[no-untyped-def]
    return admin.client.post(
        f"/admin/accounts/{username}/profile", data=fields, follow_redirects=False
    )


def test_name_and_team(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    db.add(Team(name="Tier 1 — Team B"))
    db.flush()
    agent = login(Role.TIER1_AGENT, team="Team A")
    db.commit()  # refused requests roll back to here
    name = agent.user.username
    seen = {"seen_name": name, "seen_team": "Team A"}
    saved = profile(admin, name, display_name="Ana Ruiz", team="Tier 1 — Team B", **seen)
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=profile#profile")
    db.refresh(agent.user)
    assert agent.user.display_name == "Ana Ruiz"
    assert db.get(Team, agent.user.team_id).name == "Tier 1 — Team B"  # type: ignore[union-attr]
    (entry,) = entries(db, "user.updated", agent.user.id)
    assert entry.actor == admin.user.username
    # Refusals: nothing changed.
    now_seen = {"seen_name": "Ana Ruiz", "seen_team": "Tier 1 — Team B"}
    typo = profile(admin, name, display_name="Ana Ruiz", team="Tier 1 — Team 8", **now_seen)
    assert typo.status_code == 422
    assert "no team with this name" in field_error(typo.text, "team")  # type: ignore[operator]
    assert db.scalar(select(func.count()).where(Team.name == "Tier 1 — Team 8")) == 0
    blank = profile(admin, name, display_name="  ", team="", **now_seen)
    assert blank.status_code == 422 and field_error(blank.text, "display_name")
    stale = profile(admin, name, display_name="Ana R.", team="", **seen)  # an older form
    assert stale.status_code == 409
    assert "Someone else changed this" in field_error(stale.text, "profile")  # type: ignore[operator]
    db.refresh(agent.user)
    assert agent.user.display_name == "Ana Ruiz" and len(entries(db, "user.updated")) == 1
    same = profile(admin, name, display_name="Ana Ruiz", team="Tier 1 — Team B", **now_seen)
    assert same.headers["location"].endswith("done=unchanged#profile")


def test_disable_ends_sessions_and_tokens_then_enable(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    target = login(Role.TIER1_AGENT)
    db.commit()
    name = target.user.username
    assert target.client.get("/api/auth/me").status_code == 200
    off = admin.client.post(f"/admin/accounts/{name}/disable", follow_redirects=False)
    assert off.status_code == 303
    db.refresh(target.user)
    assert target.user.disabled
    assert target.client.get("/api/auth/me").status_code == 401  # its token is revoked
    assert entries(db, "user.disabled", target.user.id)
    again = admin.client.post(f"/admin/accounts/{name}/enable", follow_redirects=False)
    assert again.status_code == 303
    db.refresh(target.user)
    assert not target.user.disabled and entries(db, "user.enabled", target.user.id)
    twice = admin.client.post(f"/admin/accounts/{name}/enable")
    assert twice.status_code == 409
    assert field_error(twice.text, "signin") == "This account is already enabled."


def test_no_one_disables_or_resets_their_own_account(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    login(Role.ADMIN)  # not the last administrator: the own-account rule is what refuses
    db.commit()
    me = admin.user.username
    own = admin.client.post(f"/admin/accounts/{me}/disable")
    assert own.status_code == 403
    assert field_error(own.text, "signin") == "No one may disable their own account."
    reset = admin.client.post(f"/admin/accounts/{me}/password-reset")
    assert reset.status_code == 403 and "their own account" in field_error(reset.text, "signin")  # type: ignore[operator]
    db.refresh(admin.user)
    assert not admin.user.disabled and not entries(db, "user.disabled")
    page = admin.client.get(f"/admin/accounts/{me}").text
    assert "This is your own account" in page and "/disable" not in page


def test_unlock_lets_a_locked_out_person_sign_in(admin, login, anon, db: Session) -> None:  # type: ignore[no-untyped-def]
    target = login(Role.TIER1_AGENT)
    target.user.failed_attempts, target.user.locked_until = 5, now() + timedelta(minutes=15)
    db.flush()
    name = target.user.username
    body = {"username": name, "password": PASSWORD}
    assert anon.post("/api/auth/token", json=body).status_code == 401
    page = admin.client.get(f"/admin/accounts/{name}").text
    assert "Locked out" in page and "after 5 failed sign-ins" in page
    lifted = admin.client.post(f"/admin/accounts/{name}/unlock", follow_redirects=False)
    assert lifted.status_code == 303
    assert anon.post("/api/auth/token", json=body).status_code == 201
    assert entries(db, "user.unlocked", target.user.id)
    assert admin.client.post("/admin/accounts/no-such-person/unlock").status_code == 404


def test_a_reset_password_is_shown_once_and_must_be_changed(
    admin, login, anon, db: Session
) -> None:  # type: ignore[no-untyped-def]
    target = login(Role.SUPERVISOR)
    name = target.user.username
    answer = admin.client.post(f"/admin/accounts/{name}/password-reset")
    assert answer.status_code == 200 and "Temporary password" in answer.text
    temporary = answer.text.split('id="temporary-password">')[1].split("<")[0]
    assert len(temporary) >= 15
    db.refresh(target.user)
    assert target.user.must_change_password
    assert target.client.get("/api/auth/me").status_code == 401  # tokens revoked
    assert entries(db, "user.password_reset", target.user.id)
    # The temporary password works only to choose a new one.
    signin = anon.post("/api/auth/token", json={"username": name, "password": temporary})
    assert signin.status_code == 403 and signin.json()["detail"][0]["type"] == (
        "password_change_required"
    )
    # Shown once: the account page does not show it again.
    assert temporary not in admin.client.get(f"/admin/accounts/{name}").text


def test_a_member_portal_account_is_not_reset_or_renamed_here(admin, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    from tests import factories as f

    member = login(Role.MEMBER, member_id=f.member(db).id)
    db.commit()
    name = member.user.username
    page = admin.client.get(f"/admin/accounts/{name}").text
    assert "A member portal account" in page and "password-reset" not in page
    refused = admin.client.post(f"/admin/accounts/{name}/password-reset")
    assert refused.status_code == 403 and "enrols again" in field_error(refused.text, "signin")  # type: ignore[operator]
    renamed = profile(admin, name, display_name="Someone", seen_name=name)
    assert renamed.status_code == 422
    db.refresh(member.user)
    assert not member.user.must_change_password and member.user.display_name == name

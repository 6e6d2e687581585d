"""Administration in a real browser (Debian's chromium via Playwright) against a live server:
an administrator finds a locked-out account, unlocks it and resets its password; another
administrator approves a role grant the first asked for; the pages are axe-core clean, with
screenshots at desktop and phone (375 px) widths."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import RoleGrant, User
from tests import browser
from tests.browser import CHROMIUM, NO_CHROMIUM, page_problems
from tests.livesrv import LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


@pytest.fixture(autouse=True)
def phone_375(monkeypatch: pytest.MonkeyPatch) -> None:
    """The phone screenshots and checks at 375 px, the narrowest common phone."""
    monkeypatch.setitem(browser.WIDTHS, "phone", 375)


def no_codes(page: Page) -> None:
    """Plain words: no role or status codes on screen."""
    # The test accounts' usernames are made from role codes: they are names, not codes.
    text = re.sub(r"\b[a-z0-9_]+-[0-9a-f]{6}\b", "", page.locator("main").inner_text())
    for code in ("tier1_agent", "wfm_analyst", "users.manage", "locked_until", "pending"):
        assert code not in text, code


def test_an_admin_unlocks_an_account_and_resets_its_password(
    checked: Page, live: LiveServer, screens: Path
) -> None:
    admin = live.add_user(Role.ADMIN)
    live.add_user(Role.ADMIN)  # another administrator, as a real plan has
    agent = live.add_user(Role.TIER1_AGENT)
    with live.sessions() as session:
        session.execute(
            update(User)
            .where(User.id == agent.user_id)
            .values(failed_attempts=5, locked_until=now() + timedelta(minutes=15))
        )
        session.commit()
    sign_in(checked, admin)
    checked.get_by_role("link", name="Administration").click()
    expect(checked.get_by_role("heading", level=1)).to_have_text("Accounts")
    checked.get_by_label("Status").select_option(label="Locked out")
    checked.get_by_role("button", name="Find").click()
    row = checked.locator("tr", has=checked.get_by_role("link", name=agent.username))
    expect(row).to_contain_text("Locked out")
    problems = page_problems(checked, "admin-accounts-locked", screens)
    no_codes(checked)
    checked.get_by_role("link", name=agent.username).click()
    expect(checked.locator("main")).to_contain_text("after 5 failed sign-ins")
    checked.get_by_role("button", name="Unlock").click()
    expect(checked.get_by_role("status")).to_contain_text("Lock-out lifted")
    expect(checked.get_by_role("button", name="Unlock")).to_have_count(0)
    checked.get_by_role("button", name="Reset the password").click()
    expect(checked.get_by_role("heading", name="Temporary password")).to_be_visible()
    temporary = checked.locator("#temporary-password").inner_text()
    assert len(temporary) >= 15
    problems += page_problems(checked, "admin-account-reset", screens)
    no_codes(checked)
    # The person signs in with it and is asked to choose their own password.
    checked.get_by_role("button", name="Sign out").click()
    sign_in(checked, agent, password=temporary)
    expect(checked.locator("main")).to_contain_text("An administrator reset your password")
    with live.sessions() as session:
        user = session.get(User, agent.user_id)
        assert user is not None and user.must_change_password and user.locked_until is None
    assert not problems, problems


def test_a_second_admin_approves_a_role_grant(
    checked: Page, live: LiveServer, screens: Path
) -> None:
    first, second = live.add_user(Role.ADMIN), live.add_user(Role.ADMIN)
    planner = live.add_user(Role.WFM_ANALYST)
    sign_in(checked, first)
    checked.goto(f"/admin/accounts/{planner.username}")
    checked.get_by_label("New role").select_option(label="Tier 1 agent")
    checked.get_by_role("button", name="Change the role").click()
    expect(checked.get_by_role("status")).to_contain_text("must approve it")
    problems = page_problems(checked, "admin-account-role-waiting", screens)
    checked.get_by_role("link", name="Role grants").first.click()
    expect(checked.locator("main")).to_contain_text("You asked for this")
    checked.get_by_role("button", name="Sign out").click()
    sign_in(checked, second)
    checked.goto("/admin/grants")
    row = checked.locator("tr", has_text=planner.username)
    expect(row).to_contain_text("Tier 1 agent")
    expect(row).to_contain_text("Workforce planning analyst")
    problems += page_problems(checked, "admin-grants", screens)
    no_codes(checked)
    row.get_by_role("button", name=re.compile("^Approve")).click()
    expect(checked.get_by_role("status")).to_contain_text("Role grant approved")
    expect(checked.get_by_role("heading", name="Decided lately")).to_be_visible()
    with live.sessions() as session:
        user = session.get(User, planner.user_id)
        grant = session.scalar(select(RoleGrant).where(RoleGrant.user_id == planner.user_id))
        assert user is not None and user.role == Role.TIER1_AGENT
        assert grant is not None and grant.decided_by == second.username
    assert not problems, problems


def test_the_other_admin_pages_with_their_refusals(
    checked: Page, live: LiveServer, screens: Path
) -> None:
    admin = live.add_user(Role.ADMIN)
    agent = live.add_user(Role.TIER1_AGENT, team="Tier 1 — Team A")
    sign_in(checked, admin)
    checked.goto("/admin/accounts/new")
    checked.get_by_label("Username").fill("new.person")
    checked.get_by_label("Name", exact=True).fill("New Person")
    checked.get_by_label("First password", exact=True).fill("password1234")
    checked.get_by_label("First password again").fill("password1234")
    checked.get_by_role("button", name="Create the account").click()
    expect(checked.locator("#password-error")).to_contain_text("at least 15 characters")
    problems = page_problems(checked, "admin-new-refused", screens)
    checked.goto("/admin/teams")
    checked.get_by_label("Team name").fill("Tier 1 — Team A")
    checked.get_by_role("button", name="Create the team").click()
    expect(checked.locator("#name-error")).to_contain_text("A team with this name exists")
    problems += page_problems(checked, "admin-teams", screens)
    checked.goto(f"/admin/accounts/{agent.username}")
    checked.get_by_role("group", name="Languages spoken").get_by_label("Spanish").check()
    checked.get_by_role("button", name="Save skills and languages").click()
    expect(checked.get_by_role("status")).to_contain_text("Skills and languages saved")
    problems += page_problems(checked, "admin-account", screens)
    no_codes(checked)
    checked.goto("/")
    problems += page_problems(checked, "admin-home", screens)
    assert not problems, problems


def test_the_account_page_works_under_the_sites_csp(page: Page, live: LiveServer) -> None:
    admin = live.add_user(Role.ADMIN)
    agent = live.add_user(Role.TIER1_AGENT)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, admin)
    page.goto(f"/admin/accounts/{agent.username}")
    page.get_by_label("Name", exact=True).fill("Agent Smith")
    page.get_by_role("button", name="Save name and team").click()
    expect(page.get_by_role("status")).to_contain_text("Name and team saved")
    assert not errors, errors

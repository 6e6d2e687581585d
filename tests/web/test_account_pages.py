"""The account pages in a real browser (Debian's chromium via Playwright) against a live server:
an administrator's reset, the forced change at sign-in, changing a password from the header, a
member creating their own account, and each page checked with axe-core at desktop and phone
widths, nothing cut off, and screenshotted."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Page, expect

from memberdesk.compliance.enums import Role
from tests.browser import CHROMIUM, NO_CHROMIUM, Person, page_problems
from tests.livesrv import Account, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

NEW_PASSWORD = "seven tall ferns by the quay"
MEMBER_PASSWORD = "lanterns over the harbour wall"
AT_LOGIN = re.compile(r"/login(\?.*)?$")


def sign_in(page: Page, username: str, password: str) -> None:
    """Fill in and submit the sign-in form, as a person would."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def reset_by_admin(live: LiveServer, username: str) -> str:
    """An administrator resets the password through the API; the temporary one, shown once."""
    admin = live.add_user(Role.ADMIN)
    answer = httpx.post(
        live.url(f"/api/users/{username}/password-reset"),
        headers={"Authorization": f"Bearer {admin.token}"},
    )
    assert answer.status_code == 200
    return str(answer.json()["temporary_password"])


def change_form(page: Page, current: str, new: str, again: str | None = None) -> None:
    """Fill in the change-password form (the username is already there) and submit it."""
    page.get_by_label("Current password").fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("New password again").fill(new if again is None else again)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_load_state()


def enrol_form(page: Page, person: Person, username: str, **changed: str) -> None:
    """Fill in the enrolment form with the member's card details and submit it."""
    values = {
        "Member ID": person.member_number,
        "Last name": person.last_name,
        "Date of birth": person.date_of_birth.isoformat(),
        "Choose a username": username,
        "Choose a password": MEMBER_PASSWORD,
        "Password again": MEMBER_PASSWORD,
        **changed,
    }
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_load_state()


def another_day(day: date) -> str:
    """A date of birth that is not the member's (same month, another day)."""
    return day.replace(day=1 if day.day != 1 else 2).isoformat()


@pytest.fixture
def agent(live: LiveServer) -> Account:
    return live.add_user(Role.TIER1_AGENT, team="Tier 1 — Team A")


def test_reset_then_forced_change_then_sign_in_with_the_new_password(
    page: Page, live: LiveServer, agent: Account
) -> None:
    temporary = reset_by_admin(live, agent.username)
    sign_in(page, agent.username, agent.password)  # the old password is gone
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        sign_in(page, agent.username, temporary)
    assert answer.value.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    expect(page.get_by_role("status")).to_contain_text("An administrator reset your password")
    expect(page.get_by_label("Username")).to_have_value(agent.username)
    assert page.evaluate("document.activeElement.id") == "current_password"
    assert "md_session" not in {c["name"] for c in page.context.cookies()}

    # A slip first: the two new passwords differ. The error sits beside the field it names.
    change_form(page, temporary, NEW_PASSWORD, again="seven tall ferns by the sea")
    again = page.get_by_label("New password again")
    expect(again).to_have_attribute("aria-invalid", "true")
    expect(again).to_have_accessible_description(re.compile("not the same"))
    expect(page.get_by_role("alert")).to_have_text("Please correct what is marked below.")
    expect(page.get_by_label("Current password")).to_have_value("")  # never put back

    change_form(page, temporary, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/login\?notice=password_changed$"))
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    sign_in(page, agent.username, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name=f"Welcome, {agent.username}")).to_be_visible()


def test_change_password_from_the_header_signs_you_out_everywhere(
    page: Page, live: LiveServer, agent: Account
) -> None:
    sign_in(page, agent.username, agent.password)
    page.get_by_role("link", name="Change password").click()
    expect(page).to_have_url(re.compile(r"/password\?username="))
    expect(page.get_by_label("Username")).to_have_value(agent.username)
    # The service's rule, in its words, beside the new password; nothing typed repeated.
    change_form(page, agent.password, "password1234567")
    new = page.get_by_label("New password", exact=True)
    expect(new).to_have_accessible_description(re.compile("common or breached passwords"))
    expect(page.locator("main")).not_to_contain_text("password1234567")
    change_form(page, agent.password, NEW_PASSWORD)
    expect(page).to_have_url(AT_LOGIN)
    # The session this browser had is over, and so is the API token.
    page.goto("/")
    expect(page).to_have_url(AT_LOGIN)
    me = httpx.get(live.url("/api/auth/me"), headers={"Authorization": f"Bearer {agent.token}"})
    assert me.status_code == 401
    sign_in(page, agent.username, NEW_PASSWORD)
    expect(page.get_by_role("heading", name=f"Welcome, {agent.username}")).to_be_visible()


def test_a_member_creates_an_account_and_sees_their_own_record(
    page: Page, people: list[Person]
) -> None:
    me = people[4]
    page.goto("/login")
    page.get_by_role("link", name="Members: create your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your member account")
    assert page.evaluate("document.activeElement.id") == "member_number"
    # A wrong date of birth: said once, never which fact, and what was typed stays.
    enrol_form(page, me, "portal-me", **{"Date of birth": another_day(me.date_of_birth)})
    expect(page.get_by_role("alert")).to_contain_text("We could not find a member")
    expect(page.get_by_label("Member ID")).to_have_value(me.member_number)
    expect(page.get_by_label("Choose a password")).to_have_value("")
    expect(page.get_by_role("alert")).not_to_contain_text(me.member_number)

    enrol_form(page, me, "portal-me")
    expect(page).to_have_url(re.compile(r"/login\?notice=enrolled$"))
    expect(page.get_by_role("status")).to_contain_text("Your member account is ready")
    sign_in(page, "portal-me", MEMBER_PASSWORD)
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{me.first_name} {me.last_name}")
    for name in me.household:  # adult dependants' records are their own
        expect(page.locator("main")).not_to_contain_text(name)


def test_account_pages_pass_axe_and_fit_a_phone(
    checked: Page, live: LiveServer, people: list[Person], screens: Path
) -> None:
    page = checked
    problems: list[str] = []

    def look(name: str) -> None:
        page.wait_for_load_state()
        problems.extend(page_problems(page, name, screens))

    page.goto("/login")
    look("account-login-with-enrol-link")
    page.goto("/password")
    look("password-empty")
    page.get_by_label("Username").fill("nobody-here")
    change_form(page, "not a password", NEW_PASSWORD, again="something else entirely")
    expect(page.get_by_role("alert")).to_be_visible()
    look("password-field-error")
    change_form(page, "not a password", NEW_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    look("password-refused")

    agent = live.add_user(Role.TIER1_AGENT, team="Tier 1 — Team A")
    temporary = reset_by_admin(live, agent.username)
    sign_in(page, agent.username, temporary)
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    look("password-forced-after-reset")
    change_form(page, temporary, NEW_PASSWORD)
    look("login-password-changed")
    sign_in(page, agent.username, NEW_PASSWORD)
    look("home-with-change-password-link")
    page.get_by_role("button", name="Sign out").click()

    page.goto("/enrol")
    look("enrol-empty")
    enrol_form(page, people[5], "x", **{"Choose a username": "Has Spaces"})
    expect(page.get_by_label("Choose a username")).to_have_attribute("aria-invalid", "true")
    look("enrol-field-error")
    enrol_form(
        page, people[5], "someone-new", **{"Date of birth": another_day(people[5].date_of_birth)}
    )
    expect(page.get_by_role("alert")).to_contain_text("We could not find a member")
    look("enrol-no-match")
    enrol_form(page, people[5], "someone-new")
    look("login-enrolled")
    assert not problems, "\n".join(problems)

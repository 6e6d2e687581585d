"""The sign-in pages and the member 360 in a real browser (Debian's chromium via Playwright),
against a live server on a seeded, committed database: what an agent, a QA analyst and a member
see and do, and what a security reviewer checks (cookies, CSRF, sign-out, idle log-off)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from memberdesk.compliance.enums import Role
from tests.livesrv import Account, LiveServer
from tests.web.conftest import CHROMIUM, NO_CHROMIUM, Person

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

SCREENSHOT = Path("/tmp/memberdesk-member-360.png")
AT_LOGIN = re.compile(r"/login(\?.*)?$")


def sign_in(page: Page, account: Account, password: str | None = None) -> None:
    """Fill in and submit the sign-in form, as a person would."""
    page.goto("/login")
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(password or account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def search(page: Page, fields: dict[str, str]) -> None:
    """Fill the search form's fields by their labels and submit it."""
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()


def open_from_results(page: Page, person: Person) -> None:
    """Click the member's name in the results table."""
    page.get_by_role("link", name=f"{person.last_name}, {person.first_name}").click()
    expect(page).to_have_url(re.compile(rf"/members/{person.id}$"))


def expect_member_page(page: Page, person: Person) -> None:
    """The 360 shows the member's name, eligibility today and the rest of the household."""
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"{person.first_name} {person.last_name}"
    )
    expect(page.locator(".badges")).to_contain_text("Eligible")
    household = page.locator("section", has=page.get_by_role("heading", name="Household"))
    for name in person.household:
        expect(household).to_contain_text(name)


def born_cell(page: Page) -> str:
    """The text next to "Born" on the member page."""
    return page.locator("tr", has=page.locator("th", has_text="Born")).locator("td").inner_text()


@pytest.fixture
def agent(live: LiveServer) -> Account:
    return live.add_user(Role.TIER1_AGENT, team="Tier 1 — Team A")


def test_agent_signs_in_and_finds_a_member_by_id(page: Page, agent: Account, people) -> None:
    person = people[0]
    sign_in(page, agent)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name=f"Welcome, {agent.username}")).to_be_visible()
    search(page, {"Member ID": person.member_number})
    expect(page.locator("table.results caption")).to_have_text("1 found")
    open_from_results(page, person)
    expect_member_page(page, person)
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.member_number)
    assert born_cell(page) == person.date_of_birth.isoformat()


def test_agent_finds_a_member_by_last_name_and_date_of_birth(
    page: Page, agent: Account, people
) -> None:
    person = people[1]
    sign_in(page, agent)
    # Typed the way a caller spells it: case and spacing do not matter to the blind index.
    search(
        page,
        {"Last name": person.last_name.upper(), "Date of birth": person.date_of_birth.isoformat()},
    )
    open_from_results(page, person)
    expect_member_page(page, person)


def test_member_page_screenshot_is_readable(page: Page, agent: Account, people) -> None:
    person = people[2]
    sign_in(page, agent)
    page.goto(f"/members/{person.id}")
    expect_member_page(page, person)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
    # Codes read as words, not identifiers ("new enrollment", not "new_enrollment").
    assert "_" not in page.locator("main").inner_text()
    # Nothing sticks out sideways, on a desktop or on a phone-sized window.
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_wrong_password_shows_an_error_and_stays_on_the_sign_in_page(
    page: Page, agent: Account
) -> None:
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        sign_in(page, agent, password="not the password at all")
    assert answer.value.status == 401
    expect(page).to_have_url(AT_LOGIN)
    expect(page.get_by_role("alert")).to_contain_text("wrong username or password")
    expect(page.get_by_label("Username")).to_be_visible()
    assert "md_session" not in {c["name"] for c in page.context.cookies()}


def test_qa_analyst_sees_the_year_of_birth_only(page: Page, live: LiveServer, people) -> None:
    person = people[0]
    qa = live.add_user(Role.QA_ANALYST)
    sign_in(page, qa)
    expect(page.get_by_text("works without member records here")).to_be_visible()
    page.goto(f"/members/{person.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.last_name)
    assert born_cell(page) == str(person.date_of_birth.year)
    html = page.content()
    assert person.date_of_birth.isoformat() not in html
    assert person.member_number not in html  # shown as its last digits only
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.member_number[-5:])


def test_member_portal_account_lands_on_its_own_record(
    page: Page, live: LiveServer, people
) -> None:
    me, someone_else = people[1], people[0]
    member = live.add_user(Role.MEMBER, member_id=me.id)
    sign_in(page, member)
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{me.first_name} {me.last_name}")
    expect(page.locator(".badges")).to_contain_text("Eligible")
    # Adult dependants' details are their own PHI: the portal shows no one else.
    for name in me.household:
        expect(page.locator("main")).not_to_contain_text(name)
    refused = page.goto(f"/members/{someone_else.id}")
    assert refused is not None and refused.status == 403
    expect(page.locator("body")).not_to_contain_text(someone_else.last_name)


def test_sign_out_returns_to_login_and_member_pages_are_gone(
    page: Page, agent: Account, people
) -> None:
    person = people[0]
    sign_in(page, agent)
    page.goto(f"/members/{person.id}")
    expect_member_page(page, person)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(AT_LOGIN)
    expect(page.get_by_role("status")).to_have_text("Signed out")
    assert "md_session" not in {c["name"] for c in page.context.cookies()}
    # The back button must not bring the member's record back from any cache.
    page.go_back()
    expect(page).to_have_url(AT_LOGIN)
    expect(page.locator("body")).not_to_contain_text(person.last_name)
    page.goto(f"/members/{person.id}")
    expect(page).to_have_url(AT_LOGIN)
    expect(page.locator("body")).not_to_contain_text(person.last_name)


def test_idle_session_is_logged_off_after_15_minutes(page: Page, agent: Account, people) -> None:
    person = people[0]
    sign_in(page, agent)
    page.goto(f"/members/{person.id}")
    start = datetime.now(UTC)
    # time_machine moves the clock of this whole process, the server thread included.
    with time_machine.travel(start + timedelta(minutes=14), tick=True) as clock:
        page.reload()
        expect_member_page(page, person)  # 14 idle minutes: still signed in, timer restarts
        clock.move_to(start + timedelta(minutes=14 + 16))
        page.reload()
        expect(page).to_have_url(AT_LOGIN)
        expect(page.locator("body")).not_to_contain_text(person.last_name)
    page.goto(f"/members/{person.id}")  # back to the real time: the session stays ended
    expect(page).to_have_url(AT_LOGIN)


def _forge_csrf(page: Page) -> None:
    page.locator("input[name=csrf_token]").first.evaluate("el => { el.value = 'forged' }")


def test_forms_with_a_wrong_csrf_token_are_refused(page: Page, agent: Account, people) -> None:
    # The sign-in form carries its own pre-session token.
    page.goto("/login")
    _forge_csrf(page)
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(agent.password)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 403
    expect(page.get_by_role("alert")).to_contain_text("form expired")
    assert "md_session" not in {c["name"] for c in page.context.cookies()}

    sign_in(page, agent)
    expect(page).to_have_url(re.compile(r"/$"))
    page.get_by_label("Member ID").fill(people[0].member_number)
    page.locator("form.search input[name=csrf_token]").evaluate("el => { el.value = 'forged' }")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Search").click()
    assert answer.value.status == 403
    expect(page.locator("body")).to_contain_text("CSRF token missing or wrong")
    expect(page.locator("body")).not_to_contain_text(people[0].last_name)

    page.goto("/")
    page.locator("form.signout input[name=csrf_token]").evaluate("el => { el.value = 'forged' }")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign out").click()
    assert answer.value.status == 403
    page.goto("/")
    expect(page.get_by_role("heading", name=f"Welcome, {agent.username}")).to_be_visible()


def test_cookies_are_httponly_and_samesite(page: Page, agent: Account) -> None:
    page.goto("/login")
    pre = {c["name"]: c for c in page.context.cookies()}["md_login_csrf"]
    assert pre["httpOnly"] and pre["sameSite"] == "Strict"
    sign_in(page, agent)
    cookie = {c["name"]: c for c in page.context.cookies()}["md_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] in ("Lax", "Strict")
    assert cookie["path"] == "/"
    assert page.evaluate("document.cookie") == ""  # scripts on the page cannot read them

"""The agent desktop, callbacks and the portal's secure messages in a real browser (Debian's
chromium via Playwright) against a live server: a call taken from search to the contact history
with the keyboard shortcuts, a callback attempt, a member writing to member services and an
agent answering. Every state is checked with axe-core and at 390 px, and screenshotted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from memberdesk.compliance.enums import Role
from tests.browser import CHROMIUM, NO_CHROMIUM, Person, _people, page_problems
from tests.livesrv import LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


@pytest.fixture(scope="module")
def people(live: LiveServer) -> list[Person]:
    """Covered subscribers with households in the live book, as an agent would find them."""
    found = _people(live)
    assert len(found) >= 2
    return found


@pytest.fixture
def strict(chromium: Browser, live: LiveServer) -> Iterator[Page]:
    """A browser profile under the site's real Content-Security-Policy (no axe-core here)."""
    context = chromium.new_context(base_url=live.base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_search_start_a_call_verify_and_log_it(
    live: LiveServer, checked: Page, screens: Path, people: list[Person]
) -> None:
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    who = people[0]
    sign_in(checked, agent)
    checked.get_by_role("link", name="Agent desktop").first.click()
    expect(checked.get_by_role("heading", name="Agent desktop", level=1)).to_be_visible()
    problems = page_problems(checked, "desktop", screens)

    checked.keyboard.press("/")  # the shortcut puts the cursor in the search
    assert checked.evaluate("document.activeElement.id") == "member_number"
    checked.keyboard.type(who.member_number)
    checked.keyboard.press("Enter")
    start = checked.get_by_role(
        "button", name=f"Start a call with {who.first_name} {who.last_name}"
    )
    expect(start).to_be_visible()
    problems += page_problems(checked, "desktop-results", screens)
    start.click()

    expect(checked.get_by_role("heading", name="Verify the caller")).to_be_visible()
    checked.get_by_label("Full name").check()
    checked.get_by_role("button", name="Verified: open the record").click()
    expect(checked.get_by_text("Tick at least 2 different facts")).to_be_visible()
    problems += page_problems(checked, "verify-refused", screens)
    checked.get_by_label("Date of birth").check()
    checked.get_by_role("button", name="Verified: open the record").click()

    bar = checked.locator("#call")
    expect(bar.get_by_text("Identity verified: Full name, date of birth")).to_be_visible()
    expect(checked.get_by_role("heading", name="Coverage today")).to_be_visible()
    problems += page_problems(checked, "call-bar", screens)
    checked.locator("main").click(position={"x": 5, "y": 5})  # out of any field
    checked.keyboard.press("l")  # "log the contact": the first reason gets the focus
    assert checked.evaluate("document.activeElement.name") == "reasons"
    bar.get_by_text("Billing or premium").click()
    bar.get_by_text("Yes, resolved").click()
    bar.get_by_role("button", name="Save and end the call").click()

    expect(checked.get_by_text("Call saved.")).to_be_visible()
    history = checked.locator(
        "section", has=checked.get_by_role("heading", name="Recent contacts")
    ).locator("tbody tr")
    first = history.first.inner_text()
    assert "Phone, inbound" in first and "Billing or premium" in first
    assert agent.username in first and "Yes" in first
    problems += page_problems(checked, "call-saved", screens)
    assert problems == []


def test_a_callback_attempt_from_the_list(live: LiveServer, checked: Page, screens: Path) -> None:
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    left = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    with httpx.Client(
        base_url=live.base_url, headers={"Authorization": f"Bearer {agent.token}"}
    ) as api:
        r = api.post(
            "/api/voicemails", json={"member_id": None, "phone": "4155550111", "received_at": left}
        )
        assert r.status_code == 201, r.text
        cb_id = r.json()["id"]
    sign_in(checked, agent)
    checked.goto("/desktop/callbacks")
    row = checked.locator(f"#cb-{cb_id}")
    expect(row.get_by_text(re.compile(r"^Overdue by \d+ days?"))).to_be_visible()
    expect(row.get_by_text("0 attempts so far")).to_be_visible()
    problems = page_problems(checked, "callbacks", screens)
    row.get_by_label("What happened").select_option(label="No answer")
    row.get_by_role("button", name="Record the attempt").click()
    expect(checked.get_by_text("Attempt recorded.")).to_be_visible()
    expect(checked.locator(f"#cb-{cb_id}").get_by_text("1 attempt so far")).to_be_visible()
    problems += page_problems(checked, "callbacks-attempted", screens)

    checked.locator(f"#cb-{cb_id}").get_by_role("link").click()
    expect(checked.get_by_text("(415) 555-0111")).to_be_visible()
    expect(checked.locator("ol.events").get_by_text("no answer")).to_be_visible()
    problems += page_problems(checked, "callback", screens)
    assert problems == []


def test_a_member_messages_member_services_and_an_agent_replies(
    live: LiveServer, checked: Page, screens: Path, people: list[Person]
) -> None:
    who = people[1]
    member = live.add_user(Role.MEMBER, member_id=who.id)
    sign_in(checked, member)
    checked.get_by_role("link", name="Message member services").click()
    problems = page_problems(checked, "portal-messages-empty", screens)
    checked.get_by_label("Subject").fill("Question about my deductible")
    checked.get_by_label("Message", exact=True).fill("Has my deductible been met this year?")
    checked.get_by_role("button", name="Send the message").click()
    expect(checked.get_by_text("Message sent.")).to_be_visible()
    sent = checked.locator("ul.threads li").first
    expect(sent.get_by_role("heading", name="Question about my deductible")).to_be_visible()
    expect(sent.get_by_text("Waiting for a reply")).to_be_visible()
    expect(sent.get_by_text("we will answer by")).to_be_visible()
    problems += page_problems(checked, "portal-messages-sent", screens)

    checked.context.clear_cookies()
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    sign_in(checked, agent)
    checked.goto(f"/members/{who.id}")
    checked.get_by_role("link", name="Secure messages (1 awaiting a reply)").click()
    problems += page_problems(checked, "staff-messages", screens)
    checked.get_by_label("Reply").first.fill("Yes: you met it in March.")
    checked.get_by_role("button", name="Send the reply").first.click()
    expect(checked.get_by_text("Reply sent.")).to_be_visible()
    expect(checked.get_by_text("Every message has been answered.")).to_be_visible()

    checked.context.clear_cookies()
    sign_in(checked, member)
    checked.goto("/me/messages")
    expect(checked.get_by_text("Yes: you met it in March.")).to_be_visible()
    problems += page_problems(checked, "portal-messages-answered", screens)
    assert problems == []


def test_shortcuts_and_htmx_run_under_the_sites_csp(live: LiveServer, strict: Page) -> None:
    """No page check profile here: the real Content-Security-Policy applies, and the desktop's
    scripts must neither be refused nor need anything it forbids."""
    refused: list[str] = []
    strict.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    sign_in(strict, agent)
    strict.goto("/desktop")
    strict.keyboard.press("/")
    assert strict.evaluate("document.activeElement.id") == "member_number"
    strict.keyboard.press("Escape")
    strict.keyboard.press("?")
    expect(strict.get_by_text("Show or hide this list")).to_be_visible()
    strict.get_by_label("Last name").fill("Nobody-by-this-name")
    strict.get_by_label("Date of birth").fill("1950-01-01")
    strict.get_by_role("button", name="Search").click()
    expect(strict.get_by_text("No member found")).to_be_visible()
    # htmx swapped the results in: the page was not left for the form's own address.
    assert strict.url.endswith("/desktop") and refused == []

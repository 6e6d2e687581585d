"""The case pages in a real browser (Debian's chromium via Playwright) against a live server:
a case opened from the member page, its checklist ticked (HTMX), escalated with a rationale to
Tier 2; get-next as a Tier 2 specialist; the supervisor console with its queues and a
reassignment; the member portal's case list. Every state is checked with axe-core and at
390 px, and screenshotted (the path is printed at the start of the run)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Page, expect

from memberdesk.compliance.enums import Role
from tests.browser import CHROMIUM, NO_CHROMIUM, Person, page_problems
from tests.livesrv import Account, LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]
COUNTDOWN = re.compile(r"^(due in|overdue by) \d+ (min|h|days)")


def tick(page: Page, step: str) -> None:
    """Press the Tick button of a checklist step (its name ends with the step's label)."""
    page.get_by_role("button", name=re.compile(rf"^Tick\W+{re.escape(step)}")).click()


def api_case(server: LiveServer, agent: Account, member_id: int, **body: Any) -> dict[str, Any]:
    """Open a case through the API, as another part of the desk would."""
    payload = {"member_id": member_id, "case_type": "billing", "summary": "Premium charged twice"}
    payload.update(body)
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {agent.token}"}
    ) as api:
        r = api.post("/api/cases", json=payload)
        assert r.status_code == 201, r.text
        return dict(r.json())


def test_open_tick_and_escalate_a_case_to_tier_2(
    live: LiveServer,
    checked: Page,
    screens: Path,
    people: list[Person],
) -> None:
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    who = people[0]
    sign_in(checked, agent)
    checked.goto(f"/members/{who.id}")
    checked.get_by_role("link", name="Open a case").click()
    expect(checked.get_by_role("heading", name=re.compile("^Open a case"))).to_be_visible()
    problems = page_problems(checked, "case-open-form", screens)
    checked.get_by_label("What it is about").select_option(label="Billing or premium")
    checked.get_by_label("High", exact=True).check()
    checked.get_by_label("Summary: what the member needs").fill(
        "Premium deducted twice from the October payroll"
    )
    checked.get_by_role("button", name="Open the case").click()

    expect(checked.get_by_text("Case opened.")).to_be_visible()
    heading = checked.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Billing or premium")
    expect(heading).to_contain_text(f"{who.first_name} {who.last_name}")
    expect(checked.locator(".badges")).to_contain_text("Tier 1 — member services")
    countdown = checked.locator("#main .countdown").first
    assert COUNTDOWN.match(countdown.inner_text()), countdown.inner_text()
    problems += page_problems(checked, "case-opened", screens)

    # Ticking a step swaps the checklist in place (HTMX): the rest of the page stays.
    checked.evaluate("window.__stayed = true")
    tick(checked, "Verify the caller's identity")
    checklist = checked.locator("#checklist")
    expect(checklist).to_contain_text("Verify the caller's identity (two facts) — done")
    assert checked.evaluate("window.__stayed === true"), "the page was reloaded, not swapped"
    tick(checked, "Review the invoice and payroll deductions")
    expect(checklist).to_contain_text("Review the invoice and payroll deductions — done")
    problems += page_problems(checked, "case-checklist", screens)

    # Escalating without a rationale is refused by the browser's own check, then in words.
    checked.get_by_label("Why it needs Tier 2 — benefits specialists").select_option(
        label="Billing dispute"
    )
    checked.get_by_label("Decision rationale (required)").first.fill(
        "Payroll shows two deductions; a billing specialist must correct the invoice"
    )
    checked.get_by_role("button", name="Escalate", exact=True).click()
    expect(checked.get_by_text("Case escalated.")).to_be_visible()
    expect(checked.locator(".badges")).to_contain_text("Tier 2 — benefits specialists")
    history = checked.locator("#history")
    expect(history).to_contain_text("Escalated Tier 1 to Tier 2")
    expect(history).to_contain_text("Billing dispute")
    problems += page_problems(checked, "case-escalated", screens)
    text = checked.locator("#main").inner_text()
    for code in ("billing_dispute", "tier1_handoff", "in_progress", "billing_correction"):
        assert code not in text
    assert problems == []


def test_get_next_as_a_tier_2_specialist(
    live: LiveServer,
    checked: Page,
    screens: Path,
    people: list[Person],
) -> None:
    opener = live.add_user(Role.TIER1_AGENT, team="Team A")
    case = api_case(live, opener, people[1].id, priority="urgent")
    with httpx.Client(
        base_url=live.base_url, headers={"Authorization": f"Bearer {opener.token}"}
    ) as api:
        r = api.post(
            f"/api/cases/{case['id']}/escalate",
            json={"reason": "billing_dispute", "rationale": "Needs a billing specialist"},
        )
        assert r.status_code == 200, r.text
    specialist = live.add_user(Role.TIER2_SPECIALIST, team="Team B")
    sign_in(checked, specialist)
    checked.get_by_role("link", name="My work").first.click()
    expect(checked.get_by_role("heading", name="My work", level=1)).to_be_visible()
    expect(checked.get_by_text("You hold no open cases.")).to_be_visible()
    problems = page_problems(checked, "work-empty", screens)
    checked.keyboard.press("n")  # the shortcut for Get next
    expect(checked.get_by_text("Get next gave you this case. It is yours now.")).to_be_visible()
    expect(checked.locator(".badges")).to_contain_text("Tier 2 — benefits specialists")
    expect(checked.get_by_role("row", name=re.compile("Held by You"))).to_be_visible()
    problems += page_problems(checked, "work-next-case", screens)
    checked.keyboard.press("a")  # "add a note" puts the cursor in the note
    expect(checked.get_by_label("Add a note")).to_be_focused()
    checked.keyboard.type("Called the payroll office; correction requested")
    checked.get_by_role("button", name="Add the note").click()
    expect(checked.locator("#notes")).to_contain_text("correction requested")
    checked.keyboard.press("w")  # back to my work
    expect(checked.locator("table.stack tbody tr")).to_have_count(1)
    problems += page_problems(checked, "work-one-case", screens)
    assert problems == []


def test_supervisor_console_with_queues_and_a_reassignment(
    live: LiveServer,
    checked: Page,
    screens: Path,
    people: list[Person],
) -> None:
    opener = live.add_user(Role.TIER1_AGENT, team="Team A")
    case = api_case(live, opener, people[2].id, case_type="eligibility", summary="Card refused")
    boss = live.add_user(Role.SUPERVISOR, team="Team A")
    sign_in(checked, boss)
    checked.get_by_role("link", name="Supervisor console").first.click()
    expect(checked.get_by_role("heading", name="Supervisor console", level=1)).to_be_visible()
    queues = checked.locator("#queues")
    expect(queues).to_contain_text("Tier 1 General")
    expect(queues).to_contain_text("Tier 3 — appeals and compliance")
    expect(checked.locator("#main")).to_contain_text(opener.username)
    problems = page_problems(checked, "supervisor", screens)
    # The queue table refreshes itself (HTMX, every 15 s) from its own fragment.
    with checked.expect_response(lambda r: r.url.endswith("/supervisor/queues"), timeout=25_000):
        pass
    expect(queues).to_contain_text("Tier 1 General")

    checked.get_by_label("Case number").fill(str(case["id"]))
    checked.get_by_label("Give it to", exact=True).select_option(
        label=f"{opener.username} (Tier 1 agent)"
    )
    checked.get_by_role("button", name="Reassign", exact=True).click()
    expect(checked.get_by_text("Case reassigned.")).to_be_visible()
    problems += page_problems(checked, "supervisor-reassigned", screens)
    checked.goto(f"/cases/{case['id']}")
    expect(checked.get_by_role("row", name=re.compile("Held by"))).to_contain_text(opener.username)
    assert problems == []


def test_member_portal_case_list(
    live: LiveServer,
    checked: Page,
    screens: Path,
    people: list[Person],
) -> None:
    who = people[3]
    opener = live.add_user(Role.TIER1_AGENT, team="Team A")
    case = api_case(live, opener, who.id, case_type="claims", summary="Internal: check the EOB")
    member = live.add_user(Role.MEMBER, member_id=who.id)
    sign_in(checked, member)
    checked.get_by_role("link", name="My cases").first.click()
    expect(checked.get_by_role("heading", name="My cases", level=1)).to_be_visible()
    card = checked.locator("li.card", has_text=f"Case {case['id']}")
    expect(card).to_contain_text("Claims")
    expect(card).to_contain_text("Received: we will start on it soon")
    expect(card).to_contain_text(re.compile(r"By \w{3} \d{1,2} \w{3} \d{4}, \d+:\d{2} [ap]m"))
    text = checked.locator("#main").inner_text()
    for internal in ("Internal: check the EOB", "Tier", "queue", opener.username):
        assert internal not in text
    assert page_problems(checked, "portal-cases", screens) == []


def test_member_portal_case_list_in_spanish(
    live: LiveServer,
    checked: Page,
    screens: Path,
    people: list[Person],
) -> None:
    """A member reads their cases in Spanish after using the switch, and the page stays clean."""
    who = people[4]
    opener = live.add_user(Role.TIER1_AGENT, team="Team A")
    case = api_case(live, opener, who.id, case_type="billing", summary="Internal note")
    member = live.add_user(Role.MEMBER, member_id=who.id)
    sign_in(checked, member)
    checked.get_by_role("link", name="My cases").first.click()
    checked.get_by_role("link", name="Español").click()
    expect(checked.get_by_role("heading", name="Mis casos", level=1)).to_be_visible()
    card = checked.locator("li.card", has_text=f"Caso {case['id']}")
    expect(card).to_contain_text("Facturación o prima")
    expect(card).to_contain_text("Recibido: empezaremos pronto")
    expect(card).to_contain_text(re.compile(r"Antes del \w{3}\.? \d{1,2} \w{3}\.? \d{4}"))
    assert checked.locator("html").get_attribute("lang") == "es"
    assert page_problems(checked, "portal-cases-spanish", screens) == []
    checked.get_by_role("link", name="English").click()
    expect(checked.get_by_role("heading", name="My cases", level=1)).to_be_visible()

"""A Tier 3 analyst works an appeal to a decision in a real browser (Debian's chromium via
Playwright) against a live server: received on the intake page, acknowledged, a packet step
ticked in place (HTMX), a document recorded, decided, refused closing with a step unticked,
then closed; the worklist with its countdowns in words and the reports. Every state is checked
with axe-core at 1280 and 390 px and screenshotted (the folder is printed at the start)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.sla.packs import zone_of
from tests.browser import CHROMIUM, NO_CHROMIUM, Person, page_problems
from tests.livesrv import LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]
WORDS = re.compile(r"^(Due in|Overdue by) \d+ (minute|hour|day)s?")
CODES = (
    "appeal_ack",
    "appeal_resolution",
    "calchoice",
    "oregon-medicaid",
    "partly_overturned",
    "send_acknowledgement",
    "medical_records",
    "[masked]",
)


def no_codes(page: Page) -> None:
    text = page.locator("#main").inner_text()
    for code in CODES:
        assert code not in text, code


def tick(page: Page, label: str) -> None:
    page.get_by_role("button", name=re.compile(rf"^Tick\W+{re.escape(label)}")).click()


def test_an_analyst_works_an_appeal_to_a_decision(
    live: LiveServer, checked: Page, screens: Path, people: list[Person]
) -> None:
    who = people[4]
    analyst = live.add_user(Role.TIER3_APPEALS, team="Appeals")
    sign_in(checked, analyst)
    checked.get_by_role("link", name="Appeals", exact=True).click()
    expect(checked.get_by_role("heading", name="Appeals and grievances", level=1)).to_be_visible()
    checked.get_by_role("link", name="Receive an appeal or grievance").click()
    problems = page_problems(checked, "appeal-intake", screens)

    # A representative without the member's authorisation is refused, nothing saved.
    received = (now() - timedelta(hours=3)).astimezone(zone_of("calchoice"))
    checked.get_by_label("Member ID (as on the card)").fill(who.member_number)
    checked.get_by_label("Grievance or appeal").select_option(label="Appeal")
    checked.get_by_label("Received (date and time, Pacific time)").fill(
        received.strftime("%Y-%m-%dT%H:%M")
    )
    checked.get_by_label("What the member disputes or complains of").fill(
        "The plan denied physical therapy after knee surgery; the surgeon says it is needed"
    )
    checked.get_by_label("Filed by", exact=True).select_option(label="A representative")
    checked.get_by_label("Representative's name").fill("Jordan Example")
    checked.get_by_label("Their relationship to the member").select_option(
        label="Spouse or partner"
    )
    checked.get_by_role("button", name="Receive it").click()
    expect(checked.locator("#auth-error")).to_contain_text("say which document and the date")
    problems += page_problems(checked, "appeal-intake-refused", screens)
    checked.get_by_label("Authorisation on file (which document)").fill(
        "Appointment of representative"
    )
    checked.get_by_label("Date it was signed").fill(received.date().isoformat())
    checked.get_by_role("button", name="Receive it").click()

    expect(checked.get_by_text("Received. Its deadlines started")).to_be_visible()
    heading = checked.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Appeal")
    expect(heading).to_contain_text(f"{who.first_name} {who.last_name}")
    deadlines = checked.locator("#deadlines")
    expect(deadlines).to_contain_text("Written acknowledgement")
    expect(deadlines).to_contain_text("Resolution")
    countdown = deadlines.locator(".countdown").first
    assert WORDS.match(countdown.inner_text()), countdown.inner_text()
    expect(checked.locator("#rights")).to_contain_text("Independent Medical Review")
    expect(checked.locator("#letters")).to_contain_text("Acknowledgement: due")
    expect(checked.locator("#main")).to_contain_text("Jordan Example (Spouse or partner)")
    no_codes(checked)
    problems += page_problems(checked, "appeal-received", screens)

    # The acknowledgement letter goes out: its deadline is met and its step ticked.
    letters = checked.locator("#letters")
    letters.get_by_label("Which notice").select_option(label="Acknowledgement")
    letters.get_by_label("How it was sent").select_option(label="Letter")
    letters.get_by_role("button", name="Record the notice").click()
    expect(checked.get_by_text("Notice recorded.")).to_be_visible()
    expect(deadlines).to_contain_text(re.compile(r"Written acknowledgement:\s+Met"))
    packet = checked.locator("#packet")
    expect(packet).to_contain_text("Send the acknowledgement letter — done")
    # Ticking a step swaps the packet in place (HTMX): the page is not reloaded.
    checked.evaluate("window.__stayed = true")
    tick(checked, "Gather claims, notes and medical records")
    expect(packet).to_contain_text("Gather claims, notes and medical records — done")
    assert checked.evaluate("window.__stayed === true"), "the page was reloaded, not swapped"

    docs = checked.locator("#documents")
    docs.get_by_label("What it is").select_option(label="Medical records")
    docs.get_by_label("Title").fill("Surgeon's letter of medical necessity")
    docs.get_by_label("It holds clinical detail").check()
    docs.get_by_role("button", name="Record the document").click()
    expect(checked.get_by_text("Document recorded.")).to_be_visible()
    expect(checked.locator("#documents")).to_contain_text("Surgeon's letter of medical necessity")
    # California gives no extension: said in words, no form.
    expect(checked.locator("#extension")).to_contain_text("give no extension")
    problems += page_problems(checked, "appeal-worked", screens)

    decision = checked.locator("#decision")
    decision.get_by_label("Overturned: in the member's favour").check()
    decision.get_by_label("Rationale: the criteria applied and the facts").fill(
        "Post-operative therapy meets the plan's rehabilitation criteria"
    )
    decision.get_by_role("button", name="Record the decision").click()
    expect(checked.get_by_text("Decision recorded.")).to_be_visible()
    expect(deadlines).to_contain_text(re.compile(r"Resolution:\s+Met"))
    expect(checked.locator("#letters")).to_contain_text("Decision (resolution) letter: due")

    # Closing before the decision letter is ticked is refused, naming the step.
    checked.get_by_role("button", name="Close it").click()
    expect(checked.locator("#close")).to_contain_text(
        "cannot be closed until these packet steps are ticked: Send the decision letter"
    )
    no_codes(checked)
    problems += page_problems(checked, "appeal-close-refused", screens)
    letters = checked.locator("#letters")
    letters.get_by_label("Which notice").select_option(label="Decision (resolution) letter")
    letters.get_by_role("button", name="Record the notice").click()
    expect(checked.get_by_text("Notice recorded.")).to_be_visible()
    checked.get_by_role("button", name="Close it").click()
    expect(checked.get_by_text("Appeal closed.")).to_be_visible()
    expect(checked.locator(".badges")).to_contain_text("Closed")
    no_codes(checked)
    problems += page_problems(checked, "appeal-closed", screens)
    assert problems == []


def test_the_worklist_and_the_reports(
    live: LiveServer, checked: Page, screens: Path, people: list[Person]
) -> None:
    import httpx2 as httpx

    analyst = live.add_user(Role.TIER3_APPEALS, team="Appeals")
    with httpx.Client(
        base_url=live.base_url, headers={"Authorization": f"Bearer {analyst.token}"}
    ) as api:
        for i, kind in enumerate(("grievance", "appeal")):
            r = api.post(
                "/api/appeals",
                json={
                    "member_id": people[5 + i].id,
                    "kind": kind,
                    "urgency": "expedited" if i else "standard",
                    "channel": "oral",
                    "received_at": (now() - timedelta(hours=1 + i)).isoformat(),
                    "summary": "Charged for an in-network visit",
                },
            )
            assert r.status_code == 201, r.text
    sign_in(checked, analyst)
    checked.goto("/appeals")
    rows = checked.locator("#main table.stack").first.locator("tbody tr")
    expect(rows.first).to_contain_text("Expedited appeal")  # the 72 hours come first
    first = rows.first.locator(".countdown")
    assert WORDS.match(first.inner_text()), first.inner_text()
    no_codes(checked)
    problems = page_problems(checked, "appeals-worklist", screens)
    checked.get_by_role("link", name=re.compile("^Reports")).click()
    expect(checked.get_by_role("heading", name="Appeal reports", level=1)).to_be_visible()
    checked.get_by_label("Quarter", exact=True).fill("2026-Q9")
    checked.get_by_role("button", name="Show").click()
    expect(checked.get_by_text("Enter a quarter such as 2026-Q4.")).to_be_visible()
    no_codes(checked)
    problems += page_problems(checked, "appeals-reports", screens)
    assert problems == []


def test_the_appeal_page_runs_under_the_sites_csp(live: LiveServer, page: Page, people) -> None:
    """The real Content-Security-Policy applies: the countdown script and htmx are not refused."""
    import httpx2 as httpx

    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    analyst = live.add_user(Role.TIER3_APPEALS, team="Appeals")
    with httpx.Client(
        base_url=live.base_url, headers={"Authorization": f"Bearer {analyst.token}"}
    ) as api:
        r = api.post(
            "/api/appeals",
            json={
                "member_id": people[7].id,
                "kind": "grievance",
                "channel": "written",
                "received_at": (now() - timedelta(minutes=30)).isoformat(),
                "summary": "Rude reply from the pharmacy line",
            },
        )
        assert r.status_code == 201, r.text
        appeal = r.json()
    sign_in(page, analyst)
    page.goto(f"/appeals/{appeal['id']}")
    countdown = page.locator("#deadlines .countdown").first
    # appeals.js rewrites the server's words on load; either way they are words.
    assert WORDS.match(countdown.inner_text()), countdown.inner_text()
    tick(page, "Gather claims, notes and medical records")
    expect(page.locator("#packet")).to_contain_text(
        "Gather claims, notes and medical records — done"
    )
    assert refused == []

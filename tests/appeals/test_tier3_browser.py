"""A Tier 3 analyst works a DMHC inquiry and a legal referral in a real browser (Debian's
chromium via Playwright) against a live server: the inquiry recorded (after a deadline before
receipt is refused beside its field), the liaison assigned, a document recorded, closing before
the answer refused, the answer recorded and the inquiry closed; the matter referred to counsel;
then a compliance officer places the matter's legal hold. Every state checked with axe-core at
1280 and 390 px and screenshotted."""

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
CODES = re.compile(r"\b(dmhc|oha|dol|regulator_response|responded|legal_hold)\b|\[masked\]")
PACIFIC = zone_of("calchoice")


def no_codes(page: Page) -> None:
    text = page.locator("#main").inner_text()
    found = CODES.search(text)
    assert found is None, found


def typed(delta: timedelta) -> str:
    return (now() + delta).astimezone(PACIFIC).strftime("%Y-%m-%dT%H:%M")


def test_an_analyst_works_an_inquiry_and_a_referral(
    live: LiveServer, checked: Page, screens: Path, people: list[Person]
) -> None:
    who = people[2]
    analyst = live.add_user(Role.TIER3_APPEALS, team="Appeals")
    sign_in(checked, analyst)
    checked.get_by_role("link", name="Appeals", exact=True).click()
    checked.get_by_role("link", name="Regulatory inquiries", exact=True).click()
    expect(checked.get_by_role("heading", name="Regulatory inquiries", level=1)).to_be_visible()
    checked.get_by_role("link", name="Record an inquiry").click()

    # A deadline before the receipt is refused beside its field; nothing is saved.
    checked.get_by_label("Regulator", exact=True).select_option(
        label="California Department of Managed Health Care"
    )
    checked.get_by_label("Their reference (complaint number)").fill("DMHC-2026-118842")
    checked.get_by_label("Member ID (as on the card)").fill(who.member_number)
    checked.get_by_label("Received (date and time, Pacific time)").fill(typed(-timedelta(hours=3)))
    deadline = checked.get_by_label(re.compile("^Answer due by"))
    deadline.fill(typed(-timedelta(hours=4)))
    checked.get_by_label("What the regulator forwarded").fill(
        "Enrollee says the plan ignored two calls about a denied MRI"
    )
    checked.get_by_role("button", name="Record the inquiry").click()
    expect(checked.locator("#response_due_at-error")).to_contain_text(
        "after the time it was received"
    )
    problems = page_problems(checked, "inquiry-new-refused", screens)
    checked.get_by_label(re.compile("^Answer due by")).fill(typed(timedelta(days=10)))
    checked.get_by_role("button", name="Record the inquiry").click()

    expect(checked.get_by_text("Recorded. The regulator's deadline is below")).to_be_visible()
    expect(checked.get_by_role("heading", level=1)).to_contain_text(
        f"{who.first_name} {who.last_name}"
    )
    expect(checked.locator("#deadline .countdown")).to_contain_text(re.compile(r"^Due in \d+ day"))
    no_codes(checked)
    problems += page_problems(checked, "inquiry-recorded", screens)

    checked.get_by_label("Who answers the regulator").select_option(
        label=f"{analyst.username} (Appeals and compliance (Tier 3))"
    )
    checked.get_by_role("button", name="Assign the liaison").click()
    expect(checked.get_by_text("Liaison assigned.")).to_be_visible()
    expect(checked.locator("#deadline")).to_contain_text(analyst.username)
    docs = checked.locator("#documents")
    docs.get_by_label("Received or sent").select_option(label="Received")
    docs.get_by_label("Title").fill("DMHC complaint form and enrollee letter")
    docs.get_by_role("button", name="Record the document").click()
    expect(checked.get_by_text("Document recorded.")).to_be_visible()
    expect(checked.locator("#documents")).to_contain_text("received from the regulator")

    checked.get_by_role("button", name="Close the inquiry").click()
    expect(checked.locator("#close")).to_contain_text("cannot be closed: answer it first")
    no_codes(checked)
    problems += page_problems(checked, "inquiry-close-refused", screens)

    checked.get_by_label("What we answered").fill(
        "Call log, the denial letter and the MRI review sent to DMHC"
    )
    checked.get_by_role("button", name="Record the answer").click()
    expect(checked.get_by_text("Response recorded.")).to_be_visible()
    expect(checked.locator("#deadline")).to_contain_text(
        re.compile(r"Response to the regulator:\s+Met")
    )
    checked.get_by_role("button", name="Close the inquiry").click()
    expect(checked.get_by_text("Inquiry closed.")).to_be_visible()
    no_codes(checked)
    problems += page_problems(checked, "inquiry-closed", screens)

    # Refer the matter to counsel from the inquiry: the inquiry's number is filled in.
    checked.get_by_role("link", name="Refer this matter to counsel").click()
    checked.get_by_label("Counsel's matter number").fill("LIT-2026-0042")
    checked.get_by_label("Counsel or firm").fill("Baker & Ruiz LLP")
    checked.get_by_label("Member ID (as on the card)").fill(who.member_number)
    checked.get_by_label("Why it goes to counsel").fill(
        "The enrollee's attorney sent a demand letter about the denied MRI"
    )
    checked.get_by_role("button", name="Refer to counsel").click()
    expect(checked.get_by_text("Referred to counsel.")).to_be_visible()
    expect(checked.locator("#about")).to_contain_text("Regulatory inquiry")
    expect(checked.locator("#hold")).to_contain_text("A compliance officer places the legal hold")
    no_codes(checked)
    problems += page_problems(checked, "referral-made", screens)
    url = checked.url.split("?")[0]

    checked.goto("/appeals/inquiries?show=all")
    expect(checked.locator("#main table.stack")).to_contain_text("DMHC-2026-118842")
    no_codes(checked)
    problems += page_problems(checked, "inquiries-list", screens)

    # A compliance officer places the matter's legal hold (legal_hold.manage).
    checked.get_by_role("button", name="Sign out").click()
    officer = live.add_user(Role.COMPLIANCE_OFFICER)
    sign_in(checked, officer)
    checked.goto(url)
    expect(checked.locator("#about")).to_contain_text("Not shown to your role")
    checked.get_by_label("Why the records are held (optional)").fill("Litigation expected")
    checked.get_by_role("button", name="Place a legal hold").click()
    expect(checked.get_by_text("Legal hold placed")).to_be_visible()
    expect(checked.locator("#hold")).to_contain_text("In force")
    no_codes(checked)
    problems += page_problems(checked, "referral-hold", screens)
    checked.get_by_role("link", name="Back to legal referrals").click()
    expect(checked.locator("#main table.stack")).to_contain_text("In force")
    problems += page_problems(checked, "referrals-list", screens)
    assert problems == []

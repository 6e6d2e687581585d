"""A compliance officer in a real browser (Debian's chromium via Playwright) against a live
server: records an incident and sees its notice clocks, assesses and decides it, and records a
notice; adds a vendor, is refused marking it active without an agreement, uploads the signed
agreement and then activates it. Every state is checked with axe-core at 1280, 390 and 375 px
and screenshotted (the folder is printed at the start)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from memberdesk.breaches.clocks import zone
from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from tests.browser import AXE, AXE_RUN, CHROMIUM, NO_CHROMIUM, page_problems
from tests.livesrv import LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]
CODES = ("breach_notice", "not_a_breach", "assessing", "outsourced_call_centre", "onboarding")


def checks(page: Page, name: str, screens: Path) -> list[str]:
    """The house page checks (1280 and 390 px) and the same at 375 px, the narrowest phone."""
    problems = page_problems(page, name, screens)
    page.set_viewport_size({"width": 375, "height": 900})
    page.screenshot(path=str(screens / f"{name}-375.png"), full_page=True)
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > 375:
        problems.append(f"{name} at 375 px: the page is {wide} px wide")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    for v in page.evaluate(AXE_RUN):
        if v["impact"] in ("serious", "critical"):
            problems.append(f"{name} at 375 px: {v['id']} ({v['help']}) {v['nodes']}")
    page.set_viewport_size({"width": 1280, "height": 900})
    text = page.locator("#main").inner_text()
    problems += [f"{name}: shows the code {c}" for c in CODES if c in text]
    return problems


def test_an_officer_records_an_incident_and_sees_its_clocks(
    live: LiveServer, checked: Page, screens: Path
) -> None:
    officer = live.add_user(Role.COMPLIANCE_OFFICER)
    sign_in(checked, officer)
    checked.get_by_role("link", name="Breaches and vendors").click()
    expect(checked.get_by_role("heading", name="Breaches and incidents", level=1)).to_be_visible()
    problems = checks(checked, "breaches-empty", screens)
    checked.get_by_role("link", name="Record an incident").click()

    # A discovery in the future is refused beside its field, nothing saved.
    later = (now() + timedelta(days=2)).astimezone(zone())
    checked.get_by_label("Discovered (date and time, Pacific time)").fill(
        later.strftime("%Y-%m-%dT%H:%M")
    )
    checked.get_by_label("Discovered by").fill("Mailroom supervisor")
    checked.get_by_label("What happened").fill("Letters went into other members' envelopes")
    checked.get_by_label("Names", exact=True).check()
    checked.get_by_label("Claims", exact=True).check()
    checked.get_by_label("How many people are affected").fill("620")
    checked.get_by_label("Where they live: each state's two-letter code and how many").fill(
        "CA 560, OR 60"
    )
    checked.get_by_role("button", name="Record the incident").click()
    expect(checked.locator("#discovered_at-error")).to_contain_text("not later than now")
    problems += checks(checked, "breach-new-refused", screens)

    found = (now() - timedelta(days=3)).astimezone(zone())
    checked.get_by_label("Discovered (date and time, Pacific time)").fill(
        found.strftime("%Y-%m-%dT%H:%M")
    )
    checked.get_by_role("button", name="Record the incident").click()
    expect(checked.get_by_role("status")).to_contain_text("Incident recorded")
    clocks = checked.locator("#clocks-title + table")
    for who in ("The people affected", "California residents", "The media in CA",
                "The U.S. Department of Health and Human Services"):  # fmt: skip
        expect(clocks).to_contain_text(who)
    expect(clocks.locator(".countdown").first).to_have_text(re.compile(r"^Due in (56|57) days"))
    problems += checks(checked, "breach-incident", screens)

    # Not a breach on a low probability needs the assessment: refused, then assessed, decided.
    checked.get_by_label("Is it a breach?").select_option(label="Not a breach")
    checked.get_by_label("If not, why not").select_option(index=1)
    checked.get_by_label("Rationale").fill("Most letters came back unopened")
    checked.get_by_role("button", name="Record the decision").click()
    expect(checked.locator("#basis-error")).to_contain_text("needs all four factors")
    problems += checks(checked, "breach-decision-refused", screens)
    for name, finding in (
        ("nature_extent", "Names and claim lines"),
        ("unauthorized_person", "Other members"),
        ("acquired_viewed", "Some were opened"),
        ("mitigation", "Most returned unopened"),
    ):
        checked.locator(f"#{name}").fill(finding)
    checked.get_by_role("button", name="Save the assessment").click()
    expect(checked.get_by_role("status")).to_contain_text("Risk assessment saved")
    checked.get_by_label("Is it a breach?").select_option(label="A breach: notify")
    checked.get_by_label("Rationale").fill("Claim lines were seen by other members")
    checked.get_by_role("button", name="Record the decision").click()
    expect(checked.get_by_role("status")).to_contain_text("Decision recorded")
    checked.get_by_label("Sent (date and time, Pacific time)").fill(
        (found + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    )
    checked.get_by_label(
        "People it reached (for the people affected and California residents)"
    ).fill("620")
    checked.get_by_role("button", name="Record the notice").click()
    expect(checked.get_by_role("status")).to_contain_text("Notice recorded")
    expect(clocks).to_contain_text("620 of 620 reached")
    problems += checks(checked, "breach-incident-notified", screens)
    checked.get_by_role("link", name="Back to breaches and incidents").click()
    expect(checked.locator("#incidents-title + p + table")).to_contain_text(
        "A breach: notices owed"
    )
    problems += checks(checked, "breaches-register", screens)
    checked.get_by_role("link", name="The year's breaches for the HHS log").click()
    expect(checked.get_by_role("heading", level=1)).to_contain_text("Breaches discovered in")
    problems += checks(checked, "breaches-hhs-log", screens)
    assert problems == []


def test_an_officer_is_refused_activating_a_vendor_without_an_agreement(
    live: LiveServer, checked: Page, screens: Path, tmp_path: Path
) -> None:
    officer = live.add_user(Role.COMPLIANCE_OFFICER)
    sign_in(checked, officer)
    checked.goto("/vendors")
    checked.get_by_label("Name", exact=True).fill("Harbor Contact Services")
    checked.get_by_label("What it does").select_option(label="Outsourced call centre")
    checked.get_by_label("Services, in a sentence").fill("Overflow and after-hours calls")
    checked.get_by_label("Member ID numbers").check()
    checked.get_by_role("button", name="Add the vendor").click()
    expect(checked.get_by_role("status")).to_contain_text("Vendor recorded")
    problems = checks(checked, "vendor-new", screens)

    checked.get_by_label("Status").select_option(label="Active")
    checked.get_by_role("button", name="Change the status").click()
    expect(checked.locator("#status-error")).to_contain_text(
        "Business Associate Agreement in force"
    )
    expect(checked.locator(".badges")).to_contain_text("Being set up")  # nothing changed
    problems += checks(checked, "vendor-active-refused", screens)

    agreement = tmp_path / "harbor-baa.pdf"
    agreement.write_bytes(b"%PDF-1.4 business associate agreement")
    today = now().astimezone(zone()).date()
    checked.get_by_label("Signed on").fill((today - timedelta(days=30)).isoformat())
    checked.get_by_label("Expires on (leave empty if it runs until terminated)").fill(
        (today + timedelta(days=60)).isoformat()
    )
    checked.get_by_label("The signed agreement (PDF or plain text)").set_input_files(agreement)
    checked.get_by_role("button", name="Upload the agreement").click()
    expect(checked.get_by_role("status")).to_contain_text("Agreement uploaded")
    expect(checked.locator(".badges")).to_contain_text("In force, renewal due")
    checked.get_by_label("Status").select_option(label="Active")
    checked.get_by_role("button", name="Change the status").click()
    expect(checked.get_by_role("status")).to_contain_text("Status changed")
    checked.get_by_label("Name", exact=True).fill("Dana Ruiz")
    checked.get_by_label("Phone").fill("555-0142")
    checked.get_by_label("Details confirmed on").fill((today - timedelta(days=400)).isoformat())
    checked.get_by_role("button", name="Add the contact").click()
    expect(checked.get_by_role("status")).to_contain_text("Contact added")
    checked.get_by_label("Month (for example 2026-05)").fill(f"{today.year - 1}-{today.month:02d}")
    checked.get_by_label("Service level (%)").fill("76")
    checked.get_by_label("Average speed of answer (seconds)").fill("24")
    checked.get_by_label("Abandoned calls (%)").fill("4")
    checked.get_by_label("Quality (QA) score (%)").fill("93")
    checked.get_by_role("button", name="Save the month").click()
    expect(checked.get_by_role("status")).to_contain_text("Scorecard saved")
    expect(checked.locator("#score-title ~ table").first).to_contain_text("Misses the target")
    problems += checks(checked, "vendor-page", screens)
    checked.get_by_role("link", name="Back to business associates and vendors").click()
    problems += checks(checked, "vendors-register", screens)
    assert problems == []

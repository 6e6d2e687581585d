"""A compliance officer in the browser: finds who viewed a member last month and downloads the
report as CSV, searches the audit log, starts a chain verification and sees it finish, and looks
at holds and retention; every page axe-clean, at desktop, phone (390 px) and 375 px widths."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import time_machine
from playwright.sync_api import Page, expect

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, PurposeOfUse, Role
from memberdesk.sla.packs import zone_of
from tests.browser import Person, page_problems
from tests.livesrv import Account, LiveServer
from tests.web.test_browser import sign_in

NARROW = 375


def last_month(today: date) -> tuple[date, date]:
    """The first and last days of the month before ``today``'s."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def viewed(live: LiveServer, agent: Account, member_id: int, at: datetime) -> None:
    """The agent opened the member's record at ``at`` (written as the server would)."""
    ctx = AuditContext(
        agent.user_id, agent.username, agent.role.value, PurposeOfUse.TREATMENT.value
    )
    with live.sessions() as session, time_machine.travel(at, tick=False):
        audit.record(
            session,
            ctx,
            AuditAction.MEMBER_READ,
            object_type="member",
            object_id=member_id,
            member_ids=[member_id],
        )
        session.commit()


def check(page: Page, name: str, screens: Path) -> list[str]:
    """axe-core and screenshots at desktop and phone widths, and a screenshot at 375 px with
    nothing wider than the window."""
    problems = page_problems(page, name, screens)
    page.set_viewport_size({"width": NARROW, "height": 900})
    page.screenshot(path=str(screens / f"{name}-{NARROW}.png"), full_page=True)
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > NARROW:
        problems.append(f"{name} at {NARROW} px: the page is {wide} px wide")
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def test_an_officer_finds_who_viewed_a_member_last_month_and_verifies_the_chain(
    live: LiveServer, checked: Page, screens: Path, people: list[Person]
) -> None:
    officer = live.add_user(Role.COMPLIANCE_OFFICER)
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    who = people[0]
    today = datetime.now(UTC).astimezone(zone_of("compliance")).date()
    first, last = last_month(today)
    viewed(live, agent, who.id, datetime.combine(first + timedelta(days=9), time(18), UTC))
    problems: list[str] = []

    sign_in(checked, officer)
    checked.get_by_role("link", name="Compliance", exact=True).click()
    expect(checked.get_by_role("heading", name="Compliance console", level=1)).to_be_visible()
    problems += check(checked, "compliance-console", screens)

    # Who viewed the member last month: the dates are last month's already.
    checked.get_by_role("link", name="Who saw what").first.click()
    expect(checked.get_by_label("First day")).to_have_value(first.isoformat())
    expect(checked.get_by_label("Last day")).to_have_value(last.isoformat())
    checked.get_by_label("Member ID").fill(who.member_number)
    checked.get_by_role("button", name="Show the report").click()
    row = checked.locator("tbody tr").filter(has_text=agent.username)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Viewed a member's record")
    expect(row).to_contain_text("Tier 1 agent")
    problems += check(checked, "compliance-access", screens)
    with checked.expect_download() as got:
        checked.get_by_role("link", name="Download as CSV").click()
    text = Path(got.value.path()).read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["actor"], r["member_number"]) for r in rows] == [(agent.username, who.member_number)]

    # The same view found in the audit search, in words.
    checked.get_by_role("link", name="Audit search").click()
    checked.get_by_label("Member ID").fill(who.member_number)
    checked.get_by_label("Username").fill(agent.username)
    checked.get_by_role("button", name="Search").click()
    expect(checked.locator("tbody tr")).to_have_count(1)
    expect(checked.locator("tbody tr")).to_contain_text("Viewed a member's record")
    problems += check(checked, "compliance-audit", screens)

    # Verify the chain: it runs in the background and the page shows it finish.
    checked.get_by_role("link", name="Audit chain").click()
    checked.get_by_role("button", name="Verify the chain").click()
    expect(checked.get_by_text("The chain is intact", exact=True)).to_be_visible(timeout=60_000)
    expect(checked.get_by_role("button", name="Verify the chain")).to_be_enabled()
    problems += check(checked, "compliance-chain", screens)

    checked.get_by_role("link", name="Legal holds").click()
    checked.get_by_label("Matter").fill("Doe v. Plan")
    checked.get_by_label("Member ID").fill(who.member_number)
    checked.get_by_role("button", name="Place the hold").click()
    expect(checked.get_by_text("Legal hold placed.")).to_be_visible()
    problems += check(checked, "compliance-holds", screens)

    checked.get_by_role("link", name="Retention").click()
    checked.get_by_role("button", name="Dry run: count what would go").click()
    expect(checked.get_by_text("Nothing was changed.")).to_be_visible()
    problems += check(checked, "compliance-retention", screens)
    assert problems == []

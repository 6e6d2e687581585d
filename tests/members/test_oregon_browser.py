"""An Oregon Health Plan member in a real browser (Debian's chromium via Playwright) against a
live server holding both books: found by household number, read on the member 360 in plain
words (the line of business, Medicaid eligibility with renewals and a gap, the partner plans,
the interpreter need; no employer, premium or special-enrolment form), next to a California
member whose page keeps its employer; axe-clean and whole at desktop and phone widths, with
screenshots (the path is printed at the start of the run)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from memberdesk.clock import today_utc
from memberdesk.compliance.enums import Role
from memberdesk.members import service, words
from memberdesk.members.enums import Benefit, LineOfBusiness, Relationship
from memberdesk.members.models import Member
from tests.browser import CHROMIUM, NO_CHROMIUM, page_problems
from tests.livesrv import LiveServer, live_server
from tests.web.test_browser import search, section, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

# Codes that must never reach a page (the API's words for things, not people's).
CODES = (
    "oregon-medicaid",
    "calchoice",
    "physical_health",
    "behavioral_health",
    "renewal_not_completed",
    "moved_out_of_area",
    "medicaid_application",
    "partner_assignment",
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server on SQLite with a California book and an Oregon book beside it."""
    tmp = tmp_path_factory.mktemp("live-oregon")
    with live_server("sqlite", tmp / "var", tmp, members=200, oregon=600) as server:
        yield server


@dataclass(frozen=True)
class Oregonian:
    id: int
    member_number: str
    name: str
    language: str
    household: int


@pytest.fixture(scope="module")
def oregonian(live: LiveServer) -> Oregonian:
    """A covered Oregon head of household who needs an interpreter, lives with someone, and
    came back after a renewal was not completed (a gap in the eligibility)."""
    today = today_utc()
    with live.sessions() as session:
        rows = session.scalars(
            select(Member)
            .where(
                Member.line_of_business == LineOfBusiness.OREGON_MEDICAID,
                Member.relationship == Relationship.SELF,
                Member.interpreter_needed.is_(True),
            )
            .order_by(Member.id)
        ).unique()
        for m in rows:
            medicaid = [s for s in m.coverage if s.plan.benefit == Benefit.MEDICAID]
            house = service.household(session, m)
            if len(medicaid) >= 2 and len(house) >= 2 and service.eligibility(m, today).eligible:
                return Oregonian(
                    m.id,
                    m.member_number,
                    f"{m.first_name} {m.last_name}",
                    words.language(m.spoken_language),
                    len(house),
                )
    raise AssertionError("the Oregon book should hold such a household")


def no_codes(page: Page) -> None:
    text = page.locator("main").inner_text()
    for code in CODES:
        assert not re.search(rf"\b{re.escape(code)}\b", text), code


def test_an_agent_reads_an_oregon_member(
    live: LiveServer, checked: Page, screens: Path, oregonian: Oregonian
) -> None:
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    sign_in(checked, agent)
    search(checked, {"Member ID": oregonian.member_number.split("-")[0]})
    results = checked.locator("table.results")
    expect(checked.locator("table.results caption")).to_have_text(
        f"{oregonian.household} members found"
    )
    expect(results).to_contain_text("Oregon Health Plan (Medicaid)")
    expect(results).to_contain_text("Head of household")
    no_codes(checked)
    problems = page_problems(checked, "oregon-search", screens)

    checked.get_by_role("link", name=re.compile(oregonian.name.split()[-1])).first.click()
    expect(checked).to_have_url(re.compile(rf"/members/{oregonian.id}$"))
    badges = checked.locator(".badges")
    expect(badges).to_contain_text("Oregon Health Plan (Medicaid)")
    expect(badges).to_contain_text(f"Needs an interpreter: {oregonian.language}")
    coverage = section(checked, "Coverage today")
    expect(coverage).to_contain_text("renewal due on")
    expect(coverage).to_contain_text("No premium and no deductible")
    expect(coverage).to_contain_text("Medicaid renewal due")
    for care in ("Physical health", "Behavioural health", "Dental care", "Rides to medical"):
        expect(coverage).to_contain_text(care)
    eligibility = section(checked, "Medicaid eligibility")
    expect(eligibility).to_contain_text("Renewal due")
    expect(eligibility).to_contain_text(re.compile(r"No coverage for \d+ months?"))
    expect(eligibility).to_contain_text("Renewal not completed")
    expect(section(checked, "Partner plans over time")).to_contain_text("(synthetic)")
    about = section(checked, "Member")
    expect(about).to_contain_text("Head of household")
    expect(about).to_contain_text("Oregon Health Plan (Medicaid)")
    main = checked.locator("main")
    for absent in ("Employer", "Payroll", "Monthly premium", "Special enrolment", "Subscriber"):
        expect(main).not_to_contain_text(absent)
    expect(checked.get_by_role("heading", name="Life events")).to_have_count(0)
    no_codes(checked)
    problems += page_problems(checked, "oregon-member", screens)
    assert problems == []


def test_a_california_member_keeps_the_employer_beside_the_oregon_book(
    live: LiveServer, checked: Page, screens: Path
) -> None:
    with live.sessions() as session:
        member = session.scalars(
            select(Member)
            .where(
                Member.line_of_business == LineOfBusiness.CALCHOICE,
                Member.relationship == Relationship.SELF,
            )
            .order_by(Member.id)
        ).first()
        assert member is not None
        member_id, number = member.id, member.member_number
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    sign_in(checked, agent)
    search(checked, {"Member ID": number})
    expect(checked.locator("table.results")).to_contain_text("CalChoice: ")
    checked.goto(f"/members/{member_id}")
    expect(checked.locator(".badges")).to_contain_text("CalChoice small-employer plan")
    expect(section(checked, "Member")).to_contain_text("Employer")
    expect(checked.get_by_role("heading", name="Coverage history")).to_be_visible()
    expect(checked.get_by_role("heading", name="Medicaid eligibility")).to_have_count(0)
    checked.goto("/plans")
    expect(section(checked, "Oregon Health Plan (Medicaid): 17 plans")).to_contain_text(
        "Dental care"
    )
    no_codes(checked)
    assert page_problems(checked, "plans-both-books", screens) == []

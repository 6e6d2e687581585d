"""Browser fixtures, loaded once for the whole run as a plugin (tests/conftest.py), so a single
chromium serves every package's page tests (two copies of a session fixture would start
Playwright twice): a live server on a seeded SQLite book, Debian's chromium driven by
Playwright, a few members picked from the book the way an agent would meet them, and the page
checks every page gets: axe-core, nothing cut off at phone width, and a screenshot at desktop
and phone widths."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select

from memberdesk.clock import today_utc
from memberdesk.members import service
from memberdesk.members.enums import IneligibleReason, Relationship
from memberdesk.members.models import Member
from tests.livesrv import LiveServer, live_server

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "web" / "vendor" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}
# How long an expectation on a page waits before failing: a guard against a page that never
# gets there, not a timing check (a loaded CI machine once took more than the default 5 s).
expect.set_options(timeout=20_000)
LIVE_MEMBERS = 600  # enough for a newborn, an aged-out child and a confidential phone
# Debian's chromium, no sandbox (containers), no network chatter of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NO_CHROMIUM = "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)"


@dataclass(frozen=True)
class Person:
    """What an agent would type or read about a member (plaintext, from the test's side)."""

    id: int
    member_number: str
    first_name: str
    last_name: str
    date_of_birth: date
    household: tuple[str, ...]  # "First Last" of everyone else in the household


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One live server per test module, on its own SQLite file and key ring."""
    tmp = tmp_path_factory.mktemp("live-web")
    with live_server("sqlite", tmp / "var", tmp, members=LIVE_MEMBERS) as server:
        yield server


def _people(live: LiveServer) -> list[Person]:
    """Subscribers covered today who have dependants, in id order."""
    today = today_utc()
    found: list[Person] = []
    with live.sessions() as session:
        for m in session.scalars(
            select(Member).where(Member.relationship == Relationship.SELF).order_by(Member.id)
        ):
            deps = service.household(session, m)
            others = tuple(f"{h.first_name} {h.last_name}" for h in deps if h.id != m.id)
            if others and service.eligibility(m, today).eligible:
                found.append(
                    Person(
                        m.id, m.member_number, m.first_name, m.last_name, m.date_of_birth, others
                    )
                )
    return found


@pytest.fixture(scope="module")
def people(live: LiveServer) -> list[Person]:
    """Several distinct covered subscribers with households."""
    found = _people(live)
    assert len(found) >= 3, "the seeded book should hold covered families"
    return found


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's chromium, launched once per run."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser, live: LiveServer) -> Iterator[Page]:
    """A fresh browser profile (no cookies) pointed at the live server."""
    context = chromium.new_context(
        base_url=live.base_url, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(30_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@dataclass(frozen=True)
class Kinds:
    """Members of the live book that each page state needs (internal ids)."""

    newborn: int  # covered from the day of birth
    aged_out: int  # a child past the dependant age limit
    confidential: int  # has a Civil Code 56.107 confidential phone
    ended: int  # a subscriber whose coverage has ended


@pytest.fixture(scope="module")
def kinds(live: LiveServer) -> Kinds:
    """One member of each kind, the first in id order."""
    today = today_utc()
    found: dict[str, int] = {}
    with live.sessions() as session:
        for m in session.scalars(select(Member).order_by(Member.id)):
            result = service.eligibility(m, today)
            if m.coverage and m.coverage[0].effective_date == m.date_of_birth and result.eligible:
                found.setdefault("newborn", m.id)
            if result.reason == IneligibleReason.AGED_OUT:
                found.setdefault("aged_out", m.id)
            if m.confidential_phone:
                found.setdefault("confidential", m.id)
            if m.relationship == Relationship.SELF and result.reason == IneligibleReason.TERMINATED:
                found.setdefault("ended", m.id)
    return Kinds(**found)


@pytest.fixture(scope="session")
def screens(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Path:
    """Where the screenshots go (printed, so a person can look at them)."""
    path = tmp_path_factory.mktemp("screenshots")
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"screenshots: {path}")
    return path


@pytest.fixture
def checked(chromium: Browser, live: LiveServer) -> Iterator[Page]:
    """A browser profile for the page checks: axe-core is injected as a script, which the site's
    Content-Security-Policy (rightly) refuses, so only this profile bypasses it."""
    context = chromium.new_context(
        base_url=live.base_url,
        viewport={"width": WIDTHS["desktop"], "height": 900},
        locale="en-US",
        bypass_csp=True,
    )
    context.set_default_timeout(30_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


def page_problems(page: Page, name: str, screens: Path) -> list[str]:
    """Screenshots at desktop and phone widths, and what is wrong at each: serious or critical
    axe-core violations, and anything wider than the window."""
    problems: list[str] = []
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screens / f"{name}-{label}.png"), full_page=True)
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            problems.append(f"{name} at {width} px: the page is {wide} px wide")
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        for v in page.evaluate(AXE_RUN):
            if v["impact"] in ("serious", "critical"):
                problems.append(f"{name} at {width} px: {v['id']} ({v['help']}) {v['nodes']}")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    return problems

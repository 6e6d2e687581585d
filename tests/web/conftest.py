"""A live server on a seeded SQLite book, Debian's chromium driven by Playwright, and a few
members picked from the book the way an agent would meet them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from memberdesk.clock import today_utc
from memberdesk.members import service
from memberdesk.members.enums import Relationship
from memberdesk.members.models import Member
from tests.livesrv import LiveServer, live_server

CHROMIUM = Path("/usr/bin/chromium")
# DESIGN.md: Debian's chromium, no sandbox (containers), no network chatter of its own.
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
    with live_server("sqlite", tmp / "var", tmp, members=300) as server:
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
    context.set_default_timeout(15_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()

"""A Spanish-reading member opens "Mi cobertura" in a real browser: the page is in Spanish (dates,
labels, the eligibility sentence, language names), readable at phone width and axe-clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from memberdesk.compliance.enums import Role
from memberdesk.members.models import Member
from tests.browser import CHROMIUM, NO_CHROMIUM, Person, page_problems
from tests.livesrv import LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_a_spanish_reader_reads_my_coverage_in_spanish(
    live: LiveServer, checked: Page, screens: Path, people: list[Person]
) -> None:
    who = people[3]
    with live.sessions() as session:
        member = session.get(Member, who.id)
        assert member is not None
        member.written_language = "es"
        session.commit()
    sign_in(checked, live.add_user(Role.MEMBER, member_id=who.id))
    checked.get_by_role("link", name="Mi cobertura").click()
    expect(checked.locator("html")).to_have_attribute("lang", "es")
    expect(checked.get_by_role("heading", name="Cobertura hoy")).to_be_visible()
    expect(checked.get_by_role("heading", name="Sus datos")).to_be_visible()
    expect(checked.get_by_role("heading", name="Tarjetas de identificación")).to_be_visible()
    expect(checked.locator(".badges")).to_contain_text("cobertura")
    assert page_problems(checked, "my-coverage-es", screens) == []
    # The switch at the top gives the same page in English, and the choice is kept.
    checked.get_by_role("link", name="English").click()
    expect(checked.get_by_role("heading", name="Coverage today")).to_be_visible()
    checked.reload()
    expect(checked.get_by_role("heading", name="About you")).to_be_visible()

"""The API reference at /docs: accessible, self-hosted, and "Try it out" works with the
browser's own session (the CSRF token is added for writes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from memberdesk.compliance.enums import Role
from tests.browser import CHROMIUM, NO_CHROMIUM, page_problems
from tests.livesrv import LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_the_api_reference_passes_axe_and_offers_authorize(checked: Page, screens: Path) -> None:
    checked.goto("/docs")
    checked.get_by_role("button", name="Authorize").wait_for()
    checked.get_by_text("/api/members/search").first.wait_for()
    assert page_problems(checked, "docs", screens) == []


def test_try_it_out_works_with_the_signed_in_session(
    page: Page, live: LiveServer, screens: Path
) -> None:
    agent = live.add_user(Role.TIER1_AGENT, team="Docs")
    sign_in(page, agent)
    page.goto("/docs")
    block = page.locator("#operations-members-search_api_members_search_post")
    block.locator(".opblock-summary").first.click()
    block.get_by_role("button", name="Try it out").click()
    block.locator("textarea.body-param__text").fill('{"phone": "415-555-0142"}')
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    page.screenshot(path=str(screens / "docs-try-it-out.png"), full_page=False)
    # 200, not 403: the page sent the session's CSRF token with the POST.
    assert status.inner_text().strip().startswith("200")

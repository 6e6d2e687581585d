"""The member page's "Recent contacts" in a real browser (Debian's chromium): plain words, no
codes, readable at 390 px (nothing wider than the window) and no serious axe-core findings."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from memberdesk.compliance.enums import Role
from memberdesk.members.enums import Relationship
from memberdesk.members.models import Member
from tests.browser import CHROMIUM, NO_CHROMIUM, page_problems
from tests.livesrv import LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

CALLS = [
    ("phone", "inbound", ["billing", "id_card"], True),
    ("portal", "inbound", ["behavioral_health"], False),
    ("phone", "outbound", ["appeal_grievance", "transportation", "plan_comparison"], True),
]


def test_recent_contacts_on_the_member_page(live: LiveServer, checked: Page, screens: Path) -> None:
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    with live.sessions() as session:
        member_id = session.scalars(
            select(Member.id).where(Member.relationship == Relationship.SELF).limit(1)
        ).one()
    with httpx.Client(
        base_url=live.base_url,
        headers={"Authorization": f"Bearer {agent.token}"},
        timeout=60,  # a hang guard: httpx's default 5 s failed once on a loaded CI machine
    ) as api:
        for i, (channel, direction, reasons, resolved) in enumerate(CALLS):
            r = api.post(
                "/api/contacts",
                json={
                    "member_id": member_id,
                    "channel": channel,
                    "direction": direction,
                    "reasons": reasons,
                    "started_at": f"2026-11-0{i + 2}T09:30:00-08:00",
                    "resolved": resolved,
                },
            )
            assert r.status_code == 201, r.text
    sign_in(checked, agent)
    checked.goto(f"/members/{member_id}")
    section = checked.locator("section", has=checked.get_by_role("heading", name="Recent contacts"))
    text = section.inner_text()
    assert "Phone, outbound" in text and "Portal message, inbound" in text
    assert "Appeal or grievance; Transportation; Comparing plans" in text
    assert "Behavioural health" in text and agent.username in text
    for code in ("appeal_grievance", "behavioral_health", "id_card", "inbound;"):
        assert code not in text
    assert section.locator("tbody tr").count() == 3
    assert page_problems(checked, "member-recent-contacts", screens) == []

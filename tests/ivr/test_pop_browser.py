"""The screen pop in a real browser (Debian's chromium via Playwright) against a live server: an
agent waits on the desktop; a simulated call goes through the phone menu by Twilio's signed
webhooks (Spanish, identified, ID-card status, a representative) and the telephony feed says
the agent answered it; the desktop opens the member with the menu's path by itself, and taking
the call opens the record already verified. A caller the menu could not identify pops as a
search by their number. Every state is checked with axe-core and at 390 px, and screenshotted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Page, expect

from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.kpi.twilio import CREDENTIAL_FILE
from tests.browser import CHROMIUM, NO_CHROMIUM, Person, page_problems
from tests.ivr.caller import TOKEN, Caller
from tests.livesrv import Account, LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def answer(live: LiveServer, feeder: Account, call_sid: str, agent: Account) -> None:
    """The telephony platform reports that the agent answered the call."""
    at = now()
    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        r = client.post(
            "/api/kpi/events",
            json={
                "events": [
                    {
                        "id": f"answered-{call_sid}",
                        "type": "answered",
                        "at": (at + timedelta(seconds=3)).isoformat(),
                        "call_id": call_sid,
                        "agent_id": agent.username,
                    }
                ]
            },
            headers={"Authorization": f"Bearer {feeder.token}"},
        )
        assert r.status_code == 200, r.text


def waiting_on_desktop(page: Page, live: LiveServer, agent: Account) -> None:
    sign_in(page, agent)
    page.goto("/desktop")
    expect(page.get_by_role("heading", name="Incoming calls")).to_be_visible()
    # The page says so once its live channel is open.
    expect(page.locator("#screen-pop[data-listening]")).to_be_attached()


def test_a_call_through_the_menu_pops_the_member(
    live: LiveServer, checked: Page, screens: Path, people: list[Person]
) -> None:
    (Path(live.settings.var_dir) / CREDENTIAL_FILE).write_text(TOKEN)
    who = people[0]
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    feeder = live.add_user(Role.TELEPHONY)
    waiting_on_desktop(checked, live, agent)
    problems = page_problems(checked, "ivr-desktop-waiting", screens)

    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        c = Caller(client, base=live.base_url)
        c.start()
        c.press("2")
        c.press(who.member_number.replace("-", ""))
        c.press(f"{who.date_of_birth:%m%d%Y}")
        c.press("1")
        assert "Su solicitud de tarjeta" in c.heard() or "No tenemos ninguna" in c.heard()
        c.press("0")
        assert "<Enqueue>eligibility-es</Enqueue>" in c.last
    answer(live, feeder, c.call_sid, agent)

    heading = checked.get_by_role("heading", name=f"Call from {who.first_name} {who.last_name}")
    expect(heading).to_be_visible()
    expect(checked.get_by_text(who.member_number)).to_be_visible()
    path = checked.locator("ol.ivr-path")
    expect(path.get_by_text("Chose Spanish")).to_be_visible()
    expect(path.get_by_text("Identified by member ID and date of birth")).to_be_visible()
    expect(path.get_by_text("Heard their ID card status")).to_be_visible()
    expect(path.get_by_text("Asked for a representative")).to_be_visible()
    expect(checked.get_by_text("Sent to: Eligibility and ID cards, Spanish.")).to_be_visible()
    problems += page_problems(checked, "ivr-screen-pop", screens)

    checked.get_by_role("button", name=f"Take the call: open {who.first_name}'s record").click()
    bar = checked.locator("#call")
    expect(bar.get_by_text("Identity verified: Member id, date of birth")).to_be_visible()
    expect(checked.get_by_role("heading", name="Coverage today")).to_be_visible()
    # The menu's part of the call is in the history already, said to be the menu's.
    recent = checked.locator("section", has=checked.get_by_role("heading", name="Recent contacts"))
    expect(recent.get_by_text("Phone menu")).to_be_visible()
    problems += page_problems(checked, "ivr-call-taken", screens)
    assert problems == []


def test_an_unidentified_caller_pops_a_search_by_their_number(
    live: LiveServer, checked: Page, screens: Path
) -> None:
    (Path(live.settings.var_dir) / CREDENTIAL_FILE).write_text(TOKEN)
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    feeder = live.add_user(Role.TELEPHONY)
    waiting_on_desktop(checked, live, agent)
    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        c = Caller(client, base=live.base_url, phone="+14155550123")
        c.start()
        c.press("1")
        c.press("0")  # a representative, without identifying
    answer(live, feeder, c.call_sid, agent)
    expect(checked.get_by_role("heading", name="Call from a caller not identified")).to_be_visible()
    expect(checked.get_by_role("textbox", name="Phone")).to_have_value("+14155550123")
    problems = page_problems(checked, "ivr-screen-pop-unidentified", screens)
    checked.get_by_role("button", name="Search").click()
    expect(checked.get_by_role("heading", name="Agent desktop", level=1)).to_be_visible()
    assert problems == []

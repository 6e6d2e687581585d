"""A WFM analyst in a real browser: builds a schedule from the forecast and reads its coverage
chart and uncovered half hours; the calculator answers as a number changes, under the site's
Content-Security-Policy, without reloading; every page axe-core clean at desktop and phone
widths, with screenshots."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.kpi.demo import seed_demo_calls
from memberdesk.sla.packs import zone_of
from memberdesk.wfm import erlang
from tests.browser import CHROMIUM, NO_CHROMIUM, page_problems
from tests.livesrv import Account, LiveServer
from tests.web.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]


NARROW = 375  # the narrowest phone the pages are checked at


def checks(page: Page, name: str, screens: Path) -> list[str]:
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


@pytest.fixture(scope="module")
def analyst(live: LiveServer) -> Account:
    """A WFM analyst, on a live server holding thirteen months of calls to yesterday."""
    last = now().astimezone(zone_of("calchoice")).date() - timedelta(days=1)
    with live.sessions() as session:
        seed_demo_calls(session, SYSTEM, members=1200, last_day=last)
        session.commit()
    return live.add_user(Role.WFM_ANALYST)


def test_an_analyst_builds_a_schedule_from_the_forecast(
    checked: Page, analyst: Account, screens: Path
) -> None:
    sign_in(checked, analyst)
    checked.get_by_role("link", name="Workforce").click()
    expect(checked.get_by_role("heading", name="Workforce planning", level=1)).to_be_visible()
    assert checks(checked, "wfm-workspace", screens) == []
    checked.get_by_role("link", name="Forecast vs actual").first.click()
    expect(checked.get_by_role("heading", name="How close the forecast came")).to_be_visible()
    expect(checked.get_by_role("img", name="Calls per day, forecast beside actual")).to_be_visible()
    assert checks(checked, "wfm-forecast", screens) == []
    checked.get_by_label("Compare by").select_option("interval")
    checked.get_by_role("button", name="Show").click()
    expect(
        checked.get_by_role("img", name="Calls per half hour, the last 3 open days held out")
    ).to_be_visible()
    checked.get_by_role("link", name="Build a schedule from this forecast").click()
    expect(checked.get_by_role("heading", name="Schedule builder", level=1)).to_be_visible()
    checked.get_by_label("Working days").fill("2")
    checked.get_by_label("Most agents a day").fill("2")
    checked.get_by_role("button", name="Build the schedule").click()
    chart = checked.get_by_role("img", name="Agents needed and on the phones, by half hour")
    expect(chart).to_be_visible()
    expect(checked.get_by_role("heading", name="Half hours not fully covered")).to_be_visible()
    assert checked.locator("ul.uncovered li").count() > 0
    expect(checked.locator("ul.uncovered li").first).to_contain_text("short by")
    expect(checked.get_by_role("heading", name="The shifts")).to_be_visible()
    assert checked.locator("table").filter(has_text="Breaks").locator("tbody tr").count() > 0
    assert checks(checked, "wfm-schedule", screens) == []
    # without the cap every half hour is covered
    checked.get_by_label("Most agents a day").fill("")
    checked.get_by_role("button", name="Build the schedule").click()
    expect(checked.get_by_text("Every half hour is covered.")).to_be_visible()


def test_the_calculator_answers_as_a_number_changes(
    page: Page, analyst: Account, screens: Path
) -> None:
    """Under the site's own Content-Security-Policy, as analysts use it."""
    sign_in(page, analyst)
    page.goto("/wfm/staff")
    answer = page.locator("#agents-needed")
    first = erlang.staff(100, 420, interval=1800, target=0.8, within=20)
    expect(answer).to_have_text(f"{int(first.agents)} agents")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Calls offered").fill("400")
    more = erlang.staff(400, 420, interval=1800, target=0.8, within=20)
    expect(answer).to_have_text(f"{int(more.agents)} agents")
    page.get_by_label("Queue model").select_option("erlang_a")
    a = erlang.staff(400, 420, interval=1800, target=0.8, within=20, patience=120)
    expect(answer).to_have_text(f"{int(a.agents)} agents")
    page.get_by_label("Calls offered").fill("-3")
    expect(page.locator("#calls-error")).to_contain_text("Enter a number from 0 to 10,000,000")
    expect(answer).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
    assert "calls=-3" in page.url  # the address keeps what was asked, for a bookmark
    # focus stayed in the field being typed in
    assert page.evaluate("document.activeElement.id") == "calls"
    page.screenshot(path=str(screens / "wfm-calculator-csp.png"), full_page=True)
    # the charts are images of their own, which the policy lets draw with their styles
    page.goto("/wfm/forecast?by=day&weeks=4")
    chart = page.get_by_role("img", name="Calls per day, forecast beside actual")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 300")


def test_the_pages_are_accessible(checked: Page, analyst: Account, screens: Path) -> None:
    sign_in(checked, analyst)
    checked.goto(
        "/wfm/staff?calls=120&aht=400&interval=30&target=80&within=20&model=erlang_a&patience=90&shrinkage=30"
    )
    expect(checked.locator("#agents-needed")).to_be_visible()
    assert checks(checked, "wfm-calculator", screens) == []
    checked.goto("/wfm/staff?calls=-1&aht=0")
    expect(checked.locator("#calls-error")).to_be_visible()
    assert checks(checked, "wfm-calculator-errors", screens) == []
    checked.goto("/wfm/simulate")
    checked.get_by_label("Runs of the day").fill("10")
    checked.get_by_role("button", name="Simulate").click()
    expect(
        checked.get_by_role("img", name="Service level by interval, with its 95% range")
    ).to_be_visible()
    assert checks(checked, "wfm-simulate", screens) == []
    checked.goto("/wfm/plan")
    checked.get_by_label("Members").fill("15000")
    checked.get_by_label("Training time").select_option(
        label="Add the guide's 8 to 12 hours a month"
    )
    checked.get_by_role("button", name="Plan").click()
    expect(checked.locator("#training-shrinkage")).to_contain_text("10.0 hours a month per person")
    expect(
        checked.get_by_role("heading", name="Budget: in-house beside outsourced")
    ).to_be_visible()
    expect(checked.locator("#hire-by")).to_contain_text("between")
    assert checks(checked, "wfm-plan", screens) == []
    checked.goto("/wfm/staff/intervals")
    checked.get_by_label("Or paste the lines").fill(
        "interval_start,calls,aht_seconds\n2026-12-07T08:00:00-08:00,42,410\n"
        "2026-12-07T08:30:00-08:00,96,395\n"
    )
    checked.get_by_role("button", name="Staff the intervals").click()
    expect(checked.get_by_role("heading", name="2 intervals staffed (Erlang C)")).to_be_visible()
    assert checks(checked, "wfm-intervals", screens) == []
    checked.goto("/wfm/schedule/file")
    checked.get_by_label("Or paste the lines").fill(
        "interval_start,agents\n"
        + "".join(
            f"2026-12-07T{8 + k // 2:02d}:{30 * (k % 2):02d}:00-08:00,{2 + k % 4}\n"
            for k in range(18)
        )
    )
    checked.get_by_label("Most agents a day").fill("3")
    checked.get_by_role("button", name="Build the schedule").click()
    expect(checked.get_by_role("heading", name="Half hours not fully covered")).to_be_visible()
    assert checks(checked, "wfm-schedule-file", screens) == []
    checked.goto("/")
    expect(checked.get_by_role("link", name="Staffing calculator")).to_be_visible()
    assert checks(checked, "wfm-home", screens) == []

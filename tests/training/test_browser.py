"""Training in a real browser (Debian's chromium via Playwright) against a live server: a
supervisor opens the team's training from the menu, sees who is overdue and each person's hours
this month, opens a new hire and records a completion (a score over 100 said beside its field
first); an agent reads their own record. Every page is checked with axe-core at 1280 and 390 px
and screenshotted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import User
from memberdesk.training import core, service
from memberdesk.training.demo import seed_demo_catalogue
from memberdesk.training.models import Course
from memberdesk.training.schemas import CompletionIn, StartIn
from tests.browser import CHROMIUM, NO_CHROMIUM, page_problems
from tests.livesrv import LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


@pytest.fixture(scope="module")
def team(live: LiveServer) -> dict[str, Any]:
    """A Team B supervisor; a veteran whose HIPAA renewal is overdue, one on track, and a new
    hire two weeks in with 16 of the 40 hours done."""
    made = {
        "supervisor": live.add_user(Role.SUPERVISOR, team="Team B"),
        "late": live.add_user(Role.TIER1_AGENT, team="Team B"),
        "fine": live.add_user(Role.TIER1_AGENT, team="Team B"),
        "new": live.add_user(Role.TIER1_AGENT, team="Team B"),
    }
    names = {"supervisor": "Sam Ortiz", "late": "Lee Park", "fine": "Fay Moreno", "new": "Nia Cole"}
    today = service.local_day(now())
    with live.sessions() as session:
        seed_demo_catalogue(session, now())
        ids = {c.code: c.id for c in session.scalars(select(Course))}
        for key, account in made.items():
            session.get(User, account.user_id).display_name = names[key]  # type: ignore[union-attr]

        def start(key: str, days: int, on_file: bool) -> None:
            begun = today - timedelta(days=days)
            body = StartIn(
                started_on=begun, initial_on_file=begun + timedelta(days=20) if on_file else None
            )
            service.set_start(session, SYSTEM, made[key].user_id, body, now())

        def done(key: str, code: str, on: Any, score: float | None = 92) -> None:
            course = session.get(Course, ids[code])
            body = CompletionIn(
                course_id=ids[code],
                completed_on=on,
                quiz_score=score if course.pass_mark is not None else None,  # type: ignore[union-attr]
            )
            service.record_completion(session, SYSTEM, made[key].user_id, body, now())

        start("supervisor", 900, True)
        start("late", 800, True)
        start("fine", 600, True)
        start("new", 14, False)
        done("late", "hipaa-annual", core.add_months(today, -13))
        done("late", "privacy-front-line", today - timedelta(days=700))
        done("late", "de-escalation", today - timedelta(days=700))
        done("fine", "hipaa-annual", today - timedelta(days=100))
        done("fine", "privacy-front-line", today - timedelta(days=500))
        done("fine", "de-escalation", today - timedelta(days=500))
        this_month = ["plan-changes", "benefits-deep-dive", "reg-dmhc", "reg-oregon"]
        this_month += ["call-review", "kb-changes", "language-access"]  # 12.5 h
        for k, code in enumerate(this_month):
            done("fine", code, today - timedelta(days=min(k, today.day - 1)))
        last_month = today.replace(day=1) - timedelta(days=10)
        for code in ["plan-changes", "benefits-deep-dive", "reg-dmhc", "reg-special-enrolment"]:
            done("fine", code, last_month)  # 8.5 h
        done("new", "new-hire-benefits", today - timedelta(days=12))
        session.commit()
    return made


def test_supervisor_sees_the_team_and_records_a_completion(
    live: LiveServer, checked: Page, screens: Path, team: dict[str, Any]
) -> None:
    sign_in(checked, team["supervisor"])
    checked.get_by_role("link", name="Training", exact=True).click()
    expect(checked.get_by_role("heading", name="Team training", level=1)).to_be_visible()
    row = checked.locator("tr", has_text="Lee Park")
    expect(row.locator("td[data-label=Overdue]")).to_contain_text(
        "Annual HIPAA privacy and security training"
    )
    expect(checked.locator("tr", has_text="Fay Moreno").get_by_text("Target met.")).to_be_visible()
    problems = page_problems(checked, "training-dashboard", screens)
    checked.get_by_role("link", name="Nia Cole").click()
    expect(checked.get_by_role("heading", name="Training of Nia Cole", level=1)).to_be_visible()
    expect(checked.get_by_text("16 h of 40 h")).to_be_visible()
    checked.get_by_label("Course", exact=True).select_option(
        label="New-hire programme: memberdesk, phones and the knowledge base (12 h)"
    )
    checked.get_by_label("Knowledge-check score in percent").fill("120")
    checked.get_by_role("button", name="Record the completion").click()
    expect(checked.locator("#quiz_score-error")).to_contain_text("from 0 to 100")
    problems += page_problems(checked, "training-record-refused", screens)
    checked.get_by_label("Knowledge-check score in percent").fill("88")
    checked.get_by_role("button", name="Record the completion").click()
    expect(checked.get_by_text("Completion recorded.")).to_be_visible()
    expect(checked.get_by_text("28 h of 40 h")).to_be_visible()
    problems += page_problems(checked, "training-person", screens)
    assert problems == []


def test_agent_reads_their_own_record(
    live: LiveServer, checked: Page, screens: Path, team: dict[str, Any]
) -> None:
    sign_in(checked, team["late"])
    checked.get_by_role("link", name="My training", exact=True).click()
    expect(checked.get_by_role("heading", name="My training", level=1)).to_be_visible()
    expect(
        checked.get_by_text("Overdue: Annual HIPAA privacy and security training")
    ).to_be_visible()
    overdue = checked.locator("tr", has_text="Annual HIPAA privacy and security training").first
    expect(overdue.get_by_text("Overdue")).to_be_visible()
    expect(checked.get_by_role("button", name="Record the completion")).to_have_count(0)
    problems = page_problems(checked, "training-mine", screens)
    checked.get_by_role("link", name="Course catalogue").click()
    expect(checked.get_by_role("heading", name="Course catalogue", level=1)).to_be_visible()
    problems += page_problems(checked, "training-catalogue", screens)
    assert problems == []

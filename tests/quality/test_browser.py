"""QA in a real browser (Debian's chromium via Playwright) against a live server: a QA analyst
opens a recent contact from the workspace, scores it under 80% beside its details, and the
agent, signing in, finds the corrective training due in 10 business days and completes it.
Every page is checked with axe-core at 1280 and 390 px and screenshotted."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.quality import words
from memberdesk.quality.demo import ensure_default_scorecard
from memberdesk.quality.models import CorrectiveAssignment
from memberdesk.sla.packs import get_target
from tests.browser import CHROMIUM, NO_CHROMIUM, page_problems
from tests.livesrv import LiveServer
from tests.quality.conftest import contact
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_analyst_scores_below_80_and_the_agent_sees_corrective_training(
    live: LiveServer, checked: Page, screens: Path
) -> None:
    analyst = live.add_user(Role.QA_ANALYST)
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    with live.sessions() as session:
        ensure_default_scorecard(session)
        call = contact(session, agent.user_id, None, now() - timedelta(hours=3))
        session.commit()

    sign_in(checked, analyst)
    checked.get_by_role("link", name="Quality", exact=True).click()
    expect(checked.get_by_role("heading", name="QA workspace", level=1)).to_be_visible()
    problems = page_problems(checked, "qa-workspace", screens)
    checked.get_by_role("link", name=f"Evaluate contact {call.id}").click()
    expect(checked.get_by_role("heading", name="The contact")).to_be_visible()
    # Full marks on every item but accuracy and tone, which were missed: 60%.
    for group in checked.locator("fieldset.chips").all():
        group.locator("input[type=radio]").first.check()
    for item in ("accurate and complete", "trauma- and poverty-informed"):
        checked.get_by_role("group", name=re.compile(item)).get_by_label("0 — not met").check()
    checked.get_by_label("Coaching comments for the agent").fill("Check the plan document first.")
    problems += page_problems(checked, "qa-evaluate", screens)
    checked.get_by_role("button", name="Save the evaluation").click()
    expect(checked.get_by_role("heading", name="Score: 60.0%")).to_be_visible()
    expect(checked.get_by_text("Under 80%: corrective training")).to_be_visible()
    problems += page_problems(checked, "qa-evaluation", screens)

    checked.context.clear_cookies()
    sign_in(checked, agent)
    checked.get_by_role("link", name="My evaluations", exact=True).click()
    training = checked.get_by_role("region", name="Corrective training")
    with live.sessions() as session:
        owed = session.scalars(select(CorrectiveAssignment)).one()
        # The pack's clock: 10 business days from the scoring, on the California calendar.
        due = get_target("calchoice", "qa_corrective_training").compute_due(owed.started_at).due
        assert owed.due_at == due and owed.agent_id == agent.user_id
    expect(training.get_by_text(words.when(due, now()))).to_be_visible()
    expect(training.get_by_text(re.compile(r"Due in \d+ days"))).to_be_visible()
    problems += page_problems(checked, "qa-agent-evaluations", screens)
    checked.get_by_role("link", name=re.compile("Phone call")).click()
    expect(checked.get_by_text("Check the plan document first.")).to_be_visible()
    expect(checked.get_by_role("button", name="I have read it: acknowledge")).to_be_visible()
    problems += page_problems(checked, "qa-agent-evaluation", screens)
    checked.get_by_label("What was covered").fill("Reviewed the benefits summary with my lead")
    checked.get_by_role("button", name="Mark the training completed").click()
    expect(checked.get_by_text("Corrective training recorded as completed.")).to_be_visible()
    expect(checked.get_by_text("Completed on time")).to_be_visible()
    problems += page_problems(checked, "qa-agent-completed", screens)
    assert problems == []

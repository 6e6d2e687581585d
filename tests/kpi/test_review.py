"""The monthly team review and the quarterly summary: figures that agree with an independent
count of the same calls, occupancy from the agents' time, the root-cause section when
one-contact resolution falls below 70%, the command line's files (HTML and a real PDF), bad
input by field, and the page in a browser with its charts, axe-core clean at phone width."""

from __future__ import annotations

import io
import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberdesk.cli import app as cli
from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.contacts.enums import Channel, Direction, Reason
from memberdesk.contacts.schemas import ContactIn
from memberdesk.contacts.service import log_contact
from memberdesk.kpi.demo import AGENTS, SLOT, demo_calls, seed_demo_calls
from memberdesk.kpi.formulas import tally_calls
from memberdesk.kpi.review import month_of, monthly_review, quarterly_summary
from memberdesk.sla.packs import zone_of
from tests import factories as f
from tests.browser import CHROMIUM, NO_CHROMIUM, page_problems
from tests.dbutil import BACKENDS
from tests.livesrv import LiveServer, live_server
from tests.test_concurrency import run_threads
from tests.web.test_browser import sign_in

LAST = date(2026, 11, 30)
MEMBERS = 1500
runner = CliRunner()


def in_month(at: datetime, first: date) -> bool:
    local = at.astimezone(zone_of("calchoice")).date()
    return (local.year, local.month) == (first.year, first.month)


@pytest.fixture
def history(db: Session) -> list:  # type: ignore[type-arg]
    assert seed_demo_calls(db, SYSTEM, members=MEMBERS, last_day=LAST) > 0
    return list(demo_calls(members=MEMBERS, last_day=LAST))


def test_the_month_agrees_with_an_independent_count(db: Session, history: list) -> None:  # type: ignore[type-arg]
    first = date(2026, 11, 1)
    review = monthly_review(db, "calchoice", first)
    mine = [c for c in history if in_month(c.offered_at, first)]
    want = tally_calls(mine, 20)
    assert review.this.calls.offered == want.offered == len(mine)
    assert review.this.calls.service_level == pytest.approx(want.service_level)
    assert review.this.calls.aht_seconds == pytest.approx(want.aht_seconds)
    before = [c for c in history if in_month(c.offered_at, date(2026, 10, 1))]
    assert review.before.calls.offered == len(before)
    assert review.trend[0].month == date(2025, 12, 1) and len(review.trend) == 12
    # Occupancy: handle time over the agents' ready time (the demo notes who staffed each half
    # hour), recounted from the simulator's own shifts.
    shifts: list = []  # type: ignore[type-arg]
    list(demo_calls(members=MEMBERS, last_day=LAST, shifts=shifts))
    ready = sum(SLOT for at, _, state in shifts if state == "ready" and in_month(at, first))
    assert review.this.occupancy == pytest.approx(want.handle_seconds / ready)
    assert 0 < review.this.occupancy < 1  # low in a book this small: few calls per agent
    # By queue and by agent add up to the month; each agent's best day is a real day's count.
    assert sum(t.offered for _, t in review.by_queue) == len(mine)
    assert sum(a.calls.answered for a in review.by_agent) == want.answered
    top = max(review.by_agent, key=lambda a: a.best_answered)
    days = Counter(
        c.offered_at.astimezone(zone_of("calchoice")).date()
        for c in mine
        if c.agent_id == top.agent and c.answered_at
    )
    assert top.best_answered == max(days.values()) and top.best_day in days
    assert {a.agent for a in review.by_agent} <= set(AGENTS)


def test_the_quarter_sums_its_months(db: Session, history: list) -> None:  # type: ignore[type-arg]
    q = quarterly_summary(db, "calchoice", 2026, 4)
    months = [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert [m.month for m in q.months] == months
    assert q.total.calls.offered == sum(
        1 for c in history if any(in_month(c.offered_at, m) for m in months)
    )
    summer = [date(2026, m, 1) for m in (7, 8, 9)]
    assert q.before.calls.offered == sum(
        1 for c in history if any(in_month(c.offered_at, m) for m in summer)
    )


def test_a_low_resolution_month_traces_the_root_cause(db: Session) -> None:
    """Most billing callers came back within the week: resolution falls under 70% and the
    review says where the repeats came from."""
    member = f.member(db)
    other = f.member(db, last_name="Other")
    start = datetime(2026, 9, 7, 17, 0, tzinfo=UTC)
    rng = random.Random(4)
    for i in range(12):
        at = start + timedelta(days=2 * i, minutes=rng.randint(0, 60))
        who = member if i % 3 else other
        reason = Reason.BILLING if i % 3 else Reason.ID_CARD
        body = ContactIn(
            member_id=who.id,
            channel=Channel.PHONE,
            direction=Direction.INBOUND,
            started_at=at,
            ended_at=at + timedelta(minutes=6),
            resolved=True,
            reasons=[reason],
        )
        log_contact(db, body, agent_id=None, member=who)
    db.flush()
    review = monthly_review(db, "calchoice", date(2026, 9, 1))
    assert review.this.fcr_rate is not None and review.this.fcr_rate < 0.7
    cause = review.root_cause
    assert cause is not None and cause.not_resolved > 0
    assert cause.by_reason[0][0] == "Billing or premium"
    assert ("Phone", cause.not_resolved) in cause.by_channel
    fine = monthly_review(db, "calchoice", date(2026, 8, 1))
    assert fine.root_cause is None  # no contacts that month: nothing to trace


def test_the_command_line_writes_html_and_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{tmp_path}/r.db")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(tmp_path / "var"))
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    html = tmp_path / "review.html"
    got = runner.invoke(cli, ["report", "monthly", "--month", "2026-11", "--out", str(html)])
    assert got.exit_code == 0, got.output
    text = html.read_text()
    assert "Monthly team review: California small-employer plans, November 2026" in text
    assert text.count('src="data:image/svg+xml;base64,') == 4 and "Service level by month" in text
    pdf = tmp_path / "q.pdf"
    got = runner.invoke(cli, ["report", "quarterly", "--quarter", "2026-Q4", "--out", str(pdf)])
    assert got.exit_code == 0, got.output
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 2000


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["monthly", "--month", "2026-13", "--out", "x.pdf"], "--month"),
        (["monthly", "--month", "Nov", "--out", "x.pdf"], "--month"),
        (["monthly", "--month", "2026-11", "--out", "x.docx"], "--out"),
        (["monthly", "--month", "2026-11", "--out", "/nowhere/x.pdf"], "--out"),
        (["monthly", "--month", "2026-11", "--out", "x.pdf", "--pack", "texas"], "--pack"),
        (["quarterly", "--quarter", "2026-Q5", "--out", "x.pdf"], "--quarter"),
    ],
)
def test_bad_input_names_the_option(args: list[str], words: str, tmp_path: Path) -> None:
    got = runner.invoke(cli, ["report", *args])
    assert got.exit_code != 0
    assert words in got.output
    assert "Traceback" not in got.output


def test_month_parsing() -> None:
    assert month_of("2026-11") == date(2026, 11, 1)
    for bad in ("2026-1", "26-11", "2026-00", "1999-12", "2026/11"):
        with pytest.raises(ValueError):
            month_of(bad)


def test_the_pages_and_downloads(login, db: Session) -> None:
    seed_demo_calls(db, SYSTEM, members=600, last_day=LAST)
    boss = login(Role.SUPERVISOR).client
    page = boss.get("/kpi/review", params={"month": "2026-11"})
    assert page.status_code == 200
    assert "November 2026 in figures" in page.text
    assert page.text.count('src="data:image/svg+xml;base64,') == 4
    pdf = boss.get("/kpi/review/download", params={"month": "2026-11", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert "attachment" in pdf.headers["content-disposition"]
    assert boss.get("/kpi/quarter", params={"quarter": "2026-Q4"}).status_code == 200
    bad = boss.get("/kpi/review", params={"month": "November"})
    assert bad.status_code == 422 and "for example 2026-11" in bad.text
    wrong = boss.get("/kpi/review/download", params={"month": "2026-11", "format": "docx"})
    assert wrong.status_code == 422 and "Please check what you entered" in wrong.text
    assert login(Role.TELEPHONY).client.get("/kpi/review").status_code == 403


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_a_supervisor_opens_the_review_in_a_browser(
    live: LiveServer, checked: Page, screens: Path
) -> None:
    with live.sessions() as session:
        seed_demo_calls(session, SYSTEM, members=800, last_day=LAST)
        session.commit()
    boss = live.add_user(Role.SUPERVISOR, team="Team A")
    sign_in(checked, boss)
    checked.goto("/kpi/review?month=2026-11")
    expect(checked.get_by_role("heading", name="Monthly team review", level=1)).to_be_visible()
    expect(checked.get_by_role("heading", name="November 2026 in figures")).to_be_visible()
    expect(checked.get_by_role("img", name="Service level by month")).to_be_visible()
    expect(checked.get_by_role("heading", name="By agent")).to_be_visible()
    assert checked.locator("figure.chart img").count() == 4
    assert page_problems(checked, "team-review", screens) == []
    checked.goto("/kpi/quarter?quarter=2026-Q4")
    expect(checked.get_by_role("heading", name="The quarter against target")).to_be_visible()
    assert page_problems(checked, "quarterly-summary", screens) == []


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_the_charts_draw_under_the_sites_content_security_policy(
    live: LiveServer, page: Page, screens: Path
) -> None:
    """The axe profile bypasses the site's Content-Security-Policy; this one does not. A chart
    whose styles the policy refused draws as a black box: most of a chart must be white."""
    with live.sessions() as session:
        seed_demo_calls(session, SYSTEM, members=800, last_day=LAST)
        session.commit()
    boss = live.add_user(Role.SUPERVISOR, team="Team A")
    sign_in(page, boss)
    page.goto("/kpi/review?month=2026-11")
    chart = page.get_by_role("img", name="Service level by month")
    expect(chart).to_be_visible()
    shot = Image.open(io.BytesIO(chart.screenshot(path=str(screens / "review-chart.png"))))
    grey = shot.convert("L").histogram()  # pixels counted by brightness, 0 (black) to 255
    assert sum(grey[241:]) / sum(grey) > 0.6


@pytest.fixture(scope="module", params=BACKENDS)
def review_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"review-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=5) as server:
        with server.sessions() as session:
            seed_demo_calls(session, SYSTEM, members=800, last_day=LAST)
            session.commit()
        yield server


def test_twenty_supervisors_open_the_reviews_at_once(review_live: LiveServer) -> None:
    """Each review draws its charts in a worker thread: twenty at once all come back whole and
    the same."""
    boss = review_live.add_user(Role.SUPERVISOR)
    auth = {"Authorization": f"Bearer {boss.token}"}
    pages: set[int] = set()

    def work(i: int, client: httpx.Client) -> list[str]:
        out = []
        for path in ("/kpi/review?month=2026-11", "/kpi/quarter?quarter=2026-Q4"):
            r = client.get(path, headers=auth)
            if r.status_code == 200 and "month" in path:
                pages.add(r.text.count('src="data:image/svg+xml;base64,'))
            out.append(str(r.status_code))
        return out

    assert run_threads(20, work, review_live.base_url) == Counter({"200": 40})
    assert pages == {4}


def test_the_review_says_what_members_told_us(login, anon, db: Session, backend_settings) -> None:  # type: ignore[no-untyped-def]
    from tests.surveys.helpers import (
        answers,
        complete_contact,
        invitation_of,
        send,
        surveyed_member,
        token_for,
    )

    agent = login(Role.TIER1_AGENT)
    member = surveyed_member(db)
    contact = complete_contact(agent.client, member.id)
    invitation = invitation_of(db, contact["id"])
    assert invitation is not None
    send(db, backend_settings)
    token = token_for(db, invitation.id)
    got = anon.post("/api/surveys/answers", json={"token": token, **answers(csat=5, nps=10)})
    assert got.status_code in (200, 201), got.text
    month = now().astimezone(zone_of("calchoice")).date().replace(day=1)
    review = monthly_review(db, "calchoice", month)
    assert review.surveys is not None and review.surveys["total"]["answers"] == 1
    page = login(Role.SUPERVISOR).client.get("/kpi/review", params={"month": f"{month:%Y-%m}"})
    text = re.sub(r"\s+", " ", page.text)
    assert "What members told us" in text
    assert "Satisfied (4 or 5 out of 5)</th> <td data-label" in text and ">100.0%<" in text
    assert ">+100<" in text  # one promoter, no detractors
    assert "Not reported" in text  # CAHPS items need 100 answers

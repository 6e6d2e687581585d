"""Call KPIs over HTTP and on their page: the API and the page agree with the calls imported,
bad input is a 422 naming the field, only roles with kpi.read see them, and the page holds at
phone width with axe-core clean. The route also holds under concurrent clients on both
databases."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.kpi.calls import parse_calls
from memberdesk.kpi.ingest import import_calls
from tests.browser import CHROMIUM, NO_CHROMIUM, page_problems
from tests.dbutil import BACKENDS
from tests.kpi.test_kpi_cli import generated, independent, write_calls
from tests.livesrv import LiveServer, live_server
from tests.test_concurrency import run_threads
from tests.web.test_browser import sign_in

DAY = {"from": "2026-11-02", "to": "2026-11-02"}


def load_calls(session: Session, tmp: Path, n: int = 600, seed: int = 21) -> list[dict[str, str]]:
    rows = generated(n, seed)
    text = write_calls(tmp / "calls.csv", rows).read_text()
    result = import_calls(
        session,
        SYSTEM,
        parse_calls(io.StringIO(text)),
        pack="calchoice",
        threshold=20,
        short_abandon=5,
    )
    assert result.error_count == 0
    return rows


def test_the_api_reports_what_was_imported(login, db: Session, tmp_path: Path) -> None:
    rows = load_calls(db, tmp_path)
    boss = login(Role.SUPERVISOR)
    got = boss.client.get("/api/kpi/calls", params={**DAY, "by": "queue"})
    assert got.status_code == 200, got.text
    body = got.json()
    want = independent(rows, 20, 5.0)
    assert body["from"] == body["to"] == "2026-11-02" and body["threshold_seconds"] == 20
    assert body["total"]["offered"] == want["offered"]
    assert body["total"]["service_level"] == pytest.approx(want["service_level"])
    assert body["total"]["aht_seconds"] == pytest.approx(want["aht_seconds"])
    assert body["total"]["status"]["service_level"] in {"ok", "breach"}
    assert [r["key"] for r in body["rows"]] == ["billing", "tier1"]
    assert sum(r["offered"] for r in body["rows"]) == want["offered"]
    # An agent sees the centre's figures too (no member data in them); an administrator,
    # whose role runs the system rather than the service, does not.
    assert login(Role.TIER1_AGENT).client.get("/api/kpi/calls", params=DAY).status_code == 200
    assert login(Role.ADMIN).client.get("/api/kpi/calls", params=DAY).status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-11-05", "to": "2026-11-01"}, "query.to"),
        ({"from": "2026-13-01", "to": "2026-11-01"}, "query.from"),
        ({"from": "2025-01-01", "to": "2026-11-01"}, "query.to"),  # more than 400 days
        ({**DAY, "pack": "texas"}, "query.pack"),
        ({**DAY, "by": "shift"}, "query.by"),
        ({"to": "2026-11-01"}, "query.from"),
    ],
)
def test_bad_input_names_the_field(login, params: dict[str, str], field: str) -> None:
    got = login(Role.SUPERVISOR).client.get("/api/kpi/calls", params=params)
    assert got.status_code == 422, got.text
    detail = got.json()["detail"][0]
    assert ".".join(str(p) for p in detail["loc"]) == field
    assert "texas" not in got.text and "shift" not in detail["msg"]


def test_the_page_in_words(login, db: Session, tmp_path: Path) -> None:
    load_calls(db, tmp_path)
    boss = login(Role.SUPERVISOR).client
    page = boss.get("/kpi", params={**DAY, "by": "agent"})
    assert page.status_code == 200
    text = page.text
    assert "Service level" in text and "answered within 20 seconds" in text
    assert "Target: at least 80%." in text  # the pack's target, in words
    assert "Target: at most 5%; above 8% misses it." in text
    oregon = boss.get("/kpi", params={**DAY, "pack": "oregon-medicaid"}).text
    assert "No calls for these days" in oregon  # the calls were California's
    assert "No agent (calls nobody answered)" in text and "By agent" in text
    assert re.search(r"\d+ min \d+ s", text)  # handle time in minutes, not raw seconds
    empty = boss.get("/kpi", params={"from": "2026-10-01", "to": "2026-10-02"})
    assert "No calls for these days" in empty.text
    wrong = boss.get("/kpi", params={"from": "2026-11-05", "to": "2026-11-01"})
    assert wrong.status_code == 422
    assert "The last day must not be before the first." in wrong.text
    bad_day = boss.get("/kpi", params={"from": "soon", "to": "2026-11-01"})
    assert bad_day.status_code == 422 and "Enter a date, for example" in bad_day.text


@pytest.fixture(scope="module", params=BACKENDS)
def kpi_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"kpi-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=20) as server:
        with server.sessions() as session:
            load_calls(session, Path(tmp), n=3000)
            session.commit()
        yield server


def test_forty_clients_read_the_figures_at_once(kpi_live: LiveServer) -> None:
    boss = kpi_live.add_user(Role.SUPERVISOR)
    auth = {"Authorization": f"Bearer {boss.token}"}
    answers: set[int] = set()

    def work(i: int, client: httpx.Client) -> list[str]:
        got = []
        for k in range(6):
            by = ("queue", "agent", "day")[(i + k) % 3]
            r = client.get("/api/kpi/calls", params={**DAY, "by": by}, headers=auth)
            if r.status_code == 200:
                answers.add(r.json()["total"]["offered"])
            got.append(str(r.status_code))
        return got

    assert run_threads(40, work, kpi_live.base_url) == Counter({"200": 240})
    assert answers == {3000}  # every client saw the same, whole figures


@pytest.mark.alone
def test_forty_clients_read_the_channels_at_once(kpi_live: LiveServer) -> None:
    boss = kpi_live.add_user(Role.SUPERVISOR)
    auth = {"Authorization": f"Bearer {boss.token}"}
    offered: set[int] = set()

    def work(i: int, client: httpx.Client) -> list[str]:
        got = []
        for k in range(4):
            page = (i + k) % 2 == 0
            r = client.get(
                "/kpi/channels" if page else "/api/kpi/channels", params=DAY, headers=auth
            )
            if r.status_code == 200 and not page:
                [phone] = [row for row in r.json()["rows"] if row["channel"] == "phone"]
                offered.add(phone["calls"]["offered"])
            got.append(str(r.status_code))
        return got

    assert run_threads(40, work, kpi_live.base_url) == Counter({"200": 160})
    assert offered == {3000}


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_a_supervisor_reads_the_figures_in_a_browser(
    live: LiveServer, checked: Page, screens: Path, tmp_path: Path
) -> None:
    with live.sessions() as session:
        load_calls(session, tmp_path, n=800, seed=31)
        session.commit()
    boss = live.add_user(Role.SUPERVISOR, team="Team A")
    sign_in(checked, boss)
    checked.get_by_role("link", name="Call figures").first.click()
    expect(checked.get_by_role("heading", name="Call figures", level=1)).to_be_visible()
    checked.get_by_label("First day").fill("2026-11-02")
    checked.get_by_label("Last day").fill("2026-11-02")
    checked.get_by_label("Break down by").select_option(label="Queue")
    checked.get_by_role("button", name="Show").click()
    expect(checked.get_by_role("heading", name="Service level")).to_be_visible()
    expect(checked.locator("#main")).to_contain_text("answered within 20 seconds")
    expect(checked.get_by_role("heading", name="By queue")).to_be_visible()
    expect(checked.get_by_role("cell", name="billing")).to_be_visible()
    assert page_problems(checked, "kpi-calls", screens) == []
    checked.get_by_role("link", name="contacts by channel").click()
    expect(checked.get_by_role("heading", name="Contacts by channel", level=1)).to_be_visible()
    checked.get_by_label("First day").fill("2026-11-02")
    checked.get_by_label("Last day").fill("2026-11-02")
    checked.get_by_role("button", name="Show").click()
    phone = checked.get_by_role("row").filter(has_text="Phone")
    expect(phone).to_contain_text("of calls answered within 20 seconds")
    assert page_problems(checked, "kpi-channels", screens) == []


def test_targets_in_words_for_each_line_of_business() -> None:
    from memberdesk.kpi.targets import goals_of
    from memberdesk.kpi.words import target_words

    cal, ore = goals_of("calchoice"), goals_of("oregon-medicaid")
    assert target_words(cal["service_level"]) == "target: at least 80%"
    assert target_words(cal["abandon_rate"]) == "target: at most 5%; above 8% misses it"
    assert target_words(ore["abandon_rate"]) == "target: under 3%"  # 3% itself misses it
    assert target_words(ore.get("first_contact_resolution")) == ""  # a benchmark, not a floor


def test_breakdowns_by_time_and_by_team(login, db: Session, tmp_path: Path) -> None:
    rows = load_calls(db, tmp_path)
    login(Role.TIER1_AGENT, team="Team A", username="a1")  # agent IDs match usernames
    login(Role.TIER1_AGENT, team="Team A", username="a2")
    boss = login(Role.SUPERVISOR).client

    def by(kind: str) -> dict[str, Any]:
        got = boss.get("/api/kpi/calls", params={**DAY, "by": kind})
        assert got.status_code == 200, got.text
        return {r["key"]: r for r in got.json()["rows"]}

    offered = len(rows)
    halves = by("interval")
    assert sum(r["offered"] for r in halves.values()) == offered
    assert all(re.fullmatch(r"2026-11-02 \d\d:[03]0", k) for k in halves)
    assert list(by("week")) == ["2026-11-02"]  # a Monday: its own week's first day
    assert list(by("month")) == ["2026-11"] and by("month")["2026-11"]["offered"] == offered
    teams = by("team")
    mine = Counter(r["agent_id"] for r in rows if r["agent_id"] in ("a1", "a2"))
    assert teams["Team A"]["answered"] == sum(mine.values())
    answered = sum(1 for r in rows if r["answered_at"])
    assert teams["Team A"]["answered"] + teams["No team on file"]["answered"] == answered

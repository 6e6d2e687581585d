"""The calculator and a chart page under load, against a live server on each database: twenty
analysts at once all get whole answers, the same ones, and the same as the pure core's."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import pytest

from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.kpi.demo import seed_demo_calls
from memberdesk.sla.packs import zone_of
from memberdesk.wfm import erlang
from tests.dbutil import BACKENDS
from tests.livesrv import LiveServer, live_server
from tests.test_concurrency import run_threads

THREADS = 20


@pytest.fixture(scope="module", params=BACKENDS)
def wfm_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"wfm-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=5) as server:
        last = now().astimezone(zone_of("calchoice")).date() - timedelta(days=1)
        with server.sessions() as session:
            seed_demo_calls(session, SYSTEM, members=1200, last_day=last)
            session.commit()
        yield server


def test_twenty_analysts_use_the_calculator_and_the_forecast_at_once(
    wfm_live: LiveServer,
) -> None:
    analyst = wfm_live.add_user(Role.WFM_ANALYST)
    auth = {"Authorization": f"Bearer {analyst.token}"}
    answers: dict[int, str] = {}
    accuracy: set[str] = set()

    def work(i: int, client: httpx.Client) -> list[str]:
        calls = 50 + 10 * i  # each thread its own question
        got = client.get(
            "/wfm/staff",
            params={"calls": calls, "aht": 420, "interval": 30, "target": 80, "within": 20},
            headers=auth | ({"HX-Request": "true"} if i % 2 else {}),
        )
        found = re.search(r'id="agents-needed">(\d+) agents', got.text)
        if found:
            answers[calls] = found.group(1)
        chart = client.get("/wfm/forecast", params={"by": "day", "weeks": 4}, headers=auth)
        acc = re.search(r"(\d+)% accurate", chart.text)
        if acc and chart.text.count("data:image/svg+xml;base64,") == 1:
            accuracy.add(acc.group(1))
        return [str(got.status_code), str(chart.status_code)]

    assert run_threads(THREADS, work, wfm_live.base_url) == Counter({"200": 2 * THREADS})
    assert len(answers) == THREADS
    for calls, agents in answers.items():
        want = erlang.staff(calls, 420, interval=1800, target=0.8, within=20)
        assert int(agents) == want.agents
    assert len(accuracy) == 1  # every thread saw the same forecast

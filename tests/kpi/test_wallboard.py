"""The live wallboard: what it counts from the feed (callers waiting, the longest wait, on hold,
agents by state, today's figures against target, callbacks due, the team's bests), its stream of
updates, who may see it, and, in a real browser, an event posted to the API showing on the open
board within two seconds, at desktop and phone width with axe-core clean."""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.kpi.board import snapshot
from memberdesk.kpi.calls import parse_calls
from memberdesk.kpi.ingest import import_calls
from memberdesk.sla.packs import zone_of
from tests.browser import CHROMIUM, NO_CHROMIUM, page_problems
from tests.dbutil import BACKENDS
from tests.livesrv import LiveServer, live_server
from tests.test_concurrency import run_threads
from tests.web.test_browser import sign_in


def ago(seconds: float) -> str:
    return (now() - timedelta(seconds=seconds)).isoformat()


def live_floor(tag: str) -> list[dict[str, Any]]:
    """Two callers waiting in one queue, one on hold in another, one talking; four agents."""
    c = f"{tag}-"
    return [
        {"id": c + "1", "type": "offered", "at": ago(30), "call_id": c + "w1", "queue": "tier1"},
        {"id": c + "2", "type": "offered", "at": ago(95), "call_id": c + "w2", "queue": "tier1"},
        {"id": c + "3", "type": "offered", "at": ago(300), "call_id": c + "h", "queue": "billing"},
        {"id": c + "4", "type": "answered", "at": ago(290), "call_id": c + "h", "agent_id": "a4"},
        {"id": c + "5", "type": "held", "at": ago(60), "call_id": c + "h"},
        {"id": c + "6", "type": "offered", "at": ago(200), "call_id": c + "t", "queue": "billing"},
        {"id": c + "7", "type": "answered", "at": ago(150), "call_id": c + "t", "agent_id": "a5"},
        {"id": c + "8", "type": "ready", "at": ago(900), "agent_id": "a1"},
        {"id": c + "9", "type": "break", "at": ago(600), "agent_id": "a2"},
        {"id": c + "10", "type": "wrap", "at": ago(20), "agent_id": "a3"},
        {"id": c + "11", "type": "ready", "at": ago(900), "agent_id": "a4"},  # on a call now
        {"id": c + "12", "type": "logged_out", "at": ago(100), "agent_id": "a6"},
    ]


def import_rows(db: Session, rows: list[str]) -> None:
    """Import call-record CSV rows (without the header) for the default line of business."""
    header = (
        "call_id,queue,offered_at,answered_at,abandoned_at,talk_seconds,hold_seconds,"
        "wrap_seconds,agent_id,member_id"
    )
    text = "\n".join([header, *rows]) + "\n"
    result = import_calls(
        db, SYSTEM, parse_calls(io.StringIO(text)), pack="calchoice", threshold=20, short_abandon=5
    )
    assert result.error_count == 0


def test_the_board_counts_what_is_live(login, db: Session) -> None:
    got = login(Role.TELEPHONY).client.post("/api/kpi/events", json={"events": live_floor("x")})
    assert got.status_code == 200, got.text
    board = snapshot(db, "calchoice", now())
    assert board.waiting == 2 and board.on_hold == 1
    assert board.longest_wait_seconds is not None and 95 <= board.longest_wait_seconds < 120
    by_queue = {q.queue: q for q in board.queues}
    assert (by_queue["tier1"].waiting, by_queue["billing"].on_hold) == (2, 1)
    assert by_queue["billing"].talking == 1
    assert board.agents == {"ready": 1, "on_call": 1, "wrap": 1, "break": 1, "not_ready": 0}
    # Two calls answered so far today: one after 10 s (in time), one after 50 s (not).
    assert (board.today["answered"], board.today["offered"]) == (2, 2)
    assert board.today["service_level"] == pytest.approx(0.5)
    page = login(Role.TIER1_AGENT).client.get("/wallboard")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert 'Waiting now</h2><p class="big" data-figure="waiting">2</p>' in text
    assert "1 min 3" in text  # the longest wait, in minutes and seconds
    assert '<span class="n">1</span> on a call' in text
    assert "Misses the target" in text  # 50% against at least 80%, in words beside the colour


def test_bests_are_celebrated(login, db: Session) -> None:
    """An agent who beats their best day of the last 90 days is named on the strip."""
    zone = zone_of("calchoice")
    today = now().astimezone(zone).replace(hour=9, minute=0, second=0, microsecond=0)
    if today > now():
        today -= timedelta(days=1)  # before 9 in the morning: use yesterday as "today"
    earlier = today - timedelta(days=7)
    lines: list[str] = []

    def call(i: int, at: datetime, agent: str) -> str:
        answered = (at + timedelta(seconds=5)).isoformat()
        return f"b{i},tier1,{at.isoformat()},{answered},,300,0,30,{agent},"

    lines += [call(i, earlier + timedelta(minutes=i), "ann") for i in range(3)]
    lines += [call(10 + i, today + timedelta(minutes=i), "ann") for i in range(4)]
    lines += [call(20 + i, today + timedelta(minutes=i), "bob") for i in range(2)]
    import_rows(db, lines)
    board = snapshot(db, "calchoice", today + timedelta(hours=1))
    day = f"{earlier:%-d %B}"
    assert f"New personal best: ann has answered 4 calls today (best before: 3 on {day})." in (
        board.cheers
    )
    assert "Most calls answered today: ann (4), bob (2)." in board.cheers
    assert "Service level today: 100%, on target." in board.cheers
    assert f"Best day lately: ann, 3 calls on {day}." in board.cheers


def test_who_sees_the_board(login) -> None:
    assert login(Role.TELEPHONY).client.get("/wallboard").status_code == 403
    assert login(Role.ADMIN).client.get("/wallboard").status_code == 403
    boss = login(Role.SUPERVISOR).client
    assert boss.get("/wallboard", params={"pack": "oregon-medicaid"}).status_code == 200
    wrong = boss.get("/wallboard", params={"pack": "texas"})
    assert wrong.status_code == 422 and "texas" not in wrong.text


@pytest.fixture(scope="module", params=BACKENDS)
def board_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"board-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=5) as server:
        yield server


def first_board(client: httpx.Client, url: str, headers: dict[str, str]) -> str:
    """The first board the stream sends."""
    with client.stream("GET", url, headers=headers) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        data: list[str] = []
        for line in stream.iter_lines():
            if line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif not line and data:
                return "\n".join(data)
    raise AssertionError("the stream ended without a board")


def test_forty_screens_watch_while_events_flow(board_live: LiveServer) -> None:
    """Forty clients open the board and its stream while a sender posts events: every answer
    is whole, and the stream carries the board."""
    feeder = board_live.add_user(Role.TELEPHONY)
    boss = board_live.add_user(Role.SUPERVISOR)
    watch = {"Authorization": f"Bearer {boss.token}"}
    send = {"Authorization": f"Bearer {feeder.token}"}

    def work(i: int, client: httpx.Client) -> list[str]:
        out = []
        for k in range(3):
            if i % 4 == 0:
                events = live_floor(f"s{i}-{k}")
                r = client.post("/api/kpi/events", json={"events": events}, headers=send)
                out.append(f"send {r.status_code}")
            elif i % 4 == 1:
                html = first_board(client, "/wallboard/stream", watch)
                out.append("stream ok" if "Waiting now" in html else "stream bad")
            else:
                r = client.get("/wallboard", headers=watch)
                ok = r.status_code == 200 and "Waiting now" in r.text
                out.append("page ok" if ok else f"page {r.status_code}")
        return out

    outcomes = run_threads(40, work, board_live.base_url)
    assert outcomes == Counter({"send 200": 30, "stream ok": 30, "page ok": 60}), outcomes


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_an_event_shows_on_the_open_board_within_two_seconds(
    live: LiveServer, page: Page, checked: Page, screens: Path
) -> None:
    """Watched in a browser that keeps the site's Content-Security-Policy (the stream and its
    script must work under it); axe-core then runs in the profile made for it."""
    boss = live.add_user(Role.SUPERVISOR, team="Team A")
    feeder = live.add_user(Role.TELEPHONY)
    send = {"Authorization": f"Bearer {feeder.token}"}
    httpx.post(
        live.url("/api/kpi/events"), json={"events": live_floor("page")}, headers=send
    ).raise_for_status()
    sign_in(page, boss)
    page.get_by_role("link", name="Wallboard").first.click()
    expect(page.get_by_role("heading", name="Wallboard", level=1)).to_be_visible()
    expect(page.locator("[data-queue='tier1']")).to_be_visible()
    page.wait_for_timeout(1200)  # the stream is open and has sent its first board
    event = {
        "id": "new-1",
        "type": "offered",
        "at": ago(1),
        "call_id": "new-1",
        "queue": "eligibility",
    }
    sent = time.monotonic()
    httpx.post(
        live.url("/api/kpi/events"), json={"events": [event]}, headers=send
    ).raise_for_status()
    # The promise, checked as a user would watch for it: on screen within 2 seconds.
    expect(page.locator("[data-queue='eligibility']")).to_be_visible(timeout=2000)
    shown_after = time.monotonic() - sent
    assert shown_after < 2.0
    expect(page.locator("#main")).to_contain_text("on a call")
    page.screenshot(path=str(screens / "wallboard-updated.png"), full_page=True)
    sign_in(checked, boss)
    checked.goto("/wallboard")
    expect(checked.locator("[data-queue='eligibility']")).to_be_visible()
    assert page_problems(checked, "wallboard", screens) == []


def big_floor(tag: str, queues: int = 50, agents: int = 500) -> list[dict[str, Any]]:
    """A large centre: every agent signed in and ready, two calls being talked in each queue,
    and callers waiting in every third queue (one more the further down the list)."""
    events: list[dict[str, Any]] = []

    def add(kind: str, seconds: float, **fields: Any) -> None:
        events.append({"id": f"{tag}-{len(events)}", "type": kind, "at": ago(seconds), **fields})

    for a in range(agents):
        add("ready", 3600, agent_id=f"agent-{a:03d}")
    for q in range(queues):
        name = f"queue-{q:02d}"
        for k in range(2):
            call = f"{tag}-{name}-t{k}"
            add("offered", 400, call_id=call, queue=name)
            add("answered", 390 - q, call_id=call, agent_id=f"agent-{(2 * q + k):03d}")
        if q % 3 == 0:
            for k in range(1 + q // 10):
                add("offered", 20 + q * 3 + k, call_id=f"{tag}-{name}-w{k}", queue=name)
    return events


def test_a_large_floor_stays_readable(login, db: Session) -> None:
    feeder = login(Role.TELEPHONY).client
    events = big_floor("big")
    for i in range(0, len(events), 1000):
        got = feeder.post("/api/kpi/events", json={"events": events[i : i + 1000]})
        assert got.status_code == 200, got.text
    board = snapshot(db, "calchoice", now())
    assert len(board.queues) == 50 and sum(board.agents.values()) == 500
    assert board.agents["on_call"] == 100 and board.agents["ready"] == 400
    # The queues with callers waiting lead, the longest wait first; the rest are listed by name.
    busy = [q.queue for q in board.busy]
    assert busy == [f"queue-{q:02d}" for q in range(48, -1, -3)]
    assert [q.queue for q in board.quiet] == sorted(
        f"queue-{q:02d}" for q in range(50) if q % 3 != 0
    )
    text = re.sub(r"\s+", " ", login(Role.SUPERVISOR).client.get("/wallboard").text)
    assert text.count("data-queue=") == 50
    assert text.index('data-queue="queue-48"') < text.index('data-queue="queue-00"')


def test_many_personal_bests_are_summed_up(login, db: Session) -> None:
    """Eight agents beating their best: five named, the others counted, so the strip stays short."""
    zone = zone_of("calchoice")
    today = now().astimezone(zone).replace(hour=9, minute=0, second=0, microsecond=0)
    if today > now():
        today -= timedelta(days=1)
    earlier = today - timedelta(days=3)
    lines: list[str] = []
    for a in range(8):
        for i, at in enumerate([earlier, today, today + timedelta(minutes=9)]):
            answered = (at + timedelta(seconds=5)).isoformat()
            lines.append(f"pb{a}-{i},tier1,{at.isoformat()},{answered},,300,0,30,pb-{a},")
    import_rows(db, lines)
    cheers = snapshot(db, "calchoice", today + timedelta(hours=1)).cheers
    named = [c for c in cheers if c.startswith("New personal best")]
    assert len(named) == 5
    assert "And 3 more agents beat their best today." in cheers
    assert len([c for c in cheers if c.startswith("Best day lately")]) == 5


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_fifty_queues_and_five_hundred_agents_on_a_wall_screen(
    live: LiveServer, page: Page, checked: Page, screens: Path
) -> None:
    boss = live.add_user(Role.SUPERVISOR, team="Team A")
    feeder = live.add_user(Role.TELEPHONY)
    events = big_floor("wall")
    for i in range(0, len(events), 1000):
        httpx.post(
            live.url("/api/kpi/events"),
            json={"events": events[i : i + 1000]},
            headers={"Authorization": f"Bearer {feeder.token}"},
            timeout=60,
        ).raise_for_status()
    page.set_viewport_size({"width": 1920, "height": 1080})  # a wall screen
    sign_in(page, boss)
    page.goto("/wallboard")
    expect(page.locator("[data-queue='queue-48']")).to_be_visible()
    expect(page.locator("[data-queue^='queue-']")).to_have_count(50)
    # The queue needing someone most is on the first screen, without scrolling. (Asked with a
    # retrying expectation: the live stream may redraw the tile between two plain calls.)
    expect(page.locator("[data-queue='queue-48']")).to_be_in_viewport(ratio=1)
    page.screenshot(path=str(screens / "wallboard-large-floor.png"), full_page=True)
    sign_in(checked, boss)
    checked.goto("/wallboard")
    assert page_problems(checked, "wallboard-large-floor", screens) == []

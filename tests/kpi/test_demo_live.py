"""The live demo floor: its events make whole calls and agents the wallboard can show, and the
demo's feeder thread sends them through the real feed."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance.audit import SYSTEM
from memberdesk.kpi.board import snapshot
from memberdesk.kpi.demo_live import ON_SHIFT, Floor, LiveDemo
from memberdesk.kpi.feed import receive
from memberdesk.kpi.live import CallEvent, CallState, fold_call
from memberdesk.kpi.models import FeedEvent
from tests.livesrv import LiveServer, live_server

START = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 10:00 in California


def play(minutes: int, seed: int = 3) -> list:  # type: ignore[type-arg]
    floor = Floor(seed=seed)
    events = []
    for tick in range(0, minutes * 60 + 1, 2):
        events += floor.advance(START + timedelta(seconds=tick))
    return events


def test_the_floor_makes_whole_calls() -> None:
    events = play(60)
    assert play(60) == events  # the same for a seed
    calls = {e.call_id for e in events if e.call_id}
    assert len(calls) > 15  # about 40 an hour
    states = [fold_call(c, [e for e in events if e.call_id == c]).state for c in calls]
    assert CallState.UNKNOWN not in states  # every call was offered before anything else
    assert {CallState.ENDED} <= set(states)
    assert len({e.key for e in events}) == len(events)
    offered = [e for e in events if e.kind is CallEvent.OFFERED]
    assert all(START <= e.at <= START + timedelta(minutes=60) for e in offered)


def test_the_board_shows_the_demo_floor(db: Session) -> None:
    events = play(45)
    for i in range(0, len(events), 200):
        receive(db, SYSTEM, "calchoice", events[i : i + 200])
    board = snapshot(db, "calchoice", START + timedelta(minutes=45))
    assert sum(board.agents.values()) == ON_SHIFT
    assert board.today["offered"] > 10 and board.queues


def test_the_demo_thread_feeds_a_live_server(tmp_path: Path) -> None:
    with live_server("sqlite", tmp_path / "var", tmp_path, members=3) as live:
        feed_for_a_while(live)


def feed_for_a_while(live: LiveServer) -> None:
    demo = LiveDemo(live.sessions)
    demo.start()
    try:
        deadline = time.monotonic() + 20  # a guard against a thread that never sends
        sent = 0
        while time.monotonic() < deadline and sent == 0:
            time.sleep(0.5)
            with live.sessions() as session:
                sent = session.scalar(select(func.count()).select_from(FeedEvent)) or 0
        assert sent >= ON_SHIFT * 2  # the shift signed in, and ready
    finally:
        demo.stopping.set()
        demo.join(10)

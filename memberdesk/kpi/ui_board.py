"""The live wallboard: a page that updates itself from server-sent events. Each process renders
each line's board at most twice a second, however many screens watch it, and every app server
polls the database on its own, so several servers share one PostgreSQL without coordination.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep, Sessions
from memberdesk.errors import InvalidInput
from memberdesk.kpi.board import BestsCache, Board, snapshot
from memberdesk.kpi.targets import goals_of, threshold_of
from memberdesk.kpi.words import LINES, STANDING, seconds_words, share_words, target_words
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import render, templates

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.KPI_READ)]


AGENT_LABELS = {
    "ready": "ready",
    "on_call": "on a call",
    "wrap": "finishing up after a call",
    "break": "on a break",
    "not_ready": "not ready",
}


def board_context(board: Board) -> dict[str, Any]:
    """What the board's template needs besides the board."""
    goals = goals_of(board.pack)
    return {
        "board": board,
        "threshold": threshold_of(goals),
        "targets": {m: target_words(goals.get(m)) for m in ("service_level", "abandon_rate")},
        "standing": STANDING,
        "seconds": seconds_words,
        "share": share_words,
        "agent_labels": AGENT_LABELS,
        "updated": f"{board.at.astimezone(zone_of(board.pack)):%H:%M:%S}",
    }


BOARD_PERIOD = 0.5  # seconds between looks at the data: an event shows within about one
STREAM_SECONDS = 600.0  # then the browser reconnects, and its session is checked again


class Boards:
    """Each line's board rendered at most once per period in this process, however many
    screens watch it; every app server polls on its own, so several share one database."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        self._made: dict[str, tuple[float, str]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._bests = BestsCache()

    async def latest(self, pack: str) -> str:
        """The board's HTML, no older than the period."""
        async with self._locks.setdefault(pack, asyncio.Lock()):
            made = self._made.get(pack)
            if made is None or time.monotonic() - made[0] >= BOARD_PERIOD * 0.9:
                made = self._made[pack] = (
                    time.monotonic(),
                    await run_in_threadpool(self._render, pack),
                )
        return made[1]

    def _render(self, pack: str) -> str:
        with self._sessions.read() as session:
            board = snapshot(session, pack, now(), self._bests)
        return templates.get_template("kpi/_board.html").render(**board_context(board))


def _boards(request: Request) -> Boards:
    boards: Boards | None = getattr(request.app.state, "boards", None)
    if boards is None:  # made on first use (the event loop runs one coroutine at a time)
        boards = request.app.state.boards = Boards(request.app.state.sessions)
    return boards


def pack_checked(pack: str) -> str:
    if pack not in LINES:
        raise InvalidInput("choose calchoice or oregon-medicaid", field="query.pack")
    return pack


@router.get("/wallboard", response_class=HTMLResponse)
def wallboard_page(
    request: Request, session: ReadingSessionDep, principal: Reader, pack: str = "calchoice"
) -> HTMLResponse:
    """The live wallboard of a line of business (it then updates itself)."""
    board = snapshot(session, pack_checked(pack), now())
    session.commit()
    return render(
        request,
        "kpi/wallboard.html",
        principal,
        pack=pack,
        lines=LINES,
        line=LINES[pack],
        **board_context(board),
    )


@router.get("/wallboard/stream", response_class=EventSourceResponse)
async def wallboard_stream(
    request: Request, principal: Reader, pack: str = "calchoice"
) -> AsyncIterator[ServerSentEvent]:
    """The board, sent again whenever it changed (checked twice a second). The stream ends
    after a while and the browser reconnects, so that a revoked session stops receiving."""
    boards = _boards(request)
    pack = pack_checked(pack)
    last = None
    stop = time.monotonic() + STREAM_SECONDS
    while time.monotonic() < stop and not await request.is_disconnected():
        html = await boards.latest(pack)
        if html != last:
            yield ServerSentEvent(raw_data=html, event="board", retry=2000)
            last = html
        await asyncio.sleep(BOARD_PERIOD)

"""The call KPIs page: service level, abandonment and times over chosen days, against the
line of business's targets, broken down by queue, agent or day (the rollups, never the calls).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep, Sessions
from memberdesk.errors import InvalidInput
from memberdesk.kpi.api import report
from memberdesk.kpi.board import BestsCache, Board, snapshot
from memberdesk.kpi.report import By
from memberdesk.kpi.targets import goals_of, threshold_of
from memberdesk.sla.packs import KpiGoal, zone_of
from memberdesk.web.pages import render, templates

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.KPI_READ)]

LINES = {"calchoice": "California small-employer plans", "oregon-medicaid": "Oregon Medicaid"}
BREAKDOWNS = {"": "No breakdown", "queue": "Queue", "agent": "Agent", "day": "Day"}
STANDING = {"ok": "On target", "warning": "Near the limit", "breach": "Misses the target"}
FIELDS = {"query.from": "from", "query.to": "to", "query.pack": "pack"}


def _day(text: str, field: str, errors: dict[str, str]) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[field] = "Enter a date, for example 2026-11-30."
        return None
    if not 2000 <= day.year <= 2199:
        errors[field] = "Enter a date between the years 2000 and 2199."
        return None
    return day


def _pct(x: float) -> str:
    return f"{x:.0%}" if round(x * 100, 6).is_integer() else f"{x:.1%}"


def target_words(goal: KpiGoal | None) -> str:
    """A share's target as a sentence: "target: at least 80%", "target: under 3%", "target:
    at most 5%; above 8% misses it"; empty when there is none."""
    if goal is None or not goal.has_thresholds:
        return ""
    if goal.breach_below is not None:
        bound, warn, bound_word, side = goal.breach_below, goal.warn_below, "more than", "below"
        plain = "at least"
    elif goal.breach_above is not None:
        bound, warn, bound_word, side = goal.breach_above, goal.warn_above, "under", "above"
        plain = "at most"
    else:
        return ""
    if warn is not None:
        return f"target: {plain} {_pct(warn)}; {side} {_pct(bound)} misses it"
    return f"target: {bound_word if goal.breach_at_bound else plain} {_pct(bound)}"


def seconds_words(value: float | None) -> str:
    """18 seconds, 6 min 12 s; a dash when there is nothing to measure."""
    if value is None:
        return "—"
    whole = round(value)
    if whole < 60:
        return f"{whole} second{'s' if whole != 1 else ''}"
    return f"{whole // 60} min {whole % 60} s"


def share_words(value: float | None) -> str:
    """82.4%; a dash when there is nothing to measure."""
    return "—" if value is None else f"{value:.1%}"


@router.get("/kpi", response_class=HTMLResponse)
def kpi_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
    pack: str = "calchoice",
    by: str = "",
) -> HTMLResponse:
    """Call KPIs over whole days (this month so far by default)."""
    today = now().astimezone(zone_of(pack if pack in LINES else "calchoice")).date()
    typed = {
        "from": first or today.replace(day=1).isoformat(),
        "to": last or today.isoformat(),
        "pack": pack,
        "by": by,
    }
    errors: dict[str, str] = {}
    if pack not in LINES:
        errors["pack"] = "Choose a line of business from the list."
    if by not in BREAKDOWNS:
        errors["by"] = "Choose a breakdown from the list."
    start = _day(typed["from"], "from", errors)
    end = _day(typed["to"], "to", errors)
    found: dict[str, Any] | None = None
    if not errors and start is not None and end is not None:
        try:
            found = report(session, pack, start, end, By(by) if by else None)
        except InvalidInput as exc:
            errors[FIELDS.get(exc.field or "", "to")] = (
                "The last day must not be before the first."
                if "before" in exc.message
                else exc.message[:1].upper() + exc.message[1:] + "."
            )
    session.commit()
    goals = goals_of(pack) if pack in LINES else {}
    return render(
        request,
        "kpi/calls.html",
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        report=found,
        lines=LINES,
        breakdowns=BREAKDOWNS,
        standing=STANDING,
        seconds=seconds_words,
        share=share_words,
        by_label=BREAKDOWNS.get(by, ""),
        targets={m: target_words(goals.get(m)) for m in ("service_level", "abandon_rate")},
    )


# The wallboard ---------------------------------------------------------------------------------

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


def _pack(pack: str) -> str:
    if pack not in LINES:
        raise InvalidInput("choose calchoice or oregon-medicaid", field="query.pack")
    return pack


@router.get("/wallboard", response_class=HTMLResponse)
def wallboard_page(
    request: Request, session: ReadingSessionDep, principal: Reader, pack: str = "calchoice"
) -> HTMLResponse:
    """The live wallboard of a line of business (it then updates itself)."""
    board = snapshot(session, _pack(pack), now())
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
    pack = _pack(pack)
    last = None
    stop = time.monotonic() + STREAM_SECONDS
    while time.monotonic() < stop and not await request.is_disconnected():
        html = await boards.latest(pack)
        if html != last:
            yield ServerSentEvent(raw_data=html, event="board", retry=2000)
            last = html
        await asyncio.sleep(BOARD_PERIOD)

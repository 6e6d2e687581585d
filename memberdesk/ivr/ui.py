"""The phone menu on staff pages: the agent desktop's live channel of screen pops (server-sent
events), the page a pop opens (the member the menu identified, or a search by the caller's
number, with the path the call took), taking the call from it, and containment by month.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.compliance.masking import masked_for
from memberdesk.contacts import access, desk
from memberdesk.contacts.enums import VerificationFact
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput, NotFound
from memberdesk.ivr import report, screen_pops, words
from memberdesk.ivr.enums import Choice
from memberdesk.ivr.models import IvrCall, ScreenPop
from memberdesk.members import access as members_access
from memberdesk.members import service as members_service
from memberdesk.members import views as members_views
from memberdesk.members.models import Member
from memberdesk.schemas import id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Agent = Annotated[Principal, requires(Permission.CONTACT_WRITE)]
Reader = Annotated[Principal, requires(Permission.KPI_READ)]
PopId = Annotated[int, id_path("screen pop")]
POLL_SECONDS = 0.5  # a pop shows within about this long of the call being answered
STREAM_SECONDS = 600.0  # then the browser reconnects, and its session is checked again


class PopWatch:
    """Fresh pops looked up at most once per period in this process, however many desktops it
    streams to (one query, not one per agent); every app server looks on its own, so several
    share one PostgreSQL without coordination."""

    def __init__(self, sessions: Any) -> None:
        self._sessions = sessions
        self._rows: list[tuple[int, int]] = []
        self._at = float("-inf")
        self._lock = asyncio.Lock()
        self._opened: set[int] = set()

    async def fresh(self) -> list[tuple[int, int]]:
        """(pop id, agent id) of the pops waiting, no older than the period."""
        async with self._lock:
            if time.monotonic() - self._at >= POLL_SECONDS * 0.9:
                self._rows = await run_in_threadpool(self._look)
                self._at = time.monotonic()
                # A pop shown but not yet taken is still waiting in the database: keep it
                # out of this process's offers until it is taken or goes stale.
                self._opened &= {pop_id for pop_id, _ in self._rows}
        return [r for r in self._rows if r[0] not in self._opened]

    def opened(self, pop_id: int) -> None:
        """A pop shown through this process: not offered again by it while it waits to be taken."""
        self._opened.add(pop_id)

    def _look(self) -> list[tuple[int, int]]:
        with self._sessions.read() as session:
            return screen_pops.fresh(session, now())


def _watch(request: Request) -> PopWatch:
    watch: PopWatch | None = getattr(request.app.state, "pop_watch", None)
    if watch is None:  # made on first use (the event loop runs one coroutine at a time)
        watch = request.app.state.pop_watch = PopWatch(request.app.state.sessions)
    return watch


@router.get("/desktop/pops/stream", response_class=EventSourceResponse)
async def pops_stream(request: Request, principal: Agent) -> AsyncIterator[ServerSentEvent]:
    """The agent's calls as they are answered: each an event naming the page to open (no PHI
    travels on the stream). The stream ends after a while and the browser reconnects, so that a
    revoked session stops receiving."""
    watch = _watch(request)
    sent: set[int] = set()
    stop = time.monotonic() + STREAM_SECONDS
    yield ServerSentEvent(comment="listening", retry=2000)
    while time.monotonic() < stop and not await request.is_disconnected():
        for pop_id, agent_id in await watch.fresh():
            if agent_id == principal.user_id and pop_id not in sent:
                sent.add(pop_id)
                yield ServerSentEvent(data={"open": f"/desktop/pops/{pop_id}"}, event="pop")
        await asyncio.sleep(POLL_SECONDS)


def _own_pop(
    session: SessionDep | ReadingSessionDep, principal: Principal, pop_id: int
) -> ScreenPop:
    pop = session.get(ScreenPop, pop_id)
    if pop is None or pop.agent_id != principal.user_id:
        raise NotFound("no call of yours with this id", field="path.pop_id")
    return pop


@router.get("/desktop/pops/{pop_id}")
def pop_page(
    pop_id: PopId, request: Request, session: ReadingSessionDep, principal: Agent
) -> HTMLResponse:
    """A call that reached this agent: who the phone menu identified (record read audited) or
    the number to search by, and the path the call took. Only reads (a GET never takes
    SQLite's write lock): the pop counts as opened when the call is taken."""
    pop = _own_pop(session, principal, pop_id)
    call = session.get(IvrCall, pop.ivr_call_id) if pop.ivr_call_id else None
    member = session.get(Member, pop.member_id) if pop.member_id else None
    detail, coverage = None, None
    if member is not None:
        members_access.record_read(session, audit_ctx(request, principal), member, request.url.path)
        today = now().date()
        age_limit = int(request.app.state.settings.dependent_age_limit)
        detail = masked_for(principal.role, members_views.detail(member, today, age_limit))
        coverage = members_service.eligibility(member, today, age_limit).explanation
    session.commit()
    _watch(request).opened(pop.id)
    identified = bool(call and Choice.IDENTIFIED.value in call.path)
    return render(
        request,
        "ivr/pop.html",
        principal,
        pop=pop,
        member=detail,
        coverage=coverage,
        identified=identified,
        path=words.path_words(call.path) if call else [],
        outcome=words.OUTCOMES[call.outcome] if call else None,
        queue=words.queue_words(call.queue) if call else None,
        language=words.LANGUAGES.get(call.language or "", "not chosen") if call else None,
    )


@router.post("/desktop/pops/{pop_id}/take")
def take(pop_id: PopId, request: Request, session: SessionDep, principal: Agent) -> Response:
    """Start the desktop call with the member; a caller the menu identified by member ID and
    date of birth counts as verified by those two facts (when the rule asks no more)."""
    pop = _own_pop(session, principal, pop_id)
    pop.opened_at = pop.opened_at or now()
    if pop.desk_contact_id is not None:
        return RedirectResponse(f"/desktop/calls/{pop.desk_contact_id}#call", status_code=303)
    member = session.get(Member, pop.member_id) if pop.member_id else None
    ctx = audit_ctx(request, principal)
    contact = desk.start_call(session, ctx, agent_id=principal.user_id, member=member, at=now())
    pop.desk_contact_id = contact.id
    call = session.get(IvrCall, pop.ivr_call_id) if pop.ivr_call_id else None
    where = f"/desktop/calls/{contact.id}"
    if member is not None:
        where += "/verify"
        if call is not None and call.member_id == member.id:
            try:
                access.verify(
                    session,
                    ctx,
                    contact.id,
                    [VerificationFact.MEMBER_ID, VerificationFact.DATE_OF_BIRTH],
                    user_id=principal.user_id,
                    at=now(),
                    settings=request.app.state.settings,
                )
                where = f"/desktop/calls/{contact.id}#call"
            except InvalidInput:
                pass  # the plan asks for more facts than the menu checks: the agent asks them
    session.commit()
    return RedirectResponse(where, status_code=303)


@router.get("/ivr")
def containment_page(
    request: Request, session: ReadingSessionDep, principal: Reader, pack: str = "calchoice"
) -> HTMLResponse:
    """Phone menu containment: each month's calls and the share it answered, against goal."""
    if pack not in ("calchoice", "oregon-medicaid"):
        raise InvalidInput("choose calchoice or oregon-medicaid", field="query.pack")
    first, last = report.period(None, None, now())
    out = report.containment(session, pack, first, last)
    session.commit()
    return render(
        request,
        "ivr/containment.html",
        principal,
        report=out,
        pack=pack,
        standing={
            "below": "below the goal",
            "within": "within the goal",
            "above": "above the goal",
        },
    )

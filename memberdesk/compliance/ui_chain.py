"""The chain page: the audit chain's length, its signed checkpoints, the anchor's age, the last
verifications, and "Verify the chain", which queues a run that a background task walks (never
the request) while the page polls its progress from the database (``chainrun``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import chainrun, reports, words
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission, VerifyRunState
from memberdesk.compliance.models import AuditVerifyRun
from memberdesk.contacts.timewords import local_time
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.members.words import count
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Auditor = Annotated[Principal, requires(Permission.AUDIT_READ)]
ZONE = zone_of("compliance")


def age_words(then: datetime, at: datetime) -> str:
    """How long ago, as a person says it: "under a minute", "3 hours", "12 days"."""
    seconds = max((at - then).total_seconds(), 0)
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return count(int(seconds // 60), "minute")
    if seconds < 2 * 86400:
        return count(int(seconds // 3600), "hour")
    return count(int(seconds // 86400), "day")


def run_view(run: AuditVerifyRun, at: datetime) -> dict[str, Any]:
    """A run in words, with its progress as a share of the chain it set out to check."""
    state = VerifyRunState.STOPPED if chainrun.stale(run, at) else run.state
    total = max(run.total, run.checked, 1)
    done = state not in chainrun.ACTIVE
    return {
        "id": run.id,
        "state": state.value,
        "words": words.RUN_STATES[state],
        "active": not done,
        "by": run.requested_by,
        "asked": local_time(run.requested_at, ZONE, at),
        "finished": local_time(run.finished_at, ZONE, at) if run.finished_at else "",
        "checked": run.checked,
        "total": run.total,
        "percent": 100 if state == VerifyRunState.PASSED else min(99, run.checked * 100 // total),
        "checkpoints": run.checkpoints,
        "first_bad": run.first_bad,
        "problem": run.problem,
    }


def _chain_context(session: Session, request: Request, at: datetime) -> dict[str, Any]:
    facts = chainrun.facts(session)
    anchor = chainrun.anchor_of(request.app.state.settings.var_dir)
    runs = [run_view(r, at) for r in chainrun.recent_runs(session)]
    last_cp = facts.last_checkpoint
    # Any verification, the console's or `audit verify`'s or the API's: each is in the log.
    found = reports.search_audit(
        session, reports.AuditFilter(action=AuditAction.AUDIT_VERIFIED.value), 1
    )
    verified = found[0] if found else None
    return {
        "verified": {
            "when": local_time(verified.at, ZONE, at),
            "age": age_words(verified.at, at),
            "by": verified.actor,
            "ok": bool((verified.detail or {}).get("ok")),
            "entries": (verified.detail or {}).get("entries", 0),
        }
        if verified
        else None,
        "facts": facts,
        "last_cp": {
            "id": last_cp.id,
            "entry": last_cp.last_entry_id,
            "when": local_time(last_cp.at, ZONE, at),
            "age": age_words(last_cp.at, at),
        }
        if last_cp
        else None,
        "anchor": {
            "checkpoint": anchor.checkpoint,
            "entry": anchor.last_entry_id,
            "when": local_time(anchor.written_at, ZONE, at),
            "age": age_words(anchor.written_at, at),
            "behind": (last_cp.id - anchor.checkpoint) if last_cp else 0,
        }
        if anchor
        else None,
        "current": runs[0] if runs else None,
        "earlier": runs[1:],
    }


@router.get("/compliance/chain", response_class=HTMLResponse)
def chain_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Auditor,
    started: bool = False,
    running: bool = False,
) -> HTMLResponse:
    """The chain's standing and its verifications."""
    context = _chain_context(session, request, now())
    session.commit()
    notice = (
        "Verification started. It runs in the background: you may leave this page."
        if started
        else "A verification was already running; its progress is below."
        if running
        else None
    )
    return render(request, "compliance/chain.html", principal, notice=notice, **context)


@router.get("/compliance/chain/progress", response_class=HTMLResponse)
def chain_progress(
    request: Request, session: ReadingSessionDep, principal: Auditor
) -> HTMLResponse:
    """The run's progress alone (the page swaps it in every second while a run is active)."""
    context = _chain_context(session, request, now())
    session.commit()
    return render(request, "compliance/_chain.html", principal, **context)


@router.post("/compliance/chain/verify")
def verify(
    request: Request, session: SessionDep, principal: Auditor, tasks: BackgroundTasks
) -> Response:
    """Queue a verification (or follow the one already running on any server) and walk it after
    the answer is sent; back to the page, which shows its progress."""
    run, queued = chainrun.start(session, audit_ctx(request, principal))
    session.commit()
    if queued:
        state = request.app.state
        tasks.add_task(
            chainrun.carry_out, state.sessions.write, state.engine, state.settings.var_dir, run.id
        )
    return RedirectResponse(
        f"/compliance/chain?{'started' if queued else 'running'}=1#run", status_code=303
    )

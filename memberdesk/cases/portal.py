"""The member portal's view of their own cases: what each is about, its status and when a reply
is due, in plain words. Nothing internal: no notes, tiers, queues, staff or summaries."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.cases import words as case_words
from memberdesk.cases.enums import ClockState
from memberdesk.cases.models import Case
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.language import gettext as _
from memberdesk.members.api import own_member_id
from memberdesk.members.words import day
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import render

router = APIRouter(route_class=DbRoute)
SelfReader = Annotated[Principal, requires(Permission.SELF_READ)]
PORTAL: list[str | Enum] = ["member portal"]
SHOWN = 50
# A reply is owed by the first of these clocks that is still running (the member's view of
# "when will I hear back"); hand-off and assignment deadlines are internal.
REPLY_CLOCKS = ("email_reply", "claim_research", "tier1_handoff", "tier3_assignment")


class MyCaseOut(BaseModel):
    """One of the member's own cases, as the member reads it."""

    id: int = Field(description="Case number (quote it when you call)")
    about: str = Field(description="What the case is about, in words")
    status: str = Field(description="Where it stands, in words")
    open: bool = Field(description="Still being worked")
    opened_on: str = Field(description="The day it was opened, in words")
    reply_due_at: datetime | None = Field(
        description="When we aim to reply by (ISO 8601 with offset); null when none is owed"
    )
    reply_due: str = Field(description="The same, in words (or why there is no date)")


def _reply(case: Case, at: datetime) -> tuple[datetime | None, str]:
    if case.resolved_at is not None or case.closed_at is not None:
        return None, _("Nothing more is due: the case is finished.")
    rows = {c.target: c for c in case.clocks}
    for target in REPLY_CLOCKS:
        row = rows.get(target)
        if row is None:
            continue
        if row.state is ClockState.PAUSED:
            return None, _("On hold until we hear from you.")
        if row.state in (ClockState.RUNNING, ClockState.BREACHED) and row.due_at is not None:
            tz = zone_of(row.pack)
            local = row.due_at.astimezone(tz)
            if row.due_at < at:
                return local, _("We are later than we aimed for and are working on it now.")
            return local, _("By %(when)s") % {"when": case_words.local_time(row.due_at, tz)}
    return None, _("We will contact you as soon as we have an answer.")


def my_cases(session: Session, ctx: AuditContext, member_id: int, at: datetime) -> list[MyCaseOut]:
    """The member's cases, newest first (the read is audited like any other)."""
    rows = list(
        session.scalars(
            select(Case)
            .where(Case.member_id == member_id)
            .order_by(Case.created_at.desc(), Case.id.desc())
            .limit(SHOWN)
        )
    )
    if rows:
        audit.record(
            session,
            ctx,
            AuditAction.CASE_LISTED,
            object_type="member",
            object_id=member_id,
            member_ids=[member_id],
            detail={"cases": [c.id for c in rows], "portal": True},
        )
    out = []
    for c in rows:
        due, due_words = _reply(c, at)
        out.append(
            MyCaseOut(
                id=c.id,
                about=_(case_words.CASE_TYPES[c.case_type]),
                status=_(case_words.MEMBER_STATES[c.state]),
                open=c.resolved_at is None and c.closed_at is None,
                opened_on=day(c.created_at.astimezone(zone_of(c.pack)).date()),
                reply_due_at=due,
                reply_due=due_words,
            )
        )
    return out


@router.get("/api/me/cases", response_model=list[MyCaseOut], summary="My cases", tags=PORTAL)
def api_my_cases(
    session: ReadingSessionDep, request: Request, principal: SelfReader
) -> list[MyCaseOut]:
    """The signed-in member's own cases: what each is about, its status and when a reply is
    due, in plain words (nothing internal)."""
    out = my_cases(session, audit_ctx(request, principal), own_member_id(principal), now())
    session.commit()
    return out


@router.get("/me/cases", include_in_schema=False)
def my_cases_page(
    request: Request, session: ReadingSessionDep, principal: SelfReader
) -> HTMLResponse:
    """The portal page of the member's own cases."""
    at = now()
    cases = my_cases(session, audit_ctx(request, principal), own_member_id(principal), at)
    session.commit()
    return render(request, "cases/portal.html", principal, cases=cases)

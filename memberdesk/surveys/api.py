"""JSON routes of the surveys domain.

- ``POST /api/surveys/answers`` is public: the link's token authorises exactly one survey, once.
- Results are counts and shares (``kpi.read``, not audited, like the call figures).
- Comments and invitations name members and hold their words: ``survey.read``, audited.
- A member's wish for no surveys, told to an agent: ``member.write``, audited.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import PUBLIC, audit_context, audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission, PurposeOfUse, Role
from memberdesk.compliance.permissions import policy
from memberdesk.contacts.service import usernames
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput
from memberdesk.members import service as members_service
from memberdesk.schemas import Day, LimitQ, OffsetQ, Page, id_path, id_query
from memberdesk.sla.packs import UnknownPackError, get_pack, zone_of
from memberdesk.surveys import report, service
from memberdesk.surveys.enums import Breakdown, InvitationState
from memberdesk.surveys.models import SurveyInvitation, SurveyMember
from memberdesk.surveys.schemas import (
    AnswerIn,
    AnswerOut,
    CommentOut,
    InvitationOut,
    PreferenceIn,
    PreferenceOut,
    SurveyReport,
)
from memberdesk.web.openapi import ErrorOut

router = APIRouter(prefix="/api", route_class=DbRoute)
TAGS: list[str | Enum] = ["surveys"]
KpiReader = Annotated[Principal, requires(Permission.KPI_READ)]
SurveyReader = Annotated[Principal, requires(Permission.SURVEY_READ)]
MemberWriter = Annotated[Principal, requires(Permission.MEMBER_WRITE)]
MemberId = Annotated[int, id_path("member")]
PackQ = Annotated[str, Query(max_length=32, description="Policy pack (line of business)")]
DEFAULT_DAYS = 30


def link_context(request: Request) -> AuditContext:
    """Who the audit log names for an answer through a link: the member, unsigned-in."""
    return replace(
        audit_context(request, None),
        actor="survey-link",
        role=Role.MEMBER.value,
        purpose=PurposeOfUse.INDIVIDUAL_REQUEST.value,
    )


@router.post(
    "/surveys/answers",
    response_model=AnswerOut,
    status_code=201,
    summary="Answer a survey (public: the link's token)",
    tags=TAGS,
    dependencies=[PUBLIC],
    responses={
        404: {"model": ErrorOut, "description": "No survey has this token"},
        409: {"model": ErrorOut, "description": "The survey was answered already, or closed"},
    },
)
def answer(body: AnswerIn, session: SessionDep, request: Request) -> AnswerOut:
    """Store a member's answers: CSAT 1-5 and NPS 0-10 (required), the two CAHPS items and a
    comment (optional). An answer out of range is a 422 naming the field, and nothing is
    stored. The token works once, until the survey closes (30 days after sending)."""
    invitation = service.find(session, body.token, "body.token")
    stored = service.answer(session, link_context(request), invitation, body, at=now())
    out = AnswerOut(answered_at=stored.answered_at, opted_out=body.opt_out)
    session.commit()
    return out


@router.get("/surveys/results", response_model=SurveyReport, summary="Survey KPIs", tags=TAGS)
def results(
    session: ReadingSessionDep,
    principal: KpiReader,
    first: Annotated[Day, Query(alias="from", description="First day, YYYY-MM-DD")],
    last: Annotated[Day, Query(alias="to", description="Last day (included), YYYY-MM-DD")],
    pack: PackQ = "calchoice",
    by: Annotated[Breakdown | None, Query(description="Break down by agent or channel")] = None,
) -> SurveyReport:
    """CSAT (share of 4-5) and NPS of the answers in the period against the pack's targets;
    the CAHPS customer-service items (Usually + Always, Always) and their composite over the
    pack's look-back ending on the last day (12 months commercial, 6 Medicaid; NA below 100
    answers); invitations sent and answered. Days are whole days in the pack's time zone."""
    out = SurveyReport.model_validate(report.survey_report(session, pack, first, last, by))
    session.commit()
    return out


def period(
    pack: str, first: date | None, last: date | None, where: str = "query"
) -> tuple[datetime, datetime]:
    """The days asked for (default: the last 30 days in the pack's zone) as UTC bounds."""
    try:
        get_pack(pack)
    except UnknownPackError as exc:
        raise InvalidInput(str(exc), field=f"{where}.pack") from None
    last = last or now().astimezone(zone_of(pack)).date()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise InvalidInput("must not be before the first day", field=f"{where}.to")
    if (last - first).days >= report.MAX_DAYS:
        raise InvalidInput(f"covers at most {report.MAX_DAYS} days", field=f"{where}.to")
    return report.day_bounds(pack, first, last)


def comment_rows(session: Session, principal: Principal, rows: list[Any]) -> list[CommentOut]:
    """Answers as comments the principal's role may read."""
    mask = policy(principal.role).mask
    names = usernames(session, [a.agent_id for a in rows])
    return [
        CommentOut(
            answer_id=a.id,
            contact_id=a.contact_id,
            member_id=a.member_id,
            agent=names.get(a.agent_id) if a.agent_id else None,
            channel=a.channel,
            language=a.language,
            answered_at=a.answered_at,
            csat=a.csat,
            nps=a.nps,
            comment=service.comment_for(a.comment, mask),
        )
        for a in rows
    ]


def audit_comments(
    session: Session, ctx: AuditContext, rows: list[Any], total: int, path: str
) -> None:
    """Reading comments is a PHI access: which members' words were shown."""
    audit.record(
        session,
        ctx,
        AuditAction.SURVEY_COMMENTS_READ,
        object_type="survey_comments",
        member_ids=sorted({a.member_id for a in rows}),
        detail={"path": path[:120], "shown": len(rows), "total": total},
    )


@router.get(
    "/surveys/comments",
    response_model=Page[CommentOut],
    summary="Survey comments (audited)",
    tags=TAGS,
)
def comments(
    session: ReadingSessionDep,
    request: Request,
    principal: SurveyReader,
    first: Annotated[Day | None, Query(alias="from", description="First day")] = None,
    last: Annotated[Day | None, Query(alias="to", description="Last day (included)")] = None,
    pack: PackQ = "calchoice",
    agent_id: Annotated[int | None, id_query("agent")] = None,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Page[CommentOut]:
    """Members' comments, newest first (default: the last 30 days), with their scores and the
    agent who handled the contact. Roles that see member data reduced read them with member
    IDs, phone numbers, e-mail addresses and dates replaced. Every read is audited."""
    start, end = period(pack, first, last)
    rows, total = service.comments(
        session, pack, start, end, agent_id=agent_id, limit=limit, offset=offset
    )
    items = comment_rows(session, principal, rows)
    audit_comments(session, audit_ctx(request, principal), rows, total, request.url.path)
    session.commit()
    return Page(items=items, total=total, limit=limit, offset=offset)


def invitation_rows(session: Session, rows: list[SurveyInvitation]) -> list[InvitationOut]:
    """Invitations for the API and the page (never an address or a link)."""
    at = now()
    names = usernames(session, [i.agent_id for i in rows])
    return [
        InvitationOut(
            id=i.id,
            contact_id=i.contact_id,
            member_id=i.member_id,
            agent=names.get(i.agent_id) if i.agent_id else None,
            contact_channel=i.contact_channel,
            send_channel=i.send_channel,
            language=i.language,
            pack=i.pack,
            state=i.state,
            expired=service.expired(i, at),
            skip_reason=i.skip_reason,
            attempts=i.attempts,
            last_error=i.last_error,
            created_at=i.created_at,
            sent_at=i.sent_at,
            expires_at=i.expires_at,
            answered_at=i.answered_at,
        )
        for i in rows
    ]


@router.get(
    "/surveys/invitations",
    response_model=Page[InvitationOut],
    summary="Survey invitations (audited)",
    tags=TAGS,
)
def list_invitations(
    session: ReadingSessionDep,
    request: Request,
    principal: SurveyReader,
    state: Annotated[
        InvitationState | None,
        Query(
            description="Only this state (default: every one not sent: pending, sending, "
            "failed, skipped)"
        ),
    ] = None,
    pack: Annotated[str | None, Query(max_length=32, description="Only this pack")] = None,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Page[InvitationOut]:
    """Invitations newest first: by default those that did not go out, with why (waiting,
    failed with a short error code, or skipped: throttled, opted out, no address, minor)."""
    states = (state,) if state else service.NOT_SENT
    rows, total = service.invitations(session, states=states, pack=pack, limit=limit, offset=offset)
    items = invitation_rows(session, rows)
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.SURVEY_INVITATIONS_READ,
        object_type="survey_invitations",
        member_ids=sorted({i.member_id for i in rows}),
        detail={"shown": len(rows), "total": total},
    )
    session.commit()
    return Page(items=items, total=total, limit=limit, offset=offset)


def preference_out(member_id: int, pref: SurveyMember | None) -> PreferenceOut:
    """A member's survey preference as the API shows it."""
    return PreferenceOut(
        member_id=member_id,
        opted_out=bool(pref and pref.opted_out_at),
        opted_out_at=pref.opted_out_at if pref else None,
        opted_out_via=pref.opted_out_via if pref else None,
        last_invited_at=pref.last_invited_at if pref else None,
    )


@router.put(
    "/members/{member_id}/survey-preference",
    response_model=PreferenceOut,
    summary="Stop (or restart) a member's surveys",
    tags=TAGS,
)
def set_preference(
    member_id: MemberId,
    body: PreferenceIn,
    session: SessionDep,
    request: Request,
    principal: MemberWriter,
) -> PreferenceOut:
    """Record what the member asked for: no more surveys, or surveys again (audited)."""
    member = members_service.get_member(session, member_id)
    pref = service.set_preference(
        session,
        audit_ctx(request, principal),
        member.id,
        opted_out=body.opted_out,
        via="staff",
        at=now(),
    )
    out = preference_out(member.id, pref)
    session.commit()
    return out

"""JSON routes of agents' feedback on the library, the knowledge-gap report, and regulatory
changes awaiting compliance sign-off."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from memberdesk.cases.enums import CaseType
from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.contacts.enums import Reason
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.kb import feedback, signoff
from memberdesk.kb.enums import FeedbackKind, VersionState
from memberdesk.kb.gapwords import month_bounds, reason_name
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.lines import line_of
from memberdesk.schemas import DbId

router = APIRouter(prefix="/api/kb", route_class=DbRoute)
TAGS: list[str | Enum] = ["knowledge base"]
Marker = Annotated[Principal, requires(Permission.KB_FEEDBACK)]
Owner = Annotated[Principal, requires(Permission.KB_WRITE)]
Approver = Annotated[Principal, requires(Permission.KB_APPROVE)]


class FeedbackIn(BaseModel):
    """An agent's mark on an article, or that no article answered a contact."""

    model_config = ConfigDict(extra="forbid")

    kind: FeedbackKind = Field(description="helpful, not_helpful or none_answered")
    article_id: DbId | None = Field(
        default=None, description="The article marked (none for none_answered)"
    )
    contact_id: DbId | None = Field(
        default=None, description="The contact it was used on (required for none_answered)"
    )
    reason: Reason | None = Field(
        default=None,
        description="The contact reason it is about (default: the contact's own reasons)",
    )
    case_type: CaseType | None = Field(default=None, description="The case type, if any")


class FeedbackOut(BaseModel):
    """A recorded mark (marking again on the same contact and article changes it)."""

    id: int = Field(description="Internal id of the mark")
    kind: FeedbackKind = Field(description="What the agent said")
    article_id: int | None = Field(description="The article marked")
    version_id: int | None = Field(description="The version in force when it was marked")
    contact_id: int | None = Field(description="The contact it was used on")
    reason: str | None = Field(
        description="The reason given (none: counted under the contact's own reasons)"
    )
    created_at: datetime = Field(description="When it was marked")


class GapOut(BaseModel):
    """One contact reason's figures in the knowledge-gap report."""

    reason: str = Field(description="The contact reason code")
    reason_name: str = Field(description="The reason in words")
    repeat_contacts: int = Field(description="Contacts repeating one on this reason within 7 days")
    none_answered: int = Field(description="Reports that no article answered")
    helpful: int = Field(description="Marks of its articles as helpful")
    not_helpful: int = Field(description="Marks of its articles as not helpful")
    gap: bool = Field(description="Repeats or none-answered reports, and no helpful mark")


class GapReport(BaseModel):
    """The knowledge-gap report of one month."""

    month: str = Field(description="The month, YYYY-MM")
    start: datetime = Field(description="Start of the month (inclusive)")
    end: datetime = Field(description="End of the month (exclusive)")
    items: list[GapOut] = Field(description="Reasons with any figure, gaps first")


class SignoffOut(BaseModel):
    """A regulatory change awaiting compliance sign-off."""

    version_id: int = Field(description="Internal id of the version")
    article_id: int = Field(description="Internal id of the article")
    number: int = Field(description="Version number")
    title: str = Field(description="Title of the version")
    state: VersionState = Field(description="Where it is in its lifecycle")
    pack: str = Field(description="The policy pack whose policy_signoff clock runs")
    due_at: datetime = Field(description="Sign-off due by")
    overdue: bool = Field(description="The deadline has passed")
    flagged_at: datetime | None = Field(description="When the worker flagged it overdue")


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    status_code=201,
    summary="Mark an article helpful or not, or say none answered",
    tags=TAGS,
)
def post_feedback(
    body: FeedbackIn, session: SessionDep, request: Request, principal: Marker
) -> FeedbackOut:
    """Record an agent's mark; the same agent marking the same article on the same contact
    again changes the mark. 422 naming ``body.article_id`` or ``body.contact_id`` when one is
    missing, unknown, or given where it does not belong."""
    row = feedback.record(
        session,
        audit_ctx(request, principal),
        kind=body.kind,
        article_id=body.article_id,
        contact_id=body.contact_id,
        reason=body.reason.value if body.reason else None,
        case_type=body.case_type.value if body.case_type else None,
        at=now(),
    )
    out = FeedbackOut(
        id=row.id,
        kind=row.kind,
        article_id=row.article_id,
        version_id=row.version_id,
        contact_id=row.contact_id,
        reason=row.reason,
        created_at=row.created_at,
    )
    session.commit()
    return out


@router.get(
    "/gaps", response_model=GapReport, summary="Knowledge gaps by contact reason", tags=TAGS
)
def get_gaps(
    session: ReadingSessionDep,
    principal: Owner,
    month: Annotated[
        str | None, Query(max_length=7, description="The month, YYYY-MM (default: this one)")
    ] = None,
    line_of_business: Annotated[
        LineOfBusiness | None, Query(description="Only this line's members (default: all)")
    ] = None,
) -> GapReport:
    """Per contact reason over a month: repeat contacts, "no article answered" reports and the
    helpful / not-helpful marks of its articles; counts only. 422 naming ``query.month``."""
    pack = line_of(line_of_business).pack if line_of_business else None
    first, start, end = month_bounds(month, now(), **({"pack": pack} if pack else {}))
    lines = [line_of_business] if line_of_business else None
    items = [
        GapOut(
            reason=g.reason,
            reason_name=reason_name(g.reason),
            repeat_contacts=g.repeat_contacts,
            none_answered=g.none_answered,
            helpful=g.helpful,
            not_helpful=g.not_helpful,
            gap=g.gap,
        )
        for g in feedback.gap_report(session, start, end, lines)
    ]
    return GapReport(month=first.strftime("%Y-%m"), start=start, end=end, items=items)


@router.get(
    "/signoffs",
    response_model=list[SignoffOut],
    summary="Regulatory changes awaiting sign-off",
    tags=TAGS,
)
def get_signoffs(session: ReadingSessionDep, principal: Approver) -> list[SignoffOut]:
    """Regulatory versions not yet published or retired, by sign-off deadline."""
    at = now()
    return [
        SignoffOut(
            version_id=s.version.id,
            article_id=s.article.id,
            number=s.version.number,
            title=s.version.title,
            state=s.version.state,
            pack=s.version.signoff_pack or "",
            due_at=s.version.signoff_due_at,  # type: ignore[arg-type]
            overdue=s.overdue,
            flagged_at=s.version.signoff_overdue_at,
        )
        for s in signoff.waiting(session, at)
    ]

"""The incident-response plan: versions uploaded (stored encrypted), the current one, and
whether its review is overdue. Every upload and download is audited."""

from __future__ import annotations

import base64
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.breaches.models import ResponsePlan
from memberdesk.breaches.schemas import PlanIn
from memberdesk.cases import documents
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.errors import InvalidInput, NotFound

MAX_BYTES = 5 * 1024 * 1024
REVIEW_SOON_DAYS = 30  # the register warns this many days before the review date


def add(session: Session, ctx: AuditContext, body: PlanIn, at: datetime) -> ResponsePlan:
    """Store a new version of the plan (its review date after its adoption)."""
    if body.review_due <= body.adopted_on:
        raise InvalidInput("must be after the date it was adopted", field="body.review_due")
    plan = ResponsePlan(
        title=body.title,
        version=body.version,
        adopted_on=body.adopted_on,
        review_due=body.review_due,
        filename=body.filename,
        **documents.stored(body.content_base64, MAX_BYTES),
        uploaded_at=at,
        uploaded_by_id=ctx.actor_id,
    )
    session.add(plan)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.BREACH_PLAN_UPLOADED,
        object_type="breach_response_plan",
        object_id=plan.id,
        detail={"version": plan.version, "review_due": plan.review_due.isoformat()},
    )
    return plan


def current(session: Session) -> ResponsePlan | None:
    """The newest version uploaded."""
    return session.scalars(
        select(ResponsePlan).order_by(ResponsePlan.uploaded_at.desc(), ResponsePlan.id.desc())
    ).first()


def review_overdue(plan: ResponsePlan, today: date) -> bool:
    """The plan's review date has passed."""
    return today > plan.review_due


def days_to_review(plan: ResponsePlan, today: date) -> int:
    """Days until the review date (negative once it has passed)."""
    return (plan.review_due - today).days


def download(session: Session, ctx: AuditContext) -> tuple[ResponsePlan, bytes]:
    """The current plan's document, decrypted; the download is audited."""
    plan = current(session)
    if plan is None:
        raise NotFound("no incident-response plan has been uploaded")
    audit.record(
        session,
        ctx,
        AuditAction.BREACH_PLAN_DOWNLOADED,
        object_type="breach_response_plan",
        object_id=plan.id,
    )
    return plan, base64.b64decode(plan.content)

"""Audited reads and writes of member data, shared by the JSON API and the HTML pages.

Never commits: the route does, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.crypto import bidx_member_number, bidx_name_dob, bidx_phone
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.masking import hides_birth_dates
from memberdesk.members import service, views
from memberdesk.members.enums import IdCardReason
from memberdesk.members.models import IdCardRequest, LifeEvent, Member
from memberdesk.members.rules import SUBSCRIBER_NUMBER_RE
from memberdesk.members.schemas import LifeEventIn, Member360, MemberSearch, MemberSummary
from memberdesk.schemas import Page


def _term_hash(body: MemberSearch) -> tuple[str, str]:
    # The audit keeps the blind index of what was searched, never the term itself.
    if body.member_number is not None:
        key = "subscriber_number" if SUBSCRIBER_NUMBER_RE.match(body.member_number) else None
        return key or "member_number", bidx_member_number(body.member_number).hex()
    if body.last_name is not None and body.date_of_birth is not None:
        return "name_dob", bidx_name_dob(body.last_name, body.date_of_birth).hex()
    return "phone", bidx_phone(body.phone or "").hex()


def search_page(
    session: Session,
    ctx: AuditContext,
    body: MemberSearch,
    *,
    limit: int,
    offset: int,
    today: date,
    age_limit: int,
) -> Page[MemberSummary]:
    """Run a search and audit it with the hashed term and every member shown."""
    rows, total = service.search_members(
        session,
        member_number=body.member_number,
        last_name=body.last_name,
        date_of_birth=body.date_of_birth,
        phone=body.phone,
        limit=limit,
        offset=offset,
    )
    key, term = _term_hash(body)
    audit.record(
        session,
        ctx,
        AuditAction.MEMBER_SEARCH,
        object_type="member_search",
        member_ids=[m.id for m in rows],
        detail={"key": key, "term_hash": term, "results": total},
    )
    return Page[MemberSummary](
        items=[views.summary(m, today, age_limit) for m in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


def record_read(
    session: Session, ctx: AuditContext, member: Member, path: str, also: list[int] | None = None
) -> None:
    """Audit a read of one member's record (and of anyone else it showed)."""
    audit.record(
        session,
        ctx,
        AuditAction.MEMBER_READ,
        object_type="member",
        object_id=member.id,
        member_ids=sorted({member.id, *(also or [])}),
        detail={"path": path[:120]},
    )


def view_360(
    session: Session,
    ctx: AuditContext,
    member: Member,
    house: list[Member],
    *,
    on: date,
    today: date,
    age_limit: int,
    path: str,
    own_record: bool = False,
) -> Member360:
    """The member 360, audited with everyone it shows; ``member`` and ``house`` as
    ``service.get_household`` loads them.

    A member reading their own record sees only their own data: an adult dependant's details
    are their own PHI, and the subscriber's events and payroll are the subscriber's (Civil Code
    56.107). Dates that reveal a birth follow the role's date-of-birth mask.
    """
    view = views.member_360(
        session,
        member,
        house,
        on,
        today,
        age_limit,
        year_only=hides_birth_dates(ctx.role),
        own_record=own_record,
    )
    record_read(session, ctx, member, path, also=views.shown_member_ids(view))
    return view


def add_life_event(
    session: Session,
    ctx: AuditContext,
    member: Member,
    body: LifeEventIn,
    overrides: Mapping[str, int] | None,
) -> LifeEvent:
    """Record a life event (rules in the service) and audit it with the enrolment's holder."""
    event = service.record_life_event(
        session, member, body.event_type, body.event_date, body.notes, overrides
    )
    audit.record(
        session,
        ctx,
        AuditAction.LIFE_EVENT_RECORDED,
        object_type="life_event",
        object_id=event.id,
        member_ids=sorted({member.id, event.member_id}),
        changes={"new": body.model_dump(mode="json")},
    )
    return event


def request_card(
    session: Session, ctx: AuditContext, member: Member, reason: IdCardReason, age_limit: int
) -> IdCardRequest:
    """Request an ID card (rules in the service) and audit it."""
    card = service.request_id_card(session, member, reason, age_limit)
    audit.record(
        session,
        ctx,
        AuditAction.ID_CARD_REQUESTED,
        object_type="id_card_request",
        object_id=card.id,
        member_ids=[member.id],
        changes={"new": {"reason": reason.value, "status": card.status.value}},
    )
    return card

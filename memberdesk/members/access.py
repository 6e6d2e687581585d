"""Audited reads of member data, shared by the JSON API and the HTML pages. Never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.crypto import bidx_member_number, bidx_name_dob, bidx_phone
from memberdesk.compliance.enums import AuditAction
from memberdesk.members import service, views
from memberdesk.members.models import Member
from memberdesk.members.schemas import Member360, MemberSearch, MemberSummary
from memberdesk.schemas import Page


def _term_hash(body: MemberSearch) -> tuple[str, str]:
    # The audit keeps the blind index of what was searched, never the term itself.
    if body.member_number is not None:
        return "member_number", bidx_member_number(body.member_number).hex()
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
    *,
    on: date,
    today: date,
    age_limit: int,
    path: str,
    own_record: bool = False,
) -> Member360:
    """The member 360, audited. A member reading their own record sees no one else's."""
    view = views.member_360(session, member, on, today, age_limit)
    if own_record:
        # Adult dependants' details are their own PHI (Civil Code 56.107).
        view.household = [h for h in view.household if h.id == member.id]
    record_read(session, ctx, member, path, also=[h.id for h in view.household])
    return view

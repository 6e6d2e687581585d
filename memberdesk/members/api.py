"""JSON routes of the members domain. Every read of member data is audited and masked by role."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import Forbidden, audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.compliance.masking import BirthDates, hides_birth_dates, masked_for
from memberdesk.compliance.permissions import policy
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import NotFound
from memberdesk.members import access, service, views
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import Carrier, EmployerGroup, LifeEvent, Member, Plan
from memberdesk.members.schemas import (
    CarrierOut,
    CoverageSpanOut,
    EligibilityOut,
    GroupDetail,
    GroupOut,
    IdCardIn,
    IdCardOut,
    IdCardStatusIn,
    LifeEventIn,
    LifeEventOut,
    Member360,
    MemberSearch,
    MemberSummary,
    PlanOut,
)
from memberdesk.schemas import Day, LimitQ, OffsetQ, Page, id_path

router = APIRouter(prefix="/api", route_class=DbRoute)
AsOfQ = Annotated[Day | None, Query(description="Date to evaluate (YYYY-MM-DD); default today")]
MemberId = Annotated[int, id_path("member")]
CardId = Annotated[int, id_path("ID-card request")]
GroupId = Annotated[int, id_path("employer group")]
PlanId = Annotated[int, id_path("plan")]
Searcher = Annotated[Principal, requires(Permission.MEMBER_SEARCH)]
Reader = Annotated[Principal, requires(Permission.MEMBER_READ)]
Writer = Annotated[Principal, requires(Permission.MEMBER_WRITE)]
GroupReader = Annotated[Principal, requires(Permission.GROUP_READ)]
PlanReader = Annotated[Principal, requires(Permission.PLAN_READ)]
SelfReader = Annotated[Principal, requires(Permission.SELF_READ)]
SelfWriter = Annotated[Principal, requires(Permission.SELF_WRITE)]
MEMBERS: list[str | Enum] = ["members"]
GROUPS: list[str | Enum] = ["groups"]
PLANS: list[str | Enum] = ["plans"]
PORTAL: list[str | Enum] = ["member portal"]


def _age_limit(request: Request) -> int:
    return int(request.app.state.settings.dependent_age_limit)


def _today() -> date:
    return now().date()


def _masked(principal: Principal, model: BaseModel) -> Any:
    """The response with the fields this role may not see reduced (minimum necessary).

    A role that sees every field gets the model itself: the response model then passes it
    through as it is, instead of validating a dump of it all over again."""
    if not policy(principal.role).mask:
        return model
    return masked_for(principal.role, model)


def _read(
    session: Session,
    request: Request,
    principal: Principal,
    member: Member,
    also: list[int] | None = None,
) -> None:
    access.record_read(session, audit_ctx(request, principal), member, request.url.path, also)


@router.post(
    "/members/search", response_model=Page[MemberSummary], summary="Find members", tags=MEMBERS
)
def search(
    body: MemberSearch,
    session: ReadingSessionDep,
    request: Request,
    principal: Searcher,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Any:
    """Exact-match search by member ID, last name + date of birth, or phone (POST keeps PHI out
    of URLs and access logs). The search and every member shown are audited."""
    page = access.search_page(
        session,
        audit_ctx(request, principal),
        body,
        limit=limit,
        offset=offset,
        today=_today(),
        age_limit=_age_limit(request),
    )
    session.commit()
    return _masked(principal, page)


@router.get("/members/{member_id}", response_model=Member360, summary="Member 360", tags=MEMBERS)
def member_360(
    member_id: MemberId,
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    as_of: AsOfQ = None,
) -> Any:
    """Everything an agent needs on one screen: demographics, eligibility, plan, premium split,
    household, coverage history, life events and ID cards."""
    member, house = service.get_household(session, member_id)
    view = access.view_360(
        session,
        audit_ctx(request, principal),
        member,
        house,
        on=as_of or _today(),
        today=_today(),
        age_limit=_age_limit(request),
        path=request.url.path,
    )
    session.commit()
    return _masked(principal, view)


def _dates(
    principal: Principal, members: list[Member], events: list[LifeEvent], age_limit: int
) -> BirthDates:
    """How this caller sees the dates that reveal a birth among ``members`` and ``events``."""
    return views.birth_dates(hides_birth_dates(principal.role), members, events, age_limit)


@router.get(
    "/members/{member_id}/eligibility",
    response_model=EligibilityOut,
    summary="Eligibility at a date",
    tags=MEMBERS,
)
def member_eligibility(
    member_id: MemberId,
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    on: AsOfQ = None,
) -> Any:
    """Covered or not on a date, with the reason (terminated, not yet effective, aged out,
    group terminated) and a sentence to read to the member."""
    member = service.get_member(session, member_id)
    age = _age_limit(request)
    dates = _dates(principal, [member], [], age)
    result = views.eligibility_out(member, on or _today(), age, dates)
    _read(session, request, principal, member)
    session.commit()
    return _masked(principal, result)


@router.get(
    "/members/{member_id}/coverage",
    response_model=list[CoverageSpanOut],
    summary="Coverage history",
    tags=MEMBERS,
)
def member_coverage(
    member_id: MemberId, session: ReadingSessionDep, request: Request, principal: Reader
) -> list[CoverageSpanOut]:
    """All coverage spans, oldest first, with retroactive terminations flagged."""
    member = service.get_member(session, member_id)
    age = _age_limit(request)
    dates = _dates(principal, [member], [], age)
    spans = [views.span_out(s, member, _today(), age, dates) for s in member.coverage]
    _read(session, request, principal, member)
    session.commit()
    return spans


@router.get(
    "/members/{member_id}/life-events",
    response_model=list[LifeEventOut],
    summary="Qualifying life events",
    tags=MEMBERS,
)
def member_life_events(
    member_id: MemberId,
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    as_of: AsOfQ = None,
) -> list[LifeEventOut]:
    """Life events on the enrolment (recorded on the subscriber) and the special-enrolment
    windows they opened, with staff notes."""
    member = service.get_member(session, member_id)
    on = as_of or _today()
    rows = service.list_life_events(session, member)
    dates = _dates(principal, [member], rows, _age_limit(request))
    events = [views.life_event_out(e, on, dates) for e in rows]
    _read(session, request, principal, member, also=[e.member_id for e in rows])
    session.commit()
    return events


@router.post(
    "/members/{member_id}/life-events",
    response_model=LifeEventOut,
    status_code=201,
    summary="Record a qualifying life event",
    tags=MEMBERS,
)
def add_life_event(
    member_id: MemberId, body: LifeEventIn, session: SessionDep, request: Request, principal: Writer
) -> LifeEventOut:
    """Opens a special-enrolment window of the configured length for the event type. 422 for a
    date before the member's birth or more than 90 days ahead; 409 when the same kind of event
    on the same day is already on the enrolment."""
    member = service.get_member(session, member_id)
    event = access.add_life_event(
        session,
        audit_ctx(request, principal),
        member,
        body,
        request.app.state.settings.special_enrollment_days,
    )
    session.commit()
    dates = _dates(principal, [member], [event], _age_limit(request))
    return views.life_event_out(event, _today(), dates)


@router.get(
    "/members/{member_id}/id-cards",
    response_model=list[IdCardOut],
    summary="ID-card requests",
    tags=MEMBERS,
)
def member_id_cards(
    member_id: MemberId, session: ReadingSessionDep, request: Request, principal: Reader
) -> list[IdCardOut]:
    """ID-card requests of the member, newest first."""
    member = service.get_member(session, member_id)
    cards = [IdCardOut.model_validate(c) for c in service.list_id_cards(session, member)]
    _read(session, request, principal, member)
    session.commit()
    return cards


def _request_card(
    session: Session, request: Request, principal: Principal, member: Member, body: IdCardIn
) -> IdCardOut:
    card = access.request_card(
        session, audit_ctx(request, principal), member, body.reason, _age_limit(request)
    )
    session.commit()
    return IdCardOut.model_validate(card)


@router.post(
    "/members/{member_id}/id-cards",
    response_model=IdCardOut,
    status_code=201,
    summary="Request an ID card",
    tags=MEMBERS,
)
def add_id_card(
    member_id: MemberId, body: IdCardIn, session: SessionDep, request: Request, principal: Writer
) -> IdCardOut:
    """One open request per member; 409 while one is being processed, and 409 once coverage
    has ended with none starting later."""
    return _request_card(session, request, principal, service.get_member(session, member_id), body)


@router.patch(
    "/id-cards/{card_id}",
    response_model=IdCardOut,
    summary="Advance an ID-card request",
    tags=MEMBERS,
)
def patch_id_card(
    card_id: CardId, body: IdCardStatusIn, session: SessionDep, request: Request, principal: Writer
) -> IdCardOut:
    """requested → printed → mailed → delivered / returned_undeliverable; cancel before mailing."""
    old_status, card = service.update_id_card(session, card_id, body.status)
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.ID_CARD_UPDATED,
        object_type="id_card_request",
        object_id=card.id,
        member_ids=[card.member_id],
        changes={"old": {"status": old_status}, "new": {"status": card.status.value}},
    )
    session.commit()
    return IdCardOut.model_validate(card)


@router.get("/me", response_model=Member360, summary="My member record", tags=PORTAL)
def my_record(session: ReadingSessionDep, request: Request, principal: SelfReader) -> Any:
    """The signed-in member's own record, and only their own data: no other household member,
    no events on the subscriber's enrolment, no subscriber's payroll, no staff notes."""
    member, house = service.get_household(session, own_member_id(principal))
    view = access.view_360(
        session,
        audit_ctx(request, principal),
        member,
        house,
        on=_today(),
        today=_today(),
        age_limit=_age_limit(request),
        path=request.url.path,
        own_record=True,
    )
    session.commit()
    return view


@router.post(
    "/me/id-cards",
    response_model=IdCardOut,
    status_code=201,
    summary="Request my ID card",
    tags=PORTAL,
)
def my_id_card(
    body: IdCardIn, session: SessionDep, request: Request, principal: SelfWriter
) -> IdCardOut:
    """A member asks for a replacement card (the same rules as staff requests)."""
    return _request_card(session, request, principal, own_member(session, principal), body)


def own_member_id(principal: Principal) -> int:
    """The internal id of the member record a portal account is tied to."""
    if principal.member_id is None:
        raise Forbidden("this account is not linked to a member record")
    return principal.member_id


def own_member(session: Session, principal: Principal) -> Member:
    """The member record a portal account is tied to."""
    return service.get_member(session, own_member_id(principal))


@router.get("/groups", response_model=Page[GroupOut], summary="Employer groups", tags=GROUPS)
def list_groups(
    session: ReadingSessionDep,
    principal: GroupReader,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
    county: Annotated[str | None, Query(description="Only this county")] = None,
) -> Page[GroupOut]:
    """Employer groups by group number (employer data, not PHI)."""
    query = select(EmployerGroup)
    if county:
        query = query.where(EmployerGroup.county == county)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(EmployerGroup.group_number).limit(limit).offset(offset))
    return Page(
        items=[GroupOut.model_validate(g) for g in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/groups/{group_id}", response_model=GroupDetail, summary="One employer group", tags=GROUPS
)
def get_group(group_id: GroupId, session: ReadingSessionDep, principal: GroupReader) -> GroupDetail:
    """The group, its contribution rule and enrolment counts."""
    group = service.get_group(session, group_id)
    subs, total = service.group_counts(session, group_id)
    return GroupDetail(
        **GroupOut.model_validate(group).model_dump(), subscribers=subs, members=total
    )


@router.get(
    "/groups/{group_id}/members",
    response_model=Page[MemberSummary],
    summary="Members of a group",
    tags=GROUPS,
)
def group_members(
    group_id: GroupId,
    session: ReadingSessionDep,
    request: Request,
    principal: Searcher,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Any:
    """Everyone enrolled through the group, by internal id (a member listing: audited)."""
    rows, total = service.group_members(session, group_id, limit=limit, offset=offset)
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.MEMBER_SEARCH,
        object_type="employer_group",
        object_id=group_id,
        member_ids=[m.id for m in rows],
        detail={"key": "group", "results": total},
    )
    session.commit()
    today, age = _today(), _age_limit(request)
    page = Page[MemberSummary](
        items=[views.summary(m, today, age) for m in rows], total=total, limit=limit, offset=offset
    )
    return _masked(principal, page)


@router.get("/plans", response_model=list[PlanOut], summary="Plans", tags=PLANS)
def list_plans(
    session: ReadingSessionDep,
    principal: PlanReader,
    line_of_business: Annotated[
        LineOfBusiness | None, Query(description="Only this line of business's plans")
    ] = None,
) -> list[PlanOut]:
    """Every plan, by code: the marketplace's, and the Oregon Health Plan's (its coordinated
    care organisation and partner plans, without premiums)."""
    query = select(Plan).order_by(Plan.code)
    if line_of_business is not None:
        query = query.where(Plan.line_of_business == line_of_business)
    return [PlanOut.model_validate(p) for p in session.scalars(query)]


@router.get("/plans/{plan_id}", response_model=PlanOut, summary="One plan", tags=PLANS)
def get_plan(plan_id: PlanId, session: ReadingSessionDep, principal: PlanReader) -> PlanOut:
    """A plan with its rates, deductible and out-of-pocket maximum."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("no plan with this id", field="path.plan_id")
    return PlanOut.model_validate(plan)


@router.get("/carriers", response_model=list[CarrierOut], summary="Carriers", tags=PLANS)
def list_carriers(session: ReadingSessionDep, principal: PlanReader) -> list[CarrierOut]:
    """Carriers on the marketplace."""
    carriers = session.scalars(select(Carrier).order_by(Carrier.code))
    return [CarrierOut.model_validate(c) for c in carriers]

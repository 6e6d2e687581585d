"""JSON routes of the members domain."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from memberdesk.clock import now
from memberdesk.db import SessionDep
from memberdesk.errors import NotFound
from memberdesk.members import service, views
from memberdesk.members.models import Carrier, EmployerGroup, Member, Plan
from memberdesk.members.schemas import (
    CarrierOut,
    CoverageSpanOut,
    EligibilityOut,
    GroupDetail,
    GroupOut,
    HouseholdMember,
    IdCardIn,
    IdCardOut,
    IdCardStatusIn,
    LifeEventIn,
    LifeEventOut,
    Member360,
    MemberSearch,
    MemberSummary,
    PlanOut,
    PremiumOut,
)
from memberdesk.schemas import LimitQ, OffsetQ, Page

router = APIRouter(prefix="/api", tags=["members"])
AsOfQ = Annotated[date | None, Query(description="Date to evaluate (YYYY-MM-DD); default today")]


def _age_limit(request: Request) -> int:
    return int(request.app.state.settings.dependent_age_limit)


def _today() -> date:
    return now().date()


@router.post("/members/search", response_model=Page[MemberSummary], summary="Find members")
def search(
    body: MemberSearch,
    session: SessionDep,
    request: Request,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Page[MemberSummary]:
    """Exact-match search by member ID, last name + date of birth, or phone (POST keeps PHI out
    of URLs and access logs)."""
    rows, total = service.search_members(
        session,
        member_number=body.member_number,
        last_name=body.last_name,
        date_of_birth=body.date_of_birth,
        phone=body.phone,
        limit=limit,
        offset=offset,
    )
    today, limit_age = _today(), _age_limit(request)
    return Page(
        items=[views.summary(m, today, limit_age) for m in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/members/{member_id}", response_model=Member360, summary="Member 360")
def member_360(
    member_id: int, session: SessionDep, request: Request, as_of: AsOfQ = None
) -> Member360:
    """Everything an agent needs on one screen: demographics, eligibility, plan, premium split,
    household, coverage history, life events and ID cards."""
    on = as_of or _today()
    age = _age_limit(request)
    member = service.get_member(session, member_id)
    house = service.household(session, member)
    subscriber = house[0]
    split = service.premium_for(subscriber, house[1:], on, age)
    return Member360(
        as_of=on,
        member=views.detail(member, _today(), age),
        eligibility=views.eligibility_out(member, on, age),
        group=GroupOut.model_validate(member.group),
        premium=PremiumOut(
            tier=split.tier,
            premium_cents=split.premium_cents,
            employer_cents=split.employer_cents,
            payroll_deduction_cents=split.payroll_deduction_cents,
        )
        if split
        else None,
        household=[
            HouseholdMember(
                id=m.id,
                first_name=m.first_name,
                last_name=m.last_name,
                relationship=m.relationship,
                date_of_birth=m.date_of_birth.isoformat(),
                eligibility=views.eligibility_out(m, on, age),
            )
            for m in house
        ],
        coverage=[views.span_out(s) for s in member.coverage],
        life_events=[
            views.life_event_out(e, on) for e in service.list_life_events(session, member)
        ],
        id_cards=[IdCardOut.model_validate(c) for c in service.list_id_cards(session, member)],
    )


@router.get(
    "/members/{member_id}/eligibility",
    response_model=EligibilityOut,
    summary="Eligibility at a date",
)
def member_eligibility(
    member_id: int, session: SessionDep, request: Request, on: AsOfQ = None
) -> EligibilityOut:
    """Covered or not on a date, with the reason (terminated, not yet effective, aged out,
    group terminated)."""
    member = service.get_member(session, member_id)
    return views.eligibility_out(member, on or _today(), _age_limit(request))


@router.get(
    "/members/{member_id}/coverage",
    response_model=list[CoverageSpanOut],
    summary="Coverage history",
)
def member_coverage(member_id: int, session: SessionDep) -> list[CoverageSpanOut]:
    """All coverage spans, oldest first, with retroactive terminations flagged."""
    return [views.span_out(s) for s in service.get_member(session, member_id).coverage]


@router.get(
    "/members/{member_id}/life-events",
    response_model=list[LifeEventOut],
    summary="Qualifying life events",
)
def member_life_events(
    member_id: int, session: SessionDep, as_of: AsOfQ = None
) -> list[LifeEventOut]:
    """Life events on the enrolment and the special-enrolment windows they opened."""
    member = service.get_member(session, member_id)
    on = as_of or _today()
    return [views.life_event_out(e, on) for e in service.list_life_events(session, member)]


@router.post(
    "/members/{member_id}/life-events",
    response_model=LifeEventOut,
    status_code=201,
    summary="Record a qualifying life event",
)
def add_life_event(
    member_id: int, body: LifeEventIn, session: SessionDep, request: Request
) -> LifeEventOut:
    """Opens a special-enrolment window of the configured length for the event type."""
    member = service.get_member(session, member_id)
    event = service.record_life_event(
        session,
        member,
        body.event_type,
        body.event_date,
        body.notes,
        request.app.state.settings.special_enrollment_days,
    )
    session.commit()
    return views.life_event_out(event, _today())


@router.get(
    "/members/{member_id}/id-cards", response_model=list[IdCardOut], summary="ID-card requests"
)
def member_id_cards(member_id: int, session: SessionDep) -> list[IdCardOut]:
    """ID-card requests of the member, newest first."""
    member = service.get_member(session, member_id)
    return [IdCardOut.model_validate(c) for c in service.list_id_cards(session, member)]


@router.post(
    "/members/{member_id}/id-cards",
    response_model=IdCardOut,
    status_code=201,
    summary="Request an ID card",
)
def add_id_card(member_id: int, body: IdCardIn, session: SessionDep) -> IdCardOut:
    """One open request per member; 409 while one is being processed."""
    card = service.request_id_card(session, service.get_member(session, member_id), body.reason)
    session.commit()
    return IdCardOut.model_validate(card)


@router.patch("/id-cards/{card_id}", response_model=IdCardOut, summary="Advance an ID-card request")
def patch_id_card(card_id: int, body: IdCardStatusIn, session: SessionDep) -> IdCardOut:
    """requested → printed → mailed → delivered / returned_undeliverable; cancel before mailing."""
    card = service.update_id_card(session, card_id, body.status)
    session.commit()
    return IdCardOut.model_validate(card)


@router.get("/groups", response_model=Page[GroupOut], summary="Employer groups", tags=["groups"])
def list_groups(
    session: SessionDep,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
    county: Annotated[str | None, Query(description="Only this county")] = None,
) -> Page[GroupOut]:
    """Employer groups by group number."""
    query = select(EmployerGroup)
    if county:
        query = query.where(EmployerGroup.county == county)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(EmployerGroup.group_number).limit(limit).offset(offset))
    return Page(
        items=[GroupOut.model_validate(g) for g in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/groups/{group_id}", response_model=GroupDetail, summary="One employer group", tags=["groups"]
)
def get_group(group_id: int, session: SessionDep) -> GroupDetail:
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
    tags=["groups"],
)
def group_members(
    group_id: int, session: SessionDep, request: Request, limit: LimitQ = 50, offset: OffsetQ = 0
) -> Page[MemberSummary]:
    """Everyone enrolled through the group, by internal id."""
    service.get_group(session, group_id)
    query = select(Member).where(Member.group_id == group_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(Member.coverage)).order_by(Member.id).limit(limit).offset(offset)
    )
    today, age = _today(), _age_limit(request)
    return Page(
        items=[views.summary(m, today, age) for m in rows], total=total, limit=limit, offset=offset
    )


@router.get("/plans", response_model=list[PlanOut], summary="Plans", tags=["plans"])
def list_plans(session: SessionDep) -> list[PlanOut]:
    """Every plan offered on the marketplace, by code."""
    return [PlanOut.model_validate(p) for p in session.scalars(select(Plan).order_by(Plan.code))]


@router.get("/plans/{plan_id}", response_model=PlanOut, summary="One plan", tags=["plans"])
def get_plan(plan_id: int, session: SessionDep) -> PlanOut:
    """A plan with its rates, deductible and out-of-pocket maximum."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("no plan with this id", field="path.plan_id")
    return PlanOut.model_validate(plan)


@router.get("/carriers", response_model=list[CarrierOut], summary="Carriers", tags=["plans"])
def list_carriers(session: SessionDep) -> list[CarrierOut]:
    """Carriers on the marketplace."""
    return [
        CarrierOut.model_validate(c)
        for c in session.scalars(select(Carrier).order_by(Carrier.code))
    ]

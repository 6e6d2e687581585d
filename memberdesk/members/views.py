"""Turn loaded rows into API shapes (shared by the JSON API and the HTML pages)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from memberdesk.members import service
from memberdesk.members.enums import AccessibilityNeed, ConfidentialScope
from memberdesk.members.models import CoverageSpan, LifeEvent, Member
from memberdesk.members.schemas import (
    Address,
    ConfidentialCommunication,
    ContactRouting,
    CoverageSpanOut,
    EligibilityOut,
    GroupOut,
    HouseholdMember,
    IdCardOut,
    LifeEventOut,
    Member360,
    MemberDetail,
    MemberSummary,
    PlanOut,
    PremiumOut,
)


def eligibility_out(member: Member, on: date, age_limit: int) -> EligibilityOut:
    """Eligibility with the covering plan."""
    result = service.eligibility(member, on, age_limit)
    plan = member.coverage[result.span_index].plan if result.span_index is not None else None
    return EligibilityOut(
        on=on,
        eligible=result.eligible,
        reason=result.reason,
        explanation=result.explanation,
        plan=PlanOut.model_validate(plan) if plan else None,
    )


def summary(member: Member, today: date, age_limit: int) -> MemberSummary:
    """Search-result line for a member."""
    return MemberSummary(
        id=member.id,
        member_number=member.member_number,
        first_name=member.first_name,
        last_name=member.last_name,
        date_of_birth=member.date_of_birth.isoformat(),
        relationship=member.relationship,
        group_number=member.group.group_number,
        group_name=member.group.name,
        eligible_today=service.eligibility(member, today, age_limit).eligible,
    )


def _one_line(member: Member) -> str:
    parts = [member.address_line1, member.address_line2, member.city]
    return ", ".join(p for p in parts if p) + f", {member.state} {member.postal_code}"


def contact_routing(member: Member) -> ContactRouting:
    """Civil Code 56.107: sensitive-service mail and calls go to the confidential channel."""
    general_addr, general_phone = _one_line(member), member.phone
    has_conf = member.confidential_scope is not None
    conf_addr = member.confidential_address or general_addr
    conf_phone = member.confidential_phone or general_phone
    everything = member.confidential_scope == ConfidentialScope.ALL
    return ContactRouting(
        general_address=conf_addr if everything else general_addr,
        general_phone=conf_phone if everything else general_phone,
        sensitive_address=conf_addr if has_conf else general_addr,
        sensitive_phone=conf_phone if has_conf else general_phone,
        confidential_applies=has_conf,
    )


def detail(member: Member, today: date, age_limit: int) -> MemberDetail:
    """Full demographics and contact preferences of a member."""
    conf = None
    if member.confidential_scope is not None:
        conf = ConfidentialCommunication(
            address=member.confidential_address,
            phone=member.confidential_phone,
            scope=member.confidential_scope,
        )
    return MemberDetail(
        **summary(member, today, age_limit).model_dump(),
        subscriber_id=member.subscriber_id,
        sex=member.sex,
        address=Address(
            line1=member.address_line1,
            line2=member.address_line2,
            city=member.city,
            state=member.state,
            postal_code=member.postal_code,
        ),
        phone=member.phone,
        email=member.email,
        spoken_language=member.spoken_language,
        written_language=member.written_language,
        interpreter_needed=member.interpreter_needed,
        tty=AccessibilityNeed.TTY.value in (member.accessibility_needs or []),
        accessibility_needs=list(member.accessibility_needs or []),
        disabled_dependent=member.disabled_dependent,
        confidential_communication=conf,
        contact_routing=contact_routing(member),
    )


def span_out(span: CoverageSpan) -> CoverageSpanOut:
    """A coverage span, flagged retroactive when its end was keyed after the fact."""
    retro = bool(
        span.termination_date
        and span.termination_recorded_at
        and span.termination_recorded_at.date() > span.termination_date
    )
    return CoverageSpanOut(
        id=span.id,
        plan=PlanOut.model_validate(span.plan),
        effective_date=span.effective_date,
        termination_date=span.termination_date,
        source=span.source,
        termination_reason=span.termination_reason,
        recorded_at=span.recorded_at,
        termination_recorded_at=span.termination_recorded_at,
        retroactive=retro,
    )


def life_event_out(event: LifeEvent, on: date) -> LifeEventOut:
    """A life event with its special-enrolment window as of ``on``."""
    window = service.enrollment_window(event, on)
    return LifeEventOut(
        id=event.id,
        event_type=event.event_type,
        event_date=event.event_date,
        reported_at=event.reported_at,
        window_days=event.window_days,
        window_start=window.start,
        window_end=window.end,
        window_status=window.status,
        days_left=window.days_left,
    )


def member_360(
    session: Session, member: Member, on: date, today: date, age_limit: int
) -> Member360:
    """Everything about one member on one screen; ``household`` lists who else was disclosed."""
    house = service.household(session, member)
    split = service.premium_for(house[0], house[1:], on, age_limit)
    return Member360(
        as_of=on,
        member=detail(member, today, age_limit),
        eligibility=eligibility_out(member, on, age_limit),
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
                eligibility=eligibility_out(m, on, age_limit),
            )
            for m in house
        ],
        coverage=[span_out(s) for s in member.coverage],
        life_events=[life_event_out(e, on) for e in service.list_life_events(session, member)],
        id_cards=[IdCardOut.model_validate(c) for c in service.list_id_cards(session, member)],
    )

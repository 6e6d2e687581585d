"""Turn loaded rows into API shapes (shared by the JSON API and the HTML pages).

Dates that reveal a date of birth go through ``BirthDates``, so a role that sees years of birth
only sees them as years wherever they appear (a newborn's coverage start, a birth event, the
age-out date, the eligibility sentence).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from memberdesk.compliance.masking import BirthDates
from memberdesk.contacts import service as contacts
from memberdesk.members import service, words
from memberdesk.members.eligibility import age_out_date
from memberdesk.members.enums import (
    AccessibilityNeed,
    ConfidentialScope,
    LifeEventType,
    Relationship,
)
from memberdesk.members.lines import continuous_eligibility_end, line_of
from memberdesk.members.models import (
    CoverageSpan,
    LifeEvent,
    Member,
    Plan,
)
from memberdesk.members.packs import pack_for
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
    PartnerPlanOut,
    PlanOut,
    PremiumOut,
)
from memberdesk.navigators import service as navigators

# A birth or adoption event is dated on the day a child joined the family: a birth date.
BIRTH_EVENTS = frozenset({LifeEventType.BIRTH, LifeEventType.ADOPTION})
FULL = BirthDates()
RECENT = 10  # contacts on the 360


def plan_out(plan: Plan) -> PlanOut:
    """A plan and its carrier, as shown."""
    return PlanOut.model_validate(plan)


class _Plans:
    """Each plan built once per view, however many spans and eligibilities name it."""

    def __init__(self) -> None:
        self._shown: dict[int, PlanOut] = {}

    def __call__(self, plan: Plan) -> PlanOut:
        shown = self._shown.get(plan.id)
        if shown is None:
            shown = self._shown[plan.id] = plan_out(plan)
        return shown


class _SentenceDates:
    """Dates in sentences, as people write them, reduced where they reveal a birth."""

    def __init__(self, dates: BirthDates) -> None:
        self.dates = dates

    def bare(self, value: date) -> str:
        return self.dates.text(value, words.day)

    def at(self, value: date) -> str:
        return self.dates.at(value, words.day)


def age_limit_end(member: Member, age_limit: int) -> date | None:
    """Last covered day of a child under the dependant age limit (None when no limit applies:
    a disabled dependant, or a line without one, such as Medicaid)."""
    if member.relationship != Relationship.CHILD or member.disabled_dependent:
        return None
    if not line_of(member.line_of_business).dependant_age_limit:
        return None
    return age_out_date(member.date_of_birth, age_limit) - timedelta(days=1)


def birth_linked(
    members: Iterable[Member], events: Iterable[LifeEvent], age_limit: int
) -> frozenset[date]:
    """Every date that gives away someone's date of birth among these members and events."""
    found: set[date] = set()
    for m in members:
        found.add(m.date_of_birth)
        end = age_limit_end(m, age_limit)
        if end is not None:
            found.add(end)  # its month is the birth month
        renewal = continuous_eligibility_end(line_of(m.line_of_business), m.date_of_birth)
        if renewal is not None:
            found.add(renewal)  # a young child's Medicaid renewal: the birth month again
    for e in events:
        if e.event_type in BIRTH_EVENTS:
            found.update({e.event_date, e.event_date + timedelta(days=e.window_days)})
    return frozenset(found)


def birth_dates(
    year_only: bool,
    members: Iterable[Member],
    events: Iterable[LifeEvent] = (),
    age_limit: int = 26,
) -> BirthDates:
    """The ``BirthDates`` of a view showing ``members`` and ``events``."""
    if not year_only:
        return FULL
    return BirthDates(True, birth_linked(members, events, age_limit))


def eligibility_out(
    member: Member,
    on: date,
    age_limit: int,
    dates: BirthDates = FULL,
    plans: Callable[[Plan], PlanOut] = plan_out,
) -> EligibilityOut:
    """Eligibility with the covering plan."""
    result = service.eligibility(member, on, age_limit)
    plan = member.coverage[result.span_index].plan if result.span_index is not None else None
    return EligibilityOut(
        on=on,
        eligible=result.eligible,
        reason=result.reason,
        explanation=result.explain(_SentenceDates(dates)),
        plan=plans(plan) if plan else None,
        renewal_date=dates.iso(result.renews) if result.renews else None,
    )


def _summary_fields(member: Member, today: date, age_limit: int) -> dict[str, Any]:
    group = member.group
    return {
        "line_of_business": line_of(member.line_of_business).code,
        "id": member.id,
        "member_number": member.member_number,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "date_of_birth": member.date_of_birth.isoformat(),
        "relationship": member.relationship,
        "group_number": group.group_number if group else None,
        "group_name": group.name if group else None,
        "eligible_today": service.eligibility(member, today, age_limit).eligible,
    }


def summary(member: Member, today: date, age_limit: int) -> MemberSummary:
    """Search-result line for a member."""
    return MemberSummary(**_summary_fields(member, today, age_limit))


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
    needs = list(member.accessibility_needs or [])
    return MemberDetail(
        **_summary_fields(member, today, age_limit),
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
        tty=AccessibilityNeed.TTY.value in needs,
        accessibility_needs=needs,
        disabled_dependent=member.disabled_dependent,
        confidential_communication=conf,
        contact_routing=contact_routing(member),
    )


def span_out(
    span: CoverageSpan,
    member: Member,
    on: date,
    age_limit: int = 26,
    dates: BirthDates = FULL,
    plans: Callable[[Plan], PlanOut] = plan_out,
) -> CoverageSpanOut:
    """A coverage span, flagged retroactive when its end was keyed after the fact, with the day
    a child's cover under it ended by age when the child is past the limit on ``on`` (the span
    on file stays open past that day)."""
    retro = bool(
        span.termination_date
        and span.termination_recorded_at
        and span.termination_recorded_at.date() > span.termination_date
    )
    limit = age_limit_end(member, age_limit)
    if limit is not None and (
        limit >= on
        or limit < span.effective_date
        or (span.termination_date is not None and limit >= span.termination_date)
    ):
        limit = None
    return CoverageSpanOut(
        id=span.id,
        plan=plans(span.plan),
        effective_date=dates.iso(span.effective_date),
        from_birth=span.effective_date == member.date_of_birth,
        termination_date=dates.iso(span.termination_date) if span.termination_date else None,
        renewal_date=dates.iso(span.renewal_date) if span.renewal_date else None,
        source=span.source,
        termination_reason=span.termination_reason,
        recorded_at=span.recorded_at,
        termination_recorded_at=span.termination_recorded_at,
        retroactive=retro,
        age_limit_end=dates.iso(limit) if limit else None,
    )


def life_event_out(
    event: LifeEvent, on: date, dates: BirthDates = FULL, notes: bool = True
) -> LifeEventOut:
    """A life event with its special-enrolment window as of ``on``; ``notes`` for those who may
    read the member record."""
    window = service.enrollment_window(event, on)
    masked = dates.hides(event.event_date)
    return LifeEventOut(
        id=event.id,
        member_id=event.member_id,
        event_type=event.event_type,
        event_date=dates.iso(event.event_date),
        reported_at=event.reported_at,
        window_days=event.window_days,
        window_start=dates.iso(window.start),
        window_end=dates.iso(window.end),
        window_status=window.status,
        # Days left give the event date away as surely as the date itself.
        days_left=None if masked else window.days_left,
        notes=event.notes if notes else None,
    )


def member_360(
    session: Session,
    member: Member,
    house: list[Member],
    on: date,
    today: date,
    age_limit: int,
    *,
    year_only: bool = False,
    own_record: bool = False,
) -> Member360:
    """Everything about one member on one screen, from the member and their household as
    ``service.get_household`` loads them (coverage included).

    ``own_record``: a member reading their own record sees their own data only: not the rest
    of the household, not events on someone else's enrolment, not the subscriber's payroll,
    and no staff notes.
    """
    events = service.list_life_events(session, member)
    premium = _premium(member, house, on, age_limit)
    if own_record:
        house = [m for m in house if m.id == member.id]
        events = [e for e in events if e.member_id == member.id]
        if premium is not None and premium.subscriber_id != member.id:
            premium = None  # the subscriber's payroll is not the dependant's to read
    dates = birth_dates(year_only, house, events, age_limit)
    plans = _Plans()
    return Member360(
        as_of=on,
        member=detail(member, today, age_limit),
        eligibility=eligibility_out(member, on, age_limit, dates, plans),
        group=GroupOut.model_validate(member.group) if member.group else None,
        premium=premium,
        household=[
            HouseholdMember(
                id=m.id,
                first_name=m.first_name,
                last_name=m.last_name,
                relationship=m.relationship,
                date_of_birth=m.date_of_birth.isoformat(),
                eligibility=eligibility_out(m, on, age_limit, dates, plans),
            )
            for m in house
        ],
        coverage=[span_out(s, member, on, age_limit, dates, plans) for s in member.coverage],
        partner_plans=[
            PartnerPlanOut(
                benefit=s.plan.benefit,
                plan=plans(s.plan),
                effective_date=dates.iso(s.effective_date),
                termination_date=dates.iso(s.termination_date) if s.termination_date else None,
            )
            for s in service.partner_spans(member, on)
        ],
        life_events=[life_event_out(e, on, dates, notes=not own_record) for e in events],
        id_cards=[IdCardOut.model_validate(c) for c in service.list_id_cards(session, member)],
        policy_pack=pack_for(member),
        # Staff views only: a member's portal shows their messages, not agents' call logs.
        contacts=[] if own_record else contacts.recent_contacts(session, member.id, RECENT),
        navigator=None if own_record else navigators.brief(session, member.id),
    )


def _premium(member: Member, house: list[Member], on: date, age_limit: int) -> PremiumOut | None:
    """The enrolment's premium split, shown only while the member is covered by it."""
    subscriber = house[0] if house and house[0].subscriber_id is None else None
    if subscriber is None or not service.eligibility(member, on, age_limit).eligible:
        return None
    split = service.premium_for(subscriber, house[1:], on, age_limit)
    if split is None:
        return None
    return PremiumOut(
        subscriber_id=subscriber.id,
        tier=split.tier,
        premium_cents=split.premium_cents,
        employer_cents=split.employer_cents,
        payroll_deduction_cents=split.payroll_deduction_cents,
    )


def shown_member_ids(view: Member360) -> list[int]:
    """Everyone whose data the view discloses: the member, the household listed, whoever holds
    the enrolment the life events and premium belong to. The access log lists them all."""
    ids = {view.member.id, *(h.id for h in view.household)}
    ids.update(e.member_id for e in view.life_events)
    if view.premium is not None:
        ids.add(view.premium.subscriber_id)
    return sorted(ids)

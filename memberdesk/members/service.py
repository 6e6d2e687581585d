"""Member services logic: search, member 360, eligibility, life events, ID cards.

Functions take a session and never commit: the route or command owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import (
    ColumnElement,
    Integer,
    LargeBinary,
    Select,
    bindparam,
    func,
    inspect,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from memberdesk.clock import now
from memberdesk.compliance.crypto import (
    bidx_member_number,
    bidx_name_dob,
    bidx_phone,
)
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.members.eligibility import Eligibility, eligibility_at
from memberdesk.members.enums import (
    ELIGIBILITY_BENEFITS,
    ID_CARD_TRANSITIONS,
    Benefit,
    ConfidentialScope,
    IdCardReason,
    IdCardStatus,
    LifeEventType,
    Relationship,
)
from memberdesk.members.lines import line_of
from memberdesk.members.models import (
    LIFE_EVENT_DEDUP,
    CoverageSpan,
    EmployerGroup,
    IdCardRequest,
    LifeEvent,
    Member,
    Plan,
)
from memberdesk.members.pricing import PremiumSplit, Rates, coverage_tier, premium_split
from memberdesk.members.rules import (
    DUPLICATE_EVENT,
    HOUSEHOLD_SUFFIXES,
    SUBSCRIBER_NUMBER_RE,
    id_card_problem,
    life_event_problem,
)

# HIPAA special enrolment (29 CFR 2590.701-6) gives at least 30 days; loss of Medi-Cal or
# CHIP coverage gets 60 (CHIPRA). Plans may configure longer windows per event type.
SPECIAL_ENROLLMENT_DAYS: dict[LifeEventType, int] = {
    **{kind: 30 for kind in LifeEventType},
    LifeEventType.LOSS_OF_MEDI_CAL: 60,
}


def special_enrollment_days(kind: LifeEventType, overrides: Mapping[str, int] | None = None) -> int:
    """Length of the special-enrolment window opened by a life event."""
    if overrides and kind.value in overrides:
        return overrides[kind.value]
    return SPECIAL_ENROLLMENT_DAYS[kind]


@dataclass(frozen=True)
class Window:
    """A special-enrolment window and whether it is open on a date."""

    start: date
    end: date
    status: str  # upcoming | open | closed
    days_left: int


def enrollment_window(event: LifeEvent, on: date) -> Window:
    """The window an event opens: from the event date for ``window_days`` days, inclusive."""
    end = event.event_date + timedelta(days=event.window_days)
    if on < event.event_date:
        return Window(event.event_date, end, "upcoming", (end - on).days)
    if on <= end:
        return Window(event.event_date, end, "open", (end - on).days)
    return Window(event.event_date, end, "closed", 0)


# --- lookups --------------------------------------------------------------------------------


# Statements the hot routes (the member 360, search) run are built once: building a select,
# its loader options and its cache key cost more CPU than running it. Values are bound per call.
_MEMBER_ID = bindparam("member_id", type_=Integer)
_BIDX = bindparam("bidx", type_=LargeBinary)
_LIMIT = bindparam("limit", type_=Integer)
_OFFSET = bindparam("offset", type_=Integer)
# Member columns no view shows (blind indexes, bookkeeping); loaded on access if ever needed.
_UNSHOWN = (
    Member.member_number_bidx,
    Member.name_dob_bidx,
    Member.phone_bidx,
    Member.confidential_phone_bidx,
    Member.created_at,
    Member.updated_at,
    Member.purged_at,
)
# ...and the contact details a search result does not show either (decrypting is per value).
_NOT_IN_SUMMARY = (
    *_UNSHOWN,
    Member.address_line1,
    Member.address_line2,
    Member.city,
    Member.postal_code,
    Member.phone,
    Member.email,
    Member.confidential_address,
    Member.confidential_phone,
)
# Coverage comes in the same statement, joined (with plan and carrier): one statement beats a
# second one for the spans, even for the largest households.
_MEMBER = select(Member).where(Member.id == _MEMBER_ID).options(joinedload(Member.coverage))
# The enrolment's holder: the member's subscriber, or the member when they are the subscriber.
_HOLDER = func.coalesce(
    select(Member.subscriber_id).where(Member.id == _MEMBER_ID).scalar_subquery(), _MEMBER_ID
)
_HOUSEHOLD = (
    select(Member)
    .where(or_(Member.id == _HOLDER, Member.subscriber_id == _HOLDER))
    .order_by(Member.subscriber_id.is_not(None), Member.id)
    .options(*(defer(c) for c in _UNSHOWN), joinedload(Member.coverage))
)
_COVERAGE = (
    select(CoverageSpan)  # plan and carrier come joined (lazy="joined")
    .where(CoverageSpan.member_id.in_(bindparam("ids", expanding=True)))
    .order_by(CoverageSpan.member_id, CoverageSpan.effective_date, CoverageSpan.id)
)
_LIFE_EVENTS = (
    select(LifeEvent)
    .where(LifeEvent.member_id.in_(bindparam("ids", expanding=True)))
    .options(defer(LifeEvent.dedup_bidx))
)
_ID_CARDS = (
    select(IdCardRequest)
    .where(IdCardRequest.member_id == _MEMBER_ID)
    .order_by(IdCardRequest.requested_at.desc(), IdCardRequest.id.desc())
)


def load_coverage(session: Session, members: Sequence[Member]) -> None:
    """Load the coverage (oldest first, with plan and carrier) of every member given whose
    coverage is not loaded yet, in one statement: what ``selectinload`` does, without planning
    its query again on every call (a third of the 360's CPU when the 360 used it). For pages of
    members, where a joined collection would defeat LIMIT."""
    todo = [m for m in members if "coverage" in inspect(m).unloaded]
    if not todo:
        return
    spans: dict[int, list[CoverageSpan]] = {m.id: [] for m in todo}
    for span in session.scalars(_COVERAGE, {"ids": list(spans)}):
        spans[span.member_id].append(span)
    for m in todo:
        set_committed_value(m, "coverage", spans[m.id])


def get_member(session: Session, member_id: int) -> Member:
    """The member with internal id ``member_id``, with coverage loaded."""
    member = session.scalars(_MEMBER, {"member_id": member_id}).unique().one_or_none()
    if member is None:
        raise NotFound("no member with this id", field="path.member_id")
    return member


def get_household(session: Session, member_id: int) -> tuple[Member, list[Member]]:
    """The member with internal id ``member_id`` and everyone on the same enrolment (subscriber
    first, the member among them), with employer group and coverage: one statement.

    Columns no view shows are left unloaded. A member already loaded in the session is reused
    as it is."""
    house = list(session.scalars(_HOUSEHOLD, {"member_id": member_id}).unique())
    member = next((m for m in house if m.id == member_id), None)
    if member is None:
        raise NotFound("no member with this id", field="path.member_id")
    return member, house


def household_numbers(subscriber_number: str) -> list[bytes]:
    """Blind indexes of every member ID a household can hold (``-00`` to ``-99``)."""
    return [
        bidx_member_number(f"{subscriber_number}-{suffix:02d}")
        for suffix in range(HOUSEHOLD_SUFFIXES)
    ]


@dataclass(frozen=True, eq=False)
class _Listing:
    """One page of the members matching a condition (by internal id, summaries only), and how
    many match in all."""

    page: Select[Member]
    count: Select[int]


def _listing(where: ColumnElement[bool]) -> _Listing:
    return _Listing(
        page=select(Member)
        .where(where)
        .order_by(Member.id)
        .limit(_LIMIT)
        .offset(_OFFSET)
        .options(*(defer(c) for c in _NOT_IN_SUMMARY)),
        count=select(func.count()).select_from(Member).where(where),
    )


_BY_NUMBER = _listing(Member.member_number_bidx == _BIDX)
_BY_HOUSEHOLD = _listing(Member.member_number_bidx.in_(bindparam("bidxs", expanding=True)))
_BY_NAME_DOB = _listing(Member.name_dob_bidx == _BIDX)
# A Civil Code 56.107 confidential phone is the member's phone too; both are indexed in the same
# "phone" domain, so one hash finds either.
_BY_PHONE = _listing(or_(Member.phone_bidx == _BIDX, Member.confidential_phone_bidx == _BIDX))
_BY_GROUP = _listing(Member.group_id == bindparam("group_id", type_=Integer))


def _search_query(
    member_number: str | None,
    last_name: str | None,
    date_of_birth: date | None,
    phone: str | None,
) -> tuple[_Listing, dict[str, object]]:
    if member_number is not None:
        if SUBSCRIBER_NUMBER_RE.match(member_number):
            return _BY_HOUSEHOLD, {"bidxs": household_numbers(member_number)}
        return _BY_NUMBER, {"bidx": bidx_member_number(member_number)}
    if last_name is not None and date_of_birth is not None:
        return _BY_NAME_DOB, {"bidx": bidx_name_dob(last_name, date_of_birth)}
    if phone is not None:
        return _BY_PHONE, {"bidx": bidx_phone(phone)}
    raise InvalidInput(
        "give member_number, or last_name with date_of_birth, or phone", field="body"
    )


def search_members(
    session: Session,
    *,
    member_number: str | None = None,
    last_name: str | None = None,
    date_of_birth: date | None = None,
    phone: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Member], int]:
    """Exact-match search through blind indexes; returns one page and the total.

    The members come with group and coverage but without their contact details (a search
    result shows none; they load if read)."""
    query, params = _search_query(member_number, last_name, date_of_birth, phone)
    return _page(session, query, params, limit, offset)


def group_members(
    session: Session, group_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[Member], int]:
    """Everyone ever enrolled through a group, by internal id; one page and the total."""
    get_group(session, group_id)
    return _page(session, _BY_GROUP, {"group_id": group_id}, limit, offset)


def _page(
    session: Session, listing: _Listing, params: dict[str, object], limit: int, offset: int
) -> tuple[list[Member], int]:
    rows = list(session.scalars(listing.page, {**params, "limit": limit, "offset": offset}))
    load_coverage(session, rows)
    # A short first page is the whole answer (the usual case: one member); count only beyond.
    if offset == 0 and len(rows) < limit:
        return rows, len(rows)
    return rows, session.scalar(listing.count, params) or 0


def household(session: Session, member: Member) -> list[Member]:
    """The subscriber and every dependant on the same enrolment, subscriber first."""
    return get_household(session, member.id)[1]


# --- eligibility and premium ------------------------------------------------------------------


def eligibility(member: Member, on: date, age_limit: int = 26) -> Eligibility:
    """Eligibility of a loaded member on a date.

    Only spans of an eligibility benefit count (a CalChoice plan; Medicaid eligibility): an
    Oregon member's partner plans ride inside their eligibility and decide nothing. The span
    index of the answer is into ``member.coverage``."""
    spans = member.coverage
    counted = [i for i, s in enumerate(spans) if s.plan.benefit in ELIGIBILITY_BENEFITS]
    group = member.group
    line = line_of(member.line_of_business)
    result = eligibility_at(
        on=on,
        spans=[spans[i] for i in counted],
        relationship=member.relationship,
        date_of_birth=member.date_of_birth,
        group_effective=group.effective_date if group else None,
        group_terminated=group.termination_date if group else None,
        disabled_dependent=member.disabled_dependent,
        age_limit=age_limit if line.dependant_age_limit else None,
    )
    if result.span_index is not None and len(counted) != len(spans):
        result = replace(result, span_index=counted[result.span_index])
    return result


def partner_spans(member: Member, on: date) -> list[CoverageSpan]:
    """The partner-plan spans a loaded member holds on ``on`` (Oregon Health Plan: physical,
    behavioural and dental care, medical transport), in benefit order; none on other lines."""
    held = [
        s
        for s in member.coverage
        if s.plan.benefit not in ELIGIBILITY_BENEFITS
        and s.effective_date <= on
        and (s.termination_date is None or on <= s.termination_date)
    ]
    order = list(Benefit)
    return sorted(held, key=lambda s: (order.index(s.plan.benefit), s.effective_date, s.id))


def covering_span(member: Member, on: date, age_limit: int = 26) -> CoverageSpan | None:
    """The span that makes the member eligible on ``on``, if any."""
    result = eligibility(member, on, age_limit)
    return member.coverage[result.span_index] if result.span_index is not None else None


def premium_for(
    subscriber: Member, dependants: Sequence[Member], on: date, age_limit: int = 26
) -> PremiumSplit | None:
    """Monthly premium, employer share and payroll deduction of an enrolment on a date (None
    for a member who pays no premium: no employer group, or a plan without rates)."""
    group = subscriber.group
    if group is None:
        return None
    span = covering_span(subscriber, on, age_limit)
    if span is None:
        return None
    plan: Plan = span.plan
    tiers = (
        plan.rate_employee_cents,
        plan.rate_employee_spouse_cents,
        plan.rate_employee_children_cents,
        plan.rate_family_cents,
    )
    if any(rate is None for rate in tiers):
        return None
    covered = [d.relationship for d in dependants if eligibility(d, on, age_limit).eligible]
    rates = Rates(*(rate or 0 for rate in tiers))
    return premium_split(
        rates,
        coverage_tier(covered),
        group.contribution_employee_cents,
        group.contribution_dependents_cents,
    )


# --- life events and ID cards ----------------------------------------------------------------


def list_life_events(session: Session, member: Member) -> list[LifeEvent]:
    """Life events recorded on the member's enrolment (the subscriber's), newest first."""
    sub_id = member.subscriber_id or member.id
    events = session.scalars(_LIFE_EVENTS, {"ids": sorted({member.id, sub_id})}).all()
    # event_date is encrypted (a birth event's date is a date of birth), so order here.
    return sorted(events, key=lambda e: (e.event_date, e.id), reverse=True)


def record_life_event(
    session: Session,
    member: Member,
    kind: LifeEventType,
    event_date: date,
    notes: str | None = None,
    overrides: Mapping[str, int] | None = None,
) -> LifeEvent:
    """Record a qualifying life event, opening its special-enrolment window.

    Refused: a member whose line of business has no special enrolment (409: an Oregon Health
    Plan member reports such changes to the state), a date before the member's birth or too far
    ahead (422), and the same kind of event on the same day already on the enrolment (409, by
    the database's unique index).
    """
    line = line_of(member.line_of_business)
    if not line.special_enrolment:
        raise Conflict(
            f"no life events on the {line.name}: it has no special enrolment windows "
            "(changes are reported to the state)",
            field="path.member_id",
        )
    problem = life_event_problem(event_date, member.date_of_birth, now().date())
    if problem:
        raise InvalidInput(problem, field="body.event_date")
    owner = member.subscriber_id or member.id
    event = LifeEvent(
        member_id=owner,
        event_type=kind,
        event_date=event_date,
        window_days=special_enrollment_days(kind, overrides),
        notes=notes,
    )  # dedup_bidx follows event_type and event_date (see LifeEvent)
    # The unique (member_id, dedup_bidx) refuses a duplicate, even one inserted a moment ago
    # by a concurrent request: a read-then-insert check cannot see that one. The SAVEPOINT
    # keeps the request's transaction usable after the refused insert.
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
    except IntegrityError as exc:
        if not _is_duplicate_event(exc):
            raise
        raise Conflict(DUPLICATE_EVENT, field="body.event_date") from None
    return event


def _is_duplicate_event(exc: IntegrityError) -> bool:
    """The refused insert broke the (member_id, dedup_bidx) constraint, not another one.

    PostgreSQL names the constraint; SQLite names its columns."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:
        return bool(getattr(diag, "constraint_name", None) == LIFE_EVENT_DEDUP)
    return "life_events.member_id, life_events.dedup_bidx" in str(exc.orig)


def list_id_cards(session: Session, member: Member) -> list[IdCardRequest]:
    """The member's ID-card requests, newest first."""
    return list(session.scalars(_ID_CARDS, {"member_id": member.id}))


def id_card_refusal(session: Session, member: Member, age_limit: int = 26) -> str | None:
    """Why no ID card can be requested for the member today, or None (shared by the request and
    the pages, which offer the form only when a request would be taken)."""
    problem = id_card_problem(eligibility(member, now().date(), age_limit), member.coverage)
    if problem:
        return problem
    open_request = session.scalar(
        select(IdCardRequest.id).where(
            IdCardRequest.member_id == member.id,
            IdCardRequest.status.in_([IdCardStatus.REQUESTED, IdCardStatus.PRINTED]),
        )
    )
    if open_request is not None:
        return OPEN_CARD_REQUEST
    return None


OPEN_CARD_REQUEST = "an ID card request for this member is already being processed"


def request_id_card(
    session: Session, member: Member, reason: IdCardReason, age_limit: int = 26
) -> IdCardRequest:
    """Request a new ID card; it goes to the confidential address when one applies to all mail.

    Refused (409) once coverage has ended with none to come, and while a request is open.
    """
    problem = id_card_refusal(session, member, age_limit)
    if problem:
        raise Conflict(problem)
    card = IdCardRequest(
        member_id=member.id,
        reason=reason,
        status=IdCardStatus.REQUESTED,
        ship_to_confidential=member.confidential_scope == ConfidentialScope.ALL,
    )
    session.add(card)
    session.flush()
    return card


def update_id_card(
    session: Session, card_id: int, status: IdCardStatus
) -> tuple[IdCardStatus, IdCardRequest]:
    """Move an ID-card request to its next status (only along allowed transitions)."""
    card = session.get(IdCardRequest, card_id)
    if card is None:
        raise NotFound("no ID card request with this id", field="path.card_id")
    if status not in ID_CARD_TRANSITIONS[card.status]:
        allowed = ", ".join(sorted(ID_CARD_TRANSITIONS[card.status])) or "none (final)"
        raise Conflict(f"cannot move an ID card from {card.status} to {status}; allowed: {allowed}")
    old = card.status
    card.status = status
    card.updated_at = now()
    session.flush()
    return old, card


# --- groups and plans --------------------------------------------------------------------------


def get_group(session: Session, group_id: int) -> EmployerGroup:
    """An employer group by id."""
    group = session.get(EmployerGroup, group_id)
    if group is None:
        raise NotFound("no employer group with this id", field="path.group_id")
    return group


def group_counts(session: Session, group_id: int) -> tuple[int, int]:
    """(subscribers, all members) enrolled through a group, whatever their status."""
    subs = (
        session.scalar(
            select(func.count()).where(
                Member.group_id == group_id, Member.relationship == Relationship.SELF
            )
        )
        or 0
    )
    total = session.scalar(select(func.count()).where(Member.group_id == group_id)) or 0
    return subs, total

"""Builders for rows the tests need, on top of the seeded base book."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.crypto import bidx_member_number, bidx_name_dob, bidx_phone
from memberdesk.members.enums import CoverageSource, Relationship, TerminationReason
from memberdesk.members.models import CoverageSpan, EmployerGroup, Member, Plan

_numbers = itertools.count(1)


def plan(session: Session, code: str = "SVH-HMO-SIL") -> Plan:
    """A seeded plan by code."""
    found = session.scalar(select(Plan).where(Plan.code == code))
    assert found is not None, code
    return found


def group(
    session: Session,
    *,
    effective: date = date(2020, 1, 1),
    terminated: date | None = None,
    contribution: int = 40_000,
    dependents: int = 0,
) -> EmployerGroup:
    """A new employer group."""
    n = next(_numbers)
    g = EmployerGroup(
        group_number=f"T{n:07d}",
        name=f"Test Employer {n}",
        county="Alameda",
        effective_date=effective,
        termination_date=terminated,
        renewal_month=effective.month,
        contribution_employee_cents=contribution,
        contribution_dependents_cents=dependents,
    )
    session.add(g)
    session.flush()
    return g


def member(
    session: Session,
    *,
    grp: EmployerGroup | None = None,
    relationship: Relationship = Relationship.SELF,
    subscriber: Member | None = None,
    first_name: str = "Alex",
    last_name: str = "Testperson",
    dob: date = date(1980, 5, 17),
    phone: str | None = "(415) 555-0142",
    spans: Sequence[tuple[date, date | None]] = ((date(2020, 1, 1), None),),
    plan_code: str = "SVH-HMO-SIL",
    disabled: bool = False,
    termination_recorded_at: datetime | None = None,
    **extra: object,
) -> Member:
    """A new member with coverage spans (effective, termination) on one plan."""
    grp = grp or (subscriber.group if subscriber else group(session))
    number = f"{next(_numbers):09d}-{0 if subscriber is None else 1:02d}"
    m = Member(
        member_number=number,
        member_number_bidx=bidx_member_number(number),
        subscriber_id=subscriber.id if subscriber else None,
        group_id=grp.id,
        relationship=relationship,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=dob,
        name_dob_bidx=bidx_name_dob(last_name, dob),
        sex="F",
        address_line1="1 Test Way",
        city="Oakland",
        state="CA",
        postal_code="94612",
        phone=phone,
        phone_bidx=bidx_phone(phone) if phone else None,
        disabled_dependent=disabled,
        accessibility_needs=[],
        **extra,
    )
    session.add(m)
    session.flush()
    p = plan(session, plan_code)
    for eff, term in spans:
        session.add(
            CoverageSpan(
                member_id=m.id,
                plan_id=p.id,
                effective_date=eff,
                termination_date=term,
                source=CoverageSource.GROUP_ENROLLMENT,
                termination_reason=TerminationReason.EMPLOYMENT_ENDED if term else None,
                recorded_at=datetime(eff.year, eff.month, 1, tzinfo=UTC),
                termination_recorded_at=termination_recorded_at if term else None,
            )
        )
    session.flush()
    session.expire(m)
    return m


def oregon_book(session: Session, members: int = 120, seed: int = 3) -> list[int]:
    """An Oregon Health Plan book beside the seeded CalChoice one, inside the test's transaction
    (the rows ``memberdesk seed --profile oregon-medicaid`` makes); returns the members' ids."""
    from memberdesk.members.seed import add_book

    return add_book(session, members=members, seed=seed, profile="oregon-medicaid")

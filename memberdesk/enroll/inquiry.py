"""Answering a 270 from the eligibility engine (takes a session, never commits).

A member is found by the member ID the provider sends (NM109 qualified MI) and confirmed by
date of birth and last name when the inquiry carries them; a dependant named in a 2000D loop
is found in the subscriber's household by name and date of birth. Each answer is audited as a
disclosure of that member's eligibility to the requester.
"""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.enroll.x12 import clean
from memberdesk.enroll.x12_270 import Inquiry, Person, parse_270
from memberdesk.enroll.x12_271 import Answer, build_271
from memberdesk.members import service as members
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import Member

# 271 control numbers: unique within a process run is enough for the answer's envelope (the
# requester matches answers by BHT03 and TRN, not by our control numbers).
_CONTROL = itertools.count(1)
PAYER = ("MEMBERDESK HEALTH PLAN", "MEMBERDESK")


def _same_name(a: str, b: str) -> bool:
    return clean(a, 60).casefold() == clean(b, 60).casefold()


def _find(session: Session, person: Person) -> tuple[Member | None, str | None]:
    """The member the 2100C loop names, or the AAA03 reason they are not found."""
    if not person.member_id:
        return None, "72"  # invalid or missing member ID
    found, _ = members.search_members(session, member_number=person.member_id, limit=2)
    if len(found) != 1:
        return None, "75"  # subscriber / insured not found
    member = found[0]
    if person.date_of_birth and person.date_of_birth != member.date_of_birth:
        return None, "71"  # birth date does not match
    if person.last_name and not _same_name(person.last_name, member.last_name):
        return None, "73"  # name does not match
    return member, None


def _dependant(session: Session, holder: Member, person: Person) -> Member | None:
    for m in members.household(session, holder):
        if (
            m.id != holder.id
            and person.date_of_birth == m.date_of_birth
            and _same_name(person.last_name, m.last_name)
        ):
            return m
    return None


def _answer(session: Session, inquiry: Inquiry, today: date) -> tuple[Answer, Member | None]:
    member, reject = _find(session, inquiry.subscriber)
    if member is not None and inquiry.dependant is not None:
        member = _dependant(session, member, inquiry.dependant)
        reject = None if member is not None else "75"
    if member is None:
        return Answer(inquiry, False, reject_code=reject), None
    on = inquiry.subscriber.service_date or today
    result = members.eligibility(member, on)
    span = member.coverage[result.span_index] if result.span_index is not None else None
    plan = span.plan if span is not None else None
    if plan is None:
        held = [s for s in member.coverage if s.effective_date <= on] or member.coverage
        plan = held[-1].plan if held else None
    medicaid = member.line_of_business == LineOfBusiness.OREGON_MEDICAID
    ptype = getattr(plan, "plan_type", None) if plan is not None else None
    return (
        Answer(
            inquiry,
            True,
            active=result.eligible,
            plan_name=plan.name if plan else "",
            insurance_type="MC"
            if medicaid
            else {"HMO": "HM", "PPO": "PR", "EPO": "EP"}.get(str(ptype or ""), "C1"),
            last_name=clean(member.last_name),
            first_name=clean(member.first_name, 35),
            member_id=inquiry.subscriber.member_id if inquiry.dependant is None else "",
            date_of_birth=member.date_of_birth,
            sex=member.sex if member.sex in ("M", "F") else "U",
            begin=result.since,
            end=result.until,
            message="" if result.eligible else clean(result.explanation, 264),
        ),
        member,
    )


def answer_270(session: Session, raw: bytes, ctx: AuditContext) -> tuple[str, list[Answer]]:
    """The 271 answering a 270 (``X12Rejected`` with a 999 or TA1 when it cannot be read)."""
    request = parse_270(raw)
    today = now().date()
    answers: list[Answer] = []
    events: list[audit.Event] = []
    for inquiry in request.inquiries:
        answer, member = _answer(session, inquiry, today)
        answers.append(answer)
        if member is not None:
            events.append(
                audit.Event(
                    AuditAction.ELIGIBILITY_INQUIRY,
                    object_type="member",
                    object_id=member.id,
                    member_ids=[member.id],
                    detail={
                        "x12": request.envelope.control_number,
                        "requester": request.envelope.sender,
                        "answer": "active" if answer.active else "inactive",
                    },
                )
            )
    audit.record_many(session, ctx, events)
    text = build_271(request, answers, now(), next(_CONTROL), *PAYER)
    return text, answers

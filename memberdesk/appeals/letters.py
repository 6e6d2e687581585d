"""The seam to the letters module: which letters an appeal owes the member, by when, and the
context each needs (the letters module renders, sends, stores and then records the notice with
``actions.record_notice``, which meets the clocks a notice meets).

``due_letters`` is pure: it reads an ``AppealFacts`` snapshot. ``letters_for`` builds the
snapshot from the database and, for each letter owed, the context named as the letters
module's contract names its fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals import rights, rules
from memberdesk.appeals.enums import (
    WRITTEN_METHODS,
    AppealKind,
    AppealState,
    ExtensionRequestedBy,
    NoticeKind,
    Outcome,
    Urgency,
)
from memberdesk.appeals.models import Appeal, AppealExtension, AppealNotice
from memberdesk.appeals.service import appeal_clocks, case_of, targets_of
from memberdesk.cases.enums import OPEN_CLOCK_STATES, ClockState
from memberdesk.members import service as members_service
from memberdesk.members.models import Member
from memberdesk.sla.packs import zone_of


@dataclass(frozen=True)
class LetterDue:
    """A letter owed to the member: which, by when (None: promptly), under which rule."""

    kind: NoticeKind
    due_by: datetime | None
    why: str


@dataclass(frozen=True)
class AppealFacts:
    """What decides the letters owed (pure data)."""

    pack: str
    kind: AppealKind
    urgency: Urgency
    state: AppealState
    received_at: datetime
    clocks: dict[str, tuple[datetime | None, ClockState]]  # target -> (due, state)
    written_notices: frozenset[NoticeKind] = frozenset()
    extended_at: datetime | None = None
    extension_by: ExtensionRequestedBy | None = None
    decided_at: datetime | None = None
    deemed_exhausted_at: datetime | None = None
    resolution_targets: tuple[str, ...] = field(default_factory=tuple)


ACK_WHY = {
    rules.CALCHOICE: "written acknowledgement (H&S § 1368(a)(4)(A); the plan's own 2 business "
    "days)",
    rules.OREGON: "every grievance and appeal is acknowledged (42 CFR § 438.406(b)(1))",
}


def due_letters(f: AppealFacts) -> list[LetterDue]:
    """The letters owed and not yet sent in writing, in the order they fall due."""
    out: list[LetterDue] = []
    sent = f.written_notices
    open_ = f.state is AppealState.OPEN
    expedited_ca = f.pack == rules.CALCHOICE and f.urgency is Urgency.EXPEDITED
    if open_ and f.pack in ACK_WHY and not expedited_ca and NoticeKind.ACKNOWLEDGEMENT not in sent:
        ack = f.clocks.get("appeal_ack")
        out.append(LetterDue(NoticeKind.ACKNOWLEDGEMENT, ack[0] if ack else None, ACK_WHY[f.pack]))
    decision = f.clocks.get("grievance_decision")
    if (
        open_
        and rules.delay_notice_allowed(f.pack, f.kind)
        and decision is not None
        and decision[1] in OPEN_CLOCK_STATES
        and NoticeKind.DELAY_NOTICE not in sent
    ):
        out.append(
            LetterDue(
                NoticeKind.DELAY_NOTICE,
                decision[0],
                "a decision or a notice of delay within 5 business days (OAR 410-141-3880)",
            )
        )
    if (
        f.extended_at is not None
        and f.extension_by is ExtensionRequestedBy.PLAN
        and NoticeKind.EXTENSION not in sent
    ):
        due = rules.extension_notice_due(f.extended_at, f.extension_by)
        out.append(
            LetterDue(
                NoticeKind.EXTENSION,
                due,
                "written notice of the plan's extension within 2 days, with the reason and the "
                "right to file a grievance (42 CFR § 438.408(c)(2))",
            )
        )
    if f.decided_at is not None and NoticeKind.RESOLUTION not in sent:
        dues = [f.clocks[t][0] for t in f.resolution_targets if t in f.clocks]
        due = max((d for d in dues if d is not None), default=None)
        out.append(
            LetterDue(
                NoticeKind.RESOLUTION,
                due if due is not None and due > f.decided_at else None,
                "written notice of the resolution with the member's rights",
            )
        )
    if f.deemed_exhausted_at is not None and NoticeKind.DEEMED_EXHAUSTION not in sent:
        out.append(
            LetterDue(
                NoticeKind.DEEMED_EXHAUSTION,
                None,
                "the deadline passed: the member may go straight to a state fair hearing "
                "(42 CFR § 438.408(c)(3))",
            )
        )
    return sorted(out, key=lambda d: (d.due_by is None, d.due_by or f.received_at))


def facts(session: Session, appeal: Appeal) -> AppealFacts:
    """The snapshot ``due_letters`` reads, from the appeal's rows."""
    case = case_of(session, appeal)
    rows = appeal_clocks(appeal, case)
    notices = session.scalars(
        select(AppealNotice.kind).where(
            AppealNotice.appeal_id == appeal.id, AppealNotice.method.in_(list(WRITTEN_METHODS))
        )
    )
    ext = session.scalar(select(AppealExtension).where(AppealExtension.appeal_id == appeal.id))
    return AppealFacts(
        pack=appeal.pack,
        kind=appeal.kind,
        urgency=appeal.urgency,
        state=appeal.state,
        received_at=appeal.received_at,
        clocks={r.target: (r.due_at, r.state) for r in rows},
        written_notices=frozenset(notices),
        extended_at=ext.extended_at if ext else None,
        extension_by=ext.requested_by if ext else None,
        decided_at=appeal.decided_at,
        deemed_exhausted_at=appeal.deemed_exhausted_at,
        resolution_targets=tuple(t for t in targets_of(appeal) if t not in rules.ACK_TARGETS),
    )


# The decision as the letters' contract names it.
DECISIONS = {
    Outcome.UPHELD: "upheld",
    Outcome.OVERTURNED: "overturned",
    Outcome.PARTLY_OVERTURNED: "partly",
}


def _plan_name(member: Member, on: date) -> str:
    span = members_service.covering_span(member, on)
    return span.plan.name if span is not None else "your health plan"


def letter_context(
    session: Session, appeal: Appeal, kind: NoticeKind, at: datetime
) -> dict[str, Any]:
    """The context a letter of ``kind`` about this appeal takes, field for field as the letters
    module's contract (``memberdesk.letters.contract``) names them: the common fields, and each
    kind's own. PHI included: the caller audits the letter it issues."""
    member = session.get(Member, appeal.member_id)
    assert member is not None
    zone = zone_of(appeal.pack)
    rows = appeal_clocks(appeal, case_of(session, appeal))
    ctx: dict[str, Any] = {
        "member_name": f"{member.first_name} {member.last_name}",
        "member_number": member.member_number,
        "plan_name": _plan_name(member, appeal.received_at.astimezone(zone).date()),
        "reference": str(appeal.id),
        "case_kind": appeal.kind.value,
        "received_at": appeal.received_at.astimezone(zone),
    }
    resolution = [r for r in rows if r.target not in rules.ACK_TARGETS and r.due_at is not None]
    if kind in (NoticeKind.ACKNOWLEDGEMENT, NoticeKind.DELAY_NOTICE):
        ctx["urgency"] = appeal.urgency.value
        due = max((r.due_at for r in resolution if r.due_at), default=None)
        ctx["resolution_due_at"] = due.astimezone(zone) if due else None
        ctx["summary"] = appeal.summary
    ext = session.scalar(select(AppealExtension).where(AppealExtension.appeal_id == appeal.id))
    if kind is NoticeKind.EXTENSION and ext is not None:
        ctx["extension_reason"] = ext.reason
        ctx["original_due_at"] = ext.due_before.astimezone(zone)
        ctx["new_due_at"] = ext.due_after.astimezone(zone)
    rights_by = next((r.request_by for r in rights_now(appeal, at) if r.request_by), None)
    if kind is NoticeKind.RESOLUTION and appeal.outcome and appeal.decided_at:
        ctx["decision"] = DECISIONS[appeal.outcome]
        ctx["rationale"] = appeal.decision_rationale
        ctx["decided_at"] = appeal.decided_at.astimezone(zone)
        if rights_by:
            ctx["rights_deadline"] = rights_by.astimezone(zone).date()
    if kind is NoticeKind.DEEMED_EXHAUSTION and appeal.deemed_exhausted_at:
        missed = next(
            (r.due_at for r in resolution if r.target == appeal.deemed_target and r.due_at),
            appeal.deemed_exhausted_at,
        )
        ctx["missed_due_at"] = missed.astimezone(zone)
        if rights_by:
            ctx["rights_deadline"] = rights_by.astimezone(zone).date()
    return ctx


def rights_now(appeal: Appeal, at: datetime) -> list[rights.RightNow]:
    """The member's rights as they stand for this appeal at ``at``."""
    return [
        rights.standing(
            r,
            received_at=appeal.received_at,
            urgency=appeal.urgency,
            decided_at=appeal.decided_at,
            deemed_exhausted_at=appeal.deemed_exhausted_at,
            at=at,
        )
        for r in rights.rights_for(appeal.pack, appeal.kind)
    ]


def letters_for(
    session: Session, appeal: Appeal, at: datetime
) -> list[tuple[LetterDue, dict[str, Any]]]:
    """The letters this appeal owes now, each with its context (the letters module's entry:
    issue each, send it, then ``actions.record_notice`` meets its clocks and ticks the packet).
    A notice of delay (Oregon grievances) has no template there yet: its context is the
    acknowledgement's."""
    owed = due_letters(facts(session, appeal))
    return [(d, letter_context(session, appeal, d.kind, at)) for d in owed]

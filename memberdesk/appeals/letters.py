"""The seam to the letters module: which letters an appeal owes the member, by when, and the
data each needs (the letters module renders, sends, stores and then records the notice with
``actions.record_notice``, which meets the clocks a notice meets).

``due_letters`` is pure: it reads an ``AppealFacts`` snapshot. ``letters_for`` builds the
snapshot and the letter data from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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
    Urgency,
)
from memberdesk.appeals.models import Appeal, AppealExtension, AppealNotice
from memberdesk.appeals.service import appeal_clocks, case_of, targets_of
from memberdesk.cases.enums import OPEN_CLOCK_STATES, ClockState
from memberdesk.members.models import Member


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


def letter_data(session: Session, appeal: Appeal, at: datetime) -> dict[str, Any]:
    """Everything a letter about this appeal needs, PHI included (the caller audits its use):
    the member's written language, the appeal, its deadlines, extension, decision and rights."""
    member = session.get(Member, appeal.member_id)
    ext = session.scalar(select(AppealExtension).where(AppealExtension.appeal_id == appeal.id))
    case = case_of(session, appeal)
    return {
        "appeal_id": appeal.id,
        "member_id": appeal.member_id,
        "language": member.written_language if member else "en",
        "confidential_address": bool(member and member.confidential_address),
        "pack": appeal.pack,
        "kind": appeal.kind.value,
        "urgency": appeal.urgency.value,
        "received_at": appeal.received_at,
        "summary": appeal.summary,
        "representative": {"name": appeal.rep_name, "relationship": appeal.rep_relationship}
        if appeal.rep_name
        else None,
        "deadlines": {r.target: r.due_at for r in appeal_clocks(appeal, case)},
        "extension": {
            "amount": ext.amount,
            "unit": ext.unit,
            "reason": ext.reason,
            "due_after": ext.due_after,
            "requested_by": ext.requested_by.value,
        }
        if ext
        else None,
        "decision": {
            "outcome": appeal.outcome.value,
            "rationale": appeal.decision_rationale,
            "decided_at": appeal.decided_at,
        }
        if appeal.outcome and appeal.decided_at
        else None,
        "deemed_exhausted_at": appeal.deemed_exhausted_at,
        "rights": [
            {
                "key": r.right.key,
                "title": r.right.title,
                "text": r.right.text,
                "request_within_days": r.right.request_within_days,
                "request_by": r.request_by,
                "citation": r.right.citation,
            }
            for r in rights_now(appeal, at)
        ],
    }


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
    """The letters this appeal owes now, each with its data (the letters module's entry)."""
    owed = due_letters(facts(session, appeal))
    data = letter_data(session, appeal, at) if owed else {}
    return [(d, data) for d in owed]

"""The member's rights after the plan's process, per pack (pure): Oregon Medicaid's state fair
hearing, California's DMHC complaint and independent medical review, ERISA's external review.

Shown on the appeal page and in the API, and handed to letters (``letters.py``). Periods marked
``verify`` were not confirmed against the primary text: each plan's counsel confirms them.
No phone numbers or addresses here: those change and must be verified before a letter uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from memberdesk.appeals.enums import AppealKind, Urgency
from memberdesk.appeals.rules import CALCHOICE, ERISA, OREGON


@dataclass(frozen=True)
class Right:
    """One right of the member, in plain words, with its time limit and source."""

    key: str
    title: str
    text: str
    request_within_days: int | None
    citation: str
    verify: bool = False


STATE_FAIR_HEARING = Right(
    "state_fair_hearing",
    "State fair hearing (Oregon Health Authority)",
    "If you disagree with our decision on your appeal, you may ask the Oregon Health Authority "
    "for a state fair hearing. Ask within 120 days of the date on our decision notice. If we do "
    "not decide your appeal in time, you are treated as having finished our appeal process and "
    "may ask for a hearing right away. You may ask that your benefits continue during the "
    "hearing.",
    120,
    "42 CFR 438.408(f); 42 CFR 438.402(c)(1)(i)(A); OAR 410-141-3890",
    verify=True,
)
OREGON_GRIEVANCE = Right(
    "oha_grievance_review",
    "Review by the Oregon Health Authority",
    "If you are not happy with how we handled your complaint, you may ask the Oregon Health "
    "Authority to review it.",
    None,
    "OAR 410-141-3880",
    verify=True,
)
DMHC_IMR = Right(
    "dmhc_imr",
    "Independent Medical Review and the Department of Managed Health Care",
    "If you are not satisfied with our decision, or we have not resolved your grievance within "
    "30 days, you may file a complaint with the California Department of Managed Health Care "
    "(DMHC). If we denied, delayed or changed a service because it was not medically necessary, "
    "or was experimental or investigational, you may ask DMHC for an Independent Medical Review "
    "(IMR); apply within 6 months of our decision. In an urgent case you may contact DMHC at "
    "once, without waiting for our decision. The review costs you nothing.",
    183,
    "Cal. H&S Code §§ 1368(b), 1368.03, 1374.30; 28 CCR 1300.74.30",
)
ERISA_REVIEW = Right(
    "external_review",
    "External review, and your right to go to court",
    "If we uphold our decision, you may ask for an external review by an independent review "
    "organisation within 4 months of our decision, and you may bring a civil action under "
    "section 502(a) of ERISA.",
    120,
    "45 CFR 147.136(d); 29 CFR 2560.503-1(j)(4)",
    verify=True,
)


def rights_for(pack: str, kind: AppealKind) -> list[Right]:
    """The rights the member is told of for this pack and kind."""
    if pack == OREGON:
        return [STATE_FAIR_HEARING] if kind is AppealKind.APPEAL else [OREGON_GRIEVANCE]
    if pack == CALCHOICE:
        return [DMHC_IMR]
    if pack == ERISA:
        return [ERISA_REVIEW]
    return []


@dataclass(frozen=True)
class RightNow:
    """A right as it stands for one appeal: available yet, from when, until when."""

    right: Right
    available: bool
    available_from: datetime | None
    request_by: datetime | None
    why: str


def standing(
    right: Right,
    *,
    received_at: datetime,
    urgency: Urgency,
    decided_at: datetime | None,
    deemed_exhausted_at: datetime | None,
    at: datetime,
) -> RightNow:
    """When the member may use the right: after the plan's decision (or its deemed exhaustion),
    and for DMHC also after 30 days in the plan's process, or at once when urgent."""
    ends = [t for t in (decided_at, deemed_exhausted_at) if t is not None]
    start: datetime | None = min(ends) if ends else None
    why = "after our decision" if decided_at else ""
    if deemed_exhausted_at and (decided_at is None or deemed_exhausted_at < decided_at):
        why = "we missed the deadline, so our appeal process is treated as finished"
    if right.key == DMHC_IMR.key:
        thirty = received_at + timedelta(days=30)
        if urgency is Urgency.EXPEDITED:
            start, why = received_at, "the case is urgent"
        elif start is None or thirty < start:
            start, why = thirty, "30 days after we received it"
    request_by = None
    if start is not None and right.request_within_days and (decided_at or deemed_exhausted_at):
        base = min(ends) if ends else start
        request_by = base + timedelta(days=right.request_within_days)
    available = start is not None and start <= at
    return RightNow(right, available, start, request_by, why or "after our decision")

"""The appeal rules as data and small functions (pure: no database, no web).

Which of the pack's targets an appeal or grievance runs on, which notice or decision meets
each, whether and how far a clock may be extended, and which deadlines, once missed, deem the
member to have exhausted the plan's process. Numbers come from the policy packs
(``memberdesk/sla/packs/*.toml``), never from here: a plan that changes a pack changes these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from memberdesk.appeals.enums import (
    AppealKind,
    AppealState,
    ClaimType,
    ExtensionRequestedBy,
    NoticeKind,
    Urgency,
)
from memberdesk.sla.packs import ExtensionRule, get_pack, pack_names

CALCHOICE, OREGON, ERISA = "calchoice", "oregon-medicaid", "erisa-group"
APPEAL_PACKS = (CALCHOICE, OREGON, ERISA)
# Written notice of an extension the plan took itself, 42 CFR 438.408(c)(2)(ii).
EXTENSION_NOTICE_DAYS = 2
AGING_DAYS = 30  # H&S 1368: grievances open 30 days or more go on the quarterly report


class RuleError(ValueError):
    """A request the rules do not allow; ``field`` names what to change."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Track:
    """What an intake decides: the pack's targets the appeal's clocks run on."""

    pack: str
    kind: AppealKind
    urgency: Urgency
    claim_type: ClaimType | None
    targets: tuple[str, ...]


def clock_targets(
    pack: str, kind: AppealKind, urgency: Urgency, claim_type: ClaimType | None = None
) -> tuple[str, ...]:
    """The pack targets started at receipt (DESIGN's ``POST /api/appeals`` contract)."""
    expedited = urgency is Urgency.EXPEDITED
    if pack == CALCHOICE:
        # DMHC treats appeals as grievances: one acknowledgement and one resolution clock, or
        # the 72-hour urgent review (no written acknowledgement owed on that track).
        return ("appeal_expedited",) if expedited else ("appeal_ack", "appeal_resolution")
    if pack == OREGON:
        if kind is AppealKind.GRIEVANCE:
            # OAR 410-141-3880 has no expedited grievance; the urgency is kept on record.
            return ("grievance_decision", "grievance_resolution")
        return ("appeal_expedited",) if expedited else ("appeal_resolution",)
    if pack == ERISA:
        if kind is AppealKind.GRIEVANCE:
            raise RuleError(
                "the erisa-group pack has no grievance clock: ERISA reviews adverse benefit "
                "determinations as appeals (29 CFR 2560.503-1)",
                "body.kind",
            )
        if expedited:
            return ("urgent_appeal",)
        if claim_type is None:
            raise RuleError(
                "an ERISA appeal needs the claim type (pre_service or post_service): they run "
                "on 30 and 60 days",
                "body.claim_type",
            )
        return (
            ("pre_service_appeal",)
            if claim_type is ClaimType.PRE_SERVICE
            else ("post_service_appeal",)
        )
    raise RuleError(
        f"no appeal rules for this policy pack; appeals run on {', '.join(APPEAL_PACKS)}",
        "body.member_id",
    )


def track(
    pack: str, kind: AppealKind, urgency: Urgency, claim_type: ClaimType | None = None
) -> Track:
    """The intake's track, or ``RuleError`` naming the field to change."""
    return Track(pack, kind, urgency, claim_type, clock_targets(pack, kind, urgency, claim_type))


# Targets a notice sent to the member meets: the acknowledgement, and Oregon's "decision or
# notice of delay" within 5 business days.
NOTICE_MEETS: dict[NoticeKind, frozenset[str]] = {
    NoticeKind.ACKNOWLEDGEMENT: frozenset({"appeal_ack"}),
    NoticeKind.DELAY_NOTICE: frozenset({"grievance_decision"}),
}
# Targets only a notice can meet: a decision meets every other clock of the appeal.
ACK_TARGETS = frozenset({"appeal_ack"})


def delay_notice_allowed(pack: str, kind: AppealKind) -> bool:
    """Whether a notice of delay answers a clock (Oregon grievances only)."""
    return pack == OREGON and kind is AppealKind.GRIEVANCE


def extension_rule(pack: str, target: str) -> ExtensionRule | None:
    """The extension the pack's target allows, if any."""
    try:
        return get_pack(pack).target(target).extension
    except KeyError:
        return None


def extendable_target(pack: str, targets: Iterable[str]) -> str | None:
    """The appeal's clock an extension applies to (the first one the pack lets extend)."""
    for t in targets:
        if extension_rule(pack, t) is not None:
            return t
    return None


def check_extension(
    pack: str,
    targets: Iterable[str],
    state: AppealState,
    extended_before: datetime | None,
) -> tuple[str, ExtensionRule]:
    """The target to extend and its rule, or ``RuleError`` saying why not (nothing to extend
    under the rule, a second extension, an appeal no longer open)."""
    if state is not AppealState.OPEN:
        raise RuleError(f"a {state} appeal cannot be extended", "path.appeal_id")
    target = extendable_target(pack, targets)
    if target is None:
        raise RuleError(
            f"the {pack} pack gives no extension for {' or '.join(targets)}",
            "path.appeal_id",
        )
    rule = extension_rule(pack, target)
    assert rule is not None
    if extended_before is not None:
        raise RuleError(
            f"this appeal was already extended on {extended_before.date().isoformat()}; the "
            f"rule allows {rule.count} extension",
            "path.appeal_id",
        )
    return target, rule


def extension_notice_due(
    extended_at: datetime, requested_by: ExtensionRequestedBy
) -> datetime | None:
    """When written notice of an extension is owed (the plan's own extension: 2 days)."""
    if requested_by is ExtensionRequestedBy.MEMBER:
        return None
    return extended_at + timedelta(days=EXTENSION_NOTICE_DAYS)


def deemed_targets() -> frozenset[tuple[str, str]]:
    """(pack, target) pairs whose missed deadline deems the appeal process exhausted
    (42 CFR 438.408(c)(3)), read from the packs' ``deemed_exhausted_on_breach``."""
    return frozenset(
        (name, t.id)
        for name in pack_names()
        for t in get_pack(name).targets.values()
        if t.deemed_exhausted_on_breach
    )


def received_problem(received_at: datetime, now: datetime) -> str | None:
    """Why a receipt time cannot be used, or None (aware times only; never in the future)."""
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        return "must be an ISO 8601 time with an offset, e.g. 2026-12-08T09:30:00-08:00"
    if received_at > now:
        return "is in the future; give the time the request was received"
    return None


def quarter_bounds(text: str) -> tuple[int, int]:
    """``2026-Q4`` -> (2026, 4), else ``ValueError`` saying the form."""
    year, sep, q = text.strip().upper().partition("-Q")
    if not sep or not year.isdigit() or len(year) != 4 or q not in ("1", "2", "3", "4"):
        raise ValueError("must be a quarter written YYYY-Qn, e.g. 2026-Q4")
    if not 2000 <= int(year) <= 2199:
        raise ValueError("must be a quarter between 2000 and 2199")
    return int(year), int(q)


def month_bounds(text: str) -> tuple[int, int]:
    """``2026-11`` -> (2026, 11), else ``ValueError`` saying the form."""
    year, sep, month = text.strip().partition("-")
    if not sep or not year.isdigit() or len(year) != 4 or not month.isdigit():
        raise ValueError("must be a month written YYYY-MM, e.g. 2026-11")
    if not 1 <= int(month) <= 12 or not 2000 <= int(year) <= 2199:
        raise ValueError("must be a month between 2000-01 and 2199-12")
    return int(year), int(month)

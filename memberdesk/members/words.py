"""Plain words for the members domain: dates, money and every code a person may read (pure).

Pages never show a code (``domestic_partner``, ``tty``); API sentences meant to be read to a
member use the same words, so an agent reads out what the page shows.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from memberdesk.language import N_, dated
from memberdesk.language import gettext as _
from memberdesk.members.enums import (
    AccessibilityNeed,
    Benefit,
    ConfidentialScope,
    CoverageSource,
    CoverageTier,
    IdCardReason,
    IdCardStatus,
    IneligibleReason,
    LifeEventType,
    LineOfBusiness,
    MetalTier,
    PlanType,
    Relationship,
    TerminationReason,
)
from memberdesk.members.lines import LINES, line_of
from memberdesk.members.seed_data import LANGUAGE_NAMES

PACIFIC = ZoneInfo("America/Los_Angeles")
# Month abbreviations written out here, not by strftime, so pages never follow the server locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

LABELS: dict[StrEnum, str] = {
    Relationship.SELF: "Subscriber",
    Relationship.SPOUSE: "Spouse",
    Relationship.DOMESTIC_PARTNER: "Domestic partner",
    Relationship.CHILD: "Child",
    Relationship.OTHER_DEPENDENT: "Other dependant",
    CoverageTier.EMPLOYEE: "Employee only",
    CoverageTier.EMPLOYEE_SPOUSE: "Employee and spouse or partner",
    CoverageTier.EMPLOYEE_CHILDREN: "Employee and children",
    CoverageTier.FAMILY: "Family",
    CoverageSource.NEW_HIRE: "New hire",
    CoverageSource.GROUP_ENROLLMENT: "Enrolled when the employer joined",
    CoverageSource.OPEN_ENROLLMENT: "Open enrolment",
    CoverageSource.LIFE_EVENT: "Life event",
    CoverageSource.MEDICAID_APPLICATION: "Found eligible on an application to the state",
    CoverageSource.PARTNER_ASSIGNMENT: "Assigned by the coordinated care organisation",
    CoverageSource.MEMBER_CHOICE: "Chosen by the member",
    TerminationReason.EMPLOYMENT_ENDED: "Employment ended",
    TerminationReason.PLAN_CHANGE: "Changed plan",
    TerminationReason.VOLUNTARY: "Cancelled by the member",
    TerminationReason.NON_PAYMENT: "Premium not paid",
    TerminationReason.GROUP_TERMINATED: "Employer ended the group plan",
    TerminationReason.DIVORCE: "Divorce",
    TerminationReason.DEATH: "Death",
    TerminationReason.RENEWAL_NOT_COMPLETED: "Renewal not completed",
    TerminationReason.MOVED_OUT_OF_AREA: "Moved out of the service area",
    IneligibleReason.NO_COVERAGE: "No coverage on file",
    IneligibleReason.NOT_YET_EFFECTIVE: "Coverage not started yet",
    IneligibleReason.TERMINATED: "Coverage ended",
    IneligibleReason.AGED_OUT: "Over the dependant age limit",
    IneligibleReason.GROUP_TERMINATED: "Employer's group plan ended",
    IneligibleReason.GROUP_NOT_YET_EFFECTIVE: "Employer's group plan not started yet",
    LifeEventType.MARRIAGE: "Marriage",
    LifeEventType.DOMESTIC_PARTNERSHIP: "Domestic partnership",
    LifeEventType.DIVORCE: "Divorce",
    LifeEventType.LEGAL_SEPARATION: "Legal separation",
    LifeEventType.BIRTH: "Birth",
    LifeEventType.ADOPTION: "Adoption",
    LifeEventType.LOSS_OF_OTHER_COVERAGE: "Loss of other coverage",
    LifeEventType.LOSS_OF_MEDI_CAL: "Loss of Medi-Cal",
    LifeEventType.PERMANENT_MOVE: "Permanent move",
    LifeEventType.DEATH_OF_DEPENDENT: "Death of a dependant",
    IdCardReason.NEW_ENROLLMENT: "New enrolment",
    IdCardReason.LOST_OR_STOLEN: "Lost or stolen",
    IdCardReason.DAMAGED: "Damaged",
    IdCardReason.NAME_CHANGE: "Name change",
    IdCardReason.PLAN_CHANGE: "Plan change",
    IdCardReason.ADDITIONAL_COPY: "Extra copy",
    IdCardStatus.REQUESTED: "Requested",
    IdCardStatus.PRINTED: "Printed",
    IdCardStatus.MAILED: "Mailed",
    IdCardStatus.DELIVERED: "Delivered",
    IdCardStatus.RETURNED: "Returned as undeliverable",
    IdCardStatus.CANCELLED: "Cancelled",
    AccessibilityNeed.TTY: "TTY or relay calls",
    AccessibilityNeed.LARGE_PRINT: "Large print",
    AccessibilityNeed.BRAILLE: "Braille",
    AccessibilityNeed.ASL_INTERPRETER: "Sign language (ASL) interpreter",
    AccessibilityNeed.AUDIO_FORMAT: "Audio format",
    AccessibilityNeed.SCREEN_READER: "Screen-reader friendly documents",
    AccessibilityNeed.MOBILITY: "Mobility access",
    AccessibilityNeed.COGNITIVE_SUPPORT: "Plain-language support",
    ConfidentialScope.SENSITIVE_SERVICES: "Sensitive services only",
    ConfidentialScope.ALL: "All mail and calls",
    MetalTier.BRONZE: "Bronze",
    MetalTier.SILVER: "Silver",
    MetalTier.GOLD: "Gold",
    MetalTier.PLATINUM: "Platinum",
    PlanType.HMO: "HMO",
    PlanType.PPO: "PPO",
    PlanType.EPO: "EPO",
    Benefit.MEDICAL: "Medical",
    Benefit.MEDICAID: "Medicaid eligibility",
    Benefit.PHYSICAL_HEALTH: "Physical health",
    Benefit.BEHAVIORAL_HEALTH: "Behavioural health",
    Benefit.DENTAL: "Dental care",
    Benefit.TRANSPORT: "Rides to medical appointments",
    **{code: line.name for code, line in LINES.items()},
}
# On Medicaid each person is a member in their own right: nobody "subscribes".
_MEDICAID_RELATIONSHIPS = {Relationship.SELF: "Head of household"}
# Codes that are plain strings in the API rather than enums.
_TEXT_LABELS = {
    "upcoming": "Opens later",
    "open": "Open",
    "closed": "Closed",
    "F": "Female",
    "M": "Male",
    "X": "Non-binary",
    "U": "Not recorded",
}
_BY_VALUE: dict[tuple[str, str], str] = {(type(k).__name__, k.value): v for k, v in LABELS.items()}


def label(code: object, kind: type[StrEnum] | None = None) -> str:
    """The words for a code (an enum member, or its value with ``kind`` named)."""
    if code is None:
        return ""
    if isinstance(code, StrEnum):
        return LABELS.get(code, code.value.replace("_", " ").capitalize())
    text = str(code)
    if kind is not None:
        return _BY_VALUE.get((kind.__name__, text), text.replace("_", " ").capitalize())
    for (_kind, value), words in _BY_VALUE.items():
        if value == text:
            return words
    return _TEXT_LABELS.get(text, text.replace("_", " ").capitalize())


def relationship(code: Relationship | str, line: LineOfBusiness | str | None) -> str:
    """A relationship in the words of the member's line of business."""
    rel = Relationship(code)
    if line_of(line).code == LineOfBusiness.OREGON_MEDICAID:
        return _MEDICAID_RELATIONSHIPS.get(rel, LABELS[rel])
    return LABELS[rel]


def coverage_through(line: LineOfBusiness | str | None, group_name: str | None) -> str:
    """A member's line of business, and employer where there is one, in few words."""
    short = line_of(line).short
    return f"{short}: {group_name}" if group_name else short


def language(code: str) -> str:
    """A language's English name from its ISO 639 code."""
    return LANGUAGE_NAMES.get(code, code)


def day(value: date | datetime | str | None) -> str:
    """A date as people write it: ``1 Jun 2025``. A masked date (the year only) stays a year."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        if len(value) == 4 and value.isdigit():
            return value
        try:
            parsed = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        # Times are stored in UTC; people read them on the plan's (Pacific) calendar.
        parsed = value.astimezone(PACIFIC).date() if isinstance(value, datetime) else value
    return dated(parsed, f"{parsed.day} {_MONTHS[parsed.month - 1]} {parsed.year}", "d MMM y")


ZONE_NAMES = {"America/Los_Angeles": N_("Pacific time"), "America/New_York": N_("Eastern time")}


def clock(local: datetime) -> str:
    """A local time of day as people say it: ``5:00 pm``."""
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'}"


def zone_name(local: datetime) -> str:
    """The time zone of an aware local time in words: ``Pacific time``."""
    tz = local.tzinfo
    name = ZONE_NAMES.get(str(getattr(tz, "key", "")))
    return _(name) if name else local.tzname() or ""


def money(cents: int | None) -> str:
    """Cents as dollars: ``$1,234.50``."""
    if cents is None:
        return ""
    return f"${cents / 100:,.2f}"


def count(n: int, thing: str, things: str | None = None) -> str:
    """``1 day``, ``3 days``."""
    return f"{n} {thing if n == 1 else (things or thing + 's')}"

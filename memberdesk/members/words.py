"""Plain words for the members domain: dates, money and every code a person may read (pure).

Pages never show a code (``domestic_partner``, ``tty``); API sentences meant to be read to a
member use the same words, so an agent reads out what the page shows.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from memberdesk.language import DEFAULT, N_, current, dated
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
    Relationship.SELF: N_("Subscriber"),
    Relationship.SPOUSE: N_("Spouse"),
    Relationship.DOMESTIC_PARTNER: N_("Domestic partner"),
    Relationship.CHILD: N_("Child"),
    Relationship.OTHER_DEPENDENT: N_("Other dependant"),
    CoverageTier.EMPLOYEE: N_("Employee only"),
    CoverageTier.EMPLOYEE_SPOUSE: N_("Employee and spouse or partner"),
    CoverageTier.EMPLOYEE_CHILDREN: N_("Employee and children"),
    CoverageTier.FAMILY: N_("Family"),
    CoverageSource.NEW_HIRE: N_("New hire"),
    CoverageSource.GROUP_ENROLLMENT: N_("Enrolled when the employer joined"),
    CoverageSource.OPEN_ENROLLMENT: N_("Open enrolment"),
    CoverageSource.LIFE_EVENT: N_("Life event"),
    CoverageSource.MEDICAID_APPLICATION: N_("Found eligible on an application to the state"),
    CoverageSource.PARTNER_ASSIGNMENT: N_("Assigned by the coordinated care organisation"),
    CoverageSource.MEMBER_CHOICE: N_("Chosen by the member"),
    TerminationReason.EMPLOYMENT_ENDED: N_("Employment ended"),
    TerminationReason.PLAN_CHANGE: N_("Changed plan"),
    TerminationReason.VOLUNTARY: N_("Cancelled by the member"),
    TerminationReason.NON_PAYMENT: N_("Premium not paid"),
    TerminationReason.GROUP_TERMINATED: N_("Employer ended the group plan"),
    TerminationReason.DIVORCE: N_("Divorce"),
    TerminationReason.DEATH: N_("Death"),
    TerminationReason.RENEWAL_NOT_COMPLETED: N_("Renewal not completed"),
    TerminationReason.MOVED_OUT_OF_AREA: N_("Moved out of the service area"),
    IneligibleReason.NO_COVERAGE: N_("No coverage on file"),
    IneligibleReason.NOT_YET_EFFECTIVE: N_("Coverage not started yet"),
    IneligibleReason.TERMINATED: N_("Coverage ended"),
    IneligibleReason.AGED_OUT: N_("Over the dependant age limit"),
    IneligibleReason.GROUP_TERMINATED: N_("Employer's group plan ended"),
    IneligibleReason.GROUP_NOT_YET_EFFECTIVE: N_("Employer's group plan not started yet"),
    LifeEventType.MARRIAGE: N_("Marriage"),
    LifeEventType.DOMESTIC_PARTNERSHIP: N_("Domestic partnership"),
    LifeEventType.DIVORCE: N_("Divorce"),
    LifeEventType.LEGAL_SEPARATION: N_("Legal separation"),
    LifeEventType.BIRTH: N_("Birth"),
    LifeEventType.ADOPTION: N_("Adoption"),
    LifeEventType.LOSS_OF_OTHER_COVERAGE: N_("Loss of other coverage"),
    LifeEventType.LOSS_OF_MEDI_CAL: N_("Loss of Medi-Cal"),
    LifeEventType.PERMANENT_MOVE: N_("Permanent move"),
    LifeEventType.DEATH_OF_DEPENDENT: N_("Death of a dependant"),
    IdCardReason.NEW_ENROLLMENT: N_("New enrolment"),
    IdCardReason.LOST_OR_STOLEN: N_("Lost or stolen"),
    IdCardReason.DAMAGED: N_("Damaged"),
    IdCardReason.NAME_CHANGE: N_("Name change"),
    IdCardReason.PLAN_CHANGE: N_("Plan change"),
    IdCardReason.ADDITIONAL_COPY: N_("Extra copy"),
    IdCardStatus.REQUESTED: N_("Requested"),
    IdCardStatus.PRINTED: N_("Printed"),
    IdCardStatus.MAILED: N_("Mailed"),
    IdCardStatus.DELIVERED: N_("Delivered"),
    IdCardStatus.RETURNED: N_("Returned as undeliverable"),
    IdCardStatus.CANCELLED: N_("Cancelled"),
    AccessibilityNeed.TTY: N_("TTY or relay calls"),
    AccessibilityNeed.LARGE_PRINT: N_("Large print"),
    AccessibilityNeed.BRAILLE: N_("Braille"),
    AccessibilityNeed.ASL_INTERPRETER: N_("Sign language (ASL) interpreter"),
    AccessibilityNeed.AUDIO_FORMAT: N_("Audio format"),
    AccessibilityNeed.SCREEN_READER: N_("Screen-reader friendly documents"),
    AccessibilityNeed.MOBILITY: N_("Mobility access"),
    AccessibilityNeed.COGNITIVE_SUPPORT: N_("Plain-language support"),
    ConfidentialScope.SENSITIVE_SERVICES: N_("Sensitive services only"),
    ConfidentialScope.ALL: N_("All mail and calls"),
    MetalTier.BRONZE: N_("Bronze"),
    MetalTier.SILVER: N_("Silver"),
    MetalTier.GOLD: N_("Gold"),
    MetalTier.PLATINUM: N_("Platinum"),
    PlanType.HMO: N_("HMO"),
    PlanType.PPO: N_("PPO"),
    PlanType.EPO: N_("EPO"),
    Benefit.MEDICAL: N_("Medical"),
    Benefit.MEDICAID: N_("Medicaid eligibility"),
    Benefit.PHYSICAL_HEALTH: N_("Physical health"),
    Benefit.BEHAVIORAL_HEALTH: N_("Behavioural health"),
    Benefit.DENTAL: N_("Dental care"),
    Benefit.TRANSPORT: N_("Rides to medical appointments"),
    **{code: line.name for code, line in LINES.items()},
}
# On Medicaid each person is a member in their own right: nobody "subscribes".
_MEDICAID_RELATIONSHIPS = {Relationship.SELF: N_("Head of household")}
# Codes that are plain strings in the API rather than enums.
_TEXT_LABELS = {
    "upcoming": N_("Opens later"),
    "open": N_("Open"),
    "closed": N_("Closed"),
    "F": N_("Female"),
    "M": N_("Male"),
    "X": N_("Non-binary"),
    "U": N_("Not recorded"),
}
_BY_VALUE: dict[tuple[str, str], str] = {(type(k).__name__, k.value): v for k, v in LABELS.items()}


def label(code: object, kind: type[StrEnum] | None = None) -> str:
    """The words for a code (an enum member, or its value with ``kind`` named), in the page's
    language."""
    if code is None:
        return ""
    if isinstance(code, StrEnum):
        words = LABELS.get(code)
        return _(words) if words else code.value.replace("_", " ").capitalize()
    text = str(code)
    if kind is not None:
        words = _BY_VALUE.get((kind.__name__, text))
    else:
        words = next((w for (_kind, v), w in _BY_VALUE.items() if v == text), None)
        words = words or _TEXT_LABELS.get(text)
    return _(words) if words else text.replace("_", " ").capitalize()


def relationship(code: Relationship | str, line: LineOfBusiness | str | None) -> str:
    """A relationship in the words of the member's line of business."""
    rel = Relationship(code)
    if line_of(line).code == LineOfBusiness.OREGON_MEDICAID:
        return _(_MEDICAID_RELATIONSHIPS.get(rel, LABELS[rel]))
    return _(LABELS[rel])


def coverage_through(line: LineOfBusiness | str | None, group_name: str | None) -> str:
    """A member's line of business, and employer where there is one, in few words."""
    short = line_of(line).short
    return f"{short}: {group_name}" if group_name else short


def language(code: str) -> str:
    """A language's name from its ISO 639 code, in the page's language (other languages' names
    from CLDR, through Babel)."""
    english = LANGUAGE_NAMES.get(code, code)
    if current() == DEFAULT:
        return english
    from babel import Locale

    return str(Locale.parse(current()).languages.get(code, english))


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

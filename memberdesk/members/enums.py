"""Status and category enums of the members domain."""

from __future__ import annotations

from enum import StrEnum


class PlanType(StrEnum):
    HMO = "HMO"
    PPO = "PPO"
    EPO = "EPO"


class MetalTier(StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"


class Relationship(StrEnum):
    SELF = "self"
    SPOUSE = "spouse"
    DOMESTIC_PARTNER = "domestic_partner"
    CHILD = "child"
    OTHER_DEPENDENT = "other_dependent"


class CoverageTier(StrEnum):
    EMPLOYEE = "employee"
    EMPLOYEE_SPOUSE = "employee_spouse"
    EMPLOYEE_CHILDREN = "employee_children"
    FAMILY = "family"


class LineOfBusiness(StrEnum):
    """The book a plan (and so its members) belongs to; each is governed by the policy pack of
    the same ID (``memberdesk.members.lines``)."""

    CALCHOICE = "calchoice"
    OREGON_MEDICAID = "oregon-medicaid"
    ERISA_GROUP = "erisa-group"


class Benefit(StrEnum):
    """What a plan covers. A CalChoice plan covers everything (medical); an Oregon Health Plan
    member's Medicaid eligibility (their enrolment in the coordinated care organisation) is one
    span, and the partner plans that deliver each kind of care are spans held at the same time."""

    MEDICAL = "medical"
    MEDICAID = "medicaid"
    PHYSICAL_HEALTH = "physical_health"
    BEHAVIORAL_HEALTH = "behavioral_health"
    DENTAL = "dental"
    TRANSPORT = "transport"


# Spans of these benefits decide whether a member is covered; partner-plan spans ride inside them.
ELIGIBILITY_BENEFITS = frozenset({Benefit.MEDICAL, Benefit.MEDICAID})
PARTNER_BENEFITS = (
    Benefit.PHYSICAL_HEALTH,
    Benefit.BEHAVIORAL_HEALTH,
    Benefit.DENTAL,
    Benefit.TRANSPORT,
)


class CoverageSource(StrEnum):
    NEW_HIRE = "new_hire"
    GROUP_ENROLLMENT = "group_enrollment"
    OPEN_ENROLLMENT = "open_enrollment"
    LIFE_EVENT = "life_event"
    # Oregon Health Plan: found eligible by the state on an application (or re-application
    # after a gap), and the partner plans the coordinated care organisation assigned or the
    # member chose.
    MEDICAID_APPLICATION = "medicaid_application"
    PARTNER_ASSIGNMENT = "partner_assignment"
    MEMBER_CHOICE = "member_choice"


class TerminationReason(StrEnum):
    EMPLOYMENT_ENDED = "employment_ended"
    PLAN_CHANGE = "plan_change"
    VOLUNTARY = "voluntary"
    NON_PAYMENT = "non_payment"
    GROUP_TERMINATED = "group_terminated"
    DIVORCE = "divorce"
    DEATH = "death"
    # Oregon Health Plan: eligibility ends when a renewal is not completed, when the member
    # moves out of the service area or the state, or on request.
    RENEWAL_NOT_COMPLETED = "renewal_not_completed"
    MOVED_OUT_OF_AREA = "moved_out_of_area"


class IneligibleReason(StrEnum):
    NO_COVERAGE = "no_coverage"
    NOT_YET_EFFECTIVE = "not_yet_effective"
    TERMINATED = "terminated"
    AGED_OUT = "aged_out"
    GROUP_TERMINATED = "group_terminated"
    GROUP_NOT_YET_EFFECTIVE = "group_not_yet_effective"


class LifeEventType(StrEnum):
    MARRIAGE = "marriage"
    DOMESTIC_PARTNERSHIP = "domestic_partnership"
    DIVORCE = "divorce"
    LEGAL_SEPARATION = "legal_separation"
    BIRTH = "birth"
    ADOPTION = "adoption"
    LOSS_OF_OTHER_COVERAGE = "loss_of_other_coverage"
    LOSS_OF_MEDI_CAL = "loss_of_medi_cal"
    PERMANENT_MOVE = "permanent_move"
    DEATH_OF_DEPENDENT = "death_of_dependent"


class IdCardReason(StrEnum):
    NEW_ENROLLMENT = "new_enrollment"
    LOST_OR_STOLEN = "lost_or_stolen"
    DAMAGED = "damaged"
    NAME_CHANGE = "name_change"
    PLAN_CHANGE = "plan_change"
    ADDITIONAL_COPY = "additional_copy"


class IdCardStatus(StrEnum):
    REQUESTED = "requested"
    PRINTED = "printed"
    MAILED = "mailed"
    DELIVERED = "delivered"
    RETURNED = "returned_undeliverable"
    CANCELLED = "cancelled"


# Allowed ID-card status moves; anything else is a 409.
ID_CARD_TRANSITIONS: dict[IdCardStatus, frozenset[IdCardStatus]] = {
    IdCardStatus.REQUESTED: frozenset({IdCardStatus.PRINTED, IdCardStatus.CANCELLED}),
    IdCardStatus.PRINTED: frozenset({IdCardStatus.MAILED, IdCardStatus.CANCELLED}),
    IdCardStatus.MAILED: frozenset({IdCardStatus.DELIVERED, IdCardStatus.RETURNED}),
    IdCardStatus.DELIVERED: frozenset(),
    IdCardStatus.RETURNED: frozenset(),
    IdCardStatus.CANCELLED: frozenset(),
}


class AccessibilityNeed(StrEnum):
    TTY = "tty"
    LARGE_PRINT = "large_print"
    BRAILLE = "braille"
    ASL_INTERPRETER = "asl_interpreter"
    AUDIO_FORMAT = "audio_format"
    SCREEN_READER = "screen_reader"
    MOBILITY = "mobility"
    COGNITIVE_SUPPORT = "cognitive_support"


class ConfidentialScope(StrEnum):
    """Civil Code 56.107: which communications go to the confidential address."""

    SENSITIVE_SERVICES = "sensitive_services"
    ALL = "all"

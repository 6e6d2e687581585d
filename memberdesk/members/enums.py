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


class CoverageSource(StrEnum):
    NEW_HIRE = "new_hire"
    GROUP_ENROLLMENT = "group_enrollment"
    OPEN_ENROLLMENT = "open_enrollment"
    LIFE_EVENT = "life_event"


class TerminationReason(StrEnum):
    EMPLOYMENT_ENDED = "employment_ended"
    PLAN_CHANGE = "plan_change"
    VOLUNTARY = "voluntary"
    NON_PAYMENT = "non_payment"
    GROUP_TERMINATED = "group_terminated"
    DIVORCE = "divorce"
    DEATH = "death"


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

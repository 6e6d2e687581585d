"""Codes of the 834 (005010X220A1) and 271 (005010X279A1) that memberdesk reads and writes,
and the statuses of the file log."""

from __future__ import annotations

from enum import StrEnum

from memberdesk.members.enums import Benefit, Relationship, TerminationReason


class Maintenance(StrEnum):
    """INS03 / HD01 maintenance type codes."""

    CHANGE = "001"
    ADD = "021"
    TERMINATE = "024"
    REINSTATE = "025"
    AUDIT = "030"  # a full file: the member as the sender has them


class FileKind(StrEnum):
    """BGN08: a change file (only what changed) or a full file (the whole book, replacing)."""

    CHANGE = "change"
    FULL = "full"


class FileStatus(StrEnum):
    APPLIED = "applied"
    REJECTED = "rejected"


class ChangeKind(StrEnum):
    """What applying one member record does (the reconciliation report counts these)."""

    MEMBER_ADDED = "member_added"
    MEMBER_UPDATED = "member_updated"
    COVERAGE_ADDED = "coverage_added"
    COVERAGE_TERMINATED = "coverage_terminated"
    COVERAGE_REINSTATED = "coverage_reinstated"
    PLAN_CHANGED = "plan_changed"
    UNCHANGED = "unchanged"
    ABSENT_TERMINATED = "absent_from_full_file_terminated"


# BGN08 action codes: 2 change (update), 4 verify, RX replace.
FULL_FILE_ACTIONS = frozenset({"RX", "4"})

# INS02 individual relationship codes.
RELATIONSHIP_CODES: dict[str, Relationship] = {
    "18": Relationship.SELF,
    "01": Relationship.SPOUSE,
    "53": Relationship.DOMESTIC_PARTNER,
    "19": Relationship.CHILD,
    "G8": Relationship.OTHER_DEPENDENT,
}
RELATIONSHIP_OUT = {v: k for k, v in RELATIONSHIP_CODES.items()}

# INS04 maintenance reason codes for terminations.
TERMINATION_REASONS: dict[str, TerminationReason] = {
    "07": TerminationReason.VOLUNTARY,  # termination of benefits
    "08": TerminationReason.EMPLOYMENT_ENDED,  # termination of employment
    "14": TerminationReason.VOLUNTARY,  # voluntary withdrawal
    "59": TerminationReason.NON_PAYMENT,
    "03": TerminationReason.DEATH,
    "01": TerminationReason.DIVORCE,
    "43": TerminationReason.MOVED_OUT_OF_AREA,  # change of location
    "AI": TerminationReason.VOLUNTARY,  # no reason given
}
TERMINATION_OUT = {
    TerminationReason.EMPLOYMENT_ENDED: "08",
    TerminationReason.VOLUNTARY: "07",
    TerminationReason.NON_PAYMENT: "59",
    TerminationReason.DEATH: "03",
    TerminationReason.DIVORCE: "01",
    TerminationReason.MOVED_OUT_OF_AREA: "43",
    TerminationReason.PLAN_CHANGE: "07",
    TerminationReason.GROUP_TERMINATED: "07",
    TerminationReason.RENEWAL_NOT_COMPLETED: "07",
}

# HD03 insurance line codes by benefit.
INSURANCE_LINE: dict[Benefit, str] = {
    Benefit.MEDICAL: "HLT",
    Benefit.MEDICAID: "HLT",
    Benefit.PHYSICAL_HEALTH: "HMO",
    Benefit.BEHAVIORAL_HEALTH: "AK",  # mental health
    Benefit.DENTAL: "DEN",
    Benefit.TRANSPORT: "HLT",
}

# 271 EB01 eligibility codes: 1 active coverage, 6 inactive.
EB_ACTIVE = "1"
EB_INACTIVE = "6"

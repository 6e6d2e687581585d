"""Vocabulary of the letters domain."""

from __future__ import annotations

from enum import StrEnum


class LetterKind(StrEnum):
    """What a letter tells the member; each kind has its own templates and context."""

    ACKNOWLEDGEMENT = "acknowledgement"  # we received your appeal or grievance
    EXTENSION = "extension"  # we are taking the extra time the rule allows, and why
    RESOLUTION = "resolution"  # the decision, its reasons and the member's further rights
    DEEMED_EXHAUSTION = "deemed_exhaustion"  # we missed the deadline: go to the next level now


class LetterChannel(StrEnum):
    """How a letter reached the member."""

    MAIL = "mail"
    PORTAL = "portal"


class CaseKind(StrEnum):
    """What the member filed (the subject of an appeals letter)."""

    APPEAL = "appeal"
    GRIEVANCE = "grievance"


class Urgency(StrEnum):
    STANDARD = "standard"
    EXPEDITED = "expedited"


class Decision(StrEnum):
    """The outcome a resolution letter reports."""

    UPHELD = "upheld"  # the plan's original decision stands
    OVERTURNED = "overturned"  # the member wins
    PARTLY = "partly"  # partly overturned

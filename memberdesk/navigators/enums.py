"""Vocabulary of member navigators: how a member was flagged, and which rules fired."""

from __future__ import annotations

from enum import StrEnum


class FlagState(StrEnum):
    FLAGGED = "flagged"
    UNFLAGGED = "unflagged"


class FlagSource(StrEnum):
    RULE = "rule"  # the complex-needs rules found the member (on demand or by the worker)
    HAND = "hand"  # a navigator or supervisor flagged the member, with a reason


class Rule(StrEnum):
    """The complex-needs rules (thresholds in Settings)."""

    FREQUENT_CONTACTS = "frequent_contacts"  # N+ contacts in the last D days
    OPEN_CASES = "open_cases"  # N+ open cases
    INTERPRETER_AND_DISABILITY = "interpreter_and_disability"  # both needs on file

"""Vocabulary of the phone menu (IVR): where a call stands, what the caller chose, how it ended."""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    """What the menu is waiting for from the caller (kept server-side by CallSid)."""

    LANGUAGE = "language"
    MEMBER_ID = "member_id"
    DATE_OF_BIRTH = "date_of_birth"
    MENU = "menu"
    CARD = "card"  # heard the ID-card status; may ask for a new card
    VOICEMAIL = "voicemail"  # recording a message
    DONE = "done"  # the menu has let go of the call (transfer, voicemail saved, hung up)


class Choice(StrEnum):
    """What the caller did in the menu; the call's path is the list of these, in order."""

    ENGLISH = "english"
    SPANISH = "spanish"
    IDENTIFIED = "identified"
    NOT_IDENTIFIED = "not_identified"  # too many failed tries at member ID + date of birth
    CARD_STATUS = "card_status"
    NEW_CARD = "new_card"
    NEW_CARD_REFUSED = "new_card_refused"
    ELIGIBILITY = "eligibility"
    CASE_STATUS = "case_status"
    VOICEMAIL = "voicemail"
    AGENT = "agent"
    RETRY = "retry"  # a digit the menu did not expect
    TOO_MANY_RETRIES = "too_many_retries"


class Outcome(StrEnum):
    """How the call left the menu."""

    IN_MENU = "in_menu"  # still in the menu
    CONTAINED = "contained"  # served by the menu and hung up there
    TRANSFERRED = "transferred"
    VOICEMAIL = "voicemail"
    ABANDONED = "abandoned"  # hung up in the menu before anything was answered


# What the caller asked for: the contact's reason, and the queue's reason.
SERVED = frozenset({Choice.CARD_STATUS, Choice.NEW_CARD, Choice.ELIGIBILITY, Choice.CASE_STATUS})

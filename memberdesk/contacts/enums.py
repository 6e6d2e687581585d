"""Vocabulary of the contacts domain: channels, reasons, dispositions, callback states."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    PORTAL = "portal"
    VOICEMAIL = "voicemail"
    LETTER = "letter"
    SMS = "sms"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Reason(StrEnum):
    ELIGIBILITY = "eligibility"
    BILLING = "billing"
    ID_CARD = "id_card"
    BENEFITS = "benefits"
    CLAIMS = "claims"
    PLAN_COMPARISON = "plan_comparison"
    ENROLLMENT = "enrollment"
    APPEAL_GRIEVANCE = "appeal_grievance"
    PHARMACY = "pharmacy"
    TRANSPORTATION = "transportation"
    DENTAL = "dental"
    BEHAVIORAL_HEALTH = "behavioral_health"
    PROVIDER = "provider"
    OTHER = "other"


class Disposition(StrEnum):
    RESOLVED = "resolved"
    CASE_OPENED = "case_opened"
    TRANSFERRED = "transferred"
    CALLBACK_SCHEDULED = "callback_scheduled"
    VOICEMAIL_LEFT = "voicemail_left"
    NO_ANSWER = "no_answer"
    INFO_SENT = "info_sent"
    OTHER = "other"


class VerificationFact(StrEnum):
    """Facts an agent checks with the caller before disclosing member details."""

    NAME = "name"
    DATE_OF_BIRTH = "date_of_birth"
    MEMBER_ID = "member_id"
    ADDRESS = "address"
    PHONE = "phone"
    EMAIL = "email"
    GROUP_NUMBER = "group_number"
    SUBSCRIBER_NAME = "subscriber_name"


class CallbackState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"  # the member was reached
    LETTER = "letter"  # phone attempts exhausted; a letter task took over


class AttemptOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    WRONG_NUMBER = "wrong_number"


class LetterState(StrEnum):
    OPEN = "open"
    SENT = "sent"


class MessageStatus(StrEnum):
    """A member's secure message as the portal shows it."""

    AWAITING_REPLY = "awaiting_reply"
    ANSWERED = "answered"

"""Vocabulary of the surveys domain: invitation states, why a contact got none, answers."""

from __future__ import annotations

from enum import StrEnum


class InvitationState(StrEnum):
    PENDING = "pending"  # waiting for the sender
    SENDING = "sending"  # handed to the sender; sent unless the sender fails or stops
    SENT = "sent"
    FAILED = "failed"  # the sender gave up after its attempts: visible, never sent
    ANSWERED = "answered"
    SKIPPED = "skipped"  # no invitation for this contact: see SkipReason


class SkipReason(StrEnum):
    """Why a completed contact got no invitation."""

    THROTTLED = "throttled"  # the member had an invitation within the throttle window
    OPTED_OUT = "opted_out"
    NO_ADDRESS = "no_address"  # no e-mail or phone we may use (confidential rules included)
    MINOR = "minor"  # under 18: a parent or guardian most likely made the contact


class SendChannel(StrEnum):
    """How an invitation reaches the member."""

    EMAIL = "email"
    SMS = "sms"


class Language(StrEnum):
    """Languages the survey is written in; every other language gets English."""

    EN = "en"
    ES = "es"


class CahpsAnswer(StrEnum):
    """The CAHPS frequency scale (kpi.formulas.CAHPS_ANSWERS spells the same four)."""

    NEVER = "never"
    SOMETIMES = "sometimes"
    USUALLY = "usually"
    ALWAYS = "always"


class AnswerSource(StrEnum):
    LINK = "link"  # the member followed the invitation's link (page or API)
    IMPORT = "import"  # a file of answers taken elsewhere (an IVR post-call survey)


class Breakdown(StrEnum):
    AGENT = "agent"
    CHANNEL = "channel"

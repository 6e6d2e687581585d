"""API shapes of the contacts domain; every field is described for /docs."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from memberdesk.clock import now
from memberdesk.contacts.enums import (
    AttemptOutcome,
    CallbackState,
    Channel,
    Direction,
    Disposition,
    LetterState,
    MessageStatus,
    Reason,
    VerificationFact,
)
from memberdesk.schemas import DbId, Instant

PHONE_DIGITS_RE = re.compile(r"^\d{10}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
MAX_SECONDS = 7 * 24 * 3600  # a week: longer is a typo, not a call
NOTES_MAX = 4000
CLOCK_SKEW = timedelta(minutes=5)


def _since_2000(value: datetime) -> datetime:
    # A contact or voicemail before 2000 is a typo (the shared bound admits birth dates).
    if value.year < 2000:
        raise ValueError("must be between the years 2000 and 2199")
    return value


# A moment of a contact: the shared instant, from 2000 on.
When = Annotated[Instant, AfterValidator(_since_2000)]
Seconds = Annotated[int, Field(ge=0, le=MAX_SECONDS)]
Notes = Annotated[str, Field(min_length=1, max_length=NOTES_MAX)]


def normalize_us_phone(value: str) -> str:
    """10 digits, area code first (punctuation and a leading 1 dropped), else ValueError."""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not PHONE_DIGITS_RE.match(digits):
        raise ValueError("a phone number has 10 digits, area code first")
    return digits


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactIn(_Strict):
    """A contact to log; the agent is the signed-in user."""

    member_id: DbId | None = Field(
        description="Internal member id, or null for a caller not yet identified"
    )
    channel: Channel = Field(description="phone, email, chat, portal, voicemail, letter or sms")
    direction: Direction = Field(description="inbound or outbound")
    reasons: list[Reason] = Field(
        min_length=1, max_length=len(Reason), description="One or more reason codes"
    )
    started_at: When = Field(description="When the contact began (ISO 8601 with offset)")
    ended_at: When | None = Field(default=None, description="When it ended (with offset)")
    resolved: bool = Field(default=False, description="Resolved on this contact")
    language: str | None = Field(
        default=None, description="ISO 639 language code the contact was held in (en, es, zh)"
    )
    interpreter_used: bool = Field(default=False, description="An interpreter took part")
    talk_seconds: Seconds | None = Field(default=None, description="Talk time, seconds")
    hold_seconds: Seconds | None = Field(default=None, description="Hold time, seconds")
    wrap_seconds: Seconds | None = Field(default=None, description="After-contact work, seconds")
    disposition: Disposition | None = Field(default=None, description="How the contact ended")
    notes: Notes | None = Field(default=None, description="Agent notes (stored encrypted)")
    in_reply_to: DbId | None = Field(
        default=None,
        description="The member's portal message this (outbound portal) contact answers",
    )

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        if not LANGUAGE_RE.match(value):
            raise ValueError("an ISO 639 language code of 2 or 3 letters, like en or es")
        return value

    @field_validator("reasons")
    @classmethod
    def _distinct(cls, value: list[Reason]) -> list[Reason]:
        return list(dict.fromkeys(value))

    @field_validator("ended_at")
    @classmethod
    def _order(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        # Validated after started_at (field order), so the error names ended_at.
        started = info.data.get("started_at")
        if value is not None and started is not None and value < started:
            raise ValueError("must not be before started_at")
        return value


class ContactPatch(_Strict):
    """Wrap-up: end time, handle seconds, disposition, resolution; notes are appended."""

    member_id: DbId | None = Field(
        default=None,
        description="Identify the caller: the member, set once on a contact logged without one",
    )
    ended_at: When | None = Field(default=None, description="When the contact ended")
    talk_seconds: Seconds | None = Field(default=None, description="Talk time, seconds")
    hold_seconds: Seconds | None = Field(default=None, description="Hold time, seconds")
    wrap_seconds: Seconds | None = Field(default=None, description="After-contact work, seconds")
    disposition: Disposition | None = Field(default=None, description="How the contact ended")
    resolved: bool | None = Field(default=None, description="Resolved on this contact")
    notes: Notes | None = Field(
        default=None, description="Text appended to the notes (earlier notes are never changed)"
    )


class VerificationIn(_Strict):
    facts: list[VerificationFact] = Field(
        min_length=1,
        max_length=len(VerificationFact),
        description="Identity facts the caller confirmed (which, never their values)",
    )


class ContactOut(BaseModel):
    id: int = Field(description="Contact id")
    member_id: int | None = Field(description="Member, or null for an unidentified caller")
    agent_id: int | None = Field(description="User who logged it")
    agent: str | None = Field(description="Username of that user")
    channel: Channel = Field(description="phone, email, chat, portal, voicemail, letter or sms")
    direction: Direction = Field(description="inbound or outbound")
    reasons: list[Reason] = Field(description="Reason codes, in the order given")
    started_at: datetime = Field(description="When the contact began")
    ended_at: datetime | None = Field(description="When it ended, if recorded")
    resolved: bool = Field(description="Marked resolved on the contact")
    first_contact_resolution: bool | None = Field(
        description="One-contact resolution: true when resolved and nobody called back on the "
        "same reason within the window, false otherwise, null while the window is still open"
    )
    language: str | None = Field(description="ISO 639 language code the contact was held in")
    interpreter_used: bool = Field(description="An interpreter took part")
    talk_seconds: int | None = Field(description="Talk time, seconds")
    hold_seconds: int | None = Field(description="Hold time, seconds")
    wrap_seconds: int | None = Field(description="After-contact work, seconds")
    disposition: Disposition | None = Field(description="How the contact ended")
    notes: str | None = Field(description="Agent notes, oldest first")
    identity_verified: bool = Field(description="Identity verified on this contact")
    verified_facts: list[VerificationFact] = Field(description="Facts checked")
    verified_at: datetime | None = Field(description="When identity was last verified")
    in_reply_to: int | None = Field(description="The portal message this contact answers")
    reply_due_at: datetime | None = Field(
        description="Reply deadline of an inbound portal message (the pack's email_reply)"
    )
    answered_at: datetime | None = Field(description="When a portal message was answered")
    created_at: datetime = Field(description="When the record was created")


class ContactSummary(BaseModel):
    """One line of a member's contact history."""

    id: int = Field(description="Contact id")
    started_at: datetime = Field(description="When")
    channel: Channel = Field(description="phone, email, chat, portal, voicemail, letter or sms")
    direction: Direction = Field(description="inbound or outbound")
    reasons: list[Reason] = Field(description="Reason codes, in the order given")
    agent: str | None = Field(description="Username of the agent (null for member messages)")
    resolved: bool = Field(description="Marked resolved on the contact")
    phone_menu: bool = Field(
        default=False, description="Logged by the phone menu (IVR) for a call through it"
    )


class FcrOut(BaseModel):
    start: datetime = Field(description="Contacts started at or after this moment")
    end: datetime = Field(description="... and before this one")
    window_days: int = Field(description="Calendar days a repeat contact undoes a resolution")
    contacts: int = Field(description="Contacts started in the period")
    marked_resolved: int = Field(description="Of those, marked resolved")
    resolved: int = Field(description="Resolved with no repeat on the same reason in the window")
    not_resolved: int = Field(description="Not marked resolved, or a repeat came in the window")
    pending: int = Field(description="Resolved but the window is still open")
    rate: float | None = Field(
        description="resolved ÷ (contacts − pending), null when nothing is decided yet"
    )


class VoicemailIn(_Strict):
    member_id: DbId | None = Field(description="Internal member id, or null if unknown")
    phone: str = Field(max_length=40, description="Number to call back (10-digit US number)")
    received_at: When = Field(description="When the voicemail was left (with offset)")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalize_us_phone(value)

    @field_validator("received_at")
    @classmethod
    def _not_ahead(cls, value: datetime) -> datetime:
        # A few minutes of clock skew between the phone system and us is normal.
        if value > now() + CLOCK_SKEW:
            raise ValueError("must not be in the future")
        return value


class AttemptIn(_Strict):
    outcome: AttemptOutcome = Field(description="reached, no_answer, left_message, wrong_number")
    note: Notes | None = Field(default=None, description="Note (stored encrypted)")
    reasons: list[Reason] = Field(
        default_factory=lambda: [Reason.OTHER],
        min_length=1,
        max_length=len(Reason),
        description="Reasons of the call when the member was reached",
    )
    resolved: bool = Field(default=False, description="Resolved on the call (when reached)")


class AttemptOut(BaseModel):
    id: int = Field(description="Internal id")
    at: datetime = Field(description="When the attempt was made")
    outcome: AttemptOutcome = Field(description="What happened")
    user_id: int | None = Field(description="Agent who made the attempt")


class CallbackOut(BaseModel):
    kind: str = Field(description='Always "callback"')
    id: int = Field(description="Internal id")
    member_id: int | None = Field(description="Member (internal id), or null when not known")
    received_at: datetime = Field(description="When the voicemail was left")
    pack: str = Field(description="Policy pack whose voicemail_return target set the deadline")
    due_at: datetime = Field(description="Return it by: the pack's voicemail_return deadline")
    warn_at: datetime | None = Field(description="When the deadline warning fires")
    state: CallbackState = Field(
        description="open, completed (member reached) or letter (a letter took over)"
    )
    assigned_to_id: int | None = Field(description="Agent holding it (internal user id), or null")
    attempts: int = Field(description="Attempts made")
    failed_attempts: int = Field(description="Attempts that did not reach the member")
    contact_id: int | None = Field(description="The call that reached the member")
    letter_task_id: int | None = Field(description="Letter task created after failed attempts")


class CallbackDetail(CallbackOut):
    phone: str = Field(description="Number to call back")
    attempt_log: list[AttemptOut] = Field(description="Attempts, oldest first")


class LetterTaskOut(BaseModel):
    id: int = Field(description="Internal id")
    callback_id: int | None = Field(description="The callback it replaces")
    member_id: int | None = Field(description="Member (internal id), or null when not known")
    state: LetterState = Field(description="open or sent")
    created_at: datetime = Field(description="When phone attempts ran out")
    completed_at: datetime | None = Field(description="When it was done")


class MessageIn(_Strict):
    subject: str = Field(min_length=1, max_length=200, description="Subject")
    body: str = Field(min_length=1, max_length=NOTES_MAX, description="Message")


class MessageOut(BaseModel):
    id: int = Field(description="Internal id")
    subject: str = Field(description="Subject")
    sent_at: datetime = Field(description="When it was sent")
    status: MessageStatus = Field(description="awaiting_reply or answered")
    reply_due_at: datetime | None = Field(
        description="Reply due by (the pack's email_reply deadline)"
    )
    answered_at: datetime | None = Field(description="When staff answered it")


def dump(model: BaseModel) -> dict[str, Any]:
    """JSON-ready dict of a model (times as ISO text)."""
    return model.model_dump(mode="json")

"""API shapes of the kpi domain."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from memberdesk.kpi.live import AgentEvent, CallEvent
from memberdesk.schemas import Instant


class CallFigures(BaseModel):
    """Call measures of a period (rates as fractions 0-1; null when there is nothing to
    measure), and each judged one's standing against the pack's target."""

    offered: int = Field(description="Calls offered to a queue")
    answered: int = Field(description="Calls answered")
    abandoned: int = Field(description="Calls the caller hung up on while waiting")
    short_abandoned: int = Field(description="Hung up before anyone could answer (not counted)")
    service_level: float | None = Field(
        description="Answered within the pack's threshold / (offered - short abandoned)"
    )
    abandon_rate: float | None = Field(
        description="(Abandoned - short abandoned) / (offered - short abandoned)"
    )
    asa_seconds: float | None = Field(description="Average speed of answer")
    aht_seconds: float | None = Field(description="Average handle time (talk + hold + wrap)")
    occupancy: float | None = Field(
        None,
        description="Handle time / agents' time signed in and not on a break (total, and by "
        "agent; null without agent states)",
    )
    transferred: int = Field(description="Answered calls transferred (known for calls fed live)")
    transfer_rate: float | None = Field(description="Transferred / answered")
    warm_transfer_share: float | None = Field(
        description="Warm transfers (the agent introduced the caller) / transfers"
    )
    status: dict[str, str] = Field(
        description="service_level and abandon_rate against target: ok, warning or breach"
    )


class CallRow(CallFigures):
    """The figures of one queue, agent (empty: calls no agent took), team or period."""

    key: str = Field(
        description=(
            "The queue, agent ID or team; or the period: YYYY-MM-DD HH:MM (a half hour), "
            "YYYY-MM-DD (a day, or a week's Monday) or YYYY-MM"
        )
    )


class CallReport(BaseModel):
    """Call KPIs over whole days in the pack's time zone, from the half-hour rollups."""

    pack: str = Field(description="The line of business's policy pack (calchoice, ...)")
    first: date = Field(alias="from", description="First day")
    last: date = Field(alias="to", description="Last day (included)")
    threshold_seconds: float = Field(description="Answered within this counts for the level")
    total: CallFigures = Field(description="The whole period")
    by: str | None = Field(
        description="queue, agent, team, interval, day, week or month; null for the total alone"
    )
    rows: list[CallRow] = Field(description="One per queue, agent, team or period, in key order")

    model_config = {"populate_by_name": True}


class ChannelSpeed(BaseModel):
    """How fast a channel answered: the phone's service level, portal messages' replies within
    the reply clock, voicemails returned (a first call attempt) within the callback clock."""

    measure: str = Field(
        description="service_level (phone), reply (portal) or callback (voicemail)"
    )
    due: int = Field(description="Calls (less short abandons), messages or voicemails with a clock")
    on_time: int = Field(description="Answered, replied to or returned in time")
    late: int = Field(description="Answered, replied to or returned after the clock ran out")
    open_overdue: int = Field(description="Not yet answered and past the clock")
    on_time_rate: float | None = Field(
        description="on_time / (on_time + late + open_overdue); null while none is judged"
    )


class ChannelRow(BaseModel):
    """One channel's contacts in the period."""

    channel: str = Field(description="phone, email, chat, portal, voicemail, letter or sms")
    label: str = Field(description="The channel in words")
    inbound: int = Field(description="Contacts from members logged on this channel")
    outbound: int = Field(description="Contacts the plan made on this channel")
    handle_seconds: float | None = Field(
        description="Average talk + hold + wrap: of the answered calls for the phone when "
        "calls were received, else of the contacts that recorded one (null: none did)"
    )
    fcr_rate: float | None = Field(
        description="Resolved at the first contact / contacts already decided (7-day window)"
    )
    fcr_decided: int = Field(description="Contacts whose one-contact outcome is decided")
    survey_answers: int = Field(description="Survey answers about contacts on this channel")
    csat: float | None = Field(description="Share of 4-5 answers on the 1-5 satisfaction scale")
    nps: float | None = Field(description="Net promoter score, -100 to 100")
    speed: ChannelSpeed | None = Field(description="How fast it answered; null with no clock")
    calls: CallFigures | None = Field(
        description="Phone only: the call figures of the period, from the call rollups"
    )


class ChannelReport(BaseModel):
    """Contacts by channel over whole days in the pack's time zone."""

    pack: str = Field(description="The line of business's policy pack (calchoice, ...)")
    first: date = Field(alias="from", description="First day")
    last: date = Field(alias="to", description="Last day (included)")
    rows: list[ChannelRow] = Field(description="One per channel with anything in the period")

    model_config = {"populate_by_name": True}


EVENT_TYPES = ", ".join([*(k.value for k in CallEvent), *(k.value for k in AgentEvent)])
Ref = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]


class FeedEventIn(BaseModel):
    """One event from the telephony platform. Call events name the call; offered and queued
    name the queue; answered names the agent; agent events name the agent and no call."""

    id: str = Field(
        min_length=1,
        max_length=128,
        pattern=r"^[\x21-\x7e]+$",
        description="The sender's idempotency key: an event sent again with it is ignored",
    )
    type: str = Field(description=f"What happened: {EVENT_TYPES}")
    at: Instant = Field(description="When it happened (ISO 8601 with offset)")
    call_id: Ref | None = Field(None, description="The platform's call ID (call events)")
    queue: Ref | None = Field(None, description="The queue (offered, queued, transferred)")
    agent_id: Ref | None = Field(None, description="The agent's ID on the platform")
    member_id: str | None = Field(
        None,
        min_length=1,
        max_length=32,
        pattern=r"^[A-Za-z0-9-]+$",
        description="The caller's member ID, once identified (stored encrypted)",
    )
    warm: bool = Field(False, description="transferred: the agent introduced the caller")
    wrap_seconds: float | None = Field(
        None, ge=0, le=86400, description="ended: after-call work, in seconds"
    )

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in EVENT_TYPES.split(", "):
            raise ValueError(f"must be one of {EVENT_TYPES}")
        return value


class FeedIn(BaseModel):
    """A batch of events from one line of business, in any order."""

    pack: str = Field("calchoice", max_length=32, description="The line of business's pack")
    events: list[FeedEventIn] = Field(
        min_length=1, max_length=1000, description="1 to 1,000 events, in any order"
    )


class FeedOut(BaseModel):
    """What the batch changed."""

    received: int = Field(description="Events new to memberdesk")
    duplicates: int = Field(description="Events received before (same id), ignored")
    calls: int = Field(description="Calls whose state and figures were brought up to date")
    agents: int = Field(description="Agents whose time by state was brought up to date")

"""API shapes of the surveys domain; every field is described for /docs."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from memberdesk.contacts.enums import Channel
from memberdesk.surveys.enums import (
    CahpsAnswer,
    InvitationState,
    SendChannel,
    SkipReason,
)

COMMENT_MAX = 2000
TOKEN_MAX = 64


class AnswerIn(BaseModel):
    """A member's answers, authorised by the token of their invitation's link."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=1,
        max_length=TOKEN_MAX,
        description="The token at the end of the invitation's link (/survey/{token})",
    )
    csat: int = Field(ge=1, le=5, description="Satisfaction, 1 (very dissatisfied) to 5")
    nps: int = Field(
        ge=0, le=10, description="Likelihood to recommend, 0 (not at all) to 10 (extremely)"
    )
    cahps_help: CahpsAnswer | None = Field(
        default=None,
        description="How often customer service gave the information or help needed",
    )
    cahps_courtesy: CahpsAnswer | None = Field(
        default=None, description="How often staff were courteous and respectful"
    )
    comment: str | None = Field(
        default=None,
        max_length=COMMENT_MAX,
        description="Anything else, in the member's words (stored encrypted)",
    )
    opt_out: bool = Field(default=False, description="Send this member no more surveys")


class AnswerOut(BaseModel):
    """The answers were stored; the link is now spent."""

    answered_at: datetime = Field(description="When the answers were stored")
    opted_out: bool = Field(description="The member asked for no more surveys")


class CahpsItemOut(BaseModel):
    """One CAHPS item over the look-back: null rates below 100 answers (NCQA's "NA")."""

    answers: int = Field(description="Answers to the item in the look-back")
    reported: bool = Field(description="False below 100 answers: the rates are NA")
    usually_or_always: float | None = Field(
        description="Usually + Always share, 0-1 (the NCQA summary rate)"
    )
    always: float | None = Field(description="Always share, 0-1 (the top box)")


class SurveyFigures(BaseModel):
    """Survey measures of a period (CAHPS items over the pack's look-back ending on the last
    day), and CSAT and NPS judged against the pack's targets."""

    answers: int = Field(description="Surveys answered in the period")
    csat: float | None = Field(description="Share of 4 and 5 answers, 0-1; null without answers")
    nps: float | None = Field(description="%promoters - %detractors, -100 to 100")
    promoters: int = Field(description="NPS answers of 9 or 10")
    passives: int = Field(description="NPS answers of 7 or 8")
    detractors: int = Field(description="NPS answers of 0 to 6")
    cahps_help: CahpsItemOut = Field(description="Got the information or help needed")
    cahps_courtesy: CahpsItemOut = Field(description="Treated with courtesy and respect")
    cahps_composite: float | None = Field(
        description="Mean of the two items' summary rates; null when either is NA"
    )
    invited: int = Field(description="Invitations sent in the period")
    response_rate: float | None = Field(
        description="Share of those invitations answered so far, 0-1"
    )
    comments: int = Field(description="Answers in the period with a comment")
    status: dict[str, str] = Field(
        description="csat and nps against the pack's target: ok, warning or breach"
    )


class SurveyRow(SurveyFigures):
    """The figures of one agent or one contact channel."""

    key: str = Field(description="The agent's username, or the channel; empty: no agent")
    label: str = Field(description="The key in words")


class SurveyReport(BaseModel):
    """Survey KPIs over whole days in the pack's time zone."""

    model_config = ConfigDict(populate_by_name=True)

    pack: str = Field(description="The line of business's policy pack (calchoice, ...)")
    first: date = Field(alias="from", description="First day")
    last: date = Field(alias="to", description="Last day (included)")
    by: str | None = Field(description="agent or channel; null for the total alone")
    cahps_from: date = Field(description="First day of the CAHPS look-back")
    cahps_to: date = Field(description="Last day of the CAHPS look-back (the report's last)")
    cahps_lookback_months: int = Field(description="12 (commercial) or 6 (Medicaid)")
    targets: dict[str, str] = Field(description="csat and nps targets in words")
    total: SurveyFigures = Field(description="The whole period")
    rows: list[SurveyRow] = Field(description="One per agent or channel, in key order")
    invitations: dict[str, int] = Field(
        description="Contacts completed in the period by invitation state (pending, sent, "
        "failed, answered, skipped, ...) and skipped ones by reason (skipped_throttled, ...)"
    )


class CommentOut(BaseModel):
    """A comment with its scores, where it came from, and who handled the contact."""

    answer_id: int = Field(description="Answer id")
    contact_id: int = Field(description="The contact the survey was about")
    member_id: int = Field(description="The member who answered")
    agent: str | None = Field(description="Username of the agent who handled the contact")
    channel: Channel = Field(description="The contact's channel")
    language: str = Field(description="The language the survey was answered in")
    answered_at: datetime = Field(description="When it was answered")
    csat: int = Field(description="Satisfaction, 1-5")
    nps: int = Field(description="Likelihood to recommend, 0-10")
    comment: str = Field(
        description="The member's words (identifiers replaced for roles that see masked data)"
    )


class InvitationOut(BaseModel):
    """An invitation (or the reason a contact got none); never its address or link."""

    id: int = Field(description="Invitation id")
    contact_id: int = Field(description="The contact it follows")
    member_id: int = Field(description="The member invited")
    agent: str | None = Field(description="Username of the agent who handled the contact")
    contact_channel: Channel = Field(description="The contact's channel")
    send_channel: SendChannel | None = Field(description="email or sms; null when skipped")
    language: str = Field(description="en or es")
    pack: str = Field(description="The member's policy pack")
    state: InvitationState = Field(description="pending, sending, sent, failed, answered, skipped")
    expired: bool = Field(description="Sent, unanswered, and past its closing time")
    skip_reason: SkipReason | None = Field(description="Why no invitation went out")
    attempts: int = Field(description="Sending attempts so far")
    last_error: str | None = Field(description="The last sending failure, as a short code")
    created_at: datetime = Field(description="When the contact was completed")
    sent_at: datetime | None = Field(description="When it was sent")
    expires_at: datetime | None = Field(description="When its link stops working")
    answered_at: datetime | None = Field(description="When it was answered")


class PreferenceIn(BaseModel):
    """A member's wish about surveys, as they told member services."""

    model_config = ConfigDict(extra="forbid")

    opted_out: bool = Field(description="True: send no more surveys; false: surveys again")


class PreferenceOut(BaseModel):
    """Whether the member gets surveys."""

    member_id: int = Field(description="Internal member id")
    opted_out: bool = Field(description="The member gets no surveys")
    opted_out_at: datetime | None = Field(description="Since when")
    opted_out_via: str | None = Field(description="link (the member) or staff")
    last_invited_at: datetime | None = Field(description="Their latest invitation")

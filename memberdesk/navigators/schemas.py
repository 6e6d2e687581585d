"""API shapes of member navigators; every field is described for /docs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from memberdesk.navigators.enums import FlagSource, FlagState, Rule
from memberdesk.schemas import DbId

# Free text about a member's needs (PHI): blanks dropped, an empty text refused.
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FlagIn(_In):
    """Flag a member for a navigator by hand."""

    reason: Reason = Field(description="Why the member needs a navigator (PHI, stored encrypted)")
    navigator_id: DbId | None = Field(
        default=None,
        description="The navigator to own the member; default: you if you are a navigator, "
        "else the navigator with the fewest members",
    )


class AssignIn(_In):
    """Give a flagged member to a navigator."""

    navigator_id: DbId = Field(description="Internal id of an enabled navigator account")


class UnflagIn(_In):
    """End a member's navigator flag."""

    reason: Reason = Field(description="Why the member no longer needs one (PHI, encrypted)")


class NavigatorRef(BaseModel):
    id: int = Field(description="Internal id of the navigator's account")
    username: str = Field(description="The navigator's username")
    display_name: str = Field(description="The navigator's name")


class NavigatorBrief(BaseModel):
    """The member's navigator as the member 360 shows it (no reasons)."""

    source: FlagSource = Field(description="rule or hand")
    rules: list[Rule] = Field(description="The rules that flagged the member (empty by hand)")
    navigator: NavigatorRef | None = Field(description="Who owns the member (null: unassigned)")
    flagged_at: datetime = Field(description="When the member was flagged")


class NavigatorOut(BaseModel):
    """A member's navigator flag with its reasons (PHI: the read is audited)."""

    member_id: int = Field(description="Internal id of the member")
    state: FlagState = Field(description="flagged or unflagged")
    source: FlagSource = Field(description="rule or hand")
    rules: list[Rule] = Field(description="The rules that flagged the member (empty by hand)")
    reason: str | None = Field(description="Why, when flagged by hand")
    navigator: NavigatorRef | None = Field(description="Who owns the member (null: unassigned)")
    flagged_at: datetime = Field(description="When the member was (last) flagged")
    flagged_by_id: int | None = Field(description="Who flagged them (null: the rules)")
    assigned_at: datetime | None = Field(description="When the navigator was assigned")
    unflagged_at: datetime | None = Field(description="When the flag ended")
    unflag_reason: str | None = Field(description="Why the flag ended")


class CaseloadMember(BaseModel):
    member_id: int = Field(description="Internal id of the member")
    first_name: str = Field(description="First name")
    last_name: str = Field(description="Last name")
    spoken_language: str = Field(description="Spoken language (ISO 639)")
    interpreter_needed: bool = Field(description="Needs an interpreter")
    source: FlagSource = Field(description="rule or hand")
    rules: list[Rule] = Field(description="The rules that flagged the member")
    flagged_at: datetime = Field(description="When the member was flagged")
    open_cases: int = Field(description="Open cases of the member")
    waiting_cases: int = Field(description="Of those, waiting in a queue for someone to take")
    open_callbacks: int = Field(description="Voicemail callbacks not yet returned")
    next_due_at: datetime | None = Field(
        description="The earliest deadline among the open cases' clocks and the callbacks"
    )


class Caseload(BaseModel):
    navigator: NavigatorRef = Field(description="The navigator")
    total: int = Field(description="Members the navigator owns")
    members: list[CaseloadMember] = Field(description="By earliest deadline, then name")


class RulesRunOut(BaseModel):
    flagged: int = Field(description="Members the rules flagged in this run")

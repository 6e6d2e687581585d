"""API shapes of the kpi domain."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


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
    status: dict[str, str] = Field(
        description="service_level and abandon_rate against target: ok, warning or breach"
    )


class CallRow(CallFigures):
    """The figures of one queue, agent (empty: calls no agent took) or day."""

    key: str = Field(description="The queue, the agent's ID, or the day (YYYY-MM-DD)")


class CallReport(BaseModel):
    """Call KPIs over whole days in the pack's time zone, from the half-hour rollups."""

    pack: str = Field(description="The line of business's policy pack (calchoice, ...)")
    first: date = Field(alias="from", description="First day")
    last: date = Field(alias="to", description="Last day (included)")
    threshold_seconds: float = Field(description="Answered within this counts for the level")
    total: CallFigures = Field(description="The whole period")
    by: str | None = Field(description="queue, agent or day; null for the total alone")
    rows: list[CallRow] = Field(description="One per queue, agent or day, in key order")

    model_config = {"populate_by_name": True}

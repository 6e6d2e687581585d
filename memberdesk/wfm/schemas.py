"""API shapes of the WFM routes; every field is described for /docs.

Handle time has no default: it drives the answer, and the seed guides give a range (6–9
minutes for common inquiries, 20–40 for specialists), not one figure.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# erlang.Model's values; spelled out so that importing the API does not import NumPy.
Model = Literal["erlang_c", "erlang_a"]

YEAR_OF_INTERVALS = 17_568  # half-hours in a leap year


class StaffingOptions(BaseModel):
    """Service target and staffing rules shared by one interval and a batch."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    interval_seconds: float = Field(
        default=1800.0, ge=1, le=86_400, description="Interval length in seconds"
    )
    target: float = Field(
        default=0.8,
        gt=0,
        lt=1,
        description="Service-level target, a fraction (seed guides: 0.8)",
    )
    within_seconds: float = Field(
        default=20.0,
        ge=0,
        le=30 * 86_400,
        description="Answer-time threshold T in seconds (seed guides: 20–30)",
    )
    patience_seconds: float | None = Field(
        default=None,
        ge=1,
        le=365 * 86_400,
        description="Mean caller patience in seconds: Erlang A (callers who hang up); "
        "without it, Erlang C",
    )
    max_occupancy: float = Field(
        default=1.0, gt=0, le=1, description="Highest agent occupancy allowed, a fraction"
    )
    shrinkage: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="Share of paid time off the phones; scheduled = ceil(agents / (1 − it)). "
        "Default 0: none applied",
    )
    fractional: bool = Field(
        default=False, description="Report a fractional requirement (interpolated agents)"
    )
    concurrency: int = Field(
        default=1, ge=1, le=20, description="Chats one agent works at once (1 for calls)"
    )


class StaffIn(StaffingOptions):
    """One interval to staff."""

    calls: float = Field(ge=0, le=10_000_000, description="Calls (or chats) offered")
    aht_seconds: float = Field(
        ge=1,
        le=86_400,
        description="Average handle time in seconds (seed guides: 360–540 s for common inquiries)",
    )


class StaffOut(BaseModel):
    """Staffing for one interval."""

    model: Model = Field(description="erlang_c, or erlang_a when patience was given")
    intensity: float = Field(description="Offered load in Erlangs: calls × AHT ÷ interval")
    agents: float = Field(description="Agents needed on the phones (whole unless fractional)")
    scheduled: int = Field(description="Staff to schedule: ceil(agents ÷ (1 − shrinkage))")
    service_level: float = Field(description="Share answered within T with that many agents")
    asa_seconds: float | None = Field(
        description="Average speed of answer in seconds (null when unbounded)"
    )
    occupancy: float = Field(description="Share of agent time busy")
    p_wait: float = Field(description="Probability that a caller waits")
    p_abandon: float | None = Field(
        default=None, description="Erlang A only: probability that a caller hangs up"
    )


class IntervalIn(BaseModel):
    """One interval of a batch."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    interval_start: AwareDatetime = Field(
        description="Start of the interval, ISO 8601 with a UTC offset"
    )
    calls: float = Field(ge=0, le=10_000_000, description="Calls offered in the interval")
    aht_seconds: float = Field(
        ge=1, le=86_400, description="Average handle time in seconds for the interval"
    )


class IntervalsIn(StaffingOptions):
    """Many intervals to staff with the same target and rules."""

    intervals: list[IntervalIn] = Field(
        min_length=1,
        max_length=YEAR_OF_INTERVALS,
        description="The intervals, up to a year of half-hours",
    )


class IntervalOut(BaseModel):
    """Staffing for one interval of a batch."""

    interval_start: dt.datetime = Field(description="Start of the interval, as sent")
    calls: float = Field(description="Calls offered, as sent")
    agents: float = Field(description="Agents needed on the phones")
    scheduled: int = Field(description="Staff to schedule after shrinkage")
    service_level: float = Field(description="Share answered within T")


class IntervalsOut(BaseModel):
    """Staffing for every interval of a batch."""

    model: Model = Field(description="erlang_c, or erlang_a when patience was given")
    intervals: list[IntervalOut] = Field(description="One answer per interval, in order")
    peak_scheduled: int = Field(description="Most staff scheduled in any one interval")
    agent_hours: float = Field(description="Agent hours on the phones over all intervals")

"""API shapes of the calendars and SLA routes; every field is described for /docs."""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from memberdesk.sla.engine import ClockKind


class CalendarSummary(BaseModel):
    """A business calendar: its zone, weekly hours and version."""

    name: str = Field(description="Calendar name, as clocks and policy packs refer to it")
    title: str = Field(description="What the calendar is, in words")
    timezone: str = Field(description="IANA time zone the calendar counts in")
    hours: str = Field(description="Weekly opening hours, e.g. Mon–Fri 08:00–17:00")
    version: str = Field(
        description="Data version label and digest; changes whenever the calendar's data does"
    )
    base: str | None = Field(description="Calendar this one is layered on, if any")


class ClosureOut(BaseModel):
    """A date the office is closed, all day or for some spans."""

    date: dt.date = Field(description="Local date of the closure (YYYY-MM-DD)")
    name: str = Field(description="Holiday or closure name")
    kind: str = Field(description="full (the whole day) or partial (only the closed spans)")
    closed: list[str] = Field(description="Closed spans of a partial closure (HH:MM–HH:MM)")
    working_day_lost: bool = Field(
        description="True when the date would otherwise have opening hours"
    )
    note: str = Field(description="Why the closure falls on this date (weekend observance)")


class OpeningOut(BaseModel):
    """A one-off opening on a date that would otherwise be closed."""

    date: dt.date = Field(description="Local date of the opening (YYYY-MM-DD)")
    name: str = Field(description="Name of the opening")
    hours: list[str] = Field(description="Opening spans that day (HH:MM–HH:MM)")


class CalendarYear(CalendarSummary):
    """A calendar with its closures and one-off openings in one year."""

    citation: str = Field(description="The rule the calendar's holidays follow")
    year: int = Field(description="Year listed")
    closures: list[ClosureOut] = Field(description="Closures in the year, in date order")
    openings: list[OpeningOut] = Field(description="One-off openings in the year")


class KpiOut(BaseModel):
    """A measured target: warning past the stricter threshold, breach past the looser one."""

    measure: str = Field(
        description="service_level, abandon_rate, first_contact_resolution, csat, nps or "
        "qa_score (rates as fractions 0–1, NPS in points −100..100)"
    )
    within_seconds: float | None = Field(
        default=None, description="Service level only: answer-time threshold T in seconds"
    )
    warn_above: float | None = Field(default=None, description="Warning above this value")
    breach_above: float | None = Field(default=None, description="Breach above this value")
    warn_below: float | None = Field(default=None, description="Warning below this value")
    breach_below: float | None = Field(default=None, description="Breach below this value")
    breach_at_bound: bool = Field(
        default=False, description="True when the breach threshold itself is a breach"
    )
    achieved: float | None = Field(
        default=None, description="A figure a plan reported achieving: a benchmark, not a floor"
    )


class ExtensionOut(BaseModel):
    """How a clock may be extended."""

    count: int = Field(description="Extensions allowed")
    amount: int = Field(description="Most units (hours or days, the clock's own) per extension")
    reason_required: bool = Field(description="Whether each extension needs a recorded reason")
    citation: str = Field(description="The rule that allows the extension")


class TargetOut(BaseModel):
    """One target of a policy pack: a clock or a KPI."""

    id: str = Field(description="Target ID within the pack")
    what: str = Field(description="What the target is about")
    clock: ClockKind | None = Field(description="Clock kind; null for a KPI target")
    amount: int | None = Field(description="Clock amount in hours or days; null for a KPI")
    kpi: KpiOut | None = Field(description="The measured goal; null for a clock")
    warning_share: float = Field(description="Share of the clock's time at which it warns")
    may_pause: bool = Field(description="Whether the clock may pause (service SLAs only)")
    extension: ExtensionOut | None = Field(description="Extensions the rule allows, if any")
    regulatory: bool = Field(description="True for a regulatory clock (never pauses)")
    deemed_exhausted_on_breach: bool = Field(
        description="A missed deadline means the appeal process is deemed exhausted (Medicaid)"
    )
    rule: str = Field(description="The rule in words")
    citation: str = Field(description="Where the rule comes from")
    verify: bool = Field(description="True when the figure still needs confirming by counsel")


class PackOut(BaseModel):
    """A versioned policy pack: targets on one calendar, each with its citation."""

    name: str = Field(description="Pack name")
    title: str = Field(description="What the pack covers")
    version: str = Field(description="Pack version label")
    policy_version: str = Field(description="pack@version#digest, recorded on every clock")
    calendar: str = Field(description="Calendar the pack's clocks run on")
    effective_from: dt.date = Field(description="First day this version applies")
    effective_to: dt.date | None = Field(description="Last day this version applies, if set")
    citation: str = Field(description="The rules the pack follows")
    notes: list[str] = Field(description="Notes that go with the targets")
    targets: list[TargetOut] = Field(description="The pack's targets, clocks and KPIs")


class DueIn(BaseModel):
    """A deadline to compute: a pack target, or a calendar with a clock kind and amount."""

    model_config = ConfigDict(extra="forbid")

    start: AwareDatetime = Field(
        description="When the clock starts (received), ISO 8601 with a UTC offset"
    )
    pack: str | None = Field(default=None, max_length=64, description="Policy pack (with target)")
    target: str | None = Field(
        default=None, max_length=64, description="Target ID within the pack (a clock target)"
    )
    calendar: str | None = Field(
        default=None,
        max_length=64,
        description="Calendar to count on; required without pack, or a plan calendar to run "
        "the pack's target on instead of the pack's own",
    )
    clock: ClockKind | None = Field(default=None, description="Clock kind (without pack)")
    amount: int | None = Field(
        default=None, ge=0, le=1_000_000, description="Hours or days (without pack)"
    )


class DueOut(BaseModel):
    """A deadline with the trail that explains it."""

    due: dt.datetime = Field(description="The deadline, in the calendar's time zone")
    start: dt.datetime = Field(description="When the clock started, as sent")
    warning_at: dt.datetime = Field(description="When the clock warns (its warning share)")
    calendar: str = Field(description="Calendar counted on")
    calendar_version: str = Field(description="Version of that calendar")
    timezone: str = Field(description="The calendar's IANA time zone")
    clock: ClockKind = Field(description="Clock kind")
    amount: int = Field(description="Hours or days")
    pack: str | None = Field(default=None, description="Policy pack, when a target was asked")
    target: str | None = Field(default=None, description="Target ID, when a target was asked")
    policy_version: str | None = Field(default=None, description="pack@version#digest")
    citation: str | None = Field(default=None, description="The target's citation")
    trail: list[str] = Field(description="Why the deadline is what it is, step by step")

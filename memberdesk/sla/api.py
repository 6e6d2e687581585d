"""JSON routes of business calendars and SLA clocks, for anyone holding ``sla.read``.

Calendars, policy packs and deadlines hold no member data, so nothing here is audited as a PHI
read. The work is the pure cores' (``memberdesk.calendars``, ``memberdesk.sla``); these routes
only validate, call them and shape the answer.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from memberdesk.calendars import Calendar, CalendarError, UnknownCalendarError, get_calendar
from memberdesk.calendars.loader import calendar_names
from memberdesk.calendars.model import MAX_YEAR, MIN_YEAR
from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute
from memberdesk.errors import InvalidInput, NotFound
from memberdesk.schemas import Day
from memberdesk.sla.clocks import Clock
from memberdesk.sla.engine import DeadlineError, compute_due
from memberdesk.sla.packs import (
    Pack,
    PackError,
    Target,
    UnknownPackError,
    UnknownTargetError,
    get_pack,
    pack_names,
)
from memberdesk.sla.schemas import (
    CalendarSummary,
    CalendarYear,
    ClosureOut,
    DueIn,
    DueOut,
    ExtensionOut,
    KpiOut,
    OpeningOut,
    PackOut,
    TargetOut,
)

router = APIRouter(prefix="/api", route_class=DbRoute)
SlaReader = Annotated[Principal, requires(Permission.SLA_READ)]
TAGS: list[str | Enum] = ["calendars and SLA"]
CalendarName = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="Calendar name (see GET /api/calendars)",
    ),
]
YearQ = Annotated[
    int | None,
    Query(ge=MIN_YEAR, le=MAX_YEAR, description="Year to list (default: this year)"),
]
OnQ = Annotated[
    Day | None,
    Query(description="Only the pack versions in effect on this date (default: the newest)"),
]


def _summary(cal: Calendar) -> dict[str, Any]:
    return {
        "name": cal.name,
        "title": cal.title,
        "timezone": cal.tz.key,
        "hours": cal.weekly_summary(),
        "version": cal.version,
        "base": cal.base,
    }


@router.get(
    "/calendars",
    response_model=list[CalendarSummary],
    summary="Business calendars",
    tags=TAGS,
)
def list_calendars(principal: SlaReader) -> list[CalendarSummary]:
    """The shipped and registered calendars, with time zone, weekly hours and version."""
    return [CalendarSummary(**_summary(get_calendar(name))) for name in calendar_names()]


@router.get(
    "/calendars/{name}",
    response_model=CalendarYear,
    summary="A calendar's closures in a year",
    tags=TAGS,
)
def show_calendar(name: CalendarName, principal: SlaReader, year: YearQ = None) -> CalendarYear:
    """Closures (holidays with their weekend observance, full or partial) and one-off openings
    of one calendar in one year."""
    try:
        cal = get_calendar(name)
    except UnknownCalendarError as exc:
        raise NotFound(str(exc), field="path.name") from None
    year = year or now().astimezone(cal.tz).year
    closures = [
        ClosureOut(
            date=c.date,
            name=c.name,
            kind=str(c.kind),
            closed=[str(w) for w in c.closed],
            working_day_lost=bool(cal.hours[c.date.weekday()]),
            note=c.note,
        )
        for c in cal.closures(year)
    ]
    openings = [
        OpeningOut(date=o.date, name=o.name, hours=[str(w) for w in o.hours])
        for o in cal.openings_in(year)
    ]
    return CalendarYear(
        **_summary(cal), citation=cal.citation, year=year, closures=closures, openings=openings
    )


def _target_out(t: Target) -> TargetOut:
    ext = t.extension
    return TargetOut(
        id=t.id,
        what=t.what,
        clock=t.clock,
        amount=t.amount,
        kpi=KpiOut(**t.kpi.to_dict()) if t.kpi else None,
        warning_share=t.warning_share,
        may_pause=t.may_pause,
        extension=(
            ExtensionOut(
                count=ext.count,
                amount=ext.amount,
                reason_required=ext.reason_required,
                citation=ext.citation,
            )
            if ext
            else None
        ),
        regulatory=t.regulatory,
        deemed_exhausted_on_breach=t.deemed_exhausted_on_breach,
        rule=t.rule,
        citation=t.citation,
        verify=t.verify,
    )


def _pack_out(p: Pack) -> PackOut:
    return PackOut(
        name=p.name,
        title=p.title,
        version=p.version,
        policy_version=f"{p.name}@{p.version}#{p.digest}",
        calendar=p.calendar,
        effective_from=p.effective_from,
        effective_to=p.effective_to,
        citation=p.citation,
        notes=list(p.notes),
        targets=[_target_out(t) for t in p.targets.values()],
    )


@router.get(
    "/sla/packs",
    response_model=list[PackOut],
    summary="Policy packs and their targets",
    tags=TAGS,
)
def list_packs(principal: SlaReader, on: OnQ = None) -> list[PackOut]:
    """Every policy pack with its clocks and KPI goals, each with its rule and citation.
    Defaults only: plans confirm every number with counsel."""
    packs = []
    for name in pack_names():
        try:
            packs.append(_pack_out(get_pack(name, on)))
        except PackError:
            continue  # no version of this pack is in effect on that date
    return packs


def _resolve_target(body: DueIn) -> Target | None:
    if body.pack is None and body.target is None:
        return None
    if body.pack is None or body.target is None:
        missing = "body.pack" if body.pack is None else "body.target"
        raise InvalidInput("pack and target go together", field=missing)
    if body.clock is not None or body.amount is not None:
        given = "body.clock" if body.clock is not None else "body.amount"
        raise InvalidInput("give either pack and target, or clock and amount", field=given)
    try:
        tgt = get_pack(body.pack).target(body.target)
    except UnknownPackError as exc:
        raise InvalidInput(str(exc), field="body.pack") from None
    except UnknownTargetError as exc:
        raise InvalidInput(str(exc), field="body.target") from None
    if not tgt.is_clock:
        raise InvalidInput(
            "a KPI target has no deadline; choose a clock target", field="body.target"
        )
    return tgt


@router.post("/sla/due", response_model=DueOut, summary="Compute a deadline", tags=TAGS)
def due(body: DueIn, principal: SlaReader) -> DueOut:
    """The deadline of a policy-pack target (or of a clock kind and amount on a calendar)
    started at ``start``, with its warning time and the trail that explains it ("received
    after close → counted from Mon 2026-11-30", "skipped Thu 2026-11-26 Thanksgiving", …)."""
    tgt = _resolve_target(body)
    if tgt is None:
        for field in ("calendar", "clock", "amount"):
            if getattr(body, field) is None:
                raise InvalidInput(
                    "required unless pack and target are given", field=f"body.{field}"
                )
        assert body.clock is not None and body.amount is not None
        kind, amount = body.clock, body.amount
    else:
        assert tgt.clock is not None and tgt.amount is not None
        kind, amount = tgt.clock, tgt.amount
    try:
        cal = get_calendar(body.calendar or (tgt.calendar if tgt else ""))
    except UnknownCalendarError as exc:
        raise InvalidInput(str(exc), field="body.calendar") from None
    share = tgt.warning_share if tgt else 0.75
    try:
        deadline = compute_due(cal, kind, amount, body.start)
        warning = Clock(cal, kind, amount, body.start, warning_share=share).warning_at
    except DeadlineError as exc:
        where = {"kind": "clock"}.get(exc.field, exc.field)
        raise InvalidInput(str(exc).removeprefix(f"{exc.field} "), field=f"body.{where}") from None
    except CalendarError as exc:
        raise InvalidInput(str(exc), field="body.start") from None
    assert warning is not None
    extra = (
        {
            "pack": tgt.pack,
            "target": tgt.id,
            "policy_version": tgt.policy_version,
            "citation": tgt.citation,
        }
        if tgt
        else {}
    )
    return DueOut(
        due=deadline.due,
        start=body.start,
        warning_at=warning,
        calendar=cal.name,
        calendar_version=cal.version,
        timezone=cal.tz.key,
        clock=kind,
        amount=amount,
        trail=deadline.trail,
        **extra,
    )

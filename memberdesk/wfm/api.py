"""JSON routes of workforce management, for anyone holding ``wfm.use``.

Staffing works on volumes only, never member data, so nothing here is audited as a PHI read.
The maths is `memberdesk.wfm.erlang`'s (imported when a route runs, so the app starts without
NumPy); these routes validate, call it and shape the answer.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter

from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute
from memberdesk.errors import InvalidInput
from memberdesk.wfm.erlang_c import MAX_ERLANGS
from memberdesk.wfm.schemas import (
    IntervalOut,
    IntervalsIn,
    IntervalsOut,
    StaffIn,
    StaffingOptions,
    StaffOut,
)

if TYPE_CHECKING:
    from memberdesk.wfm.erlang import Staffing

router = APIRouter(prefix="/api", route_class=DbRoute)
WfmUser = Annotated[Principal, requires(Permission.WFM_USE)]
TAGS: list[str | Enum] = ["workforce management"]

# The cores name their arguments; the API's fields carry units.
_FIELDS = {
    "calls": "calls",
    "aht": "aht_seconds",
    "interval": "interval_seconds",
    "within": "within_seconds",
    "patience": "patience_seconds",
    "max_occupancy": "max_occupancy",
    "shrinkage": "shrinkage",
    "target": "target",
    "concurrency": "concurrency",
}


def _invalid(exc: InvalidInput, prefix: str = "body") -> InvalidInput:
    """The core's error with its field renamed to the request's."""
    name = exc.field or ""
    reason = exc.message.removeprefix(f"{name}: ")
    return InvalidInput(reason, field=f"{prefix}.{_FIELDS.get(name, name)}")


def _options(body: StaffingOptions) -> dict[str, Any]:
    return {
        "interval": body.interval_seconds,
        "target": body.target,
        "within": body.within_seconds,
        "patience": body.patience_seconds,
        "max_occupancy": body.max_occupancy,
        "shrinkage": body.shrinkage,
        "fractional": body.fractional,
    }


def _staff_out(got: Staffing) -> StaffOut:
    d = got.as_dict()
    asa = d["asa_seconds"]
    d["asa_seconds"] = asa if asa == asa and asa != float("inf") else None  # NaN or inf: none
    return StaffOut(**d)


@router.post("/wfm/staff", response_model=StaffOut, summary="Staff one interval", tags=TAGS)
def staff(body: StaffIn, principal: WfmUser) -> StaffOut:
    """Agents needed for a service-level target in one interval: Erlang C, or Erlang A when
    `patience_seconds` is given (callers hang up, so fewer agents than the load may do), with
    service level, average speed of answer, P(wait), occupancy and scheduled staff."""
    from memberdesk.wfm import erlang

    opts = _options(body)
    try:
        if body.concurrency > 1:
            got = erlang.chat_staff(
                body.calls,
                body.aht_seconds,
                concurrency=body.concurrency,
                interval=opts["interval"],
                target=opts["target"],
                within=opts["within"],
                patience=opts["patience"],
                shrinkage=opts["shrinkage"],
            )
        else:
            got = erlang.staff(body.calls, body.aht_seconds, **opts)
    except InvalidInput as exc:
        raise _invalid(exc) from None
    return _staff_out(got)


@router.post(
    "/wfm/staff/intervals",
    response_model=IntervalsOut,
    summary="Staff many intervals",
    tags=TAGS,
)
def staff_intervals(body: IntervalsIn, principal: WfmUser) -> IntervalsOut:
    """Staffing for every interval of a forecast (up to a year of half-hours) with one target
    and one set of rules, computed for all intervals at once."""
    import numpy as np

    from memberdesk.wfm import erlang

    calls = np.array([i.calls for i in body.intervals])
    aht = np.array([i.aht_seconds for i in body.intervals])
    # Name the first interval past the load bound, rather than the batch as a whole.
    over = np.flatnonzero(calls * aht / body.interval_seconds > MAX_ERLANGS)
    if over.size:
        raise InvalidInput(
            f"calls × AHT ÷ interval must be at most {MAX_ERLANGS:,.0f} Erlangs",
            field=f"body.intervals.{int(over[0])}.calls",
        )
    try:
        got = erlang.staff_intervals(calls, aht, **_options(body))
    except InvalidInput as exc:
        raise _invalid(exc) from None
    agents, scheduled = got.agents, got.scheduled
    if body.concurrency > 1:
        agents = np.ceil(agents / body.concurrency)
        scheduled = erlang.scheduled_staff(agents, body.shrinkage)
    rows = [
        IntervalOut(
            interval_start=i.interval_start,
            calls=i.calls,
            agents=float(agents[k]),
            scheduled=int(scheduled[k]),
            service_level=float(got.service_level[k]),
        )
        for k, i in enumerate(body.intervals)
    ]
    return IntervalsOut(
        model=got.model.value,
        intervals=rows,
        peak_scheduled=int(scheduled.max()),
        agent_hours=float(agents.sum()) * body.interval_seconds / 3600,
    )

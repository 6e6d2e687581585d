"""The simulated day (`simulate.py`) and the staff-and-budget planner (`plan.py`) as pages.

A simulation is bounded by the page's own limits (replications and intervals) as well as the
core's call bound, so no request runs for long.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.errors import InvalidInput
from memberdesk.kpi.words import LINES
from memberdesk.members.models import Member
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import render
from memberdesk.wfm.forms import Number, read_numbers, refusal

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Analyst = Annotated[Principal, requires(Permission.WFM_USE)]

SOURCES = {
    "forecast": "The next open day of the forecast, staffed to the target",
    "steady": "The same calls and agents in every interval",
}
SIM_FIELDS = {
    "aht": Number(1, 14_400, "seconds"),
    "within": Number(0, 3600, "seconds"),
    "patience": Number(1, 86_400, "seconds"),
    "replications": Number(2, 500, "runs", whole=True),
    "seed": Number(0, 1_000_000_000, "", whole=True),
}
FORECAST_SIM = {
    "target": Number(0, 100, "%", low_open=True, high_open=True, percent=True),
    "short": Number(0, 1000, "agents", whole=True),
}
STEADY_SIM = {
    "calls": Number(0, 10_000, "calls"),
    "agents": Number(0, 10_000, "agents", whole=True),
    "intervals": Number(1, 48, "intervals", whole=True),
}
SIM_DEFAULTS = {
    "source": "forecast",
    "pack": "calchoice",
    "aht": "420",
    "within": "20",
    "patience": "120",
    "target": "80",
    "short": "0",
    "calls": "100",
    "agents": "25",
    "intervals": "16",
    "replications": "30",
    "seed": "1",
}
PLAN_FIELDS = {
    "members": Number(1, 10_000_000, "members", whole=True),
    "contacts": Number(0, 50, "contacts a year", low_open=True),
    "routine": Number(0, 100, "%", percent=True),
    "shrinkage": Number(0, 100, "%", high_open=True, percent=True),
    "year": Number(1900, 2199, "", whole=True),
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TRAINING = {
    "": "Already in the shrinkage",
    "plan": "Add the guide's 8 to 12 hours a month",
    "records": "Add the hours recorded in 3 months",
}
CHEAPEST = {
    "in_house": "in-house",
    "outsourced_pmpm": "outsourced, paid per member per month",
    "outsourced_per_call": "outsourced, paid per call",
}


def _scenario(
    session: Any, typed: dict[str, str], values: dict[str, Any], errors: dict[str, str]
) -> tuple[Any, list[str]] | None:
    """What to simulate: the forecast's next open day staffed by Erlang C at the target (less
    any agents taken away), or steady calls and agents; None with errors when it cannot be."""
    import numpy as np

    from memberdesk.wfm import simulate as sim

    common = {
        "within_seconds": values["within"],
        "patience_seconds": values["patience"],
    }
    if typed["source"] == "steady":
        n = int(values["intervals"])
        sc = sim.single_queue(
            np.full(n, values["calls"]), values["aht"], int(values["agents"]), **common
        )
        return sc, [f"Interval {i + 1}" for i in range(n)]
    from memberdesk.wfm import forecast as fc
    from memberdesk.wfm.erlang import staff_intervals
    from memberdesk.wfm.service import stored_history
    from memberdesk.wfm.ui_forecast import fitted

    history = stored_history(session, typed["pack"])
    session.commit()  # the reading is done
    if history is None:
        errors["pack"] = (
            f"No calls are stored for {LINES[typed['pack']]}. A forecast learns from past "
            "calls: import the call records first, or simulate steady calls."
        )
        return None
    model, closed = fitted(history, typed["pack"])
    ahead = model.predict(fc.future_index(history, 1, closed))
    need = staff_intervals(
        ahead.to_numpy(),
        values["aht"],
        interval=1800.0,
        target=values["target"],
        within=values["within"],
    )
    agents = np.maximum(need.agents.astype(np.int64) - int(values["short"]), 0)
    sc = sim.single_queue(ahead.to_numpy(), values["aht"], agents, **common)
    day = ahead.index[0].strftime("%A %d %B %Y") if len(ahead) else ""
    values["day"] = day
    values["agents_per_interval"] = [int(a) for a in agents]
    return sc, [t.strftime("%H:%M") for t in ahead.index]


def simulation(scenario: Any, labels: list[str], values: dict[str, Any]) -> dict[str, Any]:
    """Run the simulator and shape its answer for the page, with the band chart."""
    from memberdesk.wfm import charts
    from memberdesk.wfm import simulate as sim

    sim.warm_up()
    res = sim.simulate(scenario, replications=int(values["replications"]), seed=int(values["seed"]))
    out = sim.result_as_dict(res, labels)
    rows = out["intervals"]
    agents = values.get("agents_per_interval")
    for i, row in enumerate(rows):
        row["agents"] = agents[i] if agents else int(values["agents"])
    title = "Service level by interval, with its 95% range"
    out["chart"] = charts.data_uri(
        charts.bands_svg(
            labels,
            [r["service_level"] for r in rows],
            [r["service_level_low"] for r in rows],
            [r["service_level_high"] for r in rows],
            target=values.get("target"),
            title=title,
        )
    )
    out["title"] = title
    return out


@router.get("/wfm/simulate", response_class=HTMLResponse)
def simulate_page(request: Request, session: ReadingSessionDep, principal: Analyst) -> HTMLResponse:
    """A simulated day: service level, waits and hang-ups per interval with 95% ranges."""
    query = request.query_params
    asked = "run" in query
    # A field left out of the address keeps its default; one sent empty is refused.
    typed = {k: query.get(k, v) for k, v in SIM_DEFAULTS.items()}
    errors: dict[str, str] = {}
    if typed["source"] not in SOURCES:
        errors["source"] = "Choose what to simulate from the list."
    if typed["pack"] not in LINES:
        errors["pack"] = "Choose a line of business from the list."
    result = None
    values: dict[str, Any] = {}
    if asked:
        values = dict(read_numbers(typed, SIM_FIELDS, errors))
        extra = STEADY_SIM if typed["source"] == "steady" else FORECAST_SIM
        values |= read_numbers(typed, extra, errors)
        found = None
        if not errors:
            try:
                found = _scenario(session, typed, values, errors)
            except InvalidInput as exc:
                refusal(exc, errors, {"history": "pack", "aht": "aht", "calls": "aht"})
        session.commit()
        if found is not None and not errors:
            try:
                result = simulation(*found, values)
            except InvalidInput as exc:
                refusal(exc, errors, {"calls": "calls", "staffing": "agents", "aht": "aht"})
    return render(
        request,
        "wfm/simulate.html",
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        result=result,
        values=values,
        sources=SOURCES,
        lines=LINES,
    )


def _members_on_file(session: Any, pack: str) -> int:
    """How many members the line of business has on file (a count only)."""
    return int(
        session.scalar(
            select(func.count()).select_from(Member).where(Member.line_of_business == pack)
        )
        or 0
    )


@router.get("/wfm/plan", response_class=HTMLResponse)
def plan_page(request: Request, session: ReadingSessionDep, principal: Analyst) -> HTMLResponse:
    """The year's plan: volume, staff, the open-enrollment surge and budget, in-house beside
    outsourced."""
    from memberdesk.wfm import charts
    from memberdesk.wfm.plan import (
        PlanInputs,
        build_plan,
        monthly_volume,
        next_open_enrollment_year,
    )

    query = request.query_params
    pack = query.get("pack", "calchoice")
    errors: dict[str, str] = {}
    if pack not in LINES:
        errors["pack"] = "Choose a line of business from the list."
        pack = "calchoice"
    today = now().astimezone(zone_of(pack)).date()
    on_file = _members_on_file(session, pack)
    defaults = {
        "members": str(on_file or 15_000),
        "contacts": "2",
        "routine": "50",
        "shrinkage": "30",
        "year": str(next_open_enrollment_year(today)),
    }
    typed = {k: query.get(k, v) for k, v in defaults.items()}
    typed["pack"] = pack
    typed["measured"] = query.get("measured", "")
    typed["training"] = query.get("training", "")
    values = read_numbers(typed, PLAN_FIELDS, errors)
    training = None
    if typed["training"] not in TRAINING:
        errors["training"] = "Choose how training is counted from the list."
    elif typed["training"] and not errors:
        from memberdesk.training.service import local_day
        from memberdesk.wfm.service import training_shrinkage

        try:
            training = training_shrinkage(
                session, typed["training"], values["shrinkage"], local_day(now())
            )
        except InvalidInput as exc:
            errors["training"] = (
                "No training hours are recorded for front-line staff over the last 3 months: "
                "count training by the guide's hours instead."
                if typed["training"] == "records"
                else exc.message
            )
        else:
            values["shrinkage"] = training["shrinkage"]
    quality: dict[str, Any] = {}
    basis = None
    if typed["measured"] and not errors:
        from memberdesk.wfm.service import quality_inputs, recent

        found = recent(session, pack, today)
        if found.aht_seconds is None:
            errors["measured"] = (
                f"No answered calls are stored for {LINES[pack]} from {found.first} to "
                f"{found.last}: plan on the guide's ranges instead."
            )
        else:
            quality = quality_inputs(pack, found)
            basis = found
    session.commit()
    result = None
    if not errors:
        inputs = PlanInputs(
            members=int(values["members"] or 0),
            contacts_per_member_year=float(values["contacts"] or 0),
            routine_share=float(values["routine"] or 0),
            shrinkage=float(values["shrinkage"] or 0),
            open_enrollment_year=int(values["year"] or 0),
            **quality,
        )
        try:
            result = build_plan(inputs)
        except InvalidInput as exc:
            refusal(
                exc,
                errors,
                {
                    "members": "members",
                    "contacts_per_member": "contacts",
                    "routine_share": "routine",
                    "shrinkage": "shrinkage",
                },
            )
        else:
            months = [float(x) for x in monthly_volume(inputs)]
            surge = [m in (10, 11, 12, 1) for m in range(1, 13)]
            title = "Calls agents answer, month by month (open-enrollment surge hatched)"
            result["months"] = list(zip(MONTHS, months, surge, strict=True))
            result["months_chart"] = charts.data_uri(
                charts.months_svg(list(MONTHS), months, surge, title=title)
            )
            result["months_title"] = title
    return render(
        request,
        "wfm/plan.html",
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        plan=result,
        basis=basis,
        on_file=on_file,
        lines=LINES,
        cheapest=CHEAPEST,
        trainings=TRAINING,
        training=training,
    )

"""The forecast-vs-actual page and the schedule builder: both learn from the stored calls of a
line of business (`service.stored_history`), fit `forecast.py`'s model, and the builder staffs
the forecast (`erlang.py`) and solves the shifts (`schedule.py`).

The database is read first and the transaction ended before any model is fitted or solved, so
no connection waits on the maths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.errors import InvalidInput
from memberdesk.kpi.words import LINES
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import render
from memberdesk.wfm import memo
from memberdesk.wfm.forms import Number, lengths, read_numbers, refusal

if TYPE_CHECKING:
    import pandas as pd

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Analyst = Annotated[Principal, requires(Permission.WFM_USE)]

BY = {"interval": "Half hour", "day": "Day", "month": "Month"}
SHOWN_DAYS = 3  # open days of the holdout drawn half hour by half hour
FORECAST_FIELDS = {
    "weeks": Number(1, 26, "weeks", whole=True),
    "days": Number(1, 10, "working days", whole=True),
}
SCHEDULE_FIELDS = {
    "days": Number(1, 5, "working days", whole=True),
    "target": Number(0, 100, "%", low_open=True, high_open=True, percent=True),
    "within": Number(0, 3600, "seconds"),
    "shrinkage": Number(0, 100, "%", high_open=True, percent=True),
}
AHT = Number(1, 14_400, "seconds")
PATIENCE = Number(1, 86_400, "seconds", optional=True)
MAX_AGENTS = Number(0, 10_000, "agents", whole=True, optional=True)
SCHEDULE_DEFAULTS = {
    "pack": "calchoice",
    "days": "1",
    "aht": "420",
    "measured": "",
    "target": "80",
    "within": "20",
    "patience": "",
    "shrinkage": "15",
    "templates": "8, 10",
    "max_agents": "",
}
NO_HISTORY = (
    "No calls are stored for {line}. A forecast learns from past calls, at least two weeks of "
    "them: import the call records first."
)


def _history(session: Any, pack: str, errors: dict[str, str]) -> pd.Series | None:
    """The pack's stored calls per half hour, or None with the reason under "pack"."""
    from memberdesk.wfm.service import stored_history

    history = stored_history(session, pack)
    if history is None:
        errors["pack"] = NO_HISTORY.format(line=LINES[pack])
    return history


def fitted(history: pd.Series, pack: str) -> tuple[Any, set[Any]]:
    """The forecast model fitted on the whole history (once per history), and the closed days."""
    from memberdesk.wfm import forecast as fc
    from memberdesk.wfm.service import closed_days, history_years

    closed = closed_days(pack, history_years(history))
    key = ("fit", pack, *memo.fingerprint(history, closed))
    return memo.once(key, lambda: fc.fit(history, closed)), closed


def _when(t: Any) -> str:
    return t.strftime("%a %d %b %H:%M")


def forecast_view(history: pd.Series, pack: str, weeks: int, days: int, by: str) -> dict[str, Any]:
    """Holdout forecast against the actual calls, grouped ``by``, and the days ahead."""
    from memberdesk.wfm import charts
    from memberdesk.wfm import forecast as fc
    from memberdesk.wfm.service import closed_days, history_years

    closed = closed_days(pack, history_years(history))
    key = ("holdout", pack, weeks, *memo.fingerprint(history, closed))
    ev = memo.once(key, lambda: fc.evaluate(history, closed, weeks))
    fit, _ = fitted(history, pack)
    ahead = fit.predict(fc.future_index(history, days, closed))
    actual, model = ev.actual, ev.model
    if by == "interval":
        open_days = sorted({t.date() for t, v in actual.items() if v > 0})[-SHOWN_DAYS:]
        keep = [t.date() in open_days for t in actual.index]
        actual, model, naive = actual[keep], model[keep], ev.naive[keep]
        title = f"Calls per half hour, the last {len(open_days)} open days held out"
        uri = charts.data_uri(
            charts.forecast_vs_actual_svg(actual, model, naive=naive, title=title)
        )
        rows = [
            (_when(t), float(actual[t]), float(model[t]), float(naive[t])) for t in actual.index
        ]
        level = ev.wape_model
    else:
        group = (
            [t.strftime("%Y-%m") for t in actual.index]
            if by == "month"
            else [t.strftime("%a %d %b %Y") for t in actual.index]
        )
        frame = actual.to_frame("actual").assign(forecast=model.to_numpy(), key=group)
        frame["naive"] = ev.naive.to_numpy()
        sums = frame.groupby("key", sort=False)[["actual", "forecast", "naive"]].sum()
        if by == "day":
            sums = sums[sums["actual"] > 0]  # closed days: nothing to compare
        labels = list(sums.index)
        title = f"Calls per {by}, forecast beside actual"
        uri = charts.data_uri(
            charts.totals_svg(
                labels,
                list(sums["actual"]),
                list(sums["forecast"]),
                unit=by,
                title=title,
            )
        )
        rows = [(k, float(r.actual), float(r.forecast), float(r.naive)) for k, r in sums.iterrows()]
        # Errors of single half hours partly cancel over a day or a month: the headline is
        # the accuracy at the level asked for, beside the half-hour figure.
        level = fc.wape(sums["actual"], sums["forecast"])
    table = [
        {
            "when": when,
            "actual": a,
            "forecast": f,
            "naive": nv,
            "error": abs(a - f) / a if a > 0 else None,
        }
        for when, a, f, nv in rows
    ]
    by_day = ahead.groupby([t.date() for t in ahead.index]).sum()
    # The file `wfm forecast --out` writes, for a schedule or staffing done elsewhere.
    frame = ahead.round(3).rename("calls").to_frame()
    frame.index = [t.isoformat() for t in ahead.index]
    ahead_csv = frame.rename_axis("interval_start").to_csv()
    return {
        "title": title,
        "chart": uri,
        "rows": table,
        "wape": ev.wape_model,
        "wape_level": level,
        "wape_naive": ev.wape_seasonal_naive,
        "holdout_start": ev.holdout_start.date(),
        "holdout_end": ev.holdout_end.date(),
        "history_start": history.index[0].date(),
        "history_end": history.index[-1].date(),
        "history_calls": float(history.sum()),
        "ahead": [(d, float(v)) for d, v in by_day.items()],
        "ahead_total": float(ahead.sum()),
        "ahead_csv": ahead_csv,
    }


@router.get("/wfm/forecast", response_model=None)
def forecast_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Analyst,
    pack: str = "calchoice",
    by: str = "day",
    weeks: str = "8",
    days: str = "5",
) -> Response:
    """Forecast vs actual calls over held-out weeks, by half hour, day or month (and the days
    ahead as CSV, with ``download``)."""
    typed = {"pack": pack, "by": by, "weeks": weeks, "days": days}
    errors: dict[str, str] = {}
    if pack not in LINES:
        errors["pack"] = "Choose a line of business from the list."
    if by not in BY:
        errors["by"] = "Choose half hour, day or month."
    values = read_numbers(typed, FORECAST_FIELDS, errors)
    history = _history(session, pack, errors) if "pack" not in errors else None
    session.commit()  # the reading is done; the model is fitted without a connection held
    view = None
    if not errors and history is not None:
        try:
            view = forecast_view(
                history, pack, int(values["weeks"] or 0), int(values["days"] or 0), by
            )
        except InvalidInput as exc:
            refusal(exc, errors, {"history": "pack", "holdout_weeks": "weeks"})
    if view is not None and request.query_params.get("download"):
        return Response(
            view["ahead_csv"],
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="forecast-{pack}.csv"'},
        )
    # Opening the page is not a refused request, even when there is nothing to forecast yet.
    asked = bool(request.query_params)
    return render(
        request,
        "wfm/forecast.html",
        principal,
        status=422 if errors and asked else 200,
        typed=typed,
        errors=errors,
        view=view,
        lines=LINES,
        by_words=BY,
    )


def shift_templates(hours: list[float]) -> tuple[Any, ...]:
    """Templates of the lengths asked for: the shipped 8 and 10 hours, others with their breaks."""
    from memberdesk.wfm.schedule import DEFAULT_TEMPLATES, ShiftTemplate

    known = {t.paid_hours: t for t in DEFAULT_TEMPLATES}
    return tuple(known.get(h) or ShiftTemplate(f"{h:g}h", h) for h in hours)


def build(
    history: pd.Series,
    pack: str,
    *,
    days: int,
    aht: float,
    target: float,
    within: float,
    patience: float | None,
    shrinkage: float,
    hours: list[float],
    max_agents: int | None,
) -> dict[str, Any]:
    """Forecast the next ``days`` open days, staff each half hour and solve the shifts (the
    chain of `wfm schedule`, on the stored history)."""
    import pandas as pd

    from memberdesk.wfm import forecast as fc
    from memberdesk.wfm.erlang import staff_intervals
    from memberdesk.wfm.schedule import build_schedule

    model, closed = fitted(history, pack)
    ahead = model.predict(fc.future_index(history, days, closed))
    need = staff_intervals(
        ahead.to_numpy(),
        aht,
        interval=1800.0,
        target=target,
        within=within,
        patience=patience,
        shrinkage=shrinkage,
    )
    requirement = pd.Series(need.scheduled.astype(float), index=ahead.index)
    sched = build_schedule(
        requirement, templates=shift_templates(hours), max_agents_per_day=max_agents
    )
    return shown(sched, ahead)


def shown(sched: Any, calls: pd.Series | None) -> dict[str, Any]:
    """A solved schedule as the page shows it: shifts, coverage chart and table, uncovered
    half hours (and the calls forecast for each, when known)."""
    from memberdesk.wfm import charts

    title = "Agents needed and on the phones, by half hour"
    uri = charts.data_uri(
        charts.requirement_vs_scheduled_svg(sched.requirement, sched.coverage, title=title)
    )
    rows = [
        {
            "when": _when(t),
            "calls": None if calls is None else float(calls.get(t, 0.0)),
            "needed": float(sched.requirement[t]),
            "on_phones": float(sched.coverage[t]),
            "short": float(sched.unmet.get(t, 0.0)),
        }
        for t in sched.requirement.index
    ]
    shifts = [
        {
            "day": s.start.strftime("%a %d %b"),
            "start": s.start.strftime("%H:%M"),
            "end": s.end.strftime("%H:%M"),
            "template": s.template,
            "agents": s.agents,
            "breaks": [b.strftime("%H:%M") for b in s.breaks],
            "lunch": s.lunch.strftime("%H:%M") if s.lunch is not None else None,
        }
        for s in sched.shifts
    ]
    return {
        "status": sched.status,
        "optimal": sched.status == "optimal",
        "agents": sum(s.agents for s in sched.shifts),
        "paid_hours": sched.paid_hours,
        "shifts": shifts,
        "rows": rows,
        "unmet": [(_when(t), float(v)) for t, v in sched.unmet.items()],
        "chart": uri,
        "title": title,
        "calls": None if calls is None else float(calls.sum()),
        "first_day": sched.requirement.index[0].date(),
        "last_day": sched.requirement.index[-1].date(),
    }


@router.get("/wfm/schedule", response_class=HTMLResponse)
def schedule_page(request: Request, session: ReadingSessionDep, principal: Analyst) -> HTMLResponse:
    """The schedule builder: shifts covering the forecast's staffing, and what stays short."""
    query = request.query_params
    asked = "build" in query
    # A field left out of the address keeps its default; one sent empty is refused.
    typed = {k: query.get(k, v) for k, v in SCHEDULE_DEFAULTS.items()}
    if asked:
        typed["measured"] = query.get("measured", "")  # an unticked box is not sent
    errors: dict[str, str] = {}
    result = None
    aht_note = None
    if typed["pack"] not in LINES:
        errors["pack"] = "Choose a line of business from the list."
    if asked:
        values: dict[str, Any] = dict(read_numbers(typed, SCHEDULE_FIELDS, errors))
        values["patience"] = read_numbers(typed, {"patience": PATIENCE}, errors)["patience"]
        cap = read_numbers(typed, {"max_agents": MAX_AGENTS}, errors)["max_agents"]
        hours = lengths(typed["templates"], errors)
        history = None
        if typed["measured"] and "pack" not in errors:
            from memberdesk.wfm.service import recent

            found = recent(session, typed["pack"], now().astimezone(zone_of(typed["pack"])).date())
            if found.aht_seconds is None:
                errors["measured"] = (
                    "No answered calls are stored for the last four weeks: type a handle time "
                    "instead."
                )
            else:
                values["aht"] = float(found.aht_seconds)
                typed["aht"] = f"{found.aht_seconds:.0f}"
                aht_note = (
                    f"measured over {found.answered:,} answered calls, "
                    f"{found.first} to {found.last}"
                )
        else:
            values["aht"] = read_numbers(typed, {"aht": AHT}, errors)["aht"]
        if "pack" not in errors:
            history = _history(session, typed["pack"], errors)
        session.commit()  # the reading is done; the solver runs without a connection held
        if not errors and history is not None:
            try:
                result = build(
                    history,
                    typed["pack"],
                    days=int(values["days"]),
                    aht=values["aht"],
                    target=values["target"],
                    within=values["within"],
                    patience=values["patience"],
                    shrinkage=values["shrinkage"],
                    hours=hours,
                    max_agents=None if cap is None else int(cap),
                )
            except InvalidInput as exc:
                refusal(
                    exc,
                    errors,
                    {
                        "history": "pack",
                        "aht": "aht",
                        "patience": "patience",
                        "max_agents": "max_agents",
                        "target": "target",
                        "within": "within",
                        "shrinkage": "shrinkage",
                        "calls": "aht",
                    },
                )
    return render(
        request,
        "wfm/schedule.html",
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        result=result,
        lines=LINES,
        aht_note=aht_note,
    )

"""Staffing for many intervals at once, in the browser: a CSV of ``interval_start,calls,
aht_seconds`` (uploaded or pasted) staffed with one target and one set of rules, shown as a
table and given back as the CSV `wfm staff --csv` writes.

The file is read by `csvio.read_intervals` (the command's own reader, so a bad cell is refused
with the same words, naming line and column, never the value) and staffed by
`erlang.staff_intervals`. It is posted (a file needs a form body), but nothing is stored.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute
from memberdesk.errors import InvalidInput
from memberdesk.web.pages import render
from memberdesk.wfm.forms import Number, read_numbers, refusal
from memberdesk.wfm.schemas import YEAR_OF_INTERVALS

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Analyst = Annotated[Principal, requires(Permission.WFM_USE)]

MAX_BYTES = 2_000_000  # a year of half hours is well under 1 MB
OPTIONS = {
    "interval": Number(1, 1440, "minutes"),
    "target": Number(0, 100, "%", low_open=True, high_open=True, percent=True),
    "within": Number(0, 2_592_000, "seconds"),
    "max_occupancy": Number(0, 100, "%", low_open=True, percent=True),
    "shrinkage": Number(0, 100, "%", high_open=True, percent=True),
}
PATIENCE = Number(1, 31_536_000, "seconds", optional=True)
DEFAULTS = {
    "interval": "30",
    "target": "80",
    "within": "20",
    "patience": "",
    "max_occupancy": "100",
    "shrinkage": "0",
    "rows": "",
}
CORE_FIELDS = {
    "csv": "csv",
    "calls": "csv",
    "aht": "csv",
    "interval": "interval",
    "target": "target",
    "within": "within",
    "patience": "patience",
    "max_occupancy": "max_occupancy",
    "shrinkage": "shrinkage",
}


def staff_csv(text: str, values: dict[str, Any]) -> dict[str, Any]:
    """Every row of the CSV staffed (InvalidInput naming the line and column of a bad cell)."""
    import numpy as np

    from memberdesk.wfm import csvio, erlang

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "intervals.csv"
        path.write_text(text, encoding="utf-8")
        rows = csvio.read_intervals(path)
    if len(rows.starts) > YEAR_OF_INTERVALS:
        raise InvalidInput(
            f"csv: at most {YEAR_OF_INTERVALS:,} intervals (a year of half hours)", field="csv"
        )
    got = erlang.staff_intervals(
        np.array(rows.calls),
        np.array(rows.aht_seconds),
        interval=values["interval"],
        target=values["target"],
        within=values["within"],
        patience=values["patience"],
        max_occupancy=values["max_occupancy"],
        shrinkage=values["shrinkage"],
    )
    table = [
        {
            "interval_start": start,
            "calls": rows.calls[i],
            "agents": float(got.agents[i]),
            "scheduled": int(got.scheduled[i]),
            "service_level": float(got.service_level[i]),
        }
        for i, start in enumerate(rows.starts)
    ]
    return {
        "model": str(got.model),
        "rows": table,
        "peak": int(got.scheduled.max()),
        "agent_hours": float(got.agents.sum()) * values["interval"] / 3600,
    }


def as_csv(result: dict[str, Any]) -> str:
    """The table as `wfm staff --csv` writes it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["interval_start", "calls", "agents", "scheduled", "service_level"])
    for r in result["rows"]:
        c, a = r["calls"], r["agents"]
        writer.writerow(
            [
                r["interval_start"],
                int(c) if c.is_integer() else c,
                int(a) if a.is_integer() else round(a, 4),
                r["scheduled"],
                f"{r['service_level']:.6f}",
            ]
        )
    return out.getvalue()


@router.get("/wfm/staff/intervals", response_class=HTMLResponse)
def intervals_form(request: Request, principal: Analyst) -> HTMLResponse:
    """The form: a CSV of intervals and the staffing rules."""
    return render(request, "wfm/intervals.html", principal, typed=DEFAULTS, errors={}, result=None)


@router.post("/wfm/staff/intervals", response_model=None)
async def intervals_page(request: Request, principal: Analyst) -> Response:
    """Each interval of the CSV staffed: the table, or the CSV to download."""
    form = await request.form()
    typed = {k: str(form.get(k, v)) for k, v in DEFAULTS.items()}
    errors: dict[str, str] = {}
    values: dict[str, Any] = dict(read_numbers(typed, OPTIONS, errors))
    values["patience"] = read_numbers(typed, {"patience": PATIENCE}, errors)["patience"]
    if values.get("interval") is not None:
        values["interval"] *= 60
    text = await _uploaded(form, typed, errors)
    result = None
    if not errors:
        try:
            result = staff_csv(text, values)
        except InvalidInput as exc:
            refusal(exc, errors, CORE_FIELDS)
    if result is not None and form.get("download"):
        return Response(
            as_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="staffing.csv"'},
        )
    return render(
        request,
        "wfm/intervals.html",
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        result=result,
    )


# ----------------------------------------------------------------------------- a need from a file

NEED_DEFAULTS = {
    "pack": "calchoice",
    "target": "80",
    "within": "20",
    "patience": "",
    "shrinkage": "15",
    "templates": "8, 10",
    "max_agents": "",
    "rows": "",
}
NEED_OPTIONS = {
    "target": OPTIONS["target"],
    "within": Number(0, 3600, "seconds"),
    "shrinkage": OPTIONS["shrinkage"],
}


def _zones() -> dict[str, str]:
    from memberdesk.kpi.words import LINES
    from memberdesk.sla.packs import zone_of

    return {pack: f"{words} ({zone_of(pack).key})" for pack, words in LINES.items()}


@router.get("/wfm/schedule/file", response_class=HTMLResponse)
def need_form(request: Request, principal: Analyst) -> HTMLResponse:
    """The form: a need from a CSV, and the shift rules."""
    return render(
        request,
        "wfm/schedule_file.html",
        principal,
        typed=NEED_DEFAULTS,
        errors={},
        result=None,
        zones=_zones(),
    )


@router.post("/wfm/schedule/file", response_class=HTMLResponse)
async def need_page(request: Request, principal: Analyst) -> HTMLResponse:
    """The cheapest shifts covering a need read from a CSV (`wfm schedule --csv`)."""
    from memberdesk.wfm import csvio
    from memberdesk.wfm.forms import lengths
    from memberdesk.wfm.schedule import build_schedule
    from memberdesk.wfm.ui_forecast import MAX_AGENTS, shift_templates, shown

    form = await request.form()
    typed = {k: str(form.get(k, v)) for k, v in NEED_DEFAULTS.items()}
    errors: dict[str, str] = {}
    zones = _zones()
    if typed["pack"] not in zones:
        errors["pack"] = "Choose a line of business from the list."
    values: dict[str, Any] = dict(read_numbers(typed, NEED_OPTIONS, errors))
    values["patience"] = read_numbers(typed, {"patience": PATIENCE}, errors)["patience"]
    cap = read_numbers(typed, {"max_agents": MAX_AGENTS}, errors)["max_agents"]
    hours = lengths(typed["templates"], errors)
    text = await _uploaded(form, typed, errors)
    result = None
    if not errors:
        from memberdesk.sla.packs import zone_of

        try:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "need.csv"
                path.write_text(text, encoding="utf-8")
                need = csvio.read_requirement(
                    path, tz=zone_of(typed["pack"]).key, interval=1800.0, **values
                )
            if len(need) > 10 * 48:
                raise InvalidInput("csv: at most 10 days of half hours", field="csv")
            sched = build_schedule(
                need,
                templates=shift_templates(hours),
                max_agents_per_day=None if cap is None else int(cap),
            )
            result = shown(sched, None)
        except InvalidInput as exc:
            refusal(exc, errors, CORE_FIELDS | {"requirement": "csv", "max_agents": "max_agents"})
    return render(
        request,
        "wfm/schedule_file.html",
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        result=result,
        zones=zones,
        aht_note=None,
    )


async def _uploaded(form: Any, typed: dict[str, str], errors: dict[str, str]) -> str:
    """The CSV's text: the file chosen, else the lines pasted (a reason under "csv" if none)."""
    upload = form.get("file")
    text = typed["rows"]
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            errors["csv"] = "The file is larger than 2 MB: at most a year of half hours."
            return ""
        text = data.decode("utf-8", errors="replace")
    if not text.strip():
        errors["csv"] = "Choose a CSV file, or paste its lines, with the header on the first line."
    return text

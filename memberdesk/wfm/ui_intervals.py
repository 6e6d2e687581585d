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
    upload = form.get("file")
    text = typed["rows"]
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_BYTES + 1)
        text = "" if len(data) > MAX_BYTES else data.decode("utf-8", errors="replace")
        if len(data) > MAX_BYTES:
            errors["csv"] = "The file is larger than 2 MB: at most a year of half hours."
    if not text.strip() and "csv" not in errors:
        errors["csv"] = (
            "Choose a CSV file, or paste its lines: interval_start,calls,aht_seconds "
            "on the first line."
        )
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

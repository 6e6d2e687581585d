"""The WFM workspace in the browser: its start page and the staffing calculator, and the
router that gathers the other WFM pages (forecast and schedule, simulation and planner).

The pages are GET forms (working out staff stores nothing, so a page can be bookmarked; only
the CSV upload of `ui_intervals` posts, as a file needs a form body), and the calculator
answers as the numbers change (htmx swaps the answer in) or on a plain submit without
JavaScript. The maths is the pure cores' (`erlang.py` and the rest); these routes only
read the form, call them and say the answer in words. Volumes only, never member data.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute
from memberdesk.errors import InvalidInput
from memberdesk.web.pages import render
from memberdesk.wfm import ui_forecast, ui_intervals, ui_plan
from memberdesk.wfm.forms import Number, read_numbers, refusal

router = APIRouter(include_in_schema=False, route_class=DbRoute)
router.include_router(ui_forecast.router)
router.include_router(ui_plan.router)
router.include_router(ui_intervals.router)
Analyst = Annotated[Principal, requires(Permission.WFM_USE)]

MODELS = {
    "erlang_c": "Erlang C (callers wait)",
    "erlang_a": "Erlang A (some hang up)",
}
# The API's ranges (schemas.StaffIn), with shares typed as percentages and the interval in
# minutes.
STAFF_FIELDS = {
    "calls": Number(0, 10_000_000, "calls"),
    "aht": Number(1, 86_400, "seconds"),
    "interval": Number(1, 1440, "minutes"),
    "target": Number(0, 100, "%", low_open=True, high_open=True, percent=True),
    "within": Number(0, 2_592_000, "seconds"),
    "max_occupancy": Number(0, 100, "%", low_open=True, percent=True),
    "shrinkage": Number(0, 100, "%", high_open=True, percent=True),
    "concurrency": Number(1, 20, "chats", whole=True),
}
PATIENCE = Number(1, 31_536_000, "seconds")
STAFF_DEFAULTS = {
    "calls": "100",
    "aht": "420",
    "interval": "30",
    "target": "80",
    "within": "20",
    "model": "erlang_c",
    "patience": "120",
    "max_occupancy": "100",
    "shrinkage": "0",
    "concurrency": "1",
    "fractional": "",
}
# The cores' field names -> the form's.
CORE_FIELDS = {
    "calls": "calls",
    "aht": "aht",
    "interval": "interval",
    "target": "target",
    "within": "within",
    "patience": "patience",
    "max_occupancy": "max_occupancy",
    "shrinkage": "shrinkage",
    "concurrency": "concurrency",
}


@router.get("/wfm", response_class=HTMLResponse)
def workspace(request: Request, principal: Analyst) -> HTMLResponse:
    """The WFM workspace: what each page does, with a link to it."""
    return render(request, "wfm/index.html", principal)


def staffing(values: dict[str, Any]) -> dict[str, Any]:
    """The `wfm staff` answer for checked form values, and the service level of a few staff
    more or fewer (InvalidInput from the cores passes through)."""
    from memberdesk.wfm import erlang

    opts = {
        "interval": values["interval"],
        "target": values["target"],
        "within": values["within"],
        "patience": values["patience"],
    }
    if values["concurrency"] > 1:
        got = erlang.chat_staff(
            values["calls"],
            values["aht"],
            concurrency=int(values["concurrency"]),
            shrinkage=values["shrinkage"],
            **opts,
        )
    else:
        got = erlang.staff(
            values["calls"],
            values["aht"],
            max_occupancy=values["max_occupancy"],
            shrinkage=values["shrinkage"],
            fractional=values["fractional"],
            **opts,
        )
    answer = _finite(got.as_dict())
    nearby = []
    if values["concurrency"] == 1:
        whole = int(-(-got.agents // 1))
        for n in range(max(0, whole - 2), whole + 3):
            near = erlang.service_level_for(
                n,
                values["calls"],
                values["aht"],
                interval=opts["interval"],
                within=opts["within"],
                patience=opts["patience"],
            )
            nearby.append({"agents": n, **_finite(near.as_dict()), "chosen": n == whole})
    return {"answer": answer, "nearby": nearby}


def _finite(d: dict[str, Any]) -> dict[str, Any]:
    """An unbounded wait (too few agents) as None, which the page says in words."""
    asa = d["asa_seconds"]
    d["asa_seconds"] = asa if math.isfinite(asa) else None
    return d


def read_staff_form(raw: dict[str, str]) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    """What was typed (defaults on a first visit), the errors by field, and the checked values
    in the cores' units."""
    # A field left out of the address keeps its default; one sent empty is refused.
    typed = STAFF_DEFAULTS | raw
    if raw:
        typed["fractional"] = raw.get("fractional", "")  # an unticked box is not sent
    errors: dict[str, str] = {}
    values: dict[str, Any] = dict(read_numbers(typed, STAFF_FIELDS, errors))
    if typed["model"] not in MODELS:
        errors["model"] = "Choose Erlang C or Erlang A."
    values["patience"] = None
    if typed["model"] == "erlang_a":
        values["patience"] = read_numbers(typed, {"patience": PATIENCE}, errors)["patience"]
    if values.get("interval") is not None:
        values["interval"] *= 60
    values["fractional"] = bool(typed.get("fractional"))
    return typed, errors, values


@router.get("/wfm/staff", response_class=HTMLResponse)
def calculator(request: Request, principal: Analyst) -> HTMLResponse:
    """The staffing calculator: agents for a service-level target in one interval."""
    raw = {k: v for k, v in request.query_params.items() if k in STAFF_DEFAULTS}
    typed, errors, values = read_staff_form(raw)
    result = None
    if not errors:
        try:
            result = staffing(values)
        except InvalidInput as exc:
            refusal(exc, errors, CORE_FIELDS)
    # htmx swaps the form and answer in from the whole page; it swaps only 2xx answers, so the
    # errors beside the fields come back as 200 to it (and as 422 to a plain submit).
    partial = request.headers.get("HX-Request") == "true"
    return render(
        request,
        "wfm/staff.html",
        principal,
        status=422 if errors and not partial else 200,
        typed=typed,
        errors=errors,
        result=result,
        models=MODELS,
        within=values.get("within"),
    )

"""The call KPIs page: service level, abandonment and times over chosen days, against the
line of business's targets, broken down by queue, agent, team or time (the rollups, never the
calls).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.errors import InvalidInput
from memberdesk.ivr.report import containment
from memberdesk.kpi.api import report
from memberdesk.kpi.report import By
from memberdesk.kpi.targets import goals_of
from memberdesk.kpi.words import LINES, STANDING, seconds_words, share_words, target_words
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import day_field, render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.KPI_READ)]

BREAKDOWNS = {
    "": "No breakdown",
    "queue": "Queue",
    "agent": "Agent",
    "team": "Team",
    "interval": "Half hour",
    "day": "Day",
    "week": "Week (from Monday)",
    "month": "Month",
}
FIELDS = {"query.from": "from", "query.to": "to", "query.pack": "pack"}


def period_form(
    first: str | None, last: str | None, pack: str
) -> tuple[dict[str, str], dict[str, str], date | None, date | None]:
    """The days and line of business a figures page was asked for (this month so far by
    default): what was typed, the errors by field, and the first and last day when valid."""
    today = now().astimezone(zone_of(pack if pack in LINES else "calchoice")).date()
    typed = {
        "from": first or today.replace(day=1).isoformat(),
        "to": last or today.isoformat(),
        "pack": pack,
    }
    errors: dict[str, str] = {}
    if pack not in LINES:
        errors["pack"] = "Choose a line of business from the list."
    start = day_field(typed["from"], "from", errors)
    end = day_field(typed["to"], "to", errors)
    return typed, errors, start, end


def refused(exc: InvalidInput, errors: dict[str, str]) -> None:
    """A report's refusal of the days as the form's error under its field."""
    errors[FIELDS.get(exc.field or "", "to")] = (
        "The last day must not be before the first."
        if "before" in exc.message
        else exc.message[:1].upper() + exc.message[1:] + "."
    )


@router.get("/kpi", response_class=HTMLResponse)
def kpi_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
    pack: str = "calchoice",
    by: str = "",
) -> HTMLResponse:
    """Call KPIs over whole days (this month so far by default)."""
    typed, errors, start, end = period_form(first, last, pack)
    typed["by"] = by
    if by not in BREAKDOWNS:
        errors["by"] = "Choose a breakdown from the list."
    found: dict[str, Any] | None = None
    menu = None  # the phone menu's containment over the same days (ivr/)
    if not errors and start is not None and end is not None:
        try:
            found = report(session, pack, start, end, By(by) if by else None)
            menu = containment(session, pack, start, end).total
        except InvalidInput as exc:
            refused(exc, errors)
    session.commit()
    goals = goals_of(pack) if pack in LINES else {}
    return render(
        request,
        "kpi/calls.html",
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        report=found,
        lines=LINES,
        breakdowns=BREAKDOWNS,
        standing=STANDING,
        seconds=seconds_words,
        share=share_words,
        by_label=BREAKDOWNS.get(by, ""),
        targets={m: target_words(goals.get(m)) for m in ("service_level", "abandon_rate")},
        menu=menu,
    )

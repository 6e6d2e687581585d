"""The contacts-by-channel page: for each channel the plan answers on, how many contacts, how
long they took, how many were resolved at the first contact, what members said, and how fast
the channel answered against its clock."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.errors import InvalidInput
from memberdesk.kpi.api import checked
from memberdesk.kpi.channels import CLOCKED, channel_report
from memberdesk.kpi.targets import goals_of, threshold_of
from memberdesk.kpi.ui import period_form, refused
from memberdesk.kpi.words import LINES, seconds_words, share_words, target_words
from memberdesk.surveys.words import points_words
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.KPI_READ)]

# What "in time" means on each channel, after the share.
SPEED_WORDS = {
    "service_level": "of calls answered within {threshold} seconds",
    "reply": "of portal messages answered by their reply deadline",
    "callback": "of voicemails returned by their due time",
}


@router.get("/kpi/channels", response_class=HTMLResponse)
def channels_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
    pack: str = "calchoice",
) -> HTMLResponse:
    """Contacts by channel over whole days (this month so far by default)."""
    typed, errors, start, end = period_form(first, last, pack)
    found: dict[str, Any] | None = None
    if not errors and start is not None and end is not None:
        try:
            checked(pack, start, end)
            found = channel_report(session, pack, start, end)
        except InvalidInput as exc:
            refused(exc, errors)
    session.commit()
    goals = goals_of(pack) if pack in LINES else {}
    within = f"{threshold_of(goals):.0f}"
    return render(
        request,
        "kpi/channels.html",
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        report=found,
        lines=LINES,
        seconds=seconds_words,
        share=share_words,
        points=points_words,
        speed_words={k: v.format(threshold=within) for k, v in SPEED_WORDS.items()},
        targets={m: target_words(goals.get(m)) for m in ("first_contact_resolution", "csat")},
        clocked=CLOCKED,
    )

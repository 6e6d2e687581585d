"""JSON routes of the kpi domain, for anyone holding ``kpi.read``.

Call figures are counts and times of the centre's work, never member data, so reading them is
not a PHI access and is not audited.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_context, requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput
from memberdesk.kpi import feed
from memberdesk.kpi.channels import channel_report
from memberdesk.kpi.formulas import occupancy
from memberdesk.kpi.live import NEEDS, AgentEvent, Event, kind_of
from memberdesk.kpi.report import BY_WORDS, MAX_DAYS, By, available_seconds, call_kpis
from memberdesk.kpi.schemas import CallReport, ChannelReport, FeedEventIn, FeedIn, FeedOut
from memberdesk.kpi.targets import goals_of, judged, threshold_of
from memberdesk.schemas import Day
from memberdesk.sla.packs import KpiGoal, UnknownPackError

router = APIRouter(prefix="/api", route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.KPI_READ)]
Feeder = Annotated[Principal, requires(Permission.KPI_FEED)]
TAGS: list[str | Enum] = ["KPIs"]


def checked(pack: str, first: date, last: date, where: str = "query") -> dict[str, KpiGoal]:
    """The pack's goals, once the report's inputs are checked (422 naming the field)."""
    try:
        goals = goals_of(pack)
    except UnknownPackError as exc:
        raise InvalidInput(str(exc), field=f"{where}.pack") from None
    if last < first:
        raise InvalidInput("must not be before the first day", field=f"{where}.to")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days", field=f"{where}.to")
    return goals


def report(
    session: Any, pack: str, first: date, last: date, by: By | None, where: str = "query"
) -> dict[str, Any]:
    """The report's content, its inputs checked (shared with the page)."""
    goals = checked(pack, first, last, where)
    total, rows = call_kpis(session, pack, first, last, by)
    # Occupancy needs the agents' own time: the total of every agent who took this line's
    # calls, and each agent's by agent (null where no agent state was ever received).
    available = available_seconds(session, pack, first, last)
    out_rows = []
    for key, t in rows:
        row = {"key": key, **judged(t, goals), "occupancy": None}
        if by is By.AGENT and key in available:
            row["occupancy"] = occupancy(t.handle_seconds, available[key])
        out_rows.append(row)
    return {
        "pack": pack,
        "from": first,
        "to": last,
        "threshold_seconds": threshold_of(goals),
        "total": {
            **judged(total, goals),
            "occupancy": occupancy(total.handle_seconds, sum(available.values())),
        },
        "by": by.value if by else None,
        "rows": out_rows,
    }


@router.get("/kpi/calls", response_model=CallReport, summary="Call KPIs", tags=TAGS)
def call_report(
    session: ReadingSessionDep,
    principal: Reader,
    first: Annotated[Day, Query(alias="from", description="First day, YYYY-MM-DD")],
    last: Annotated[Day, Query(alias="to", description="Last day (included), YYYY-MM-DD")],
    pack: Annotated[
        str, Query(max_length=32, description="Policy pack whose targets apply")
    ] = "calchoice",
    by: Annotated[
        By | None,
        Query(description=f"Break down by {BY_WORDS}"),
    ] = None,
) -> CallReport:
    """Service level, abandonment, ASA and AHT of imported calls over whole days in the pack's
    time zone, against the pack's targets, from the half-hour rollups."""
    out = CallReport.model_validate(report(session, pack, first, last, by))
    session.commit()
    return out


@router.get("/kpi/channels", response_model=ChannelReport, summary="Contacts by channel", tags=TAGS)
def channels_report(
    session: ReadingSessionDep,
    principal: Reader,
    first: Annotated[Day, Query(alias="from", description="First day, YYYY-MM-DD")],
    last: Annotated[Day, Query(alias="to", description="Last day (included), YYYY-MM-DD")],
    pack: Annotated[
        str, Query(max_length=32, description="Policy pack whose line of business is counted")
    ] = "calchoice",
) -> ChannelReport:
    """Per channel: contacts in and out, handle time, one-contact resolution, CSAT and NPS, and
    how fast it answered (the phone's service level, portal replies and voicemail callbacks
    within their clocks), over whole days in the pack's time zone."""
    checked(pack, first, last)
    out = ChannelReport.model_validate(channel_report(session, pack, first, last))
    session.commit()
    return out


def event_of(i: int, given: FeedEventIn) -> Event:
    """The event, checked for what its kind must name (errors name the event and field)."""
    kind = kind_of(given.type)
    where = f"body.events.{i}"
    for name in NEEDS[kind]:
        if getattr(given, name) is None:
            raise InvalidInput(f"is required for a {kind.value} event", field=f"{where}.{name}")
    if isinstance(kind, AgentEvent) and given.call_id is not None:
        raise InvalidInput("an agent's change of state names no call", field=f"{where}.call_id")
    return Event(
        key=given.id,
        kind=kind,
        at=given.at,
        call_id=given.call_id,
        queue=given.queue,
        agent_id=given.agent_id,
        member_id=given.member_id,
        warm=given.warm,
        wrap_seconds=given.wrap_seconds,
    )


@router.post("/kpi/events", response_model=FeedOut, summary="Telephony events", tags=TAGS)
def receive_events(
    session: SessionDep, principal: Feeder, request: Request, body: FeedIn
) -> FeedOut:
    """Calls and agents' changes of state as they happen, from the telephony platform. Each
    event carries its own idempotency key: sent twice, it counts once; events may arrive in any
    order, and a late one corrects the figures already counted."""
    try:
        goals_of(body.pack)
    except UnknownPackError as exc:
        raise InvalidInput(str(exc), field="body.pack") from None
    events = [event_of(i, e) for i, e in enumerate(body.events)]
    result = feed.receive(session, audit_context(request, principal), body.pack, events)
    session.commit()
    return FeedOut(**vars(result))

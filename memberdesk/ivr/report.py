"""Phone menu containment per month: the share of calls through the menu that it answered with
no representative, against the seeds' goal of 25–30% (the WFM plan's default too). Shared by
the API, the command line and the page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.errors import InvalidInput
from memberdesk.ivr.enums import Outcome
from memberdesk.ivr.models import IvrCall
from memberdesk.sla.packs import zone_of

GOAL_LOW, GOAL_HIGH = 0.25, 0.30
MAX_DAYS = 3 * 366


class MonthOut(BaseModel):
    """One month's calls through the menu."""

    month: str = Field(description="The month, YYYY-MM, in the line of business's time zone")
    calls: int = Field(description="Calls that left the menu this month")
    contained: int = Field(description="Answered by the menu; the caller hung up there")
    transferred: int = Field(description="Sent to a representative")
    voicemail: int = Field(description="Left a message for a call back")
    abandoned: int = Field(description="Hung up before the menu answered anything")
    containment: float | None = Field(description="contained ÷ calls (0–1); null with no calls")
    standing: str | None = Field(description="below, within or above the goal; null with no calls")


class ContainmentOut(BaseModel):
    """Containment by month over a period."""

    pack: str = Field(description="Line of business")
    start: date = Field(description="First day counted")
    end: date = Field(description="Last day counted")
    goal_low: float = Field(description="The goal's lower bound (0.25)")
    goal_high: float = Field(description="The goal's upper bound (0.30)")
    months: list[MonthOut] = Field(description="Each month with calls, oldest first")
    total: MonthOut = Field(description="The whole period (month: the period's first month)")


def period(start: date | None, end: date | None, at: datetime) -> tuple[date, date]:
    """The days asked for (default: the last twelve months to today), checked."""
    last = end or at.date()
    first = start or (last.replace(day=1) - timedelta(days=334)).replace(day=1)
    if first > last:
        raise InvalidInput("must be on or before 'to'", field="query.from")
    if (last - first).days > MAX_DAYS:
        raise InvalidInput("the period must be at most three years", field="query.from")
    return first, last


def standing(share: float | None) -> str | None:
    """Where a share stands against the goal."""
    if share is None:
        return None
    return "below" if share < GOAL_LOW else "above" if share > GOAL_HIGH else "within"


def _month(label: str, counts: dict[Outcome, int]) -> MonthOut:
    calls = sum(counts.values())
    share = counts[Outcome.CONTAINED] / calls if calls else None
    return MonthOut(
        month=label,
        calls=calls,
        contained=counts[Outcome.CONTAINED],
        transferred=counts[Outcome.TRANSFERRED],
        voicemail=counts[Outcome.VOICEMAIL],
        abandoned=counts[Outcome.ABANDONED],
        containment=share,
        standing=standing(share),
    )


def containment(session: Session, pack: str, first: date, last: date) -> ContainmentOut:
    """Calls that left the menu between ``first`` and ``last`` (local days), by month."""
    tz = zone_of(pack)
    since = datetime.combine(first, time(), tz)
    until = datetime.combine(last + timedelta(days=1), time(), tz)
    rows = session.execute(
        select(IvrCall.started_at, IvrCall.outcome).where(
            IvrCall.pack == pack,
            IvrCall.started_at >= since,
            IvrCall.started_at < until,
            IvrCall.outcome != Outcome.IN_MENU,
        )
    ).all()
    empty: dict[Outcome, int] = {o: 0 for o in Outcome if o != Outcome.IN_MENU}
    by_month: dict[str, dict[Outcome, int]] = {}
    total = dict(empty)
    for started, outcome in rows:
        label = f"{started.astimezone(tz):%Y-%m}"
        by_month.setdefault(label, dict(empty))[Outcome(outcome)] += 1
        total[Outcome(outcome)] += 1
    return ContainmentOut(
        pack=pack,
        start=first,
        end=last,
        goal_low=GOAL_LOW,
        goal_high=GOAL_HIGH,
        months=[_month(m, by_month[m]) for m in sorted(by_month)],
        total=_month(f"{first:%Y-%m}", total),
    )

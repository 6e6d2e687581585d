"""What the WFM tools read from the database: the stored calls as a forecast's history, the
closed days of a line of business, and the figures measured over recent weeks.

Volumes and rates only, never member data. The command line and the pages both read through
here, so `wfm forecast --stored` and the forecast page learn from the same history.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from memberdesk.kpi.measured import Measured

if TYPE_CHECKING:
    import pandas as pd

MEASURED_DAYS = 28


def stored_history(session: Session, pack: str) -> pd.Series | None:
    """Calls per half hour from the stored call rollups, in the pack's zone; None when no call
    of the pack is stored (``UnknownPackError`` for an unknown pack)."""
    import pandas as pd

    from memberdesk.calendars.loader import get_calendar
    from memberdesk.kpi.report import interval_volumes
    from memberdesk.sla.packs import get_pack, zone_of

    zone = zone_of(pack)
    volumes = interval_volumes(session, pack)
    if not volumes:
        return None
    # Half hours the centre was open without a call are zeros, not gaps: a forecast that never
    # saw them would learn that every half hour has calls.
    cal = get_calendar(get_pack(pack).calendar)
    first, last = (volumes[i][0].astimezone(zone).date() for i in (0, -1))
    open_slots = [
        dt.datetime.combine(first + dt.timedelta(days=k), dt.time(0), zone)
        + dt.timedelta(minutes=minute)
        for k in range((last - first).days + 1)
        for w in cal.windows_on(first + dt.timedelta(days=k))
        for minute in range(w.start, w.end, 30)
    ]
    # Through UTC: a history that crosses a change of clocks holds two UTC offsets, which pandas
    # refuses to put in one index as they are.
    counts = pd.Series(
        [float(n) for _, n in volumes],
        index=pd.to_datetime([at for at, _ in volumes], utc=True).tz_convert(zone.key),
    )
    slots = pd.to_datetime(open_slots, utc=True).tz_convert(zone.key)
    index = counts.index.union(slots)
    return counts.groupby(level=0).sum().reindex(index, fill_value=0.0).rename("calls")


def closed_days(pack: str, years: range) -> set[dt.date]:
    """The days the pack's calendar is closed for a holiday in ``years``."""
    from memberdesk.calendars.loader import get_calendar
    from memberdesk.sla.packs import get_pack

    cal = get_calendar(get_pack(pack).calendar)
    return {c.date for y in years for c in cal.closures(y)}


def history_years(history: pd.Series) -> range:
    """The years a history covers and the one after (what its forecasts reach into)."""
    return range(history.index[0].year, history.index[-1].year + 2)


def measured_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The four weeks a plan is measured on: up to yesterday."""
    yesterday = today - dt.timedelta(days=1)
    return yesterday - dt.timedelta(days=MEASURED_DAYS - 1), yesterday


def recent(session: Session, pack: str, today: dt.date) -> Measured:
    """The pack's AHT, FCR and CSAT over the four weeks to yesterday."""
    from memberdesk.kpi.measured import measured

    first, last = measured_window(today)
    return measured(session, pack, first, last)


def targets(pack: str) -> dict[str, float]:
    """The pack's FCR and CSAT targets (where it stops warning, and its floor)."""
    from memberdesk.kpi.targets import goals_of

    goals = goals_of(pack)
    out: dict[str, float] = {}
    fcr, csat = goals.get("first_contact_resolution"), goals.get("csat")
    if fcr is not None and (fcr.warn_below or fcr.breach_below):
        out["fcr_target"] = float(fcr.warn_below or fcr.breach_below or 0)
    if csat is not None and csat.breach_below:
        out["csat_target"] = float(csat.breach_below)
    return out


def quality_inputs(pack: str, found: Measured) -> dict[str, Any]:
    """The planner's measured inputs and the pack's targets they are judged against."""
    return targets(pack) | {
        "measured_aht_seconds": found.aht_seconds,
        "measured_fcr": found.fcr,
        "measured_csat": found.csat,
    }


TRAINING_SOURCES = ("plan", "records")


def training_shrinkage(
    session: Session | None, source: str, other: float | None, today: dt.date
) -> dict[str, Any]:
    """Training's share of shrinkage from the plan's 8-12 h a month (``plan``) or the hours
    front-line staff recorded over the last 3 months (``records``, which needs ``session``);
    the rest of shrinkage is ``other`` (default: the 30% assumption less the plan's share, so
    the default total stays 30%)."""
    from memberdesk.errors import InvalidInput
    from memberdesk.wfm.plan import PlanInputs, training_share

    inputs = PlanInputs()
    paid = inputs.paid_hours_per_fte
    span = inputs.training_monthly_hours
    planned = (span.low + span.high) / 2
    person_months = None
    if source == "plan":
        hours = planned
    elif source == "records" and session is not None:
        from memberdesk.training.service import recorded_monthly_hours

        hours, person_months = recorded_monthly_hours(session, today)
        if not person_months:
            raise InvalidInput(
                "no front-line staff were under the monthly training rule in the last 3 months",
                field="training_from",
            )
    else:
        raise InvalidInput("must be 'plan' or 'records'", field="training_from")
    if other is None:
        other = 0.3 - training_share(planned, paid)
    share = training_share(hours, paid)
    return {
        "from": source,
        "hours_per_month": hours,
        "person_months": person_months,
        "share": share,
        "other_shrinkage": other,
        "shrinkage": other + share,
    }

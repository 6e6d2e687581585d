"""The year's breaches for the HHS log (45 CFR 164.408(c)): one row per breach discovered in the
calendar year (on the compliance pack's calendar), as a page and as CSV."""

from __future__ import annotations

import io
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.breaches import clocks, service
from memberdesk.breaches.enums import Outcome, Recipient
from memberdesk.breaches.models import Incident
from memberdesk.breaches.schemas import LogRow
from memberdesk.csvsafe import writer


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The calendar year on the pack calendar's clock, as [start, end) instants."""
    tz = clocks.zone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def hhs_log(session: Session, year: int, at: datetime) -> list[LogRow]:
    """Breaches discovered in ``year``, in order of discovery."""
    start, end = year_bounds(year)
    rows = session.scalars(
        select(Incident)
        .where(
            Incident.outcome == Outcome.BREACH,
            Incident.discovered_at >= start,
            Incident.discovered_at < end,
        )
        .order_by(Incident.discovered_at, Incident.id)
    )
    tz = clocks.zone()
    out = []
    for inc in rows:
        by = {(s.clock.recipient, s.clock.state): s for s in service.standings(session, inc, at)}
        hhs = by[(Recipient.HHS, None)]
        ind = by[(Recipient.INDIVIDUALS, None)]
        out.append(
            LogRow(
                incident_id=inc.id,
                discovered_on=inc.discovered_at.astimezone(tz).date(),
                affected_count=inc.affected_count,
                states="; ".join(f"{k} {v}" for k, v in inc.residents_by_state.items()),
                phi_kinds="; ".join(inc.phi_kinds),
                hhs_route="annual_log" if hhs.clock.annual_log else "with_individuals",
                hhs_due=hhs.clock.due,
                individuals_notified_on=ind.met_at.astimezone(tz).date() if ind.met_at else None,
                hhs_notified_on=hhs.met_at.astimezone(tz).date() if hhs.met_at else None,
                media_states="; ".join(
                    st for (r, st) in by if r is Recipient.MEDIA and st is not None
                ),
            )
        )
    return out


def to_csv(rows: list[LogRow]) -> str:
    """The rows as CSV with a header (cells guarded against spreadsheet formulas)."""
    buf = io.StringIO()
    fields = list(LogRow.model_fields)
    out = writer(buf, lineterminator="\r\n")
    out.writerow(fields)
    for row in rows:
        out.writerow(_text(v) for v in row.model_dump().values())
    return buf.getvalue()


def _text(value: object) -> object:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date | datetime) else value

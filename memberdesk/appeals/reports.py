"""Tier 3 reports: the quarterly aging report (H&S § 1368: grievances open 30 days or more at
the quarter's end, by pack), open appeals by deadline, and deadlines met per month. Counts and
appeal ids only, no member data; each as rows for JSON, CSV or a page.

The aging report is one aggregate query per pack over the (kind, received_at) index: the
database counts, Python never sees the rows (``bench/bench_appeals.py`` measures it against
loading them).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from memberdesk import csvsafe
from memberdesk.appeals import rules
from memberdesk.appeals.enums import AppealKind, AppealState, Urgency
from memberdesk.appeals.models import Appeal, AppealExtension
from memberdesk.cases.enums import OPEN_CLOCK_STATES, ClockState
from memberdesk.cases.models import Case, CaseClock
from memberdesk.compliance.models import User
from memberdesk.sla.packs import zone_of

DAY = timedelta(days=1)


@dataclass(frozen=True)
class AgingRow:
    """Open at the quarter's end for 30 days or more, by pack and kind."""

    quarter: str
    pack: str
    kind: str
    as_of: str  # the quarter's end, in the pack calendar's zone
    open_30_59: int
    open_60_89: int
    open_90_plus: int
    total: int
    oldest_received_at: str


def quarter_end(year: int, q: int, pack: str) -> datetime:
    """The instant the quarter ends: midnight starting the next quarter, in the pack's zone."""
    month = 3 * q + 1
    y, m = (year + 1, 1) if month > 12 else (year, month)
    return datetime(y, m, 1, tzinfo=zone_of(pack))


def aging(
    session: Session, year: int, q: int, packs: Sequence[str] = rules.APPEAL_PACKS
) -> list[AgingRow]:
    """The quarterly aging report: every grievance and appeal still open at the quarter's end
    that had been open 30 days or more then (DMHC counts appeals as grievances), by pack and
    kind, in 30-day bands."""
    label = f"{year}-Q{q}"
    out: list[AgingRow] = []
    for pack in packs:
        end = quarter_end(year, q, pack).astimezone(UTC)
        d30, d60, d90 = end - 30 * DAY, end - 60 * DAY, end - 90 * DAY
        band = Appeal.received_at
        rows = session.execute(
            select(
                Appeal.kind,
                func.count().filter(band > d60).label("b30"),
                func.count().filter(and_(band <= d60, band > d90)).label("b60"),
                func.count().filter(band <= d90).label("b90"),
                func.count().label("total"),
                func.min(band).label("oldest"),
            )
            .where(
                Appeal.pack == pack,
                Appeal.kind.in_([AppealKind.GRIEVANCE, AppealKind.APPEAL]),
                band <= d30,
                or_(Appeal.resolved_at.is_(None), Appeal.resolved_at > end),
            )
            .group_by(Appeal.kind)
        ).all()
        found = {r.kind: r for r in rows}
        for kind in (AppealKind.GRIEVANCE, AppealKind.APPEAL):
            r = found.get(kind)
            out.append(
                AgingRow(
                    quarter=label,
                    pack=pack,
                    kind=kind.value,
                    as_of=quarter_end(year, q, pack).isoformat(timespec="seconds"),
                    open_30_59=r.b30 if r else 0,
                    open_60_89=r.b60 if r else 0,
                    open_90_plus=r.b90 if r else 0,
                    total=r.total if r else 0,
                    oldest_received_at=r.oldest.astimezone(zone_of(pack)).isoformat(
                        timespec="seconds"
                    )
                    if r
                    else "",
                )
            )
    return out


@dataclass(frozen=True)
class OpenRow:
    """An open appeal and its nearest deadline."""

    appeal_id: int
    pack: str
    kind: str
    urgency: str
    received_at: str
    next_target: str
    due_at: str
    standing: str  # overdue, due_24h, due_7d, later
    deemed_exhausted: bool
    extended: bool
    held_by: str


def standing(due: datetime | None, at: datetime) -> str:
    """Where a deadline stands: overdue, due within a day, within a week, or later."""
    if due is None:
        return "later"
    if due < at:
        return "overdue"
    if due <= at + DAY:
        return "due_24h"
    return "due_7d" if due <= at + 7 * DAY else "later"


def open_by_deadline(session: Session, at: datetime) -> list[OpenRow]:
    """Every open appeal, nearest deadline first, with who holds its case."""
    appeals = session.execute(
        select(Appeal, Case.assignee_id)
        .join(Case, Case.id == Appeal.case_id)
        .where(Appeal.state == AppealState.OPEN)
    ).all()
    if not appeals:
        return []
    case_ids = [a.case_id for a, _ in appeals]
    clocks: dict[int, list[CaseClock]] = {}
    for row in session.scalars(
        select(CaseClock).where(
            CaseClock.case_id.in_(case_ids), CaseClock.state.in_(OPEN_CLOCK_STATES)
        )
    ):
        clocks.setdefault(row.case_id, []).append(row)
    extended = set(session.scalars(select(AppealExtension.appeal_id)))
    names = dict(session.execute(select(User.id, User.username)).all())
    out: list[tuple[datetime | None, OpenRow]] = []
    for appeal, assignee in appeals:
        targets = set(
            rules.clock_targets(appeal.pack, appeal.kind, appeal.urgency, appeal.claim_type)
        )
        mine = [
            c
            for c in clocks.get(appeal.case_id, [])
            if c.target in targets and c.due_at is not None
        ]
        nxt = min(mine, key=lambda c: c.due_at or at) if mine else None
        tz = zone_of(appeal.pack)
        due = nxt.due_at if nxt else None
        out.append(
            (
                due,
                OpenRow(
                    appeal_id=appeal.id,
                    pack=appeal.pack,
                    kind=appeal.kind.value,
                    urgency=appeal.urgency.value,
                    received_at=appeal.received_at.astimezone(tz).isoformat(timespec="seconds"),
                    next_target=nxt.target if nxt else "",
                    due_at=nxt.due_at.astimezone(tz).isoformat(timespec="seconds")
                    if nxt and nxt.due_at
                    else "",
                    standing=standing(nxt.due_at if nxt else None, at),
                    deemed_exhausted=appeal.deemed_exhausted_at is not None,
                    extended=appeal.id in extended,
                    held_by=names.get(assignee or 0, ""),
                ),
            )
        )
    out.sort(key=lambda p: (p[0] is None, p[0] or at, p[1].appeal_id))
    return [row for _, row in out]


@dataclass(frozen=True)
class MonthRow:
    """Deadlines of appeals that fell due in a month, by pack: met on time, late, missed."""

    month: str
    pack: str
    due: int
    met_on_time: int
    met_late: int
    missed: int
    pending: int
    share_met: float | None


def _all_targets() -> set[tuple[str, str]]:
    pairs = set()
    for pack in rules.APPEAL_PACKS:
        for kind in AppealKind:
            for urgency in Urgency:
                for claim in (None, *rules.ClaimType):
                    try:
                        pairs |= {
                            (pack, t) for t in rules.clock_targets(pack, kind, urgency, claim)
                        }
                    except rules.RuleError:
                        continue
    return pairs


def months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    """Every (year, month) from ``first`` to ``last`` inclusive."""
    out, (y, m) = [], first
    while (y, m) <= last:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def met_per_month(
    session: Session, first: tuple[int, int], last: tuple[int, int], at: datetime
) -> list[MonthRow]:
    """Each month's appeal deadlines (by the month they fell due, in the pack's zone): met on
    time, met late, missed (passed and still open), pending; stopped clocks (withdrawn) do not
    count."""
    span = months(first, last)
    if not span:
        return []
    pairs = _all_targets()
    start = datetime(*first, 1, tzinfo=UTC) - DAY  # zones are behind UTC by less than a day
    ny, nm = (last[0] + 1, 1) if last[1] == 12 else (last[0], last[1] + 1)
    stop = datetime(ny, nm, 1, tzinfo=UTC) + DAY
    rows = session.execute(
        select(
            CaseClock.pack, CaseClock.target, CaseClock.due_at, CaseClock.state, CaseClock.closed_at
        )
        .join(Appeal, and_(Appeal.case_id == CaseClock.case_id, Appeal.pack == CaseClock.pack))
        .where(
            CaseClock.due_at >= start,
            CaseClock.due_at < stop,
            CaseClock.state != ClockState.STOPPED,
        )
    ).all()
    tally: dict[tuple[str, str], list[int]] = {}
    wanted = {f"{y:04d}-{m:02d}" for y, m in span}
    for pack, target, due, state, closed in rows:
        if (pack, target) not in pairs or due is None:
            continue
        month = due.astimezone(zone_of(pack)).strftime("%Y-%m")
        if month not in wanted:
            continue
        t = tally.setdefault((month, pack), [0, 0, 0, 0])
        if state is ClockState.MET and closed is not None:
            t[0 if closed <= due else 1] += 1
        elif due < at:
            t[2] += 1
        else:
            t[3] += 1
    out = []
    for y, m in span:
        for pack in rules.APPEAL_PACKS:
            on_time, late, missed, pending = tally.get((f"{y:04d}-{m:02d}", pack), [0, 0, 0, 0])
            decided = on_time + late + missed
            out.append(
                MonthRow(
                    month=f"{y:04d}-{m:02d}",
                    pack=pack,
                    due=decided + pending,
                    met_on_time=on_time,
                    met_late=late,
                    missed=missed,
                    pending=pending,
                    share_met=on_time / decided if decided else None,
                )
            )
    return out


def as_dicts(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Report rows as plain dicts (for JSON)."""
    return [asdict(r) for r in rows]


def to_csv(rows: Sequence[Any], kind: type) -> str:
    """Report rows as formula-safe CSV with a header (the dataclass's fields in order)."""
    buf = io.StringIO()
    names = [f.name for f in fields(kind)]
    writer = csvsafe.dict_writer(buf, names, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        row = asdict(r)
        writer.writerow({k: "" if row[k] is None else row[k] for k in names})
    return buf.getvalue()

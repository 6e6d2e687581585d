"""The monthly team review and the quarterly executive summary, read from the rollups.

A month's review holds every call measure against the pack's target beside the month before,
its twelve-month trend, the same by queue and by agent (with occupancy from the agents' logged
time), each person's best day, one-contact resolution, and, when that falls below its floor
(70% in the California guide), where the repeat contacts came from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.cases.models import Case, CaseContact, Queue
from memberdesk.cases.words import CASE_TYPES
from memberdesk.clock import now
from memberdesk.contacts import words as contact_words
from memberdesk.contacts.enums import Channel
from memberdesk.contacts.models import Contact
from memberdesk.kpi.channels import judged_contacts
from memberdesk.kpi.formulas import NO_AGENT, CallTally, occupancy
from memberdesk.kpi.ingest import COUNTERS
from memberdesk.kpi.live import AgentEvent
from memberdesk.kpi.models import AgentSeconds, CallStats
from memberdesk.kpi.report import period
from memberdesk.kpi.targets import goals_of, judged
from memberdesk.members.dates import add_months
from memberdesk.sla.packs import zone_of
from memberdesk.surveys.enums import Breakdown
from memberdesk.surveys.report import survey_report

TREND_MONTHS = 12
DEFAULT_FCR_FLOOR = 0.70  # the California guide: below it, trace the root cause
REVIEW_GAPS = 5  # the review shows the top knowledge gaps; the full report is at /kb/gaps


@dataclass
class MonthFigures:
    """One month's call measures, agents' available time and one-contact resolution."""

    month: date  # its first day
    calls: CallTally
    available_seconds: float = 0.0
    fcr_rate: float | None = None
    fcr_decided: int = 0

    @property
    def occupancy(self) -> float | None:
        """Handle time / time agents were logged in and not on a break (None without it)."""
        return occupancy(self.calls.handle_seconds, self.available_seconds)


@dataclass
class AgentLine:
    """One agent's month."""

    agent: str
    calls: CallTally
    available_seconds: float
    best_day: date | None
    best_answered: int

    @property
    def occupancy(self) -> float | None:
        """As for the team, over this agent's own time."""
        return occupancy(self.calls.handle_seconds, self.available_seconds)


@dataclass
class RootCause:
    """Where the contacts not resolved at the first contact came from."""

    contacts: int
    not_resolved: int
    by_reason: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_case_queue: list[tuple[str, int]]
    reopened: list[tuple[int, str, str]]  # case number, type, queue


@dataclass
class Review:
    """A month's review of one line of business."""

    pack: str
    month: date
    this: MonthFigures
    before: MonthFigures
    trend: list[MonthFigures]
    by_queue: list[tuple[str, CallTally]]
    by_agent: list[AgentLine]
    goals: dict[str, Any]
    fcr_floor: float
    root_cause: RootCause | None = None
    judged_this: dict[str, Any] = field(default_factory=dict)
    surveys: dict[str, Any] | None = None  # this month's survey report, by agent
    surveys_before: dict[str, Any] | None = None  # the month before's, in total
    # The knowledge-gap report's reasons (memberdesk.kb.feedback), gaps first: a short section.
    knowledge_gaps: list[dict[str, Any]] = field(default_factory=list)


def month_of(text: str) -> date:
    """The first day of the month written YYYY-MM (ValueError when it is not one)."""
    year, _, month = text.partition("-")
    if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
        raise ValueError("must be written YYYY-MM, for example 2026-11")
    first = date(int(year), int(month), 1)
    if not 2000 <= first.year <= 2199:
        raise ValueError("must be between the years 2000 and 2199")
    return first


def month_span(pack: str, first: date, months: int = 1) -> tuple[datetime, datetime]:
    """[start, end) of ``months`` whole months from ``first`` in the pack's time zone."""
    start, _ = period(pack, first, first)
    end, _ = period(pack, add_months(first, months), add_months(first, months))
    return start, end


def _local_month(at: datetime, pack: str) -> date:
    return at.astimezone(zone_of(pack)).date().replace(day=1)


def monthly(session: Session, pack: str, first: date, months: int) -> list[MonthFigures]:
    """Call tallies and agents' available time for ``months`` months from ``first``."""
    start, end = month_span(pack, first, months)
    out = {
        add_months(first, i): MonthFigures(add_months(first, i), CallTally()) for i in range(months)
    }
    sums = [func.sum(getattr(CallStats, c)) for c in COUNTERS]
    for slot, *values in session.execute(
        select(CallStats.interval_start, *sums)
        .where(CallStats.pack == pack, CallStats.interval_start >= start)
        .where(CallStats.interval_start < end)
        .group_by(CallStats.interval_start)
    ):
        m = out[_local_month(slot, pack)]
        m.calls = m.calls + CallTally(*(v or 0 for v in values))
    agents = set(_agents(session, pack, start, end))
    for slot, agent, seconds in session.execute(
        select(AgentSeconds.interval_start, AgentSeconds.agent_ref, func.sum(AgentSeconds.seconds))
        .where(AgentSeconds.interval_start >= start, AgentSeconds.interval_start < end)
        .where(AgentSeconds.state != AgentEvent.BREAK.value)
        .group_by(AgentSeconds.interval_start, AgentSeconds.agent_ref)
    ):
        if agent in agents:  # agents who took this line's calls
            out[_local_month(slot, pack)].available_seconds += float(seconds or 0)
    return [out[k] for k in sorted(out)]


def _agents(session: Session, pack: str, start: datetime, end: datetime) -> list[str]:
    return list(
        session.scalars(
            select(CallStats.agent_ref)
            .where(CallStats.pack == pack, CallStats.interval_start >= start)
            .where(CallStats.interval_start < end, CallStats.agent_ref != NO_AGENT)
            .distinct()
        )
    )


def by_queue(session: Session, pack: str, first: date) -> list[tuple[str, CallTally]]:
    """The month's tally of each queue."""
    start, end = month_span(pack, first)
    sums = [func.sum(getattr(CallStats, c)) for c in COUNTERS]
    rows = session.execute(
        select(CallStats.queue, *sums)
        .where(CallStats.pack == pack, CallStats.interval_start >= start)
        .where(CallStats.interval_start < end)
        .group_by(CallStats.queue)
        .order_by(CallStats.queue)
    )
    return [(q, CallTally(*(v or 0 for v in values))) for q, *values in rows]


def by_agent(session: Session, pack: str, first: date) -> list[AgentLine]:
    """The month of each agent who answered calls: figures, occupancy and best day."""
    start, end = month_span(pack, first)
    zone = zone_of(pack)
    sums = [func.sum(getattr(CallStats, c)) for c in COUNTERS]
    tallies: dict[str, CallTally] = {}
    days: Counter[tuple[str, date]] = Counter()
    for agent, slot, *values in session.execute(
        select(CallStats.agent_ref, CallStats.interval_start, *sums)
        .where(CallStats.pack == pack, CallStats.interval_start >= start)
        .where(CallStats.interval_start < end, CallStats.agent_ref != NO_AGENT)
        .group_by(CallStats.agent_ref, CallStats.interval_start)
    ):
        t = CallTally(*(v or 0 for v in values))
        tallies[agent] = tallies[agent] + t if agent in tallies else t
        days[(agent, slot.astimezone(zone).date())] += t.answered
    available = dict(
        session.execute(
            select(AgentSeconds.agent_ref, func.sum(AgentSeconds.seconds))
            .where(AgentSeconds.interval_start >= start, AgentSeconds.interval_start < end)
            .where(AgentSeconds.state != AgentEvent.BREAK.value)
            .group_by(AgentSeconds.agent_ref)
        ).all()
    )
    best: dict[str, tuple[int, date]] = {}
    for (agent, day), n in days.items():
        if agent not in best or (n, day) > best[agent]:
            best[agent] = (n, day)
    return [
        AgentLine(
            agent,
            t,
            float(available.get(agent) or 0),
            best[agent][1] if agent in best else None,
            best[agent][0] if agent in best else 0,
        )
        for agent, t in sorted(tallies.items())
    ]


def _fcr(session: Session, pack: str, m: MonthFigures) -> list[tuple[Any, bool | None]]:
    """Judge the month's contacts."""
    start, end = month_span(pack, m.month)
    outcomes = judged_contacts(session, pack, start, end, now())
    decided = [r for _, r in outcomes if r is not None]
    m.fcr_decided = len(decided)
    m.fcr_rate = sum(decided) / len(decided) if decided else None
    return outcomes


def root_cause(
    session: Session, pack: str, first: date, judged_contacts: list[tuple[Any, bool | None]]
) -> RootCause:
    """The reasons, channels and case queues behind the month's contacts that were not
    resolved at the first contact, and the month's cases that came back (reopened)."""
    missed = [c for c, r in judged_contacts if r is False]
    ids = [c.id for c in missed]
    reasons = Counter(r for c in missed for r in c.reasons)
    channels: Counter[str] = Counter()
    queues: Counter[str] = Counter()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        channels.update(
            contact_words.CHANNELS[Channel(ch)]
            for ch in session.scalars(select(Contact.channel).where(Contact.id.in_(chunk)))
        )
        queues.update(
            session.scalars(
                select(Queue.name)
                .join(Case, Case.queue_id == Queue.id)
                .join(CaseContact, CaseContact.case_id == Case.id)
                .where(CaseContact.contact_id.in_(chunk))
            )
        )
    start, end = month_span(pack, first)
    reopened = session.execute(
        select(Case.id, Case.case_type, Queue.name)
        .join(Queue, Case.queue_id == Queue.id)
        .where(Case.state == "reopened", Case.updated_at >= start, Case.updated_at < end)
        .order_by(Case.id)
        .limit(50)
    ).all()
    return RootCause(
        contacts=len(judged_contacts),
        not_resolved=len(missed),
        by_reason=[(contact_words.REASONS.get(r, r), n) for r, n in reasons.most_common(8)],
        by_channel=channels.most_common(),
        by_case_queue=queues.most_common(8),
        reopened=[(cid, CASE_TYPES[ct], q) for cid, ct, q in reopened],
    )


def monthly_review(session: Session, pack: str, first: date) -> Review:
    """The review of the month starting ``first`` (``UnknownPackError`` for an unknown pack)."""
    goals = goals_of(pack)
    trend = monthly(session, pack, add_months(first, -(TREND_MONTHS - 1)), TREND_MONTHS)
    this, before = trend[-1], trend[-2]
    judged_contacts = _fcr(session, pack, this)
    _fcr(session, pack, before)
    fcr_goal = goals.get("first_contact_resolution")
    floor = (fcr_goal.breach_below if fcr_goal else None) or DEFAULT_FCR_FLOOR
    review = Review(
        pack=pack,
        month=first,
        this=this,
        before=before,
        trend=trend,
        by_queue=by_queue(session, pack, first),
        by_agent=by_agent(session, pack, first),
        goals=goals,
        fcr_floor=floor,
        judged_this=judged(this.calls, goals),
    )
    if this.fcr_rate is not None and this.fcr_rate < floor:
        review.root_cause = root_cause(session, pack, first, judged_contacts)
    last = add_months(first, 1) - timedelta(days=1)
    review.surveys = survey_report(session, pack, first, last, Breakdown.AGENT)
    before_first = add_months(first, -1)
    review.surveys_before = survey_report(
        session, pack, before_first, first - timedelta(days=1), None
    )
    review.knowledge_gaps = _knowledge_gaps(session, pack, first)
    return review


def _knowledge_gaps(session: Session, pack: str, first: date) -> list[dict[str, Any]]:
    """The month's knowledge gaps for the line(s) of business the pack governs (top 5)."""
    from memberdesk.kb.feedback import gap_report
    from memberdesk.kb.gapwords import gap_rows
    from memberdesk.members.enums import LineOfBusiness
    from memberdesk.members.lines import line_of

    start, end = month_span(pack, first)
    lines = [code for code in LineOfBusiness if line_of(code).pack == pack]
    return gap_rows(gap_report(session, start, end, lines))[:REVIEW_GAPS]


@dataclass
class Quarter:
    """A quarter for executives: its months, the quarter whole, and the quarter before."""

    pack: str
    year: int
    number: int
    months: list[MonthFigures]
    total: MonthFigures
    before: MonthFigures
    goals: dict[str, Any]


def quarter_of(text: str) -> tuple[int, int]:
    """(year, quarter) from YYYY-Qn (ValueError when it is not one)."""
    year, _, q = text.upper().partition("-Q")
    if len(year) != 4 or not year.isdigit() or q not in ("1", "2", "3", "4"):
        raise ValueError("must be a quarter written YYYY-Qn, for example 2026-Q4")
    if not 2000 <= int(year) <= 2199:
        raise ValueError("must be between the years 2000 and 2199")
    return int(year), int(q)


def _sum(months: list[MonthFigures]) -> MonthFigures:
    total = MonthFigures(months[0].month, CallTally())
    for m in months:
        total.calls = total.calls + m.calls
        total.available_seconds += m.available_seconds
    return total


def quarterly_summary(session: Session, pack: str, year: int, number: int) -> Quarter:
    """The quarter's figures, month by month and whole, beside the quarter before."""
    first = date(year, 3 * number - 2, 1)
    six = monthly(session, pack, add_months(first, -3), 6)
    return Quarter(pack, year, number, six[3:], _sum(six[3:]), _sum(six[:3]), goals_of(pack))

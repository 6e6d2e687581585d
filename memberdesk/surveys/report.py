"""Survey KPIs over a period: CSAT and NPS of the answers in it, the CAHPS customer-service
items over the pack's look-back ending on its last day, response rates, by agent or channel.

The database counts answers by value (one GROUP BY per window, however many answers); the
measures come from the pure formulas of ``memberdesk.kpi.formulas``, fed the counted values.
Reports hold counts and shares, never a member or a comment: reading one is not a PHI access.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from memberdesk.compliance.models import User
from memberdesk.contacts.enums import Channel
from memberdesk.errors import InvalidInput
from memberdesk.kpi import formulas
from memberdesk.kpi.report import MAX_DAYS
from memberdesk.kpi.targets import goals_of
from memberdesk.members.dates import add_months
from memberdesk.sla.packs import KpiGoal, UnknownPackError, zone_of
from memberdesk.surveys.enums import Breakdown
from memberdesk.surveys.models import SurveyAnswer, SurveyInvitation
from memberdesk.surveys.service import lookback_months

JUDGED = ("csat", "nps")
CHANNEL_WORDS = {
    Channel.PHONE: "Phone",
    Channel.EMAIL: "E-mail",
    Channel.CHAT: "Chat",
    Channel.PORTAL: "Portal message",
    Channel.SMS: "Text message",
    Channel.VOICEMAIL: "Voicemail",
    Channel.LETTER: "Letter",
}
NO_AGENT = "No agent recorded"


@dataclass
class Tally:
    """Answers counted by value; tallies add up."""

    answers: int = 0
    comments: int = 0
    csat: Counter[int] = field(default_factory=Counter)
    nps: Counter[int] = field(default_factory=Counter)
    help: Counter[str] = field(default_factory=Counter)
    courtesy: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        """Add ``other`` into this tally."""
        self.answers += other.answers
        self.comments += other.comments
        self.csat.update(other.csat)
        self.nps.update(other.nps)
        self.help.update(other.help)
        self.courtesy.update(other.courtesy)


def _cahps(counts: Counter[str]) -> formulas.CahpsItem:
    return formulas.cahps_item(counts.elements())


def _item(item: formulas.CahpsItem) -> dict[str, Any]:
    return {
        "answers": item.answers,
        "reported": item.reported,
        "usually_or_always": item.usually_or_always,
        "always": item.always,
    }


def figures(
    period: Tally,
    cahps: Tally,
    goals: dict[str, KpiGoal],
    invited: int = 0,
    answered: int = 0,
) -> dict[str, Any]:
    """One set of measures: CSAT and NPS of ``period``, CAHPS of ``cahps`` (the look-back),
    each judged measure's standing against its goal under ``status``."""
    help_item, courtesy_item = _cahps(cahps.help), _cahps(cahps.courtesy)
    out: dict[str, Any] = {
        "answers": period.answers,
        "csat": formulas.csat(period.csat.elements()),
        "nps": formulas.nps(period.nps.elements()),
        "promoters": sum(n for v, n in period.nps.items() if v >= 9),
        "passives": sum(n for v, n in period.nps.items() if 7 <= v <= 8),
        "detractors": sum(n for v, n in period.nps.items() if v <= 6),
        "cahps_help": _item(help_item),
        "cahps_courtesy": _item(courtesy_item),
        "cahps_composite": formulas.cahps_composite([help_item, courtesy_item]),
        "invited": invited,
        "response_rate": answered / invited if invited else None,
        "comments": period.comments,
    }
    status: dict[str, str] = {}
    for measure in JUDGED:
        goal, value = goals.get(measure), out[measure]
        if goal is not None and value is not None and goal.has_thresholds:
            found = goal.status(value)
            if found is not None:
                status[measure] = found.value
    out["status"] = status
    return out


def day_bounds(pack: str, first: date, last: date) -> tuple[datetime, datetime]:
    """[start of ``first``, start of the day after ``last``) in the pack's time zone."""
    zone = zone_of(pack)
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone)
    return start, end


def cahps_window(pack: str, last: date) -> tuple[date, date, int]:
    """(first day, last day, months) of the CAHPS look-back ending on ``last``."""
    months = lookback_months(pack)
    # Counted from the day after: six months to 30 November start on 1 June, not 31 May.
    return add_months(last + timedelta(days=1), -months), last, months


def _answer_key(by: Breakdown | None) -> Any:
    if by is Breakdown.AGENT:
        return SurveyAnswer.agent_id
    if by is Breakdown.CHANNEL:
        return SurveyAnswer.channel
    return literal(None)


def tallies(
    session: Session, pack: str, start: datetime, end: datetime, by: Breakdown | None
) -> dict[Any, Tally]:
    """Answered in [start, end), counted by value, per key of the breakdown."""
    key = _answer_key(by).label("key")
    columns = (
        SurveyAnswer.csat,
        SurveyAnswer.nps,
        SurveyAnswer.cahps_help,
        SurveyAnswer.cahps_courtesy,
    )
    rows = session.execute(
        select(
            key,
            *columns,
            func.count(),
            func.count(SurveyAnswer.comment),
        )
        .where(
            SurveyAnswer.pack == pack,
            SurveyAnswer.answered_at >= start,
            SurveyAnswer.answered_at < end,
        )
        .group_by(key, *columns)
    ).all()
    out: dict[Any, Tally] = {}
    for k, csat, nps, help_, courtesy, n, comments in rows:
        t = out.setdefault(k, Tally())
        t.answers += n
        t.comments += comments
        t.csat[csat] += n
        t.nps[nps] += n
        if help_ is not None:
            t.help[str(help_)] += n
        if courtesy is not None:
            t.courtesy[str(courtesy)] += n
    return out


def invitations_sent(
    session: Session, pack: str, start: datetime, end: datetime, by: Breakdown | None
) -> dict[Any, tuple[int, int]]:
    """(sent, answered so far) of invitations sent in [start, end), per key."""
    key_col: Any = literal(None)
    if by is Breakdown.AGENT:
        key_col = SurveyInvitation.agent_id
    elif by is Breakdown.CHANNEL:
        key_col = SurveyInvitation.contact_channel
    key = key_col.label("key")
    rows = session.execute(
        select(key, func.count(), func.count(SurveyInvitation.answered_at))
        .where(
            SurveyInvitation.pack == pack,
            SurveyInvitation.sent_at >= start,
            SurveyInvitation.sent_at < end,
        )
        .group_by(key)
    ).all()
    return {k: (sent, answered) for k, sent, answered in rows}


def state_counts(session: Session, pack: str, start: datetime, end: datetime) -> dict[str, int]:
    """Invitations decided in [start, end) by state, and skipped ones by reason."""
    rows = session.execute(
        select(SurveyInvitation.state, SurveyInvitation.skip_reason, func.count())
        .where(
            SurveyInvitation.pack == pack,
            SurveyInvitation.created_at >= start,
            SurveyInvitation.created_at < end,
        )
        .group_by(SurveyInvitation.state, SurveyInvitation.skip_reason)
    ).all()
    out: Counter[str] = Counter()
    for state, reason, n in rows:
        out[str(state)] += n
        if reason is not None:
            out[f"skipped_{reason}"] += n
    return dict(out)


def _labels(session: Session, by: Breakdown | None, keys: set[Any]) -> dict[Any, tuple[str, str]]:
    """(key, label) of each breakdown key: agents by username, channels in words."""
    if by is Breakdown.AGENT:
        ids = {k for k in keys if k is not None}
        names = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
        return {
            k: (names.get(k, ""), names.get(k, NO_AGENT)) if k else ("", NO_AGENT) for k in keys
        }
    return {k: (str(k), CHANNEL_WORDS.get(Channel(k), str(k))) for k in keys if k is not None}


def survey_report(
    session: Session,
    pack: str,
    first: date,
    last: date,
    by: Breakdown | None,
    where: str = "query",
) -> dict[str, Any]:
    """The report's content (shared by the API and the page), its inputs checked."""
    try:
        goals = goals_of(pack)
    except UnknownPackError as exc:
        raise InvalidInput(str(exc), field=f"{where}.pack") from None
    if last < first:
        raise InvalidInput("must not be before the first day", field=f"{where}.to")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days", field=f"{where}.to")
    start, end = day_bounds(pack, first, last)
    cahps_first, cahps_last, months = cahps_window(pack, last)
    c_start, c_end = day_bounds(pack, cahps_first, cahps_last)
    period = tallies(session, pack, start, end, by)
    cahps = tallies(session, pack, c_start, c_end, by)
    sent = invitations_sent(session, pack, start, end, by)
    total_period, total_cahps = Tally(), Tally()
    for t in period.values():
        total_period.add(t)
    for t in cahps.values():
        total_cahps.add(t)
    total_sent = sum(s for s, _ in sent.values())
    total_answered = sum(a for _, a in sent.values())
    rows: list[dict[str, Any]] = []
    if by is not None:
        keys = set(period) | set(cahps) | set(sent)
        labels = _labels(session, by, keys)
        for k in keys:
            s, a = sent.get(k, (0, 0))
            key, label = labels.get(k, ("", NO_AGENT))
            rows.append(
                {
                    "key": key,
                    "label": label,
                    **figures(period.get(k, Tally()), cahps.get(k, Tally()), goals, s, a),
                }
            )
        rows.sort(key=lambda r: (r["key"] == "", r["key"]))
    return {
        "pack": pack,
        "from": first,
        "to": last,
        "by": by.value if by else None,
        "cahps_from": cahps_first,
        "cahps_to": cahps_last,
        "cahps_lookback_months": months,
        "targets": {m: target_words(goals.get(m)) for m in JUDGED if goals.get(m)},
        "total": figures(total_period, total_cahps, goals, total_sent, total_answered),
        "rows": rows,
        "invitations": state_counts(session, pack, start, end),
    }


def _points(x: float) -> str:
    return f"{x:+.0f}"


def target_words(goal: KpiGoal | None) -> str:
    """A CSAT or NPS target in words: "at least 85%"; "+25 to +50 (below +25 misses it)"."""
    if goal is None or not goal.has_thresholds:
        return ""
    points = goal.measure == "nps"
    show = _points if points else (lambda x: f"{x:.0%}")
    if goal.breach_below is not None and goal.warn_below is not None:
        return (
            f"{show(goal.breach_below)} to {show(goal.warn_below)} "
            f"(below {show(goal.breach_below)} misses it)"
        )
    if goal.breach_below is not None:
        return f"at least {show(goal.breach_below)}"
    return ""

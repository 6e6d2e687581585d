"""Contacts by channel over whole days: how many, how long they took, how many were resolved at
the first contact, what members said in their surveys, and how fast each channel answered.

Each channel has its own measure of speed: the phone its service level (calls answered within
the pack's threshold, from the call rollups), portal messages their replies within the pack's
reply clock, voicemails their return calls (a first attempt) within the callback clock. The
figures are counts, never a member: reading them is not a PHI access.

Contacts are counted with GROUP BY queries on their start time (indexed); one-contact resolution
needs each contact judged against the member's later contacts, as ``contacts.service`` does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.contacts.enums import Channel, Direction
from memberdesk.contacts.fcr import ContactFact
from memberdesk.contacts.models import Callback, CallbackAttempt, Contact
from memberdesk.contacts.service import fcr_judged
from memberdesk.contacts.words import CHANNELS
from memberdesk.kpi.formulas import occupancy
from memberdesk.kpi.report import available_seconds, call_kpis, period
from memberdesk.kpi.targets import goals_of, judged
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.lines import LINES
from memberdesk.members.models import Member
from memberdesk.members.packs import DEFAULT_PACK
from memberdesk.surveys.enums import Breakdown
from memberdesk.surveys.report import survey_report

FCR_WINDOW_DAYS = 7  # DESIGN: "within 7 calendar days (configurable)"
CLOCKED = frozenset({Channel.PHONE.value, Channel.PORTAL.value, Channel.VOICEMAIL.value})


@dataclass(frozen=True)
class Speed:
    """Items that had a clock in the period: answered in time, late, or still open (overdue
    or not yet due)."""

    measure: str  # service_level, reply, callback
    due: int
    on_time: int
    late: int
    open_overdue: int

    @property
    def on_time_rate(self) -> float | None:
        """Share answered in time among those whose clock has run out (answered or overdue)."""
        judged_ = self.on_time + self.late + self.open_overdue
        return self.on_time / judged_ if judged_ else None


def _lines(pack: str) -> list[LineOfBusiness]:
    return [line.code for line in LINES.values() if line.pack == pack]


def _pack_contacts(pack: str) -> ColumnElement[bool]:
    """Contacts of the pack's line of business: its members', and an unidentified caller's
    when the pack is the default line's (``pack_for(None)``)."""
    members = Contact.member_id.in_(
        select(Member.id).where(Member.line_of_business.in_(_lines(pack)))
    )
    if pack == DEFAULT_PACK:
        return or_(Contact.member_id.is_(None), members)
    return members


def judged_contacts(
    session: Session, pack: str, start: datetime, end: datetime, at: datetime
) -> list[tuple[ContactFact, bool | None]]:
    """The line of business's own contacts started in [start, end) with their one-contact
    outcomes (None: pending)."""
    judged = fcr_judged(session, start, end, window_days=FCR_WINDOW_DAYS, now=at)
    ids = sorted({c.member_id for c, _ in judged if c.member_id is not None})
    mine: set[int] = set()
    for i in range(0, len(ids), 500):
        mine.update(
            session.scalars(
                select(Member.id).where(
                    Member.id.in_(ids[i : i + 500]),
                    Member.line_of_business.in_(_lines(pack)),
                )
            )
        )
    default = pack == DEFAULT_PACK
    return [(c, r) for c, r in judged if (c.member_id in mine if c.member_id else default)]


def _volumes(session: Session, pack: str, start: datetime, end: datetime) -> dict[str, Any]:
    """Per channel: inbound and outbound counts and the handle time of contacts that have one."""
    handle = (
        func.coalesce(Contact.talk_seconds, 0)
        + func.coalesce(Contact.hold_seconds, 0)
        + func.coalesce(Contact.wrap_seconds, 0)
    )
    timed = or_(Contact.talk_seconds.is_not(None), Contact.wrap_seconds.is_not(None))
    rows = session.execute(
        select(
            Contact.channel,
            Contact.direction,
            func.count(),
            func.sum(handle).filter(timed),
            func.count().filter(timed),
        )
        .where(Contact.started_at >= start, Contact.started_at < end, _pack_contacts(pack))
        .group_by(Contact.channel, Contact.direction)
    ).all()
    out: dict[str, Any] = {}
    for channel, direction, n, seconds, n_timed in rows:
        line = out.setdefault(str(channel), {"inbound": 0, "outbound": 0, "s": 0, "n": 0})
        line["inbound" if direction == Direction.INBOUND else "outbound"] += n
        line["s"] += seconds or 0
        line["n"] += n_timed
    return out


def _replies(session: Session, pack: str, start: datetime, end: datetime, at: datetime) -> Speed:
    """Portal messages received in the period, answered by their reply deadline or not."""
    has_clock = and_(
        Contact.started_at >= start,
        Contact.started_at < end,
        Contact.reply_due_at.is_not(None),
        _pack_contacts(pack),
    )
    due, on_time, late, overdue = session.execute(
        select(
            func.count(),
            func.count().filter(Contact.answered_at <= Contact.reply_due_at),
            func.count().filter(Contact.answered_at > Contact.reply_due_at),
            func.count().filter(Contact.answered_at.is_(None), Contact.reply_due_at < at),
        ).where(has_clock)
    ).one()
    return Speed("reply", due, on_time, late, overdue)


def _callbacks(session: Session, pack: str, start: datetime, end: datetime, at: datetime) -> Speed:
    """Voicemails received in the period, returned (a first call attempt) by their due time."""
    first = (
        select(CallbackAttempt.callback_id, func.min(CallbackAttempt.at).label("at"))
        .group_by(CallbackAttempt.callback_id)
        .subquery()
    )
    due, on_time, late, overdue = session.execute(
        select(
            func.count(),
            func.count().filter(first.c.at <= Callback.due_at),
            func.count().filter(first.c.at > Callback.due_at),
            func.count().filter(first.c.at.is_(None), Callback.due_at < at),
        )
        .select_from(Callback)
        .outerjoin(first, first.c.callback_id == Callback.id)
        .where(Callback.pack == pack, Callback.received_at >= start, Callback.received_at < end)
    ).one()
    return Speed("callback", due, on_time, late, overdue)


def _fcr(
    session: Session, pack: str, start: datetime, end: datetime, at: datetime
) -> dict[str, tuple[int, int]]:
    """Per channel: (resolved at the first contact, decided) among the period's contacts."""
    judged = judged_contacts(session, pack, start, end, at)
    ids = [c.id for c, r in judged if r is not None]
    channel_of: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        channel_of.update(
            (cid, str(ch))
            for cid, ch in session.execute(
                select(Contact.id, Contact.channel).where(Contact.id.in_(chunk))
            )
        )
    resolved: Counter[str] = Counter()
    decided: Counter[str] = Counter()
    for c, r in judged:
        if r is not None:
            decided[channel_of[c.id]] += 1
            resolved[channel_of[c.id]] += bool(r)
    return {ch: (resolved[ch], decided[ch]) for ch in decided}


def _speed_out(speed: Speed) -> dict[str, Any]:
    return {
        "measure": speed.measure,
        "due": speed.due,
        "on_time": speed.on_time,
        "late": speed.late,
        "open_overdue": speed.open_overdue,
        "on_time_rate": speed.on_time_rate,
    }


def channel_report(session: Session, pack: str, first: date, last: date) -> dict[str, Any]:
    """The report's content (API, page and command line). The caller checks the inputs (as
    ``kpi.api.report`` does for calls)."""
    goals = goals_of(pack)
    start, end = period(pack, first, last)
    at = now()
    volumes = _volumes(session, pack, start, end)
    fcr = _fcr(session, pack, start, end, at)
    surveys = {
        r["key"]: r
        for r in survey_report(session, pack, first, last, Breakdown.CHANNEL)["rows"]
        if r["key"]
    }
    calls, _ = call_kpis(session, pack, first, last)
    speeds: dict[str, Speed] = {
        Channel.PORTAL.value: _replies(session, pack, start, end, at),
        Channel.VOICEMAIL.value: _callbacks(session, pack, start, end, at),
    }
    phone = judged(calls, goals)
    available = sum(available_seconds(session, pack, first, last).values())
    phone["occupancy"] = occupancy(calls.handle_seconds, available)
    if calls.offered:
        speeds[Channel.PHONE.value] = Speed(
            "service_level",
            calls.offered - calls.short_abandoned,
            calls.answered_within,
            calls.offered - calls.short_abandoned - calls.answered_within,
            0,
        )
    rows = []
    for channel in Channel:
        key = channel.value
        v = volumes.get(key)
        speed = speeds.get(key)
        survey = surveys.get(key)
        if v is None and (speed is None or not speed.due) and survey is None:
            continue
        v = v or {"inbound": 0, "outbound": 0, "s": 0, "n": 0}
        resolved, decided = fcr.get(key, (0, 0))
        handle = v["s"] / v["n"] if v["n"] else None
        if key == Channel.PHONE.value and calls.answered:
            handle = calls.aht_seconds  # every answered call's, not only those logged as contacts
        rows.append(
            {
                "channel": key,
                "label": CHANNELS[channel],
                "inbound": v["inbound"],
                "outbound": v["outbound"],
                "handle_seconds": handle,
                "fcr_rate": resolved / decided if decided else None,
                "fcr_decided": decided,
                "survey_answers": survey["answers"] if survey else 0,
                "csat": survey["csat"] if survey else None,
                "nps": survey["nps"] if survey else None,
                "speed": _speed_out(speed) if speed and speed.due else None,
                "calls": phone if key == Channel.PHONE.value and calls.offered else None,
            }
        )
    return {"pack": pack, "from": first, "to": last, "rows": rows}

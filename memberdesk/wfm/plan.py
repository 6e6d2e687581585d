"""Staffing and budget planner: members and contact rates to volume, staff, surge and cost.

Most defaults are figures from the seed guide (CalChoice, 15,000 members): 1 Tier 1 rep per
2,500-3,500 members, 1-2 Tier 2 specialists, +30-50% temporary capacity Oct-Jan hired 6-8 weeks
ahead, CSR $55-75k loaded, outsourcing at $30-60 a call or $1.50-4.00 PMPM, 40 h initial + 8-12
h/month training, 60-70% voice, an IVR answering 25-30% of routine requests, AHT 6-9 min, 80% in
20 s, and the budget example (setup $50-120k, tech $60-180k/yr, staffing $300-500k, contingency
10-20%). The rest are assumptions the seeds do not give (contacts per member, the routine share
of calls, shrinkage, opening hours, working days, paid hours, the Tier 3 "part-time" FTE): they
are listed in `ASSUMPTIONS` and reported as assumptions with every plan.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from memberdesk.errors import InvalidInput
from memberdesk.wfm.erlang import staff_intervals
from memberdesk.wfm.forecast import intraday_profile
from memberdesk.wfm.words import span


@dataclass(frozen=True)
class Span:
    """A low-high range, as the seeds give most numbers."""

    low: float
    high: float

    def scale(self, k: float) -> Span:
        """Both ends times k."""
        return Span(self.low * k, self.high * k)

    def __add__(self, other: Span) -> Span:
        return Span(self.low + other.low, self.high + other.high)


@dataclass(frozen=True)
class PlanInputs:
    """Planner assumptions; defaults are the seed guide's figures."""

    members: int = 15_000
    contacts_per_member_year: float = 2.0  # assumption: not in the seeds
    voice_share: Span = field(default_factory=lambda: Span(0.60, 0.70))
    chat_email_share: Span = field(default_factory=lambda: Span(0.05, 0.10))
    # The seed's IVR answers 25-30% of *routine* requests (balances, ID-card status), so it
    # contains that share of the routine calls only; what share of calls is routine is not in
    # the seeds.
    routine_share: float = 0.50  # assumption
    ivr_containment: Span = field(default_factory=lambda: Span(0.25, 0.30))
    aht_minutes: Span = field(default_factory=lambda: Span(6.0, 9.0))
    target: float = 0.80
    within_seconds: float = 20.0
    shrinkage: float = 0.30  # assumption
    open_hours_per_day: int = 9  # assumption
    working_days: int = 250  # assumption
    paid_hours_per_fte: float = 2080.0  # assumption
    members_per_rep: Span = field(default_factory=lambda: Span(2_500, 3_500))
    tier2: Span = field(default_factory=lambda: Span(1, 2))
    tier3_fte: float = 0.5  # assumption: the seed's "part-time Tier 3 compliance lead"
    surge: Span = field(default_factory=lambda: Span(0.30, 0.50))
    surge_months: int = 4  # October through January
    hire_weeks_ahead: Span = field(default_factory=lambda: Span(6, 8))
    csr_cost: Span = field(default_factory=lambda: Span(55_000, 75_000))
    outsourced_per_call: Span = field(default_factory=lambda: Span(30, 60))
    outsourced_pmpm: Span = field(default_factory=lambda: Span(1.50, 4.00))
    training_initial_hours: float = 40.0
    training_monthly_hours: Span = field(default_factory=lambda: Span(8, 12))
    tech_setup: Span = field(default_factory=lambda: Span(50_000, 120_000))
    tech_annual: Span = field(default_factory=lambda: Span(60_000, 180_000))
    contingency: Span = field(default_factory=lambda: Span(0.10, 0.20))
    open_enrollment_year: int = 2026
    # Figures measured on the centre's own work (`wfm plan --measured`); None plans on the
    # seed's ranges alone. A measured AHT replaces the 6-9 minute range.
    measured_aht_seconds: float | None = None
    measured_fcr: float | None = None
    fcr_target: float = 0.80  # the seed's "70-80%": 80% is where the warning stops
    measured_csat: float | None = None
    csat_target: float = 0.85

    def validate(self) -> None:
        """Raise InvalidInput naming the first impossible input."""
        checks = [
            (self.members >= 1, "members", "must be a positive number of members"),
            (self.contacts_per_member_year > 0, "contacts_per_member", "must be > 0"),
            (0 <= self.routine_share <= 1, "routine_share", "must be in [0, 1]"),
            (0 < self.target < 1, "target", "must be strictly between 0 and 1"),
            (0 <= self.shrinkage < 1, "shrinkage", "must be in [0, 1)"),
            (1 <= self.open_hours_per_day <= 24, "open_hours", "must be 1-24"),
            (
                self.measured_aht_seconds is None or 0 < self.measured_aht_seconds <= 14_400,
                "measured_aht_seconds",
                "must be more than 0 and at most 4 hours",
            ),
            (
                self.measured_fcr is None or 0 < self.measured_fcr <= 1,
                "measured_fcr",
                "must be in (0, 1]",
            ),
            (0 < self.fcr_target <= 1, "fcr_target", "must be in (0, 1]"),
        ]
        for ok, name, reason in checks:
            if not ok:
                raise InvalidInput(f"{name}: {reason}", field=name)


def _tier1_fte(calls_per_year: float, aht_s: float, p: PlanInputs) -> float:
    """FTE from Erlang C on an average day shaped by the intraday profile."""
    slots = p.open_hours_per_day * 2
    per_day = calls_per_year / p.working_days
    calls = per_day * intraday_profile(slots) / slots
    need = staff_intervals(
        calls,
        aht_s,
        interval=1800.0,
        target=p.target,
        within=p.within_seconds,
        shrinkage=p.shrinkage,
    )
    hours_per_day = float(need.scheduled.sum()) * 0.5
    return hours_per_day * p.working_days / p.paid_hours_per_fte


def _quality(p: PlanInputs, agent_calls: Span, aht: Span, demand: Span) -> dict[str, object]:
    """What the measured one-contact resolution and satisfaction mean for the plan.

    A contact left unresolved brings the member back, so calls per member need are about
    1 / FCR; raising FCR from f to the target t removes the share 1 - f/t of the calls (and
    the Tier 1 time they take). CSAT does not change the arithmetic: it is reported beside
    the plan, with a warning when it is below target, since cutting staff cuts it further."""
    out: dict[str, object] = {
        "fcr": p.measured_fcr,
        "fcr_target": p.fcr_target,
        "csat": p.measured_csat,
        "csat_target": p.csat_target,
        "csat_below_target": p.measured_csat is not None and p.measured_csat < p.csat_target,
    }
    if p.measured_fcr is not None and p.measured_fcr < p.fcr_target:
        keep = p.measured_fcr / p.fcr_target
        out["repeat_calls_avoidable_per_year"] = asdict(agent_calls.scale(1 - keep))
        at_target = Span(
            _tier1_fte(agent_calls.low * keep, aht.low * 60, p),
            _tier1_fte(agent_calls.high * keep, aht.high * 60, p),
        )
        out["tier1_fte_at_fcr_target"] = asdict(at_target)
        out["tier1_fte_freed"] = asdict(
            Span(demand.low - at_target.low, demand.high - at_target.high)
        )
    return out


def build_plan(p: PlanInputs) -> dict[str, object]:
    """The whole plan as a JSON-ready dict (volume, ratio check, surge, budget, and what the
    measured quality means)."""
    p.validate()
    aht = (
        Span(p.measured_aht_seconds / 60, p.measured_aht_seconds / 60)
        if p.measured_aht_seconds is not None
        else p.aht_minutes
    )
    contacts = p.members * p.contacts_per_member_year
    voice = Span(contacts * p.voice_share.low, contacts * p.voice_share.high)
    contained = Span(
        voice.low * p.routine_share * p.ivr_containment.low,
        voice.high * p.routine_share * p.ivr_containment.high,
    )
    agent_calls = Span(
        voice.low * (1 - p.routine_share * p.ivr_containment.high),
        voice.high * (1 - p.routine_share * p.ivr_containment.low),
    )
    chat_email = p.chat_email_share.scale(contacts)
    demand = Span(
        _tier1_fte(agent_calls.low, aht.low * 60, p),
        _tier1_fte(agent_calls.high, aht.high * 60, p),
    )
    ratio = Span(p.members / p.members_per_rep.high, p.members / p.members_per_rep.low)
    reps = Span(round(ratio.low), round(ratio.high))
    if demand.high < ratio.low:
        verdict = "demand is below the ratio range: the ratio would overstaff"
    elif demand.low > ratio.high:
        verdict = "demand is above the ratio range: the ratio would understaff"
    else:
        verdict = "demand overlaps the ratio range"
    headcount = Span(reps.low + p.tier2.low + p.tier3_fte, reps.high + p.tier2.high + p.tier3_fte)
    temps = Span(math.ceil(reps.low * p.surge.low), math.ceil(reps.high * p.surge.high))
    oe_start = dt.date(p.open_enrollment_year, 10, 1)
    surge_cost = Span(
        temps.low * p.csr_cost.low * p.surge_months / 12,
        temps.high * p.csr_cost.high * p.surge_months / 12,
    )
    # The seed's staffing line ($300-500k) is the headcount range at the low loaded cost;
    # the richest ratio at the top loaded cost is shown too, as a sensitivity.
    staffing = Span(headcount.low * p.csr_cost.low, headcount.high * p.csr_cost.low)
    staffing_top = headcount.high * p.csr_cost.high
    operating = p.tech_annual + staffing
    contingency = Span(operating.low * p.contingency.low, operating.high * p.contingency.high)
    annual_inhouse = operating + contingency
    year_one = annual_inhouse + p.tech_setup
    pmpm = p.outsourced_pmpm.scale(p.members * 12)
    per_call = Span(
        agent_calls.low * p.outsourced_per_call.low, agent_calls.high * p.outsourced_per_call.high
    )
    training = Span(
        headcount.low * (p.training_initial_hours + 12 * p.training_monthly_hours.low),
        headcount.high * (p.training_initial_hours + 12 * p.training_monthly_hours.high),
    )
    return {
        "members": p.members,
        "volume": {
            "contacts_per_year": contacts,
            "voice_calls_per_year": asdict(voice),
            "ivr_contained_per_year": asdict(contained),
            "agent_calls_per_year": asdict(agent_calls),
            "agent_calls_per_day": asdict(agent_calls.scale(1 / p.working_days)),
            "chat_email_per_year": asdict(chat_email),
        },
        "staffing": {
            "tier1_fte_from_demand": asdict(demand),
            "tier1_fte_from_ratio": asdict(ratio),
            "tier1_reps": asdict(reps),
            "tier2_specialists": asdict(p.tier2),
            "tier3_fte": p.tier3_fte,
            "headcount_fte": asdict(headcount),
            "ratio_check": verdict,
            "service_target": f"{p.target:.0%} in {p.within_seconds:g} s",
            "aht_minutes": asdict(aht),
            "aht_measured": p.measured_aht_seconds is not None,
            "shrinkage": p.shrinkage,
        },
        "surge": {
            "months": "Oct-Jan",
            "extra_capacity": asdict(p.surge),
            "temporary_reps": asdict(temps),
            "hire_by": {
                "earliest": (oe_start - dt.timedelta(weeks=p.hire_weeks_ahead.high)).isoformat(),
                "latest": (oe_start - dt.timedelta(weeks=p.hire_weeks_ahead.low)).isoformat(),
            },
            "cost": asdict(surge_cost),
            "training_hours": asdict(temps.scale(p.training_initial_hours)),
        },
        "budget": {
            "tech_setup_one_time": asdict(p.tech_setup),
            "tech_annual": asdict(p.tech_annual),
            "staffing_loaded": asdict(staffing),
            "staffing_loaded_at_top_cost": staffing_top,
            "contingency": asdict(contingency),
            "in_house_annual": asdict(annual_inhouse),
            "in_house_year_one": asdict(year_one),
            "outsourced_pmpm_annual": asdict(pmpm),
            "outsourced_per_call_annual": asdict(per_call),
            "training_hours_year_one": asdict(training),
            "cheapest_annual": _cheapest(annual_inhouse, pmpm, per_call),
        },
        "quality": _quality(p, agent_calls, aht, demand),
        "assumptions": assumptions(p),
    }


# Inputs the seeds do not give: (field, label, why it is needed, CLI option or "").
ASSUMPTIONS: tuple[tuple[str, str, str, str], ...] = (
    (
        "contacts_per_member_year",
        "contacts per member per year",
        "sets the yearly volume",
        "--contacts-per-member",
    ),
    (
        "routine_share",
        "share of voice calls that are routine requests",
        "the seed's IVR answers 25-30% of routine requests only",
        "--routine-share",
    ),
    ("shrinkage", "shrinkage", "paid time off the phones", "--shrinkage"),
    ("open_hours_per_day", "open hours per day", "spreads a day's calls over intervals", ""),
    ("working_days", "working days per year", "turns yearly volume into daily volume", ""),
    ("paid_hours_per_fte", "paid hours per FTE per year", "turns agent hours into FTE", ""),
    ("tier3_fte", "Tier 3 FTE", "the seed says 'a part-time Tier 3 compliance lead'", ""),
)


def assumptions(p: PlanInputs) -> list[dict[str, object]]:
    """The plan's inputs that are assumptions, not seed figures, with their values."""
    return [
        {"name": name, "label": label, "value": getattr(p, name), "why": why, "option": option}
        for name, label, why, option in ASSUMPTIONS
    ]


def training_share(hours_per_month: float, paid_hours_per_year: float) -> float:
    """Training's share of paid time: a year's monthly training hours over a year's paid hours
    (10 h a month of 2,080 paid hours is 5.8%)."""
    return hours_per_month * 12 / paid_hours_per_year


def next_open_enrollment_year(today: dt.date, hire_weeks_ahead: float = 6) -> int:
    """The first open enrollment (from October 1) whose latest hiring date is not past."""
    year = today.year
    if today > dt.date(year, 10, 1) - dt.timedelta(weeks=hire_weeks_ahead):
        year += 1
    return year


def _cheapest(inhouse: Span, pmpm: Span, per_call: Span) -> str:
    mids = {
        "in_house": (inhouse.low + inhouse.high) / 2,
        "outsourced_pmpm": (pmpm.low + pmpm.high) / 2,
        "outsourced_per_call": (per_call.low + per_call.high) / 2,
    }
    return min(mids, key=lambda k: mids[k])


def monthly_volume(p: PlanInputs) -> np.ndarray:
    """Agent-handled calls per calendar month (Jan..Dec), surge months at mid surge."""
    base = p.members * p.contacts_per_member_year * (p.voice_share.low + p.voice_share.high) / 2
    base *= 1 - p.routine_share * (p.ivr_containment.low + p.ivr_containment.high) / 2
    lift = 1 + (p.surge.low + p.surge.high) / 2
    factors = np.array([lift if m in (10, 11, 12, 1) else 1.0 for m in range(1, 13)])
    return base * factors / factors.sum()


def _range(d: dict[str, float], money: bool = False, digits: int = 0) -> str:
    if money:
        return f"${d['low']:,.0f} - ${d['high']:,.0f}"
    return f"{d['low']:,.{digits}f} - {d['high']:,.{digits}f}"


def _span(d: dict[str, float], noun: str) -> str:
    return span(d["low"], d["high"], noun)


def plan_text(p: dict[str, Any]) -> str:
    """The plan as readable lines for a terminal."""
    v, s, g, b = p["volume"], p["staffing"], p["surge"], p["budget"]
    r = _range
    lines = [
        f"Plan for {p['members']:,} members",
        f"  contacts/year {v['contacts_per_year']:,.0f}; voice {r(v['voice_calls_per_year'])}; "
        f"answered by the IVR {r(v['ivr_contained_per_year'])}; "
        f"agent-handled calls {r(v['agent_calls_per_year'])} ({r(v['agent_calls_per_day'])}/day)",
        f"  Tier 1 FTE from demand ({s['service_target']}, AHT {_aht(s)}, shrinkage"
        f" {s['shrinkage']:.0%} assumed): {r(s['tier1_fte_from_demand'], digits=1)}",
        f"  Tier 1 FTE from 1 rep per 2,500-3,500 members: "
        f"{r(s['tier1_fte_from_ratio'], digits=1)} -> {_span(s['tier1_reps'], 'rep')}; "
        f"{s['ratio_check']}",
        f"  + Tier 2 {r(s['tier2_specialists'])}, Tier 3 {s['tier3_fte']} FTE = "
        f"{r(s['headcount_fte'], digits=1)} FTE",
        f"  surge {g['months']}: +{g['extra_capacity']['low']:.0%} - "
        f"{g['extra_capacity']['high']:.0%} -> "
        f"{_span(g['temporary_reps'], 'temporary rep')}, hire {g['hire_by']['earliest']} .. "
        f"{g['hire_by']['latest']}, cost {r(g['cost'], True)}",
        *_quality_lines(p["quality"]),
        "Budget (annual unless noted)",
        f"  technology setup (one-time) {r(b['tech_setup_one_time'], True)}",
        f"  technology/subscriptions    {r(b['tech_annual'], True)}",
        f"  staffing, fully loaded      {r(b['staffing_loaded'], True)}"
        f"  (richest ratio at $75k: ${b['staffing_loaded_at_top_cost']:,.0f})",
        f"  contingency                 {r(b['contingency'], True)}",
        f"  in-house, annual            {r(b['in_house_annual'], True)}",
        f"  in-house, year one          {r(b['in_house_year_one'], True)}",
        f"  outsourced at PMPM          {r(b['outsourced_pmpm_annual'], True)}",
        f"  outsourced per call         {r(b['outsourced_per_call_annual'], True)}",
        f"  cheapest at mid-range: {b['cheapest_annual']}",
        "Assumptions (not in the seed guides)",
        *(
            f"  {a['label']}: {_value(a['name'], a['value'])} ({a['why']}"
            + (f"; {a['option']})" if a["option"] else ")")
            for a in p["assumptions"]
        ),
    ]
    return "\n".join(lines)


def _aht(s: dict[str, Any]) -> str:
    low, high = s["aht_minutes"]["low"], s["aht_minutes"]["high"]
    if s["aht_measured"]:
        return f"{low:.1f} min measured"
    return f"{low:g}-{high:g} min"


def _quality_lines(q: dict[str, Any]) -> list[str]:
    """The measured quality, in words; nothing when nothing was measured."""
    lines = []
    if q["fcr"] is not None:
        line = f"  one-contact resolution {q['fcr']:.0%} measured (target {q['fcr_target']:.0%})"
        if "repeat_calls_avoidable_per_year" in q:
            line += (
                f": reaching the target would avoid {_range(q['repeat_calls_avoidable_per_year'])}"
                f" repeat calls a year, {_range(q['tier1_fte_freed'], digits=1)} Tier 1 FTE"
            )
        lines.append(line)
    if q["csat"] is not None:
        line = f"  satisfaction (CSAT) {q['csat']:.0%} measured (target {q['csat_target']:.0%})"
        if q["csat_below_target"]:
            line += ": below target, so staff to the top of the range rather than the bottom"
        lines.append(line)
    return ["Measured quality", *lines] if lines else []


def _value(name: object, x: object) -> str:
    if name in ("routine_share", "shrinkage") and isinstance(x, float):
        return f"{x:.0%}"
    return f"{x:,g}" if isinstance(x, (int, float)) else str(x)

"""An outsourced contact centre's month judged against the plan's own targets (pure).

The goals are the vendor's policy pack KPI goals (``kpi/targets.py``: service level, abandon
rate, first-contact resolution, CSAT, QA score), so an outsourced centre is held to what the
plan holds itself to. The pack has no ASA goal: the guide asks for answers "within 20-30
seconds", so ASA warns above the pack's answer time and misses above 30 seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from memberdesk.kpi.targets import goals_of, threshold_of
from memberdesk.sla.packs import KpiGoal, KpiStatus

ASA_CEILING_SECONDS = 30.0
# Measures of a scorecard, in the order shown.
MEASURES = (
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "qa_score",
    "first_contact_resolution",
    "csat",
)


@dataclass(frozen=True, slots=True)
class Judged:
    """One measure of a month: its value, its goal and where it stands."""

    measure: str
    value: float | None
    goal: KpiGoal | None
    status: KpiStatus | None


def goals(pack: str) -> dict[str, KpiGoal]:
    """The goals a scorecard is read against, by measure."""
    found = goals_of(pack)
    within = threshold_of(found)
    found["asa_seconds"] = KpiGoal(
        measure="asa_seconds",
        warn_above=within,
        breach_above=max(ASA_CEILING_SECONDS, within),
    )
    return found


def judge(values: dict[str, float | None], pack: str) -> list[Judged]:
    """Each measure of the month against its goal (no value or no goal: not judged)."""
    by = goals(pack)
    out = []
    for m in MEASURES:
        value, goal = values.get(m), by.get(m)
        status = goal.status(value) if goal is not None and value is not None else None
        out.append(Judged(m, value, goal, status))
    return out

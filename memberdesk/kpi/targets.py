"""Call figures judged against a pack's KPI goals (shared by the command line, API and pages)."""

from __future__ import annotations

from typing import Any

from memberdesk.kpi.formulas import CallTally, figures
from memberdesk.sla.packs import KpiGoal, get_pack

JUDGED = ("service_level", "abandon_rate")
DEFAULT_THRESHOLD = 20.0


def goals_of(pack: str) -> dict[str, KpiGoal]:
    """The pack's KPI goals by measure (``UnknownPackError`` for an unknown pack)."""
    return {t.kpi.measure: t.kpi for t in get_pack(pack).targets.values() if t.kpi}


def threshold_of(goals: dict[str, KpiGoal]) -> float:
    """Seconds within which an answer counts for the service level."""
    goal = goals.get("service_level")
    return (goal.within_seconds if goal else None) or DEFAULT_THRESHOLD


def judged(
    tally: CallTally, goals: dict[str, KpiGoal], *, transfers: bool = True
) -> dict[str, Any]:
    """The tally's figures, and under ``status`` each judged one's standing (ok, warning or
    breach) against its goal; a figure with no value or no goal is not judged. ``transfers``:
    add the transfer figures (known for calls fed live; a call-record file has no column for
    them, so ``kpi calls`` leaves them out)."""
    out = figures(tally)
    if transfers:
        out["transferred"] = tally.transferred
        out["transfer_rate"] = tally.transfer_rate
        out["warm_transfer_share"] = tally.warm_transfer_share
    status: dict[str, str] = {}
    for measure in JUDGED:
        goal, value = goals.get(measure), out[measure]
        if goal is not None and value is not None and goal.has_thresholds:
            found = goal.status(value)
            if found is not None:
                status[measure] = found.value
    out["status"] = status
    return out

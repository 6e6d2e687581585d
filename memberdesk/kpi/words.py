"""Call figures in plain words, shared by the pages, the wallboard and the printed reviews."""

from __future__ import annotations

from memberdesk.sla.packs import KpiGoal

LINES = {"calchoice": "California small-employer plans", "oregon-medicaid": "Oregon Medicaid"}
STANDING = {"ok": "On target", "warning": "Near the limit", "breach": "Misses the target"}


def _pct(x: float) -> str:
    return f"{x:.0%}" if round(x * 100, 6).is_integer() else f"{x:.1%}"


def target_words(goal: KpiGoal | None) -> str:
    """A share's target as a sentence: "target: at least 80%", "target: under 3%", "target:
    at most 5%; above 8% misses it"; empty when there is none."""
    if goal is None or not goal.has_thresholds:
        return ""
    if goal.breach_below is not None:
        bound, warn, bound_word, side = goal.breach_below, goal.warn_below, "more than", "below"
        plain = "at least"
    elif goal.breach_above is not None:
        bound, warn, bound_word, side = goal.breach_above, goal.warn_above, "under", "above"
        plain = "at most"
    else:
        return ""
    if warn is not None:
        return f"target: {plain} {_pct(warn)}; {side} {_pct(bound)} misses it"
    return f"target: {bound_word if goal.breach_at_bound else plain} {_pct(bound)}"


def seconds_words(value: float | None) -> str:
    """18 seconds, 6 min 12 s; a dash when there is nothing to measure."""
    if value is None:
        return "—"
    whole = round(value)
    if whole < 60:
        return f"{whole} second{'s' if whole != 1 else ''}"
    return f"{whole // 60} min {whole % 60} s"


def share_words(value: float | None) -> str:
    """82.4%; a dash when there is nothing to measure."""
    return "—" if value is None else f"{value:.1%}"

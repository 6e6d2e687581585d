"""QaScorecard maths (pure: no database).

A scorecard's items carry weights summing to 100. Each item is scored from 0 to its maximum
(or "not applicable" where the item allows it, e.g. coaching the member before a transfer on a
call that was not transferred). The evaluation's score is the weighted percentage over the
applicable items: sum(weight x score / max) / sum(applicable weights) x 100. Any auto-fail item
scored 0 (identity not verified before disclosure, more than the minimum necessary disclosed)
makes the whole evaluation 0, whatever the rest earned: a privacy failure is never averaged
away.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WEIGHT_TOTAL = 100
GOAL = 90.0  # CalChoice guide: QA scoring averages >= 90%
CORRECTIVE_BELOW = 80.0  # corrective training within 10 business days of a score below 80%


class ScoreError(ValueError):
    """A scorecard or a set of scores breaks a rule; ``field`` names where."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Item:
    """One line of a scorecard as the maths reads it."""

    key: str
    weight: int
    max_score: int = 1
    auto_fail: bool = False
    allow_na: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    """An evaluation's outcome."""

    percent: float
    auto_failed: bool
    failed_items: tuple[str, ...]  # auto-fail items scored 0

    @property
    def below_corrective(self) -> bool:
        """True when the score opens corrective training."""
        return self.percent < CORRECTIVE_BELOW


def check_items(items: Sequence[Item], field: str = "items") -> None:
    """Weights 0-100 summing to exactly 100, keys unique, maxima 1-10."""
    if not items:
        raise ScoreError("a scorecard needs at least one item", field)
    seen: set[str] = set()
    for i, it in enumerate(items):
        if it.key in seen:
            raise ScoreError("each item needs its own key", f"{field}.{i}.key")
        seen.add(it.key)
        if not 0 <= it.weight <= WEIGHT_TOTAL:
            raise ScoreError("a weight is from 0 to 100", f"{field}.{i}.weight")
        if not 1 <= it.max_score <= 10:
            raise ScoreError("an item's maximum score is from 1 to 10", f"{field}.{i}.max_score")
    total = sum(it.weight for it in items)
    if total != WEIGHT_TOTAL:
        raise ScoreError(f"the weights must sum to 100 (they sum to {total})", field)


def score(items: Sequence[Item], scores: Mapping[str, int | None], field: str = "scores") -> Result:
    """The weighted percentage of ``scores`` (item key -> points, None for not applicable)."""
    known = {it.key for it in items}
    for key in scores:
        if key not in known:
            raise ScoreError("an item the scorecard does not have", f"{field}.{key}")
    earned = possible = 0.0
    failed: list[str] = []
    for it in items:
        if it.key not in scores:
            raise ScoreError("every item needs a score", f"{field}.{it.key}")
        value = scores[it.key]
        if value is None:
            if not it.allow_na:
                raise ScoreError("this item cannot be marked not applicable", f"{field}.{it.key}")
            continue
        if not 0 <= value <= it.max_score:
            raise ScoreError(
                f"a score for this item is from 0 to {it.max_score}", f"{field}.{it.key}"
            )
        if it.auto_fail and value == 0:
            failed.append(it.key)
        earned += it.weight * value / it.max_score
        possible += it.weight
    if failed:
        return Result(0.0, True, tuple(failed))
    if possible == 0:
        # Only zero-weight (or not applicable) items: nothing to weigh the call on.
        raise ScoreError("at least one weighted item must apply", field)
    return Result(round(earned / possible * 100, 2), False, ())


@dataclass(frozen=True, slots=True)
class Spread:
    """How far calibration evaluators were apart on one contact."""

    count: int
    mean: float | None
    low: float | None
    high: float | None
    range: float | None  # max - min
    stdev: float | None  # population standard deviation of the evaluators' scores


def spread(values: Sequence[float]) -> Spread:
    """The spread of evaluators' scores (population SD: the session is the whole population)."""
    if not values:
        return Spread(0, None, None, None, None, None)
    lo, hi = min(values), max(values)
    return Spread(
        len(values),
        round(statistics.fmean(values), 2),
        lo,
        hi,
        round(hi - lo, 2),
        round(statistics.pstdev(values), 2),
    )

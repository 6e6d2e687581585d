"""QaScorecard maths (pure): weighted percentages, not-applicable items, auto-fail items that
zero the whole evaluation, the weights' sum and each score's range, the calibration spread."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memberdesk.quality.scoring import Item, ScoreError, check_items, score, spread

CARD = [
    Item("identity", 0, 1, auto_fail=True),
    Item("name", 20, 2),
    Item("accuracy", 50, 2),
    Item("anything_else", 10, 1),
    Item("transfer", 20, 2, allow_na=True),
]


def test_weighted_percentage_with_partial_and_not_applicable_items() -> None:
    full = {"identity": 1, "name": 2, "accuracy": 2, "anything_else": 1, "transfer": 2}
    assert score(CARD, full).percent == 100.0
    # name half (10 of 20), accuracy half (25 of 50), the rest full: 65 of 100.
    assert score(CARD, {**full, "name": 1, "accuracy": 1}).percent == 65.0
    # Transfer not applicable: weighed over the other 80 points; 10 lost of 80 -> 87.5%.
    assert score(CARD, {**full, "transfer": None, "name": 1}).percent == 87.5


def test_a_failed_auto_fail_item_scores_the_evaluation_zero() -> None:
    full = {"identity": 1, "name": 2, "accuracy": 2, "anything_else": 1, "transfer": 2}
    result = score(CARD, {**full, "identity": 0})
    assert result.percent == 0.0 and result.auto_failed and result.failed_items == ("identity",)
    assert result.below_corrective
    assert not score(CARD, full).below_corrective
    assert score(CARD, {**full, "accuracy": 1, "name": 1}).below_corrective  # 65% < 80%


def test_scores_out_of_range_unknown_or_missing_are_refused_naming_the_item() -> None:
    full = {"identity": 1, "name": 2, "accuracy": 2, "anything_else": 1, "transfer": 2}
    for bad, field in (
        ({**full, "name": 3}, "scores.name"),
        ({**full, "name": -1}, "scores.name"),
        ({**full, "accuracy": None}, "scores.accuracy"),  # not applicable is not allowed here
        ({**full, "courtesy": 1}, "scores.courtesy"),
        ({k: v for k, v in full.items() if k != "name"}, "scores.name"),
    ):
        with pytest.raises(ScoreError) as err:
            score(CARD, bad)
        assert err.value.field == field


def test_weights_must_sum_to_100() -> None:
    check_items(CARD)
    with pytest.raises(ScoreError, match="sum to 90") as err:
        check_items([*CARD[:-1], Item("transfer", 10, 2)])
    assert err.value.field == "items"
    with pytest.raises(ScoreError) as dup:
        check_items([*CARD, Item("name", 0)])
    assert dup.value.field == "items.5.key"


def test_calibration_spread() -> None:
    s = spread([80.0, 90.0, 100.0])
    assert (s.count, s.mean, s.low, s.high, s.range) == (3, 90.0, 80.0, 100.0, 20.0)
    assert s.stdev == pytest.approx(8.16, abs=0.01)  # population SD of 80, 90, 100
    assert spread([]).range is None


@given(st.lists(st.integers(0, 2), min_size=3, max_size=3), st.booleans())
def test_any_score_is_a_percentage_and_full_marks_are_100(points: list[int], na: bool) -> None:
    scores = {"identity": 1, "name": points[0], "accuracy": points[1], "anything_else": 1}
    scores["transfer"] = None if na else points[2]
    got = score(CARD, scores).percent
    assert 0 <= got <= 100
    if all(p == 2 for p in points):
        assert got == 100.0

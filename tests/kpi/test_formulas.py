"""The KPI formulas: worked examples, and tallies that add up like a full recount."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memberdesk.kpi.formulas import (
    CallRecord,
    CallTally,
    cahps_composite,
    cahps_item,
    csat,
    nps,
    occupancy,
    tally_calls,
)

T0 = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


def call(
    n: int, *, answered: float | None = None, abandoned: float | None = None, handle=(0, 0, 0)
) -> CallRecord:
    return CallRecord(
        call_id=f"c{n}",
        queue="tier1",
        offered_at=T0,
        answered_at=T0 + timedelta(seconds=answered) if answered is not None else None,
        abandoned_at=T0 + timedelta(seconds=abandoned) if abandoned is not None else None,
        talk_seconds=handle[0],
        hold_seconds=handle[1],
        wrap_seconds=handle[2],
    )


def test_a_worked_period() -> None:
    calls = [
        call(1, answered=20, handle=(300, 30, 60)),  # exactly at the threshold: in time
        call(2, answered=21, handle=(200, 0, 40)),  # one second late
        call(3, abandoned=4.9),  # short abandon: out of both denominators
        call(4, abandoned=5),  # waited 5 s: a real abandon
        call(5),  # neither: still in the denominator, not in time
    ]
    t = tally_calls(calls, threshold=20)
    assert (t.offered, t.answered, t.abandoned, t.short_abandoned) == (5, 2, 2, 1)
    assert t.service_level == pytest.approx(1 / 4)
    assert t.abandon_rate == pytest.approx(1 / 4)
    assert t.asa_seconds == pytest.approx(20.5)
    assert t.aht_seconds == pytest.approx((390 + 240) / 2)


def test_nothing_to_measure_is_none() -> None:
    empty = CallTally()
    assert (empty.service_level, empty.abandon_rate, empty.asa_seconds, empty.aht_seconds) == (
        None,
    ) * 4
    only_short = tally_calls([call(1, abandoned=1)], threshold=20)
    assert only_short.service_level is None and only_short.abandon_rate is None
    assert occupancy(100, 0) is None and csat([]) is None and nps([]) is None


def test_survey_measures() -> None:
    assert csat([5, 4, 3, 1]) == 0.5
    assert nps([10, 9, 8, 7, 0]) == pytest.approx(100 * (2 - 1) / 5)
    assert nps([10] * 3) == 100 and nps([6] * 3) == -100
    assert occupancy(1800, 3600) == 0.5
    with pytest.raises(ValueError, match="from 1 to 5"):
        csat([6])
    with pytest.raises(ValueError, match="from 0 to 10"):
        nps([11])


def test_cahps_items_need_a_hundred_answers() -> None:
    few = cahps_item(["always"] * 99)
    assert not few.reported and few.usually_or_always is None
    help_ = cahps_item(["always"] * 60 + ["usually"] * 20 + ["sometimes"] * 15 + ["never"] * 5)
    courtesy = cahps_item(["Always"] * 90 + ["Usually"] * 10)
    assert help_.reported and help_.usually_or_always == 0.8 and help_.always == 0.6
    assert cahps_composite([help_, courtesy]) == pytest.approx((0.8 + 1.0) / 2)
    assert cahps_composite([help_, few]) is None  # an item reported "NA" leaves no composite
    with pytest.raises(ValueError, match="never, sometimes"):
        cahps_item(["often"])


calls_st = st.lists(
    st.tuples(
        st.sampled_from(["answered", "abandoned", "neither"]),
        st.floats(min_value=0, max_value=600, allow_nan=False),
        st.floats(min_value=0, max_value=3600, allow_nan=False),
    ),
    max_size=60,
)


def _build(spec: list[tuple[str, float, float]]) -> list[CallRecord]:
    out = []
    for i, (kind, wait, handle) in enumerate(spec):
        if kind == "answered":
            out.append(call(i, answered=wait, handle=(handle, 0, 0)))
        elif kind == "abandoned":
            out.append(call(i, abandoned=wait))
        else:
            out.append(call(i))
    return out


@settings(max_examples=150, deadline=None)
@given(calls_st, st.randoms(use_true_random=False))
def test_tallies_add_up_in_any_order_to_the_recount(spec, rnd: random.Random) -> None:
    calls = _build(spec)
    whole = tally_calls(calls, threshold=20)
    shuffled = calls[:]
    rnd.shuffle(shuffled)
    cut = rnd.randint(0, len(shuffled))
    parts = tally_calls(shuffled[:cut], threshold=20) + tally_calls(shuffled[cut:], threshold=20)
    assert (parts.offered, parts.answered, parts.abandoned, parts.short_abandoned) == (
        whole.offered,
        whole.answered,
        whole.abandoned,
        whole.short_abandoned,
    )
    assert parts.answered_within == whole.answered_within
    assert parts.wait_seconds == pytest.approx(whole.wait_seconds)
    # ... and the recount, written out the long way from the definitions.
    answered = [c for c in calls if c.answered_at]
    short = [c for c in calls if c.abandoned_at and (c.abandoned_at - T0).total_seconds() < 5]
    base = len(calls) - len(short)
    in_time = [c for c in answered if (c.answered_at - T0).total_seconds() <= 20]
    expected_sl = len(in_time) / base if base else None
    assert whole.service_level == (pytest.approx(expected_sl) if base else None)

"""Erlang C and Erlang A: known values, an independent numeric check, properties, extremes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from memberdesk.errors import InvalidInput
from memberdesk.wfm import erlang


def test_known_value_erlang_c() -> None:
    got = erlang.staff(100, 180, interval=1800, target=0.8, within=20, shrinkage=0.3)
    assert got.model == "erlang_c"
    assert got.intensity == 10.0
    assert got.agents == 14
    assert got.scheduled == 20
    assert got.service_level >= 0.8
    below = erlang.service_level_for(13, 100, 180, interval=1800, within=20)
    assert below.service_level < 0.8
    assert got.occupancy == pytest.approx(10 / 14)
    assert got.asa_seconds == pytest.approx(got.p_wait * 180 / 4)


def test_erlang_b_recursion_matches_factorial_form_and_gamma_form() -> None:
    a, n = 7.5, 10
    direct = (a**n / math.factorial(n)) / sum(a**k / math.factorial(k) for k in range(n + 1))
    assert erlang.erlang_b(n, a) == pytest.approx(direct, rel=1e-12)
    assert math.exp(erlang.log_erlang_b(n, a)) == pytest.approx(direct, rel=1e-10)
    # and at a size where factorials overflow, the two independent routes still agree
    big = erlang.erlang_b(20_100, 20_000.0)
    assert math.exp(erlang.log_erlang_b(20_100, 20_000.0)) == pytest.approx(big, rel=1e-8)


def _mmn_m_reference(n: int, lam: float, mu: float, theta: float, t: float) -> tuple[float, ...]:
    """M/M/n+M by brute force: stationary birth-death chain and a tagged-caller CTMC (expm)."""
    j_max = 400
    rates = [lam / (min(k, n) * mu + max(k - n, 0) * theta) for k in range(1, n + j_max + 1)]
    logp = np.concatenate([[0.0], np.cumsum(np.log(rates))])
    pi = np.exp(logp - logp.max())
    pi /= pi.sum()
    p_wait = pi[n:].sum()
    # states 0..j_max: callers ahead of the tagged caller; then "answered", "abandoned"
    size = j_max + 3
    q = np.zeros((size, size))
    served, gone = j_max + 1, j_max + 2
    for i in range(j_max + 1):
        down = n * mu + i * theta
        if i == 0:
            q[i, served] = n * mu
        else:
            q[i, i - 1] = down
        q[i, gone] = theta
        q[i, i] = -(n * mu + i * theta + theta)
    p_t = expm(q * t)[: j_max + 1, served]
    p_inf = expm(q * 1e5)[: j_max + 1, gone]
    sl = pi[:n].sum() + float(pi[n : n + j_max + 1] @ p_t)
    p_ab = float(pi[n : n + j_max + 1] @ p_inf)
    return sl, p_wait, p_ab


@pytest.mark.parametrize(
    ("n", "calls", "aht", "patience", "within"),
    [(12, 100, 180, 120, 20), (8, 100, 180, 60, 30), (20, 150, 240, 300, 15), (3, 40, 300, 90, 60)],
)
def test_erlang_a_matches_independent_ctmc(
    n: int, calls: float, aht: float, patience: float, within: float
) -> None:
    got = erlang.erlang_a_metrics(n, calls, aht, 1800, patience, within)
    sl, p_wait, p_ab = _mmn_m_reference(n, calls / 1800, 1 / aht, 1 / patience, within)
    assert float(got.service_level) == pytest.approx(sl, abs=1e-7)
    assert float(got.p_wait) == pytest.approx(p_wait, abs=1e-9)
    assert float(got.p_abandon) == pytest.approx(p_ab, abs=1e-7)


def test_erlang_a_may_staff_below_the_offered_load() -> None:
    got = erlang.staff(1000, 360, interval=1800, target=0.5, within=60, patience=30)
    assert got.model == "erlang_a"
    assert got.agents < got.intensity
    assert got.p_abandon is not None and 0 < got.p_abandon < 1


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    a = erlang.staff(100, 180, interval=1800, target=0.8, within=20, patience=1e9)
    c = erlang.staff(100, 180, interval=1800, target=0.8, within=20)
    assert a.agents == c.agents
    assert a.service_level == pytest.approx(c.service_level, abs=1e-6)


@pytest.mark.parametrize("patience", [None, 120.0])
def test_twenty_thousand_erlangs(patience: float | None) -> None:
    got = erlang.staff(200_000, 180, interval=1800, target=0.8, within=20, patience=patience)
    assert got.intensity == 20_000
    assert 0.8 <= got.service_level < 0.9
    if patience is None:
        assert got.agents > 20_000
        worse = erlang.service_level_for(
            int(got.agents) - 1, 200_000, 180, interval=1800, within=20
        )
        assert worse.service_level < 0.8


def test_hour_long_targets_do_not_collapse() -> None:
    # e-mail: 12 an hour, 20-minute handling, 8-hour target, patience of days; 745/theta*T past
    # where exp() underflows, the service level must still be a number between 0 and 1
    got = erlang.staff(12, 1200, interval=3600, target=0.9, within=8 * 3600, patience=3 * 86400)
    assert 0.9 <= got.service_level <= 1
    assert got.agents >= 4  # 4 Erlangs offered; nearly nobody abandons with days of patience
    small = erlang.erlang_a_metrics(2, 1, 3600, 3600, 60, 3600 * 10)
    assert 0 <= float(small.service_level) <= 1 and np.isfinite(small.asa_seconds).all()


@settings(max_examples=60, deadline=None)
@given(
    calls=st.floats(1, 2000),
    extra=st.floats(0.5, 500),
    aht=st.floats(30, 1200),
    target=st.floats(0.5, 0.95),
    patience=st.one_of(st.none(), st.floats(10, 1000)),
)
def test_more_calls_never_need_fewer_agents(
    calls: float, extra: float, aht: float, target: float, patience: float | None
) -> None:
    kw = {"interval": 1800, "target": target, "within": 20, "patience": patience}
    a = erlang.staff(calls, aht, **kw)
    b = erlang.staff(calls + extra, aht, **kw)
    assert b.agents >= a.agents


@settings(max_examples=60, deadline=None)
@given(
    calls=st.floats(1, 2000),
    aht=st.floats(30, 1200),
    t1=st.floats(0.3, 0.9),
    dt=st.floats(0.001, 0.09),
    patience=st.one_of(st.none(), st.floats(10, 1000)),
)
def test_higher_target_never_needs_fewer_agents(
    calls: float, aht: float, t1: float, dt: float, patience: float | None
) -> None:
    kw = {"interval": 1800, "within": 20, "patience": patience}
    assert (
        erlang.staff(calls, aht, target=t1 + dt, **kw).agents
        >= erlang.staff(calls, aht, target=t1, **kw).agents
    )


@settings(max_examples=40, deadline=None)
@given(calls=st.floats(1, 500), aht=st.floats(60, 900), patience=st.floats(20, 600))
def test_erlang_a_answer_is_the_smallest(calls: float, aht: float, patience: float) -> None:
    got = erlang.staff(calls, aht, interval=1800, target=0.8, within=20, patience=patience)
    assert got.service_level >= 0.8
    if got.agents > 1:
        prev = erlang.service_level_for(
            int(got.agents) - 1, calls, aht, interval=1800, within=20, patience=patience
        )
        assert prev.service_level < 0.8


def test_vectorised_matches_single_and_zero_calls() -> None:
    calls = np.array([0.0, 5, 50, 100, 400])
    many = erlang.staff_intervals(calls, 300.0, interval=1800, target=0.8, within=20)
    for i, c in enumerate(calls):
        one = erlang.staff(float(c), 300.0, interval=1800, target=0.8, within=20)
        assert many.row(i) == one
    assert many.agents[0] == 0 and many.service_level[0] == 1.0


def test_max_occupancy_and_fractional() -> None:
    capped = erlang.staff(100, 180, interval=1800, target=0.5, within=20, max_occupancy=0.7)
    assert capped.occupancy <= 0.7 and capped.agents == 15
    frac = erlang.staff(100, 180, interval=1800, target=0.8, within=20, fractional=True)
    assert 13 < frac.agents <= 14


def test_chat_concurrency() -> None:
    single = erlang.staff(60, 600, interval=1800, target=0.8, within=60)
    chat = erlang.chat_staff(60, 600, concurrency=3, interval=1800, target=0.8, within=60)
    assert chat.agents == math.ceil(single.agents / 3)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"calls": -1}, "calls"),
        ({"aht": 0}, "aht"),
        ({"target": 1.0}, "target"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"max_occupancy": 0}, "max_occupancy"),
        ({"patience": -5}, "patience"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, float], field: str) -> None:
    args = {"calls": 10.0, "aht": 180.0, "interval": 1800.0, "target": 0.8, "within": 20.0}
    args.update(kwargs)
    calls, aht = args.pop("calls"), args.pop("aht")
    with pytest.raises(InvalidInput) as err:
        erlang.staff(calls, aht, **args)  # type: ignore[arg-type]
    assert err.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"calls": 100, "aht": 0.5}, "aht"),
        ({"calls": 100, "aht": 420, "interval": 0.5}, "interval"),
        ({"calls": 100, "aht": 420, "patience": 0.5}, "patience"),
        ({"calls": 100, "aht": 420, "within": 4e7}, "within"),
        ({"calls": 1e7, "aht": 420}, "calls"),  # beyond 100,000 Erlangs
        ({"calls": 100, "aht": 420, "max_occupancy": 1e-5}, "max_occupancy"),
        ({"calls": 4e6, "aht": 30, "patience": 3e7}, "patience"),  # nobody would hang up
    ],
)
def test_inputs_that_would_run_for_minutes_are_refused(kwargs: dict, field: str) -> None:
    opts = {"interval": 1800.0, "target": 0.8, "within": 20.0, **kwargs}
    with pytest.raises(InvalidInput) as err:
        erlang.staff(opts.pop("calls"), opts.pop("aht"), **opts)
    assert err.value.field == field


@settings(max_examples=300, deadline=None)
@given(
    calls=st.floats(0, 5_000),
    aht=st.floats(1, 3_600),
    interval=st.sampled_from([900.0, 1800.0, 3600.0]),
    target=st.floats(0.05, 0.99),
    within=st.floats(0, 600),
    max_occupancy=st.floats(0.5, 1.0),
    shrinkage=st.floats(0, 0.6),
)
def test_one_interval_in_plain_floats_matches_the_arrays(
    calls: float,
    aht: float,
    interval: float,
    target: float,
    within: float,
    max_occupancy: float,
    shrinkage: float,
) -> None:
    from memberdesk.wfm.erlang_c import staff_one

    opts = {
        "interval": interval,
        "target": target,
        "within": within,
        "max_occupancy": max_occupancy,
        "shrinkage": shrinkage,
    }
    try:
        want = erlang.staff(calls, aht, **opts).as_dict()
    except InvalidInput as exc:
        with pytest.raises(InvalidInput) as err:
            staff_one(calls, aht, **opts)
        assert err.value.field == exc.field and err.value.message == exc.message
        return
    got = staff_one(calls, aht, **opts)
    assert set(got) == set(want)
    assert (got["agents"], got["scheduled"], got["model"]) == (
        want["agents"],
        want["scheduled"],
        want["model"],
    )
    for key in ("intensity", "service_level", "asa_seconds", "occupancy", "p_wait"):
        assert got[key] == pytest.approx(want[key], rel=1e-12, abs=1e-15), key


@pytest.mark.parametrize(
    "kwargs",
    [
        {"calls": -1.0, "aht": 420.0},
        {"calls": math.nan, "aht": 420.0},
        {"calls": 10.0, "aht": 0.5},
        {"calls": 10.0, "aht": 420.0, "target": 1.0},
        {"calls": 10.0, "aht": 420.0, "within": -1.0},
        {"calls": 10.0, "aht": 420.0, "shrinkage": 1.0},
        {"calls": 10.0, "aht": 420.0, "max_occupancy": 0.0},
        {"calls": 1e7, "aht": 420.0},
    ],
)
def test_both_paths_refuse_alike(kwargs: dict) -> None:
    from memberdesk.wfm.erlang_c import staff_one

    opts = {"interval": 1800.0, "target": 0.8, "within": 20.0, **kwargs}
    calls, aht = opts.pop("calls"), opts.pop("aht")
    with pytest.raises(InvalidInput) as arrays:
        erlang.staff(calls, aht, **opts)
    with pytest.raises(InvalidInput) as floats:
        staff_one(calls, aht, **opts)
    assert (arrays.value.field, arrays.value.message) == (floats.value.field, floats.value.message)

"""The simulator against Erlang A/C formulas, with skills, schedules and determinism."""

from __future__ import annotations

import numpy as np
import pytest

from memberdesk.errors import InvalidInput
from memberdesk.wfm import simulate as sim
from memberdesk.wfm.erlang import service_level_for


def _inside(est: sim.Estimate, value: float) -> bool:
    return float(est.low) <= value <= float(est.high)


def test_agrees_with_erlang_a_within_its_confidence_interval() -> None:
    sc = sim.single_queue(np.full(48, 100.0), 180.0, 12, patience_seconds=120.0)
    res = sim.simulate(sc, replications=40, seed=3)
    ref = service_level_for(12, 100, 180, interval=1800, within=20, patience=120)
    assert _inside(res.total_service_level, ref.service_level)
    assert ref.p_abandon is not None and _inside(res.total_abandon_rate, ref.p_abandon)
    assert _inside(res.total_asa_seconds, ref.asa_seconds)


def test_agrees_with_erlang_c_without_abandonment() -> None:
    sc = sim.single_queue(np.full(48, 100.0), 180.0, 14)
    res = sim.simulate(sc, replications=40, seed=5)
    ref = service_level_for(14, 100, 180, interval=1800, within=20)
    assert _inside(res.total_service_level, ref.service_level)
    assert float(res.total_abandon_rate.mean) == 0.0


def test_separate_language_teams_behave_as_separate_queues() -> None:
    n = 48
    sc = sim.Scenario(
        interval_seconds=1800.0,
        skills=("en", "es"),
        calls=np.column_stack([np.full(n, 100.0), np.full(n, 30.0)]),
        aht_seconds=np.full((n, 2), 180.0),
        groups=(
            sim.AgentGroup("english", ("en",), (12,) * n),
            sim.AgentGroup("spanish", ("es",), (5,) * n),
        ),
        staff_step_seconds=1800.0,
        patience_seconds=(120.0, 120.0),
    )
    res = sim.simulate(sc, replications=40, seed=9)
    for skill, calls, agents in (("en", 100, 12), ("es", 30, 5)):
        ref = service_level_for(agents, calls, 180, interval=1800, within=20, patience=120)
        assert res.by_skill[skill]["service_level"] == pytest.approx(ref.service_level, abs=0.02)


def test_bilingual_agents_help_both_queues() -> None:
    n = 16

    def run(groups: tuple[sim.AgentGroup, ...]) -> sim.SimulationResult:
        sc = sim.Scenario(
            interval_seconds=1800.0,
            skills=("en", "es"),
            calls=np.column_stack([np.full(n, 60.0), np.full(n, 15.0)]),
            aht_seconds=np.full((n, 2), 300.0),
            groups=groups,
            staff_step_seconds=1800.0,
            patience_seconds=(90.0, 90.0),
        )
        return sim.simulate(sc, replications=30, seed=2)

    split = run((sim.AgentGroup("en", ("en",), (10,) * n), sim.AgentGroup("es", ("es",), (3,) * n)))
    pooled = run(
        (sim.AgentGroup("en", ("en",), (10,) * n), sim.AgentGroup("bi", ("en", "es"), (3,) * n))
    )
    assert pooled.by_skill["en"]["service_level"] > split.by_skill["en"]["service_level"]


def test_schedule_changes_staffing_mid_day_and_nobody_left_means_abandonment() -> None:
    agents = [12] * 4 + [0] * 4
    sc = sim.single_queue(np.full(8, 100.0), 180.0, agents, patience_seconds=120.0)
    res = sim.simulate(sc, replications=10, seed=1)
    assert float(res.service_level.mean[1]) > 0.7
    assert float(res.service_level.mean[6]) == 0.0
    assert float(res.abandon_rate.mean[6]) == 1.0


def test_deterministic_for_a_seed() -> None:
    sc = sim.single_queue(np.full(4, 50.0), 200.0, 8, patience_seconds=60.0)
    a = sim.simulate(sc, replications=3, seed=11)
    b = sim.simulate(sc, replications=3, seed=11)
    assert np.array_equal(a.service_level.mean, b.service_level.mean)
    assert a.calls_simulated == b.calls_simulated


def test_lognormal_service_and_patience_run() -> None:
    base = sim.single_queue(np.full(8, 80.0), 240.0, 12, patience_seconds=100.0)
    sc = sim.Scenario(
        **{
            **base.__dict__,
            "service": sim.Distribution.LOGNORMAL,
            "patience": sim.Distribution.LOGNORMAL,
            "service_cv": 0.6,
        }
    )
    res = sim.simulate(sc, replications=5)
    assert 0 < float(res.total_service_level.mean) <= 1


def test_invalid_scenarios_name_the_part() -> None:
    sc = sim.single_queue(np.full(4, 50.0), 200.0, 8)
    with pytest.raises(InvalidInput) as err:
        sim.simulate(sc, replications=1)
    assert err.value.field == "replications"
    bad = sim.Scenario(**{**sc.__dict__, "groups": (sim.AgentGroup("x", ("fr",), (1,) * 4),)})
    with pytest.raises(InvalidInput) as err:
        sim.simulate(bad)
    assert err.value.field == "skills"


def test_intervals_of_proportions_stay_inside_0_1() -> None:
    # A well-staffed queue: service level near 100% in every replication. Student-t intervals
    # ran past 100% ("[96.5%, 100.1%]"); Wilson's stay inside and keep the mean inside them.
    sc = sim.single_queue(np.full(16, 20.0), 180.0, 8, patience_seconds=120.0)
    res = sim.simulate(sc, replications=30, seed=4)
    for est in (res.service_level, res.abandon_rate):
        assert np.all(est.low >= 0.0) and np.all(est.high <= 1.0)
        assert np.all(est.low <= est.mean + 1e-12) and np.all(est.mean <= est.high + 1e-12)
    assert float(res.service_level.mean.min()) > 0.9
    # Every replication at exactly 100%: a real interval below 1, not a zero-width one.
    all_in = sim._proportion(np.ones((10, 1)), np.full((10, 1), 50.0), 0.95)
    assert float(all_in.high[0]) == 1.0 and 0.98 < float(all_in.low[0]) < 1.0
    # Intervals with no calls in any replication have no interval at all.
    empty = sim._proportion(np.full((5, 1), np.nan), np.zeros((5, 1)), 0.95)
    assert np.isnan(empty.low[0]) and np.isnan(empty.high[0])


def test_warm_up_is_paid_once() -> None:
    sim.warm_up()
    assert sim.warm_up() == 0.0

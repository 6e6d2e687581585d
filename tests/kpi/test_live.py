"""Live events folded into calls and agent time: worked examples, and the property that matters
most: the rollups built event by event, in any order and with duplicates, equal a recount from
the final calls (and agents' time equals a recount from all their events)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from memberdesk.kpi.formulas import CallTally, add_tallies
from memberdesk.kpi.live import (
    AgentEvent,
    CallEvent,
    CallState,
    Event,
    Seconds,
    add_seconds,
    agent_time,
    contribution,
    correction,
    fold_call,
    insertion,
)

T0 = datetime(2026, 12, 1, 17, 20, tzinfo=UTC)


def ev(key: str, kind: CallEvent | AgentEvent, s: float, **kw: object) -> Event:
    return Event(key=key, kind=kind, at=T0 + timedelta(seconds=s), **kw)  # type: ignore[arg-type]


def answered_call(call_id: str = "c1") -> list[Event]:
    return [
        ev(f"{call_id}-1", CallEvent.OFFERED, 0, call_id=call_id, queue="tier1"),
        ev(f"{call_id}-2", CallEvent.ANSWERED, 12, call_id=call_id, agent_id="a1", member_id="M1"),
        ev(f"{call_id}-3", CallEvent.HELD, 100, call_id=call_id),
        ev(f"{call_id}-4", CallEvent.RESUMED, 160, call_id=call_id),
        ev(f"{call_id}-5", CallEvent.TRANSFERRED, 200, call_id=call_id, warm=True),
        ev(f"{call_id}-6", CallEvent.ENDED, 312, call_id=call_id, wrap_seconds=45),
    ]


def test_a_call_folded_from_its_events() -> None:
    call = fold_call("c1", answered_call())
    assert call.state is CallState.ENDED and call.queue == "tier1" and call.agent_id == "a1"
    assert (call.talk_seconds, call.hold_seconds, call.wrap_seconds) == (240, 60, 45)
    assert (call.transfers, call.warm_transfers, call.member_id) == (1, 1, "M1")
    assert fold_call("c1", reversed(answered_call())) == call  # order of arrival does not matter
    assert fold_call("c1", answered_call() + answered_call()) == call  # nor duplicates


def test_after_call_work_runs_to_the_last_end_unless_given() -> None:
    """TaskRouter ends a call twice: at wrap-up, then when the task completes."""
    events = [*answered_call()[:2], ev("w", CallEvent.ENDED, 312, call_id="c1")]
    completed = ev("d", CallEvent.ENDED, 361, call_id="c1")
    call = fold_call("c1", [completed, *events])
    assert (call.talk_seconds, call.wrap_seconds) == (300, 49)
    assert fold_call("c1", [*answered_call(), completed]).wrap_seconds == 45  # as reported
    late_hold = ev("h", CallEvent.HELD, 330, call_id="c1")  # after the end: not a hold
    assert fold_call("c1", [*events, completed, late_hold]).hold_seconds == 0


def test_states_along_the_way() -> None:
    events = answered_call()
    assert fold_call("c1", events[1:2]).state is CallState.UNKNOWN  # answered, offer not seen yet
    assert fold_call("c1", events[:1]).state is CallState.WAITING
    assert fold_call("c1", events[:2]).state is CallState.TALKING
    assert fold_call("c1", events[:3]).state is CallState.ON_HOLD
    gone = [events[0], ev("x", CallEvent.ABANDONED, 3, call_id="c1")]
    assert fold_call("c1", gone).state is CallState.ABANDONED
    lost = [events[0], ev("y", CallEvent.ENDED, 90, call_id="c1")]
    assert fold_call("c1", lost).state is CallState.LOST


def test_a_waiting_call_does_not_count_until_its_wait_ends() -> None:
    waiting = fold_call("c1", answered_call()[:1])
    assert contribution(waiting, 20) is None
    talking = contribution(fold_call("c1", answered_call()[:2]), 20)
    assert talking is not None
    (queue, agent, slot), tally = talking
    assert (queue, agent, slot) == ("tier1", "a1", datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
    assert (tally.offered, tally.answered, tally.answered_within) == (1, 1, 1)
    assert tally.handle_seconds == 0  # counted again, with its handle time, when it ends


def test_an_agents_time_by_state() -> None:
    events = [
        ev("1", AgentEvent.LOGGED_IN, 0, agent_id="a1"),
        ev("2", AgentEvent.READY, 60, agent_id="a1"),
        ev("3", AgentEvent.BREAK, 660, agent_id="a1"),  # 17:31: crosses the half hour
        ev("4", AgentEvent.LOGGED_OUT, 1560, agent_id="a1"),
        ev("5", AgentEvent.READY, 9000, agent_id="a1"),  # still open: not counted yet
    ]
    h1, h2 = datetime(2026, 12, 1, 17, 0, tzinfo=UTC), datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
    assert agent_time(events) == {
        (h1, "logged_in"): 60,
        (h1, "ready"): 540,
        (h2, "ready"): 60,
        (h2, "break"): 900,
    }


# The property ------------------------------------------------------------------------------

CALL_KINDS = list(CallEvent)


@st.composite
def call_events(draw: st.DrawFn) -> list[Event]:
    out = []
    for c in range(draw(st.integers(1, 6))):
        for k in range(draw(st.integers(1, 7))):
            kind = draw(st.sampled_from(CALL_KINDS))
            out.append(
                ev(
                    f"c{c}-{k}",
                    kind,
                    draw(st.integers(0, 4000)),
                    call_id=f"c{c}",
                    queue=draw(st.sampled_from(["tier1", "billing"])),
                    agent_id=draw(st.sampled_from(["a1", "a2"])),
                    warm=draw(st.booleans()),
                    wrap_seconds=draw(st.sampled_from([None, 0, 30.5])),
                )
            )
    return out


def arrival(draw: st.DrawFn, events: list[Event]) -> list[Event]:
    """The events in some order, some of them twice."""
    twice = draw(st.lists(st.sampled_from(events), max_size=len(events)))
    return draw(st.permutations(events + twice))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_call_rollups_in_any_order_equal_a_recount(data: st.DataObject) -> None:
    events = data.draw(call_events())
    rollups: dict = {}  # type: ignore[type-arg]
    seen: dict[str, list[Event]] = {}
    for e in arrival(data.draw, events):
        assert e.call_id is not None
        before = contribution(fold_call(e.call_id, seen.get(e.call_id, [])), 20)
        seen.setdefault(e.call_id, []).append(e)
        add_tallies(
            rollups, correction(before, contribution(fold_call(e.call_id, seen[e.call_id]), 20))
        )
    recount: dict = {}  # type: ignore[type-arg]
    for call_id in {e.call_id for e in events}:
        mine = [e for e in events if e.call_id == call_id]
        final = contribution(fold_call(str(call_id), mine), 20)
        if final is not None:
            add_tallies(recount, {final[0]: final[1]})
    got = {k: t for k, t in rollups.items() if not t.is_zero()}
    assert got.keys() == recount.keys()
    for key, tally in recount.items():
        assert (got[key] + -tally).is_zero(), (key, got[key], tally)
    assert all(isinstance(t, CallTally) for t in got.values())


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_agent_time_in_any_order_equals_a_recount(data: st.DataObject) -> None:
    kinds = list(AgentEvent)
    when = st.integers(0, 7200)
    events = [
        ev(f"e{i}", data.draw(st.sampled_from(kinds)), data.draw(when), agent_id="a")
        for i in range(data.draw(st.integers(1, 12)))
    ]
    placed: list[Event] = []
    total: Seconds = {}
    for e in arrival(data.draw, events):
        if any(p.key == e.key for p in placed):
            continue  # a duplicate: stored once, placed once
        earlier = [p for p in placed if p.order() < e.order()]
        later = [p for p in placed if p.order() > e.order()]
        before = max(earlier, key=Event.order) if earlier else None
        after = min(later, key=Event.order) if later else None
        add_seconds(total, insertion(e, before, after))
        placed.append(e)
    want = agent_time(events)
    got = {k: v for k, v in total.items() if abs(v) > 1e-6}
    assert got.keys() == want.keys()
    for key, seconds in want.items():
        assert abs(got[key] - seconds) < 1e-6

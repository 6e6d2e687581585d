"""One-contact resolution: the pure core's properties (hypothesis), and the scenario through the
app on each database: a repeat on the same reason within 7 days undoes a resolution; a repeat
on day 8 or on another reason does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import AuditAction
from memberdesk.contacts import fcr
from memberdesk.contacts.enums import Reason
from tests import factories as f
from tests.contacts.helpers import audited

PACIFIC = ZoneInfo("America/Los_Angeles")
T0 = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)  # Monday 09:00 Pacific
REASONS = [r.value for r in Reason]


def fact(
    i: int,
    member: int | None,
    at: datetime,
    reasons: set[str],
    resolved: bool = True,
    inbound: bool = True,
) -> fcr.ContactFact:
    return fcr.ContactFact(i, member, at, frozenset(reasons), resolved, inbound)


def judge(
    c: fcr.ContactFact, others: list[fcr.ContactFact], now: datetime, window: int = 7
) -> bool | None:
    return fcr.outcome(c, others, window_days=window, now=now, tz=PACIFIC)


LATER = T0 + timedelta(days=30)


def test_the_examples() -> None:
    first = fact(1, 7, T0, {"billing"})
    day5 = fact(2, 7, T0 + timedelta(days=5), {"billing"})
    day7_late = fact(3, 7, T0 + timedelta(days=7, hours=14), {"billing"})  # 23:00 local, day 7
    day8 = fact(4, 7, T0 + timedelta(days=8), {"billing"})
    other = fact(5, 7, T0 + timedelta(days=2), {"claims"})
    someone_else = fact(6, 8, T0 + timedelta(days=1), {"billing"})
    outbound = fact(7, 7, T0 + timedelta(days=1), {"billing"}, inbound=False)
    assert judge(first, [day5], LATER) is False
    assert judge(first, [day7_late], LATER) is False  # calendar days: all of day 7 counts
    assert judge(first, [day8], LATER) is True
    assert judge(first, [other, someone_else, outbound], LATER) is True
    assert judge(first, [], T0 + timedelta(days=3)) is None  # window still open
    assert judge(first, [day5], T0 + timedelta(days=6)) is False  # decided early by a repeat
    assert judge(fact(9, 7, T0, {"billing"}, resolved=False), [], LATER) is False


moments = st.integers(min_value=0, max_value=40 * 24 * 60).map(lambda m: T0 + timedelta(minutes=m))
reason_sets = st.sets(st.sampled_from(REASONS), min_size=1, max_size=3)
contacts = st.builds(
    fact,
    st.integers(min_value=1, max_value=10_000),
    st.sampled_from([1, 2, None]),
    moments,
    reason_sets,
    st.booleans(),
    st.booleans(),
)


@given(contacts, st.lists(contacts, max_size=8), moments, st.integers(min_value=1, max_value=30))
def test_properties(
    c: fcr.ContactFact, others: list[fcr.ContactFact], now: datetime, window: int
) -> None:
    result = judge(c, others, now, window)
    if not c.resolved:
        assert result is False
    # Pending only while the window is open.
    if result is None:
        assert now.astimezone(PACIFIC).date() <= fcr.window_closes(c, window, PACIFIC)
    # Contacts of other members, on other reasons or earlier never count against it.
    unrelated = [
        o
        for o in others
        if o.member_id != c.member_id or not (o.reasons & c.reasons) or o.started_at < c.started_at
    ]
    assert judge(c, unrelated, now, window) == (
        False if not c.resolved else judge(c, [], now, window)
    )
    # More contacts never turn a failure into a success.
    if result is False:
        assert judge(c, [*others, *others], now, window) is False
    # Once the window has closed, the answer is decided.
    after = max(now, c.started_at) + timedelta(days=window + 2)
    assert judge(c, others, after, window) is not None


@given(st.lists(contacts, max_size=12), moments, st.integers(min_value=1, max_value=14))
def test_tally_adds_up(cs: list[fcr.ContactFact], now: datetime, window: int) -> None:
    t = fcr.tally(cs, cs, window_days=window, now=now, tz=PACIFIC)
    assert t.contacts == len(cs) == t.resolved + t.not_resolved + t.pending
    assert t.resolved <= t.marked_resolved
    assert t.rate is None or 0 <= t.rate <= 1


def _call(client, member_id: int, when: datetime, reason: str, resolved: bool = True) -> int:  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/contacts",
        json={
            "member_id": member_id,
            "channel": "phone",
            "direction": "inbound",
            "reasons": [reason],
            "started_at": when.isoformat(),
            "ended_at": (when + timedelta(minutes=8)).isoformat(),
            "resolved": resolved,
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_scenario_repeat_on_day_5_day_8_and_another_reason(client, db: Session) -> None:
    a, b, c = f.member(db), f.member(db), f.member(db)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        first_a = _call(client, a.id, T0, "billing")
        first_b = _call(client, b.id, T0, "billing")
        first_c = _call(client, c.id, T0, "billing")
        # The plan writing to a member is not a contact to resolve: not counted in the rate.
        letter = {"member_id": a.id, "channel": "letter", "direction": "outbound"}
        r = client.post(
            "/api/contacts",
            json={
                **letter,
                "reasons": ["billing"],
                "started_at": (T0 + timedelta(hours=1)).isoformat(),
            },
        )
        assert r.status_code == 201, r.text
        assert client.get(f"/api/contacts/{first_a}").json()["first_contact_resolution"] is None
    with time_machine.travel(T0 + timedelta(days=9), tick=False):
        _call(client, a.id, T0 + timedelta(days=5), "billing", resolved=False)
        _call(client, b.id, T0 + timedelta(days=8), "billing")
        _call(client, c.id, T0 + timedelta(days=5), "claims")
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        fcr_of = {
            cid: client.get(f"/api/contacts/{cid}").json()["first_contact_resolution"]
            for cid in (first_a, first_b, first_c)
        }
        assert fcr_of == {first_a: False, first_b: True, first_c: True}
        r = client.get(
            "/api/contacts/fcr",
            params={"start": "2026-11-02T00:00:00-08:00", "end": "2026-11-03T00:00:00-08:00"},
        )
        assert r.status_code == 200, r.text
        got = r.json()
        assert (got["contacts"], got["marked_resolved"], got["resolved"]) == (3, 3, 2)
        assert (got["not_resolved"], got["pending"], got["window_days"]) == (1, 0, 7)
        assert abs(got["rate"] - 2 / 3) < 1e-9
        assert audited(db, AuditAction.FCR_REPORT)


def test_window_is_configurable(client, app, db: Session) -> None:
    app.state.settings = app.state.settings.model_copy(update={"fcr_window_days": 3})
    a = f.member(db)
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        first = _call(client, a.id, T0, "eligibility")
        _call(client, a.id, T0 + timedelta(days=5), "eligibility")
        assert client.get(f"/api/contacts/{first}").json()["first_contact_resolution"] is True


def test_fcr_period_bad_input(client) -> None:
    for params, loc in [
        ({"start": "2026-11-02T00:00:00", "end": "2026-11-03T00:00:00Z"}, ["query", "start"]),
        ({"start": "2026-11-02T00:00:00Z", "end": "2026-11-01T00:00:00Z"}, ["query", "end"]),
        ({"start": "2026-11-02T00:00:00Z"}, ["query", "end"]),
        ({"start": "1066-11-02T00:00:00Z", "end": "2026-11-01T00:00:00Z"}, ["query", "start"]),
    ]:
        r = client.get("/api/contacts/fcr", params=params)
        assert r.status_code == 422, (params, r.text)
        assert loc in [d["loc"] for d in r.json()["detail"]]

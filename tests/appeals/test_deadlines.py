"""Deadlines of every pack and kind through the real app (``POST /api/appeals``), worked by hand
from the clock contracts: standard, expedited and extended; received after close, on a holiday
and across the daylight-saving changes. Time is moved with time_machine."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine

from memberdesk.compliance.enums import Role
from tests.appeals.conftest import clock, receive

EXTEND = {"reason": "Specialist records still awaited", "requested_by": "plan"}


def extend(client: Any, appeal: dict[str, Any]) -> dict[str, Any]:
    r = client.post(
        f"/api/appeals/{appeal['id']}/extension", json={**EXTEND, "notice_method": "letter"}
    )
    assert r.status_code == 201, r.text
    return dict(client.get(f"/api/appeals/{appeal['id']}").json())


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def analyst(login: Any) -> Any:
    """A Tier 3 analyst signed in at the travelled time (API tokens expire after 90 days)."""
    return login(Role.TIER3_APPEALS, team="Team C").client


# calchoice on california-state: acknowledgement business_days 2, resolution calendar_days 30,
# expedited clock_hours 72.
CALCHOICE = [
    # A Tuesday morning: d0 is that day; two working days on; thirty days to the day.
    ("2026-12-08T09:00:00-08:00", "2026-12-10T17:00:00-08:00", "2027-01-07T23:59:59-08:00"),
    # After close the day before Thanksgiving: Thursday and Friday are closed (the day after
    # Thanksgiving is a California holiday), the weekend too; calendar days count them all.
    ("2026-11-25T18:00:00-08:00", "2026-12-02T17:00:00-08:00", "2026-12-25T23:59:59-08:00"),
    # On Thanksgiving itself.
    ("2026-11-26T10:00:00-08:00", "2026-12-02T17:00:00-08:00", "2026-12-26T23:59:59-08:00"),
    # On a Saturday: counted from Monday.
    ("2026-12-12T11:00:00-08:00", "2026-12-16T17:00:00-08:00", "2027-01-11T23:59:59-08:00"),
    # Across the autumn change: received in daylight time, resolved in standard time.
    ("2026-10-20T10:00:00-07:00", "2026-10-22T17:00:00-07:00", "2026-11-19T23:59:59-08:00"),
]


@pytest.mark.parametrize(("received", "ack", "resolution"), CALCHOICE)
def test_calchoice_standard(login, member, received: str, ack: str, resolution: str) -> None:
    with time_machine.travel(at(received) + timedelta(minutes=5), tick=False):
        client = analyst(login)
        a = receive(client, member.id, received)
    assert a["pack"] == "calchoice"
    assert clock(a, "appeal_ack")["due_at"] == ack
    assert clock(a, "appeal_resolution")["due_at"] == resolution


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-12-08T09:00:00-08:00", "2026-12-11T09:00:00-08:00"),
        # 72 hours of real time over the autumn change: one hour more on the wall clock.
        ("2026-10-31T12:00:00-07:00", "2026-11-03T11:00:00-08:00"),
        # ... and over the spring change: one hour less.
        ("2027-03-12T10:00:00-08:00", "2027-03-15T11:00:00-07:00"),
        # Holidays and nights count on an hour clock.
        ("2026-12-24T22:00:00-08:00", "2026-12-27T22:00:00-08:00"),
    ],
)
def test_calchoice_expedited(login, member, received: str, due: str) -> None:
    with time_machine.travel(at(received) + timedelta(minutes=5), tick=False):
        client = analyst(login)
        a = receive(client, member.id, received, kind="grievance", urgency="expedited")
    assert [c["target"] for c in a["clocks"]] == ["appeal_expedited"]
    assert clock(a, "appeal_expedited")["due_at"] == due


def test_calchoice_allows_no_extension(login, member) -> None:
    with time_machine.travel(at("2026-12-08T10:00:00-08:00"), tick=False):
        client = analyst(login)
        a = receive(client, member.id, "2026-12-08T09:00:00-08:00")
        r = client.post(
            f"/api/appeals/{a['id']}/extension", json={**EXTEND, "notice_method": "letter"}
        )
        assert r.status_code == 409
        assert r.json()["detail"][0]["loc"] == ["path", "appeal_id"]
        assert "gives no extension" in r.json()["detail"][0]["msg"]
        assert client.get(f"/api/appeals/{a['id']}").json()["clocks"] == a["clocks"]


# oregon-medicaid on oregon-state: grievance decision business_days 5, resolution calendar_days
# 30; appeal calendar_days 16 (+14); expedited clock_hours 72 (+336).
OREGON_GRIEVANCE = [
    ("2026-12-08T09:00:00-08:00", "2026-12-15T17:00:00-08:00", "2027-01-07T23:59:59-08:00"),
    # After close before Thanksgiving: Oregon is closed Thursday but open the Friday after.
    ("2026-11-25T18:00:00-08:00", "2026-12-04T17:00:00-08:00", "2026-12-25T23:59:59-08:00"),
    # After close before Juneteenth (an Oregon legal holiday, a Friday in 2026).
    ("2026-06-18T18:00:00-07:00", "2026-06-29T17:00:00-07:00", "2026-07-18T23:59:59-07:00"),
    # July 4 2026 is a Saturday: Oregon closes the Friday before (California would not).
    ("2026-07-02T10:00:00-07:00", "2026-07-10T17:00:00-07:00", "2026-08-01T23:59:59-07:00"),
]


@pytest.mark.parametrize(("received", "decision", "resolution"), OREGON_GRIEVANCE)
def test_oregon_grievance(
    login, oregon_member, received: str, decision: str, resolution: str
) -> None:
    with time_machine.travel(at(received) + timedelta(minutes=5), tick=False):
        client = analyst(login)
        g = receive(client, oregon_member.id, received, kind="grievance", channel="oral")
        r = client.post(
            f"/api/appeals/{g['id']}/extension", json={**EXTEND, "notice_method": "oral"}
        )
    assert g["pack"] == "oregon-medicaid"
    assert clock(g, "grievance_decision")["due_at"] == decision
    assert clock(g, "grievance_resolution")["due_at"] == resolution
    assert r.status_code == 409 and "gives no extension" in r.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("received", "due", "extended"),
    [
        ("2026-12-08T09:00:00-08:00", "2026-12-24T23:59:59-08:00", "2027-01-07T23:59:59-08:00"),
        # Received on Christmas Day: calendar days count holidays.
        ("2026-12-25T10:00:00-08:00", "2027-01-10T23:59:59-08:00", "2027-01-24T23:59:59-08:00"),
        # Across the spring change.
        ("2027-03-01T10:00:00-08:00", "2027-03-17T23:59:59-07:00", "2027-03-31T23:59:59-07:00"),
    ],
)
def test_oregon_standard_appeal_and_its_extension(
    login, oregon_member, received: str, due: str, extended: str
) -> None:
    with time_machine.travel(at(received) + timedelta(hours=1), tick=False):
        client = analyst(login)
        a = receive(client, oregon_member.id, received)
        assert [c["target"] for c in a["clocks"]] == ["appeal_resolution"]
        assert clock(a, "appeal_resolution")["due_at"] == due
        after = extend(client, a)
    c = clock(after, "appeal_resolution")
    assert c["due_at"] == extended and c["extended"] is True
    assert after["extension"]["amount"] == 14 and after["extension"]["unit"] == "days"


@pytest.mark.parametrize(
    ("received", "due", "extended"),
    [
        ("2026-12-08T09:00:00-08:00", "2026-12-11T09:00:00-08:00", "2026-12-25T09:00:00-08:00"),
        # Over the autumn change (the deadline) and on into standard time (the extension).
        ("2026-10-31T12:00:00-07:00", "2026-11-03T11:00:00-08:00", "2026-11-17T11:00:00-08:00"),
        # The extension runs over the spring change: 336 real hours, one less on the wall.
        ("2027-03-01T10:00:00-08:00", "2027-03-04T10:00:00-08:00", "2027-03-18T11:00:00-07:00"),
    ],
)
def test_oregon_expedited_appeal_and_its_extension(
    login, oregon_member, received: str, due: str, extended: str
) -> None:
    with time_machine.travel(at(received) + timedelta(hours=1), tick=False):
        client = analyst(login)
        a = receive(client, oregon_member.id, received, urgency="expedited")
        assert clock(a, "appeal_expedited")["due_at"] == due
        after = extend(client, a)
    assert clock(after, "appeal_expedited")["due_at"] == extended
    assert after["extension"]["unit"] == "hours" and after["extension"]["amount"] == 336


def test_oregon_one_extension_only_and_never_after_the_deadline(login, oregon_member) -> None:
    received = "2026-12-08T09:00:00-08:00"
    with time_machine.travel(at(received) + timedelta(days=1), tick=False) as traveller:
        client = analyst(login)
        a = receive(client, oregon_member.id, received)
        first = extend(client, a)
        second = client.post(
            f"/api/appeals/{a['id']}/extension", json={**EXTEND, "notice_method": "letter"}
        )
        assert second.status_code == 409
        assert "already extended on 2026-12-09" in second.json()["detail"][0]["msg"]
        assert client.get(f"/api/appeals/{a['id']}").json()["clocks"] == first["clocks"]
        late = receive(client, oregon_member.id, received)
        traveller.move_to(at("2026-12-25T00:00:01-08:00"))  # just after its 16 days
        r = client.post(
            f"/api/appeals/{late['id']}/extension", json={**EXTEND, "notice_method": "letter"}
        )
        assert r.status_code == 409 and "deadline has passed" in r.json()["detail"][0]["msg"]
        assert (
            clock(client.get(f"/api/appeals/{late['id']}").json(), "appeal_resolution")["due_at"]
            == clock(late, "appeal_resolution")["due_at"]
        )


# erisa-group on california-state: urgent clock_hours 72, pre-service calendar_days 30,
# post-service calendar_days 60; no extension of an appeal decision.
@pytest.mark.parametrize(
    ("extra", "target", "due"),
    [
        ({"claim_type": "pre_service"}, "pre_service_appeal", "2027-01-07T23:59:59-08:00"),
        ({"claim_type": "post_service"}, "post_service_appeal", "2027-02-06T23:59:59-08:00"),
        ({"urgency": "expedited"}, "urgent_appeal", "2026-12-11T09:00:00-08:00"),
    ],
)
def test_erisa(login, erisa_member, extra: dict[str, str], target: str, due: str) -> None:
    received = "2026-12-08T09:00:00-08:00"
    with time_machine.travel(at(received) + timedelta(hours=1), tick=False):
        client = analyst(login)
        a = receive(client, erisa_member.id, received, **extra)
        r = client.post(
            f"/api/appeals/{a['id']}/extension", json={**EXTEND, "notice_method": "letter"}
        )
    assert a["pack"] == "erisa-group"
    assert [(c["target"], c["due_at"]) for c in a["clocks"]] == [(target, due)]
    assert r.status_code == 409

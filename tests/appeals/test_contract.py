"""DESIGN's ``POST /api/appeals`` contract through the real app, on both packs: 201 with ``id``,
``pack`` and ``clocks`` (``{target, due_at, state}`` per applicable target), and
``GET /api/appeals/{id}`` in the same shape; worked as a Tier 3 case."""

from __future__ import annotations

from datetime import datetime

import time_machine

from tests.appeals.conftest import clock, receive

NOW = datetime.fromisoformat("2026-12-08T10:00:00-08:00")  # a Tuesday in California


def _shape(appeal: dict) -> None:
    assert isinstance(appeal["id"], int)
    for c in appeal["clocks"]:
        assert {"target", "due_at", "state"} <= set(c)
        assert datetime.fromisoformat(c["due_at"]).utcoffset() is not None


def test_calchoice_standard_appeal(tier3, member) -> None:
    with time_machine.travel(NOW, tick=False):
        a = receive(tier3.client, member.id, "2026-12-08T09:00:00-08:00")
        _shape(a)
        assert a["pack"] == "calchoice" and a["state"] == "open"
        assert [c["target"] for c in a["clocks"]] == ["appeal_ack", "appeal_resolution"]
        assert clock(a, "appeal_ack")["due_at"] == "2026-12-10T17:00:00-08:00"
        assert clock(a, "appeal_resolution")["due_at"] == "2027-01-07T23:59:59-08:00"
        assert {c["state"] for c in a["clocks"]} == {"running"}
        got = tier3.client.get(f"/api/appeals/{a['id']}")
        assert got.status_code == 200
        assert got.json()["clocks"] == a["clocks"] and got.json()["pack"] == "calchoice"
        case = tier3.client.get(f"/api/cases/{a['case_id']}").json()
        assert case["tier"] == 3 and case["queue"]["name"] == "Tier 3 Appeals and compliance"
        assert case["case_type"] == "appeal"


def test_oregon_grievance_and_expedited_appeal(tier3, oregon_member) -> None:
    with time_machine.travel(NOW, tick=False):
        g = receive(tier3.client, oregon_member.id, "2026-12-08T09:00:00-08:00", kind="grievance")
        _shape(g)
        assert g["pack"] == "oregon-medicaid"
        assert [c["target"] for c in g["clocks"]] == ["grievance_decision", "grievance_resolution"]
        e = receive(
            tier3.client, oregon_member.id, "2026-12-08T09:00:00-08:00", urgency="expedited"
        )
        assert [c["target"] for c in e["clocks"]] == ["appeal_expedited"]
        assert clock(e, "appeal_expedited")["due_at"] == "2026-12-11T09:00:00-08:00"

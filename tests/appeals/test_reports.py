"""The Tier 3 reports through the real app and the command line: the quarterly aging report by
pack and kind in 30-day bands, open appeals by deadline, deadlines met per month (JSON, CSV, a
page), each worked out by hand from a book of appeals received and decided on known days."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest
import time_machine

from memberdesk.compliance.enums import Role
from tests.appeals.conftest import receive


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


@pytest.fixture
def book(login: Any, member: Any, oregon_member: Any) -> dict[str, int]:
    """Appeals received and decided on the days the expected figures below are worked from."""
    made: dict[str, int] = {}

    def on(iso: str) -> Any:
        return time_machine.travel(at(iso), tick=False)

    def get(name: str, received: str, who: Any = member, **kw: Any) -> None:
        with on(received):
            client = login(Role.TIER3_APPEALS).client
            made[name] = receive(client, who.id, received, **kw)["id"]

    def act(when: str, name: str, path: str, payload: dict[str, Any]) -> None:
        with on(when):
            r = login(Role.TIER3_APPEALS).client.post(
                f"/api/appeals/{made[name]}/{path}", json=payload
            )
            assert r.status_code in (200, 201), r.text

    decide = {"outcome": "upheld", "rationale": "Criteria not met"}
    get("g3", "2026-09-15T09:00:00-07:00", kind="grievance")
    get("g5", "2026-10-01T09:00:00-07:00", kind="grievance")
    get("g6", "2026-10-01T09:00:00-07:00", kind="grievance")
    get("g2", "2026-10-15T09:00:00-07:00", kind="grievance")
    get("a1", "2026-11-01T09:00:00-08:00")  # a Sunday
    get("or", "2026-11-10T09:00:00-08:00", who=oregon_member, kind="grievance")
    get("g1", "2026-11-20T09:00:00-08:00", kind="grievance")
    act("2026-11-20T10:00:00-08:00", "g5", "decision", decide)
    get("g4", "2026-12-15T09:00:00-08:00", kind="grievance")
    act(
        "2026-12-16T09:00:00-08:00",
        "g4",
        "notices",
        {"kind": "acknowledgement", "method": "letter"},
    )
    act("2027-01-10T09:00:00-08:00", "g6", "decision", decide)
    return made


REPORTED = "2027-01-12T09:00:00-08:00"


def test_quarterly_aging_report(book: dict[str, int], login: Any) -> None:
    with time_machine.travel(at(REPORTED), tick=False):
        client = login(Role.COMPLIANCE_OFFICER).client
        r = client.get("/api/appeal-reports/aging", params={"quarter": "2026-Q4"})
        assert r.status_code == 200, r.text
        rows = {(x["pack"], x["kind"]): x for x in r.json()["rows"]}
        bands = {k: (v["open_30_59"], v["open_60_89"], v["open_90_plus"]) for k, v in rows.items()}
        assert bands == {
            # g1 42 days, g2 78, g3 108 and g6 92 (decided after the quarter); g4 is 17 days
            # old and g5 was decided in the quarter.
            ("calchoice", "grievance"): (1, 1, 2),
            ("calchoice", "appeal"): (0, 1, 0),  # a1: 61 days
            ("oregon-medicaid", "grievance"): (1, 0, 0),  # 52 days
            ("oregon-medicaid", "appeal"): (0, 0, 0),
            ("erisa-group", "grievance"): (0, 0, 0),
            ("erisa-group", "appeal"): (0, 0, 0),
        }
        g = rows[("calchoice", "grievance")]
        assert g["total"] == 4 and g["oldest_received_at"] == "2026-09-15T09:00:00-07:00"
        assert g["as_of"] == "2027-01-01T00:00:00-08:00"
        assert r.json()["quarter"] == "2026-Q4"
        # The quarter before: only g3 had been open 30 days by 1 October (16 days).
        q3 = client.get("/api/appeal-reports/aging", params={"quarter": "2026-Q3"}).json()
        assert sum(x["total"] for x in q3["rows"]) == 0
        text = client.get(
            "/api/appeal-reports/aging", params={"quarter": "2026-Q4", "format": "csv"}
        )
        assert text.headers["content-type"].startswith("text/csv")
        parsed = list(csv.DictReader(io.StringIO(text.text)))
        assert parsed[0]["pack"] == "calchoice" and parsed[0]["total"] == "4"
        bad = client.get("/api/appeal-reports/aging", params={"quarter": "2026-Q9"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "quarter"]


def test_deadlines_met_per_month(book: dict[str, int], login: Any) -> None:
    with time_machine.travel(at(REPORTED), tick=False):
        client = login(Role.TIER3_APPEALS).client
        r = client.get(
            "/api/appeal-reports/deadlines", params={"first": "2026-09", "last": "2027-01"}
        )
        assert r.status_code == 200, r.text
        got = {
            (x["month"], x["pack"]): (
                x["due"],
                x["met_on_time"],
                x["met_late"],
                x["missed"],
                x["pending"],
            )
            for x in r.json()["rows"]
            if x["due"]
        }
    assert got == {
        ("2026-09", "calchoice"): (1, 0, 0, 1, 0),  # g3's acknowledgement
        # g3's resolution and g2's acknowledgement missed; g5 and g6 decided late (both clocks)
        ("2026-10", "calchoice"): (6, 0, 4, 2, 0),
        ("2026-11", "calchoice"): (3, 0, 0, 3, 0),  # g2's resolution, a1's and g1's acks
        ("2026-11", "oregon-medicaid"): (1, 0, 0, 1, 0),  # 5 business days, Veterans Day off
        ("2026-12", "calchoice"): (3, 1, 0, 2, 0),  # g4 acknowledged in time
        ("2026-12", "oregon-medicaid"): (1, 0, 0, 1, 0),
        ("2027-01", "calchoice"): (1, 0, 0, 0, 1),  # g4's resolution, not due yet
    }


def test_open_appeals_by_deadline(book: dict[str, int], login: Any) -> None:
    with time_machine.travel(at(REPORTED), tick=False):
        client = login(Role.SUPERVISOR).client
        rows = client.get("/api/appeal-reports/open").json()["rows"]
        page = client.get("/appeals/reports")
    order = [r["appeal_id"] for r in rows]
    # Nearest deadline first: g3's acknowledgement (September) ... g4's resolution (January).
    assert order[0] == book["g3"] and order[-1] == book["g4"]
    assert book["g5"] not in order and book["g6"] not in order  # decided
    assert {r["standing"] for r in rows[:-1]} == {"overdue"}
    assert rows[-1]["standing"] == "due_7d" and rows[-1]["next_target"] == "appeal_resolution"
    assert page.status_code == 200
    assert "Quarterly aging report" in page.text and "appeal_resolution" not in page.text

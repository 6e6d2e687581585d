"""Calendars, policy packs and deadlines over HTTP: answers, errors, and `sla.read` both ways."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from memberdesk.compliance.enums import Permission, Role
from memberdesk.compliance.permissions import policy
from memberdesk.sla.api import router

START = "2026-11-25T18:00:00-08:00"


@pytest.fixture(autouse=True)
def sla_routes(app: FastAPI) -> FastAPI:
    """The app with these routes, whether or not app.py includes them yet."""
    if not any(getattr(r, "path", None) == "/api/sla/due" for r in app.routes):
        app.include_router(router)
    return app


def test_calendars(login) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.TIER1_AGENT).client
    listed = client.get("/api/calendars")
    assert listed.status_code == 200
    names = {c["name"]: c for c in listed.json()}
    assert names["california-state"]["timezone"] == "America/Los_Angeles"
    assert names["california-state"]["hours"] == "Mon–Fri 08:00–17:00"
    shown = client.get("/api/calendars/california-state", params={"year": 2027}).json()
    assert shown["year"] == 2027 and "19853" in shown["citation"]
    by_date = {c["date"]: c for c in shown["closures"]}
    assert by_date["2027-07-05"]["name"] == "Independence Day (observed)"
    assert by_date["2027-12-25"]["working_day_lost"] is False  # a Saturday, not moved
    assert len(shown["closures"]) == 11


@pytest.mark.parametrize(
    ("url", "status", "loc"),
    [
        ("/api/calendars/narnia", 404, ["path", "name"]),
        ("/api/calendars/california-state?year=1850", 422, ["query", "year"]),
        ("/api/calendars/california-state?year=99999999999999999999", 422, ["query", "year"]),
        ("/api/calendars/Bad%20Name", 422, ["path", "name"]),
    ],
)
def test_calendar_errors_name_the_field(login, url: str, status: int, loc: list[str]) -> None:  # type: ignore[no-untyped-def]
    response = login(Role.TIER1_AGENT).client.get(url)
    assert response.status_code == status, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"] == loc
    assert "narnia" not in response.text and "99999999999999999999" not in response.text


def test_packs_hold_clocks_and_seed_kpis(login) -> None:  # type: ignore[no-untyped-def]
    packs = login(Role.SUPERVISOR).client.get("/api/sla/packs").json()
    by_name = {p["name"]: p for p in packs}
    assert set(by_name) == {"calchoice", "compliance", "erisa-group", "oregon-medicaid"}
    calchoice = {t["id"]: t for t in by_name["calchoice"]["targets"]}
    assert calchoice["appeal_ack"]["clock"] == "business_days"
    assert calchoice["appeal_ack"]["amount"] == 2
    assert calchoice["abandon_rate"]["kpi"]["warn_above"] == 0.05
    assert calchoice["abandon_rate"]["kpi"]["breach_above"] == 0.08
    assert calchoice["csat"]["kpi"]["breach_below"] == 0.85
    assert calchoice["voicemail_return"]["citation"].startswith("Health Share of Oregon")
    oregon = {t["id"]: t for t in by_name["oregon-medicaid"]["targets"]}
    assert oregon["one_call_resolution"]["kpi"]["achieved"] == 0.83
    assert oregon["appeal_resolution"]["extension"]["amount"] == 14
    assert by_name["calchoice"]["policy_version"].startswith("calchoice@2026.1#")


def test_packs_in_effect_on_a_date(login) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.TIER1_AGENT).client
    assert client.get("/api/sla/packs", params={"on": "2025-06-01"}).json() == []
    assert len(client.get("/api/sla/packs", params={"on": "2026-06-01"}).json()) == 4
    bad = client.get("/api/sla/packs", params={"on": "0"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "on"]


def test_due_for_a_pack_target_with_trail(login) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.TIER1_AGENT).client
    response = client.post(
        "/api/sla/due", json={"pack": "calchoice", "target": "appeal_ack", "start": START}
    )
    assert response.status_code == 200, response.text
    d = response.json()
    assert d["due"] == "2026-12-02T17:00:00-08:00"
    assert d["warning_at"] == "2026-12-02T10:15:00-08:00"
    assert d["policy_version"].startswith("calchoice@2026.1#") and d["clock"] == "business_days"
    assert "skipped Thu 2026-11-26 Thanksgiving" in d["trail"]
    assert any("counted from Mon 2026-11-30" in line for line in d["trail"])


def test_due_for_a_clock_kind(login) -> None:  # type: ignore[no-untyped-def]
    body = {"calendar": "oregon-state", "clock": "business_days", "amount": 2, "start": START}
    d = login(Role.TIER1_AGENT).client.post("/api/sla/due", json=body).json()
    assert d["due"] == "2026-12-01T17:00:00-08:00" and d["pack"] is None


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({"calendar": "narnia", "clock": "business_days", "amount": 1, "start": START},
         ["body", "calendar"], "unknown calendar"),
        ({"calendar": "24x7", "clock": "weeks", "amount": 1, "start": START},
         ["body", "clock"], ""),
        ({"calendar": "24x7", "clock": "clock_hours", "amount": -1, "start": START},
         ["body", "amount"], ""),
        ({"calendar": "24x7", "clock": "clock_hours", "amount": 1,
          "start": "2026-11-25T18:00:00"}, ["body", "start"], "timezone"),
        ({"calendar": "california-state", "clock": "business_days", "amount": 1_000_000,
          "start": START}, ["body", "amount"], "after 2399"),
        ({"calendar": "24x7", "clock": "clock_hours", "amount": 1,
          "start": "2500-01-01T00:00:00Z"}, ["body", "start"], "1900–2399"),
        ({"clock": "business_days", "amount": 1, "start": START}, ["body", "calendar"], "required"),
        ({"pack": "calchoice", "start": START}, ["body", "target"], "go together"),
        ({"pack": "texas", "target": "x", "start": START}, ["body", "pack"], "unknown policy"),
        ({"pack": "calchoice", "target": "nope", "start": START}, ["body", "target"], "unknown"),
        ({"pack": "calchoice", "target": "csat", "start": START}, ["body", "target"], "KPI"),
        ({"pack": "calchoice", "target": "appeal_ack", "amount": 3, "start": START},
         ["body", "amount"], "either"),
    ],
)  # fmt: skip
def test_due_errors_name_the_field(login, body: dict, loc: list[str], words: str) -> None:  # type: ignore[no-untyped-def]
    response = login(Role.TIER1_AGENT).client.post("/api/sla/due", json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"] == loc and words in detail["msg"]
    for value in ("narnia", "texas", "nope", "1000000", "2500-01-01"):
        assert value not in response.text  # errors never repeat what was sent


def test_sla_read_both_ways(login) -> None:  # type: ignore[no-untyped-def]
    due = {"pack": "calchoice", "target": "appeal_ack", "start": START}
    for role in Role:
        if role == Role.MEMBER:
            continue  # a member account needs a member: test_member_and_qa_refused
        client = login(role).client
        allowed = policy(role).allows(Permission.SLA_READ)
        for method, url, body in (
            ("GET", "/api/calendars", None),
            ("GET", "/api/calendars/oregon-state", None),
            ("GET", "/api/sla/packs", None),
            ("POST", "/api/sla/due", due),
        ):
            status = client.request(method, url, json=body).status_code
            assert (status == 200) is allowed and (status == 403) is (not allowed), (role, url)


def test_member_and_qa_refused(login, db) -> None:  # type: ignore[no-untyped-def]
    from tests import factories as f

    member = f.member(db)
    for client in (login(Role.MEMBER, member_id=member.id).client, login(Role.QA_ANALYST).client):
        response = client.get("/api/sla/packs")
        assert response.status_code == 403
        assert "sla.read" in response.json()["detail"][0]["msg"]


def test_anonymous_is_401(anon) -> None:  # type: ignore[no-untyped-def]
    assert anon.get("/api/calendars").status_code == 401
    assert anon.post("/api/sla/due", json={}).status_code == 401

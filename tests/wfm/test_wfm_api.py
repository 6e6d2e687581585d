"""Staffing over HTTP: Erlang C/A answers, field-named errors, and `wfm.use` both ways."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from memberdesk.compliance.enums import Permission, Role
from memberdesk.compliance.permissions import policy
from memberdesk.wfm.api import router

ONE = {"calls": 100, "aht_seconds": 180, "interval_seconds": 1800, "target": 0.8,
       "within_seconds": 20}  # fmt: skip


@pytest.fixture(autouse=True)
def wfm_routes(app: FastAPI) -> FastAPI:
    """The app with these routes, whether or not app.py includes them yet."""
    if not any(getattr(r, "path", None) == "/api/wfm/staff" for r in app.routes):
        app.include_router(router)
    return app


@pytest.fixture
def wfm(login):  # type: ignore[no-untyped-def]
    return login(Role.WFM_ANALYST).client


def test_staff_erlang_c_known_value(wfm) -> None:  # type: ignore[no-untyped-def]
    response = wfm.post("/api/wfm/staff", json={**ONE, "shrinkage": 0.3})
    assert response.status_code == 200, response.text
    d = response.json()
    assert d["model"] == "erlang_c" and d["p_abandon"] is None
    assert (d["intensity"], d["agents"], d["scheduled"]) == (10.0, 14, 20)
    assert d["service_level"] >= 0.8


def test_staff_erlang_a_and_chat(wfm) -> None:  # type: ignore[no-untyped-def]
    a = wfm.post("/api/wfm/staff", json={**ONE, "patience_seconds": 120}).json()
    assert a["model"] == "erlang_a" and 0 < a["p_abandon"] < 1 and a["service_level"] >= 0.8
    chat = wfm.post("/api/wfm/staff", json={**ONE, "concurrency": 3}).json()
    assert chat["agents"] == 5  # ceil(14 slots / 3)


def test_staff_many_intervals(wfm) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {"interval_start": "2026-01-05T08:00:00-08:00", "calls": 100, "aht_seconds": 180},
        {"interval_start": "2026-01-05T08:30:00-08:00", "calls": 0, "aht_seconds": 180},
        {"interval_start": "2026-01-05T09:00:00-08:00", "calls": 250, "aht_seconds": 300},
    ]
    response = wfm.post("/api/wfm/staff/intervals", json={"intervals": rows, "shrinkage": 0.3})
    assert response.status_code == 200, response.text
    d = response.json()
    got = [(r["agents"], r["scheduled"]) for r in d["intervals"]]
    assert got[0] == (14, 20) and got[1] == (0, 0)
    assert d["intervals"][2]["interval_start"] == "2026-01-05T09:00:00-08:00"
    assert d["peak_scheduled"] == max(s for _, s in got)
    assert d["agent_hours"] == pytest.approx(sum(a for a, _ in got) * 0.5)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({**ONE, "calls": -5}, ["body", "calls"]),
        ({k: v for k, v in ONE.items() if k != "aht_seconds"}, ["body", "aht_seconds"]),
        ({**ONE, "target": 1.5}, ["body", "target"]),
        ({**ONE, "shrinkage": 1}, ["body", "shrinkage"]),
        ({**ONE, "patience_seconds": 0}, ["body", "patience_seconds"]),
        ({**ONE, "max_occupancy": 0}, ["body", "max_occupancy"]),
        ({**ONE, "calls": 9_000_000}, ["body", "calls"]),  # beyond 100,000 Erlangs
        ({**ONE, "max_occupancy": 0.00001}, ["body", "max_occupancy"]),  # > 200,000 agents
        ({**ONE, "colour": "red"}, ["body", "colour"]),
    ],
)
def test_staff_errors_name_the_field(wfm, body: dict, loc: list[str]) -> None:  # type: ignore[no-untyped-def]
    response = wfm.post("/api/wfm/staff", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc
    assert "9000000" not in response.text and "1e-05" not in response.text


def test_interval_errors_name_the_row(wfm) -> None:  # type: ignore[no-untyped-def]
    rows = [{"interval_start": "2026-01-05T08:00:00-08:00", "calls": 10, "aht_seconds": 180}] * 3
    bad = [*rows[:2], {**rows[0], "calls": -37}]
    response = wfm.post("/api/wfm/staff/intervals", json={"intervals": bad})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "intervals", 2, "calls"]
    assert "-37" not in response.text
    heavy = [*rows[:1], {**rows[0], "calls": 9_000_000}]
    response = wfm.post("/api/wfm/staff/intervals", json={"intervals": heavy})
    assert response.json()["detail"][0]["loc"] == ["body", "intervals", 1, "calls"]
    naive = [{**rows[0], "interval_start": "2026-01-05T08:00:00"}]
    response = wfm.post("/api/wfm/staff/intervals", json={"intervals": naive})
    assert response.json()["detail"][0]["loc"] == ["body", "intervals", 0, "interval_start"]
    empty = wfm.post("/api/wfm/staff/intervals", json={"intervals": []})
    assert empty.status_code == 422


def test_wfm_use_both_ways(login, db) -> None:  # type: ignore[no-untyped-def]
    from tests import factories as f

    member = f.member(db)
    rows = [{"interval_start": "2026-01-05T08:00:00-08:00", "calls": 10, "aht_seconds": 180}]
    for role in Role:
        persona = login(role, member_id=member.id if role == Role.MEMBER else None)
        allowed = policy(role).allows(Permission.WFM_USE)
        for url, body in (
            ("/api/wfm/staff", ONE),
            ("/api/wfm/staff/intervals", {"intervals": rows}),
        ):
            response = persona.client.post(url, json=body)
            if allowed:
                assert response.status_code == 200, (role, url, response.text)
            else:
                assert response.status_code == 403, (role, url)
                assert "wfm.use" in response.json()["detail"][0]["msg"]
    assert policy(Role.WFM_ANALYST).allows(Permission.WFM_USE)


def test_anonymous_is_401(anon) -> None:  # type: ignore[no-untyped-def]
    assert anon.post("/api/wfm/staff", json=ONE).status_code == 401

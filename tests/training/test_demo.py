"""The demo's training history reads as designed on both databases: a new hire part-way through
the programme, a HIPAA renewal due this month, one overdue, one supervisor short last month, and
everyone else meeting the monthly minimum."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.training.demo import seed_demo_training

NOW = "2026-12-04T10:00:00-08:00"
TEAM = "Tier 1 — Team A"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_demo_history(login, db: Session) -> None:  # type: ignore[no-untyped-def]
    sup = login(Role.SUPERVISOR, team=TEAM, username="supervisor")
    for name, role, team in [
        ("agent", Role.TIER1_AGENT, TEAM),
        ("ana.reyes", Role.TIER1_AGENT, TEAM),
        ("ben.okafor", Role.TIER1_AGENT, TEAM),
        ("eli.navarro", Role.NAVIGATOR, "Navigators"),
        ("qa", Role.QA_ANALYST, None),
    ]:
        login(role, team=team, username=name)
    made = seed_demo_training(db, now())
    assert made is not None and made.courses == 20 and made.people == 6
    assert seed_demo_training(db, now()) is None  # only into an empty register
    team = {r["username"]: r for r in sup.client.get("/api/training/team").json()}
    assert set(team) == {"supervisor", "agent", "ana.reyes", "ben.okafor"}

    def open_(name: str) -> dict[str, str]:
        return {d["title"]: d["status"] for d in team[name]["dues"] if d["status"] != "current"}

    assert open_("ben.okafor")["New-hire programme (40 hours)"] == "due"
    assert team["ben.okafor"]["initial_hours"] == 28
    assert open_("agent") == {"Annual HIPAA privacy and security training": "due"} | (
        {"Training hours in December 2026": "due"} if team["agent"]["month_hours"] < 8 else {}
    )
    assert open_("supervisor")["Training hours in November 2026"] == "overdue"
    assert team["ana.reyes"]["overdue"] == 0
    everyone = {
        r["username"]: r for r in login(Role.QA_ANALYST).client.get("/api/training/team").json()
    }
    eli = {d["title"]: d["status"] for d in everyone["eli.navarro"]["dues"]}
    assert eli["Annual HIPAA privacy and security training"] == "overdue"
    assert everyone["qa"]["overdue"] == 0 and not everyone["qa"]["monthly_applies"]

    wfm = login(Role.WFM_ANALYST).client.get("/api/training/shrinkage").json()
    assert wfm["person_months"] == 12  # agent, ana.reyes, supervisor, eli.navarro: Sep-Nov
    assert wfm["share"] == pytest.approx(wfm["hours_per_month"] * 12 / 2080)
    assert 5 <= wfm["hours_per_month"] <= 13
    assert sup.client.get("/api/training/shrinkage").status_code == 403  # no wfm.use

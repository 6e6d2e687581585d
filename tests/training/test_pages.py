"""Training pages over HTTP: the supervisor's dashboard in words, a person's record with a
completion recorded from the form (a bad score said beside its field, nothing saved), the
agent's own record, the catalogue and adding a course."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.training.models import Completion

NOW = "2026-12-04T10:00:00-08:00"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_dashboard_record_and_recording_from_the_form(
    crew: dict[str, Any], catalogue: dict[str, int], db: Session
) -> None:
    sup, agent = crew["supervisor"], crew["agent"]
    aid = agent.user.id
    assert (
        sup.client.post(
            f"/training/people/{aid}/start",
            data={"started_on": "2026-11-16"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    board = sup.client.get("/training").text
    assert "Team training" in board and agent.user.display_name in board
    assert crew["other"].user.display_name not in board  # another team
    assert "New-hire programme (40 hours)" in board and "Your team" in board
    assert sup.client.get("/training?on=9999-12-31").status_code == 422
    assert "Fri 15 Jan 2027" in sup.client.get("/training?on=2027-01-15").text
    page = sup.client.get(f"/training/people/{aid}").text
    assert "Record a completed course" in page and "started Mon 16 Nov 2026" in page
    bad = sup.client.post(
        f"/training/people/{aid}/completions",
        data={
            "course_id": str(catalogue["hipaa-annual"]),
            "completed_on": "2026-12-01",
            "quiz_score": "120",
        },
    )
    assert bad.status_code == 422 and 'id="quiz_score-error"' in bad.text
    assert "from 0 to 100" in bad.text
    early = sup.client.post(
        f"/training/people/{aid}/completions",
        data={
            "course_id": str(catalogue["hipaa-annual"]),
            "completed_on": "2026-11-01",
            "quiz_score": "90",
        },
    )
    assert early.status_code == 422 and 'id="completed_on-error"' in early.text
    assert db.scalar(select(func.count()).select_from(Completion)) == 0
    ok = sup.client.post(
        f"/training/people/{aid}/completions",
        data={
            "course_id": str(catalogue["hipaa-annual"]),
            "completed_on": "2026-12-01",
            "quiz_score": "90",
        },
    )
    assert ok.status_code == 200 and "Completion recorded." in ok.text
    assert "Annual HIPAA privacy and security training" in ok.text and "90%" in ok.text
    mine = agent.client.get("/training/me").text
    assert "My training" in mine and "Hours in December 2026" in mine and "2 h" in mine
    assert "Record a completed course" not in mine  # an agent reads, does not record
    assert agent.client.get("/training").status_code == 403
    assert agent.client.get(f"/training/people/{aid}").status_code == 403


def test_the_catalogue_and_adding_a_course(crew: dict[str, Any], catalogue: dict[str, int]) -> None:
    trainer = crew["trainer"]
    listing = crew["agent"].client.get("/training/courses").text
    assert "Annual HIPAA privacy and security training" in listing and "Every year" in listing
    assert "Pass mark 80%" in listing and "Add a course" not in listing
    bad = trainer.client.post(
        "/training/courses",
        data={
            "title": "Pharmacy basics",
            "code": "pharmacy-101",
            "kind": "continuing",
            "course_hours": "0",
        },
    )
    assert bad.status_code == 422 and 'id="course_hours-error"' in bad.text
    ok = trainer.client.post(
        "/training/courses",
        data={"title": "Pharmacy basics", "code": "pharmacy-101", "kind": "continuing",
              "course_hours": "2", "pass_mark": "80", "required_roles": ["tier1_agent"]},
    )  # fmt: skip
    assert ok.status_code == 200 and "Course added." in ok.text and "Pharmacy basics" in ok.text

"""Training records over HTTP, on each database: a trainer records completions and start dates,
the agent reads their own record, the supervisor their team's (only); bad input is a 4xx naming
the field with nothing saved; every change audited."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.training.models import Completion, Profile
from tests.breaches.conftest import actions
from tests.training.conftest import loc

NOW = "2026-12-04T10:00:00-08:00"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    """Every test here happens on Friday 4 December 2026 (accounts included)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _done(persona, user_id: int, **body: Any):  # type: ignore[no-untyped-def]
    return persona.client.post(f"/api/training/people/{user_id}/completions", json=body)


def test_a_new_hires_record_seen_by_them_their_supervisor_and_the_trainer(
    crew: dict[str, Any], catalogue: dict[str, int], db: Session
) -> None:
    trainer, sup, agent = crew["trainer"], crew["supervisor"], crew["agent"]
    aid = agent.user.id
    start = trainer.client.put(
        f"/api/training/people/{aid}/start", json={"started_on": "2026-11-16"}
    )
    assert start.status_code == 200 and start.json()["started_on"] == "2026-11-16"
    first = _done(
        trainer,
        aid,
        course_id=catalogue["new-hire-benefits"],
        completed_on="2026-11-18",
        quiz_score=92,
    )
    assert first.status_code == 201, first.text
    assert first.json()["passed"] and first.json()["hours"] == 16
    failed = _done(
        sup, aid, course_id=catalogue["new-hire-systems"], completed_on="2026-11-20", quiz_score=70
    )
    assert failed.status_code == 201 and not failed.json()["passed"]  # below the 80% pass mark
    extra = _done(
        sup, aid, course_id=catalogue["call-review"], completed_on="2026-12-02", hours=1.5
    )
    assert extra.status_code == 201

    mine = agent.client.get("/api/training/me").json()
    assert mine["username"] == agent.user.username and mine["started_on"] == "2026-11-16"
    by_title = {d["title"]: d for d in mine["dues"]}
    programme = by_title["New-hire programme (40 hours)"]
    assert programme["status"] == "due" and programme["due_on"] == "2026-12-14"
    assert programme["hours_done"] == 16  # the failed knowledge check does not count
    assert by_title["Annual HIPAA privacy and security training"]["due_on"] == "2026-12-14"
    assert by_title["De-escalation techniques"]["status"] == "due"
    assert not mine["monthly_applies"] and mine["month_hours"] == 1.5
    assert [c["completed_on"] for c in mine["completions"]] == [
        "2026-12-02",
        "2026-11-20",
        "2026-11-18",
    ]
    assert mine["overdue"] == 0 and mine["due"] == len(
        [d for d in mine["dues"] if d["status"] == "due"]
    )

    team = sup.client.get("/api/training/team")
    assert team.status_code == 200
    names = {r["username"] for r in team.json()}
    assert names == {agent.user.username, crew["agent2"].user.username, sup.user.username}
    assert all(r["completions"] == [] for r in team.json())
    other = crew["other"].user.id
    assert sup.client.get(f"/api/training/people/{other}").status_code == 404  # another team
    assert (
        _done(sup, other, course_id=catalogue["call-review"], completed_on="2026-12-01").status_code
        == 404
    )
    assert trainer.client.get(f"/api/training/people/{other}").status_code == 200
    everyone = {r["username"] for r in trainer.client.get("/api/training/team").json()}
    assert crew["other"].user.username in everyone
    assert agent.client.get("/api/training/team").status_code == 403
    assert (
        _done(agent, aid, course_id=catalogue["call-review"], completed_on="2026-12-01").status_code
        == 403
    )
    # Read on another day: the programme is overdue after its four weeks.
    later = agent.client.get("/api/training/me", params={"on": "2026-12-15"}).json()
    assert later["dues"][0]["status"] == "overdue"
    assert [a for a in actions(db, "user", aid) if a.startswith("training.")] == [
        "training.profile_set",
        "training.completion_recorded",
        "training.completion_recorded",
        "training.completion_recorded",
    ]


def test_bad_input_names_the_field_and_saves_nothing(
    crew: dict[str, Any], catalogue: dict[str, int], db: Session
) -> None:
    trainer = crew["trainer"]
    aid = crew["agent"].user.id
    assert (
        trainer.client.put(
            f"/api/training/people/{aid}/start", json={"started_on": "2026-10-05"}
        ).status_code
        == 200
    )
    hipaa = catalogue["hipaa-annual"]
    before_hire = _done(trainer, aid, course_id=hipaa, completed_on="2026-10-02", quiz_score=90)
    assert before_hire.status_code == 422 and loc(before_hire) == "body.completed_on"
    assert "start date" in before_hire.json()["detail"][0]["msg"]
    cases = [
        ({"completed_on": "2026-10-20", "quiz_score": 101}, "body.quiz_score"),
        ({"completed_on": "2026-10-20", "quiz_score": -1}, "body.quiz_score"),
        ({"completed_on": "2026-10-20"}, "body.quiz_score"),  # the course has a knowledge check
        ({"completed_on": "2026-12-05", "quiz_score": 90}, "body.completed_on"),  # tomorrow
        ({"completed_on": "20 Oct 2026", "quiz_score": 90}, "body.completed_on"),
        ({"completed_on": "2026-10-20", "quiz_score": 90, "hours": 0}, "body.hours"),
        ({"completed_on": "2026-10-20", "quiz_score": 90, "hours": 25}, "body.hours"),
        (
            {"completed_on": "2026-10-20", "quiz_score": 90, "course_id": 2**31 - 1},
            "body.course_id",
        ),
    ]
    for extra, field in cases:
        got = _done(trainer, aid, **({"course_id": hipaa} | extra))
        assert got.status_code == 422 and loc(got) == field, (extra, got.text)
    no_quiz = _done(
        trainer, aid, course_id=catalogue["call-review"], completed_on="2026-10-20", quiz_score=90
    )
    assert no_quiz.status_code == 422 and loc(no_quiz) == "body.quiz_score"
    assert db.scalar(select(func.count()).select_from(Completion)) == 0
    ok = _done(trainer, aid, course_id=hipaa, completed_on="2026-10-20", quiz_score=90)
    assert ok.status_code == 201
    twice = _done(trainer, aid, course_id=hipaa, completed_on="2026-10-20", quiz_score=95)
    assert twice.status_code == 409 and loc(twice) == "body.completed_on"
    # A start date after a recorded completion would orphan it.
    moved = trainer.client.put(
        f"/api/training/people/{aid}/start", json={"started_on": "2026-10-21"}
    )
    assert moved.status_code == 422 and loc(moved) == "body.started_on"
    assert db.get(Profile, aid).started_on.isoformat() == "2026-10-05"
    future = trainer.client.put(
        f"/api/training/people/{aid}/start", json={"started_on": "2026-12-07"}
    )
    assert future.status_code == 422 and loc(future) == "body.started_on"
    assert db.scalar(select(func.count()).select_from(Completion)) == 1
    # Courses: codes, the HIPAA rule, duplicates.
    course = {"code": "pharmacy-101", "title": "Pharmacy basics", "kind": "continuing", "hours": 2}
    assert (
        trainer.client.post("/api/training/courses", json=course | {"code": "Bad Code"}).status_code
        == 422
    )
    hipaa_once = trainer.client.post(
        "/api/training/courses", json=course | {"kind": "hipaa_annual"}
    )
    assert hipaa_once.status_code == 422 and loc(hipaa_once) == "body.renew_months"
    made = trainer.client.post(
        "/api/training/courses", json=course | {"pass_mark": 80, "required_roles": ["tier1_agent"]}
    )
    assert made.status_code == 201 and made.json()["required_since"] == "2026-12-04"
    again = trainer.client.post("/api/training/courses", json=course)
    assert again.status_code == 409 and loc(again) == "body.code"
    listed = crew["agent"].client.get("/api/training/courses").json()
    assert "pharmacy-101" in {c["code"] for c in listed} and len(listed) == len(catalogue) + 1
    # Members and unknown ids are no one's training record.
    assert trainer.client.get("/api/training/people/2147483647").status_code == 404
    assert trainer.client.get("/api/training/people/0").status_code == 422

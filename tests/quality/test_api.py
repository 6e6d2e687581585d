"""QA over HTTP, on each database: bad scorecards and scores refused naming the field (nothing
saved); a score under 80% opens corrective training due 10 business days later on the pack's
calendar, seen by the agent and their supervisor but not by another agent; the worker flags it
overdue once; acknowledgement, dispute and its resolution; the deterministic monthly sample;
calibration spreads; results against 90% and the semi-annual audit."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance.models import AuditEntry, AuditPending
from memberdesk.quality.models import CorrectiveAssignment, Evaluation, QaScorecard
from memberdesk.sla.sweep import sweep
from tests.quality.conftest import NOW, Floor, full_marks, loc, weak


@pytest.fixture(autouse=True)
def frozen() -> Any:
    """Every test here happens on Monday 15 June 2026, 10:00 Pacific."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def evaluate(floor: Floor, contact_id: int, scores: dict[str, int | None], who: Any = None) -> Any:
    return (who or floor.qa).client.post(
        "/api/qa/evaluations", json={"contact_id": contact_id, "scores": scores}
    )


def count(db: Session, model: Any) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def audited(db: Session, action: str) -> int:
    sealed = db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )
    pending = db.scalar(
        select(func.count()).select_from(AuditPending).where(AuditPending.action == action)
    )
    return (sealed or 0) + (pending or 0)


def test_scorecard_weights_must_sum_to_100(floor: Floor, db: Session) -> None:
    items = [
        {"key": "identity_verified", "text": "Identity verified", "weight": 0, "auto_fail": True},
        {"key": "accuracy", "text": "Accurate", "weight": 60, "max_score": 2},
        {"key": "courtesy", "text": "Courteous", "weight": 30},
    ]
    before = count(db, QaScorecard)
    bad = floor.qa.client.post("/api/qa/scorecards", json={"name": "Short card", "items": items})
    assert bad.status_code == 422 and loc(bad) == "body.items"
    assert "sum to 100" in bad.json()["detail"][0]["msg"]
    over = floor.qa.client.post(
        "/api/qa/scorecards",
        json={"name": "Heavy", "items": [{**items[1], "weight": 101}, items[2]]},
    )
    assert over.status_code == 422 and loc(over) == "body.items.0.weight"
    assert count(db, QaScorecard) == before
    items[2]["weight"] = 40
    ok = floor.qa.client.post("/api/qa/scorecards", json={"name": "Short card", "items": items})
    assert ok.status_code == 201, ok.text
    assert [i["auto_fail"] for i in ok.json()["items"]] == [True, False, False]
    again = floor.qa.client.post("/api/qa/scorecards", json={"name": "Short card", "items": items})
    assert again.status_code == 409
    # Agents read scorecards (to know what they are scored on) but never write them.
    assert floor.agent.client.get("/api/qa/scorecards").status_code == 200
    assert floor.agent.client.post("/api/qa/scorecards", json={}).status_code == 403


def test_scores_out_of_range_or_unknown_are_refused_and_nothing_saved(
    floor: Floor, db: Session
) -> None:
    c = floor.contacts["agent"][0].id
    for scores, field in (
        (full_marks(floor.card, accuracy=3), "body.scores.accuracy"),
        (full_marks(floor.card, greeting=-1), "body.scores.greeting"),
        (full_marks(floor.card, courtesy=1), "body.scores.courtesy"),
        (full_marks(floor.card, accuracy=None), "body.scores.accuracy"),
        ({k: v for k, v in full_marks(floor.card).items() if k != "tone"}, "body.scores.tone"),
    ):
        got = evaluate(floor, c, scores)
        assert got.status_code == 422 and loc(got) == field, (field, got.text)
    missing = evaluate(floor, 2_000_000_000, full_marks(floor.card))
    assert missing.status_code == 422 and loc(missing) == "body.contact_id"
    assert count(db, Evaluation) == 0 and count(db, CorrectiveAssignment) == 0
    # Agents cannot evaluate; a QA analyst's evaluation of a contact happens once.
    assert evaluate(floor, c, full_marks(floor.card), who=floor.agent).status_code == 403
    assert evaluate(floor, c, full_marks(floor.card)).status_code == 201
    assert evaluate(floor, c, full_marks(floor.card)).status_code == 409


def test_score_maths_through_the_api(floor: Floor) -> None:
    c = floor.contacts["agent"]
    full = evaluate(floor, c[0].id, full_marks(floor.card)).json()
    assert full["score"] == 100.0 and full["corrective"] is None and full["goal"] == 90.0
    # Greeting half (2.5 of 5), tone half (7.5 of 15): 90% of the 95 applicable points... the
    # transfer item is not applicable, so 95 points weigh: (95 - 10) / 95 = 89.47%.
    half = evaluate(floor, c[1].id, full_marks(floor.card, greeting=1, tone=1)).json()
    assert half["score"] == 89.47
    failed = evaluate(floor, c[2].id, full_marks(floor.card, identity_verified=0)).json()
    assert failed["score"] == 0.0 and failed["auto_failed"] is True
    assert failed["corrective"]["state"] == "open"


def test_corrective_training_clock_visibility_overdue_and_completion(
    floor: Floor, db: Session, frozen: Any
) -> None:
    got = evaluate(floor, floor.contacts["agent"][0].id, weak(floor.card))
    assert got.status_code == 201, got.text
    ev = got.json()
    assert ev["score"] == 57.89
    corrective = ev["corrective"]
    # Monday 15 June 10:00 PDT + 10 business days (Juneteenth is not a California closure):
    # close of business Monday 29 June.
    assert corrective["due_at"] == "2026-06-29T17:00:00-07:00"
    assert corrective["target"] == "qa_corrective_training" and corrective["pack"] == "calchoice"
    assert not corrective["overdue"]
    mine = floor.agent.client.get("/api/qa/corrective").json()
    assert [a["id"] for a in mine] == [corrective["id"]]
    assert floor.agent.client.get(f"/api/qa/evaluations/{ev['id']}").status_code == 200
    # Another agent neither sees it nor learns it exists; the team's supervisor sees it.
    assert floor.peer.client.get("/api/qa/corrective").json() == []
    assert floor.peer.client.get(f"/api/qa/evaluations/{ev['id']}").status_code == 404
    assert floor.other.client.get("/api/qa/evaluations").json()["total"] == 0
    team = floor.supervisor.client.get("/api/qa/corrective").json()
    assert [a["id"] for a in team] == [corrective["id"]]
    # A peer cannot complete it for the agent.
    done_url = f"/api/qa/corrective/{corrective['id']}/complete"
    assert floor.peer.client.post(done_url, json={}).status_code == 404

    frozen.move_to("2026-06-29T16:59:00-07:00")
    assert sweep(db).fired.get("corrective training overdue") == 0
    frozen.move_to("2026-06-29T17:00:01-07:00")
    assert floor.agent.client.get("/api/qa/corrective?overdue=true").json()[0]["overdue"]
    before = audited(db, "sla.breached")
    assert sweep(db).fired["corrective training overdue"] == 1
    assert sweep(db).fired["corrective training overdue"] == 0  # flagged once
    assert audited(db, "sla.breached") == before + 1
    flagged = floor.agent.client.get("/api/qa/corrective").json()[0]
    assert flagged["overdue_flagged_at"] is not None

    frozen.move_to("2026-07-01T09:00:00-07:00")
    done = floor.agent.client.post(done_url, json={"note": "Listened to model calls"})
    assert done.status_code == 200 and done.json()["state"] == "completed"
    assert done.json()["overdue"] is True  # completed late
    assert floor.agent.client.post(done_url, json={}).status_code == 409
    report = floor.qa.client.get("/api/qa/audit?year=2026&half=1").json()
    row = next(r for r in report["rows"] if r["agent_id"] == floor.agent.user.id)
    assert (row["evaluations"], row["below_80"], row["corrective"], row["late"]) == (1, 1, 1, 1)
    assert row["on_time"] == 0 and row["overdue_open"] == 0


def test_acknowledge_dispute_and_resolution(floor: Floor, db: Session) -> None:
    first = evaluate(floor, floor.contacts["agent"][0].id, full_marks(floor.card)).json()
    url = f"/api/qa/evaluations/{first['id']}"
    assert floor.peer.client.post(url + "/acknowledge").status_code == 404
    assert floor.agent.client.post(url + "/acknowledge").json()["state"] == "acknowledged"
    assert floor.agent.client.post(url + "/acknowledge").status_code == 409
    assert floor.agent.client.post(url + "/dispute", json={"reason": "x" * 20}).status_code == 409

    low = evaluate(floor, floor.contacts["agent"][1].id, weak(floor.card)).json()
    url = f"/api/qa/evaluations/{low['id']}"
    short = floor.agent.client.post(url + "/dispute", json={"reason": "no"})
    assert short.status_code == 422 and loc(short) == "body.reason"
    reason = "The member had asked for the exact figure; I gave it from the plan document."
    disputed = floor.agent.client.post(url + "/dispute", json={"reason": reason})
    assert disputed.json()["state"] == "disputed" and disputed.json()["dispute_reason"] == reason
    # Agents do not decide disputes; a supervisor of another team cannot see this one.
    assert floor.agent.client.post(url + "/resolve", json={"outcome": "upheld"}).status_code == 403
    no_scores = floor.supervisor.client.post(url + "/resolve", json={"outcome": "rescored"})
    assert no_scores.status_code == 422 and loc(no_scores) == "body.scores"
    rescored = floor.supervisor.client.post(
        url + "/resolve",
        json={
            "outcome": "rescored",
            "note": "Accuracy confirmed",
            "scores": full_marks(floor.card, tone=0),
        },
    )
    body = rescored.json()
    assert rescored.status_code == 200, rescored.text
    assert body["state"] == "resolved" and body["outcome"] == "rescored"
    assert body["score"] == 84.21  # tone (15) missed of 95 applicable points
    assert body["corrective"]["state"] == "cancelled"  # no longer under 80%
    assert (
        floor.supervisor.client.post(url + "/resolve", json={"outcome": "upheld"}).status_code
        == 409
    )
    assert audited(db, "qa.dispute_resolved") == 1


def test_sample_is_deterministic_and_tops_up(floor: Floor, db: Session) -> None:
    body = {"period": "2026-06", "per_agent": 2, "seed": 7}
    first = floor.qa.client.post("/api/qa/samples", json=body).json()
    assert first["drawn"] >= 6 and first["agents"] >= 3  # two for each of our three agents
    picked = {
        e.contact_id
        for e in db.scalars(select(Evaluation).where(Evaluation.id.in_(first["evaluation_ids"])))
    }
    again = floor.qa.client.post("/api/qa/samples", json=body).json()
    assert again["drawn"] == 0  # everyone already has two this month
    for e in db.scalars(select(Evaluation)):
        db.delete(e)
    db.flush()
    redraw = floor.qa.client.post("/api/qa/samples", json=body).json()
    repicked = {
        e.contact_id
        for e in db.scalars(select(Evaluation).where(Evaluation.id.in_(redraw["evaluation_ids"])))
    }
    assert repicked == picked
    mine = floor.contacts["agent"]
    pending = db.scalar(
        select(Evaluation).where(
            Evaluation.agent_id == floor.agent.user.id,
            Evaluation.contact_id.in_([c.id for c in mine]),
        )
    )
    assert pending is not None and pending.state == "pending"
    score_url = f"/api/qa/evaluations/{pending.id}/score"
    scored = floor.qa.client.post(score_url, json={"scores": full_marks(floor.card)})
    assert scored.status_code == 200 and scored.json()["kind"] == "random"
    assert (
        floor.qa2.client.post(score_url, json={"scores": full_marks(floor.card)}).status_code == 409
    )
    bad = floor.qa.client.post("/api/qa/samples", json={**body, "period": "2026-13"})
    assert bad.status_code == 422 and loc(bad) == "body.period"


def test_calibration_spread(floor: Floor, login) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.compliance.enums import Role

    c = floor.contacts["peer"][0].id
    cal = floor.qa.client.post(
        "/api/qa/calibrations", json={"title": "June calibration", "contact_id": c}
    )
    assert cal.status_code == 201, cal.text
    url = f"/api/qa/calibrations/{cal.json()['id']}/scores"
    third = login(Role.QA_ANALYST)
    for who, scores in (
        (floor.qa, full_marks(floor.card)),  # 100
        (floor.qa2, full_marks(floor.card, tone=1)),  # 92.11
        (third, full_marks(floor.card, accuracy=1, tone=1)),  # 78.95
    ):
        assert who.client.post(url, json={"scores": scores}).status_code == 201
    assert floor.qa.client.post(url, json={"scores": full_marks(floor.card)}).status_code == 409
    out = floor.qa.client.get(f"/api/qa/calibrations/{cal.json()['id']}").json()
    spread = out["spread"]
    assert [s["score"] for s in out["scores"]] == [100.0, 92.11, 78.95]
    assert spread["count"] == 3 and spread["range"] == 21.05 and spread["stdev"] == 8.68
    assert out["item_ranges"]["accuracy"] == 1 and out["item_ranges"]["greeting"] == 0
    # Calibration scores grade the evaluators: no corrective training, not in the agent's list.
    assert floor.peer.client.get("/api/qa/evaluations").json()["total"] == 0
    assert floor.peer.client.get("/api/qa/corrective").json() == []
    assert floor.agent.client.get(f"/api/qa/calibrations/{cal.json()['id']}").status_code == 403


def test_results_against_the_goal_scoped_by_role(floor: Floor) -> None:
    a, p, o = floor.contacts["agent"], floor.contacts["peer"], floor.contacts["other"]
    evaluate(floor, a[0].id, full_marks(floor.card))  # 100
    evaluate(floor, a[1].id, full_marks(floor.card, tone=1))  # 92.11
    evaluate(floor, p[0].id, weak(floor.card))  # 57.89
    evaluate(floor, o[0].id, full_marks(floor.card))  # 100
    q = "/api/qa/results?start=2026-06&end=2026-06"
    everyone = floor.qa.client.get(q).json()
    by = {r["agent_id"]: r for r in everyone["agents"]}
    assert by[floor.agent.user.id]["average"] == 96.06 and by[floor.agent.user.id]["meets_goal"]
    assert by[floor.peer.user.id]["below_80"] == 1 and by[floor.peer.user.id]["meets_goal"] is False
    teams = {t["team"]: t for t in everyone["teams"]}
    assert teams["Team A"]["evaluations"] == 3 and teams["Team A"]["average"] == 83.33
    assert everyone["goal"] == 90.0
    team_a = floor.supervisor.client.get(q).json()
    assert {r["agent_id"] for r in team_a["agents"]} == {floor.agent.user.id, floor.peer.user.id}
    own = floor.agent.client.get(q).json()
    assert [r["agent_id"] for r in own["agents"]] == [floor.agent.user.id]
    backwards = floor.qa.client.get("/api/qa/results?start=2026-06&end=2026-05")
    assert backwards.status_code == 422 and loc(backwards) == "query.end"

"""The QA pages over HTTP: the workspace draws the sample and opens a contact beside the
scorecard; a missing or impossible score is said beside its item (nothing saved); the agent
sees their evaluation and corrective training and disputes; the supervisor decides; results,
the audit and a calibration session read in words."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.quality.models import Evaluation
from tests.quality.conftest import NOW, Floor, full_marks, weak


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def form(scores: dict[str, int | None], **extra: str) -> dict[str, str]:
    return {**{f"score_{k}": ("na" if v is None else str(v)) for k, v in scores.items()}, **extra}


def test_evaluate_dispute_and_decide_through_the_pages(floor: Floor, db: Session) -> None:
    qa, agent = floor.qa.client, floor.agent.client
    home = qa.get("/qa")
    assert home.status_code == 200 and "Draw the monthly sample" in home.text
    drawn = qa.post("/qa/sample", data={"period": "2026-06", "per_agent": "1", "seed": "3"})
    assert "The month&#39;s sample is drawn" in drawn.text or "sample is drawn" in drawn.text
    bad = qa.post("/qa/sample", data={"period": "June", "per_agent": "1", "seed": "3"})
    assert bad.status_code == 422 and "Enter a month written like 2026-06." in bad.text

    c = floor.contacts["agent"][3].id
    page = qa.get(f"/qa/contacts/{c}")
    assert page.status_code == 200
    assert "Identity verified before any member information was disclosed" in page.text
    assert "auto-fail" in page.text and "Talk time" not in page.text  # no talk time recorded
    missing = dict(form(weak(floor.card)))
    del missing["score_tone"]
    refused = qa.post(f"/qa/contacts/{c}", data=missing)
    assert refused.status_code == 422 and 'id="score_tone-error"' in refused.text
    assert "Choose a score for this item." in refused.text
    too_high = qa.post(f"/qa/contacts/{c}", data=form(full_marks(floor.card, accuracy=7)))
    assert too_high.status_code == 422 and "from 0 to 2" in too_high.text
    # Nothing scored (the sample may have drawn this contact: it would wait, unscored).
    scored = select(func.count()).select_from(Evaluation).where(Evaluation.contact_id == c)
    assert db.scalar(scored.where(Evaluation.score.is_not(None))) == 0
    saved = qa.post(
        f"/qa/contacts/{c}",
        data=form(weak(floor.card), comments="Slow down"),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    url = saved.headers["location"].split("?")[0]

    mine = agent.get("/qa/evaluations")
    assert "My evaluations" in mine.text and "Corrective training" in mine.text
    assert "Due in" in mine.text and "Mark the training completed" in mine.text
    detail = agent.get(url)
    assert "57.9%" in detail.text and "Under 80%: corrective training" in detail.text
    assert floor.peer.client.get(url).status_code == 404
    short = agent.post(url + "/dispute", data={"reason": "no"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    agent.post(url + "/dispute", data={"reason": "I verified and answered accurately."})
    decide = floor.supervisor.client.get(url)
    assert (
        "Decide the dispute" in decide.text and "I verified and answered accurately." in decide.text
    )
    decided = floor.supervisor.client.post(
        url + "/resolve", data={"outcome": "upheld", "note": "Stands"}
    )
    assert "Dispute decided." in decided.text and "The score stands" in decided.text


def test_results_audit_and_calibration_pages(floor: Floor) -> None:
    qa = floor.qa.client
    for i, scores in enumerate((full_marks(floor.card), weak(floor.card))):
        got = qa.post(
            "/api/qa/evaluations",
            json={"contact_id": floor.contacts["agent"][i].id, "scores": scores},
        )
        assert got.status_code == 201
    results = floor.supervisor.client.get("/qa/results?start=2026-06&end=2026-06")
    text = " ".join(results.text.split())
    assert "Team A" in text and "78.9%" in text and "Under 80%: corrective training" in text
    audit = floor.supervisor.client.get("/qa/audit?year=2026&half=1")
    assert audit.status_code == 200 and "Semi-annual QA audit" in audit.text
    assert floor.agent.user.display_name in audit.text
    opened = qa.post(
        "/qa/calibrations",
        data={"title": "June", "contact_id": str(floor.contacts["peer"][0].id)},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    session_url = opened.headers["location"]
    qa.post(session_url, data=form(full_marks(floor.card)))
    floor.qa2.client.post(session_url, data=form(full_marks(floor.card, tone=1)))
    page = qa.get(session_url)
    assert "Highest minus lowest" in page.text and "7.9 points" in page.text
    assert "Your score" not in page.text  # scored already
    assert floor.agent.client.get("/qa/calibrations").status_code == 403

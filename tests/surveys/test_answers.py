"""Answering through the link's token: out-of-range answers refused by field with nothing
stored, one use per token, closing after 30 days; comments encrypted at rest, reduced for roles
that see masked data, and every read audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import LargeBinary, func, select, type_coerce
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.audit import decrypt_changes
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.surveys.enums import InvitationState
from memberdesk.surveys.models import SurveyAnswer, SurveyInvitation, SurveyMember
from tests.surveys.helpers import (
    answers,
    audited,
    complete_contact,
    invitation_of,
    send,
    surveyed_member,
    token_for,
)

SECRET_COMMENT = "Call me at 415-555-0177 about claim 2026-10-14, member 123456789-01."


def _sent(login, db: Session, settings) -> tuple[SurveyInvitation, str, Any]:  # type: ignore[no-untyped-def]
    agent = login(Role.TIER1_AGENT)
    member = surveyed_member(db)
    contact = complete_contact(agent.client, member.id)
    inv = invitation_of(db, contact["id"])
    assert inv is not None
    send(db, settings)
    db.refresh(inv)
    return inv, token_for(db, inv.id), agent


def _stored(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(SurveyAnswer)) or 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("csat", 0),
        ("csat", 6),
        ("csat", 4.5),
        ("csat", "five"),
        ("csat", None),
        ("nps", -1),
        ("nps", 11),
        ("cahps_help", "often"),
        ("cahps_courtesy", 3),
        ("comment", "x" * 2001),
    ],
)
def test_an_answer_out_of_range_names_the_field_and_stores_nothing(
    anon: TestClient, login, db: Session, backend_settings, field: str, value: object
) -> None:
    inv, token, _ = _sent(login, db, backend_settings)
    response = anon.post("/api/surveys/answers", json={"token": token, **answers(**{field: value})})
    assert response.status_code == 422
    locs = [item["loc"] for item in response.json()["detail"]]
    assert locs == [["body", field]], locs
    assert str(value) not in response.text or len(str(value)) < 3
    assert _stored(db) == 0
    db.refresh(inv)
    assert inv.state is InvitationState.SENT and inv.answered_at is None
    # The same link still works with answers in range.
    assert anon.post("/api/surveys/answers", json={"token": token, **answers()}).status_code == 201


def test_a_missing_answer_and_an_unknown_field_are_refused_by_name(
    anon: TestClient, login, db: Session, backend_settings
) -> None:
    _, token, _ = _sent(login, db, backend_settings)
    body = answers()
    del body["nps"]
    missing = anon.post("/api/surveys/answers", json={"token": token, **body})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "nps"]
    extra = anon.post("/api/surveys/answers", json={"token": token, **answers(), "agent_id": 1})
    assert extra.status_code == 422 and extra.json()["detail"][0]["loc"] == ["body", "agent_id"]
    assert _stored(db) == 0


def test_a_token_answers_once(anon: TestClient, login, db: Session, backend_settings) -> None:
    inv, token, agent = _sent(login, db, backend_settings)
    first = anon.post("/api/surveys/answers", json={"token": token, **answers(opt_out=True)})
    assert first.status_code == 201 and first.json()["opted_out"] is True
    second = anon.post("/api/surveys/answers", json={"token": token, **answers(csat=1)})
    assert second.status_code == 409
    assert second.json()["detail"][0]["loc"] == ["body", "token"]
    assert "answered already" in second.json()["detail"][0]["msg"]
    stored = db.scalars(select(SurveyAnswer)).all()
    assert [(a.csat, a.nps, a.agent_id, a.contact_id) for a in stored] == [
        (5, 9, agent.user.id, inv.contact_id)
    ]
    db.refresh(inv)
    assert inv.state is InvitationState.ANSWERED and inv.token is None
    pref = db.get(SurveyMember, inv.member_id)
    assert pref is not None and pref.opted_out_at is not None and pref.opted_out_via == "link"


def test_unknown_and_malformed_tokens_are_not_found(anon: TestClient) -> None:
    for token in ("A" * 43, "short", "../../etc/passwd", "Z" * 64):
        response = anon.post("/api/surveys/answers", json={"token": token, **answers()})
        assert response.status_code == 404, token
        assert response.json()["detail"][0]["loc"] == ["body", "token"]
        assert token not in response.text


def test_a_link_closes_after_30_days(
    anon: TestClient, login, db: Session, backend_settings
) -> None:
    inv, token, _ = _sent(login, db, backend_settings)
    assert inv.expires_at is not None
    assert inv.expires_at - inv.sent_at == timedelta(days=30)  # type: ignore[operator]
    with time_machine.travel(inv.expires_at + timedelta(seconds=1), tick=False):
        late = anon.post("/api/surveys/answers", json={"token": token, **answers()})
        assert late.status_code == 409 and "closed" in late.json()["detail"][0]["msg"]
        page = anon.get(f"/survey/{token}")
        assert page.status_code == 410 and "This survey has closed" in page.text
    with time_machine.travel(inv.expires_at - timedelta(seconds=1), tick=False):
        assert (
            anon.post("/api/surveys/answers", json={"token": token, **answers()}).status_code == 201
        )
    assert _stored(db) == 1


def test_an_invitation_not_sent_yet_cannot_be_answered(
    anon: TestClient, login, db: Session
) -> None:
    agent = login(Role.TIER1_AGENT)
    member = surveyed_member(db)
    inv = invitation_of(db, complete_contact(agent.client, member.id)["id"])
    assert inv is not None and inv.token is not None  # pending: its token was never sent
    response = anon.post("/api/surveys/answers", json={"token": inv.token, **answers()})
    assert response.status_code == 409 and _stored(db) == 0


def test_the_comment_is_encrypted_at_rest_and_never_audited_as_text(
    anon: TestClient, login, db: Session, backend_settings
) -> None:
    _, token, _ = _sent(login, db, backend_settings)
    body = {"token": token, **answers(comment=SECRET_COMMENT)}
    assert anon.post("/api/surveys/answers", json=body).status_code == 201
    raw = db.scalar(select(type_coerce(SurveyAnswer.comment, LargeBinary)))
    assert raw is not None and b"555-0177" not in bytes(raw) and b"Call me" not in bytes(raw)
    assert db.scalar(select(SurveyAnswer.comment)) == SECRET_COMMENT
    (entry,) = audited(db, AuditAction.SURVEY_ANSWERED)
    assert entry.actor == "survey-link" and entry.role == "member"
    changes = decrypt_changes(entry.changes)
    assert changes is not None and changes["new"]["comment"] == "(text)"
    assert "555-0177" not in str(entry.detail) + str(changes)


def test_comments_are_reduced_for_qa_and_every_read_is_audited(
    anon: TestClient, login, db: Session, backend_settings
) -> None:
    inv, token, agent = _sent(login, db, backend_settings)
    body = {"token": token, **answers(comment=SECRET_COMMENT)}
    assert anon.post("/api/surveys/answers", json=body).status_code == 201
    boss = login(Role.SUPERVISOR, team="Team A")
    supervisor = boss.client
    full = supervisor.get("/api/surveys/comments")
    assert full.status_code == 200, full.text
    (item,) = full.json()["items"]
    assert item["comment"] == SECRET_COMMENT and item["agent"] == agent.user.username
    analyst = login(Role.QA_ANALYST)
    qa = analyst.client
    (reduced,) = qa.get("/api/surveys/comments").json()["items"]
    assert "555-0177" not in reduced["comment"] and "123456789-01" not in reduced["comment"]
    assert "2026-10-14" not in reduced["comment"]
    assert reduced["comment"].startswith("Call me at [phone] about claim [date]")
    page = qa.get("/surveys/comments")
    assert page.status_code == 200 and "555-0177" not in page.text and "[phone]" in page.text
    reads = audited(db, AuditAction.SURVEY_COMMENTS_READ)
    assert len(reads) == 3
    assert [e.actor for e in reads] == [boss.user.username, *[analyst.user.username] * 2]
    assert all(e.detail and e.detail["shown"] == 1 for e in reads)
    from memberdesk.compliance.models import AuditMemberAccess

    accessed = db.scalars(
        select(AuditMemberAccess.member_id).where(
            AuditMemberAccess.audit_id.in_([e.id for e in reads])
        )
    ).all()
    assert set(accessed) == {inv.member_id}
    # Agents and the WFM analyst hold no survey.read; the figures stay open to kpi.read.
    assert agent.client.get("/api/surveys/comments").status_code == 403
    assert login(Role.WFM_ANALYST).client.get("/api/surveys/comments").status_code == 403


def test_invitations_not_sent_are_listed_with_why(login, db: Session, backend_settings) -> None:
    agent = login(Role.TIER1_AGENT)
    member = surveyed_member(db)
    sent = complete_contact(agent.client, member.id)
    throttled = complete_contact(agent.client, member.id)
    nobody = surveyed_member(db, phone=None, email=None)
    unreachable = complete_contact(agent.client, nobody.id)
    supervisor = login(Role.SUPERVISOR, team="Team A").client
    listed = supervisor.get("/api/surveys/invitations").json()
    why = {i["contact_id"]: (i["state"], i["skip_reason"]) for i in listed["items"]}
    assert why[sent["id"]] == ("pending", None)
    assert why[throttled["id"]] == ("skipped", "throttled")
    assert why[unreachable["id"]] == ("skipped", "no_address")
    assert all("token" not in i and "email" not in str(i) for i in listed["items"])
    send(db, backend_settings, at=now())
    after = supervisor.get("/api/surveys/invitations", params={"state": "sent"}).json()
    assert [i["contact_id"] for i in after["items"]] == [sent["id"]]
    assert len(audited(db, AuditAction.SURVEY_INVITATIONS_READ)) == 2

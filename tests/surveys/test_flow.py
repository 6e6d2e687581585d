"""From a completed contact to an answered survey, through the real app on each database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.surveys.enums import InvitationState, SendChannel
from memberdesk.surveys.models import SurveyAnswer
from tests.surveys.helpers import (
    answers,
    complete_contact,
    invitation_of,
    send,
    surveyed_member,
    token_for,
)


def test_a_completed_call_is_invited_by_text_and_answered(
    app, login, db: Session, backend_settings
) -> None:
    agent = login(Role.TIER1_AGENT)
    member = surveyed_member(db)
    contact = complete_contact(agent.client, member.id)
    inv = invitation_of(db, contact["id"])
    assert inv is not None and inv.state is InvitationState.PENDING
    assert inv.send_channel is SendChannel.SMS and inv.agent_id == agent.user.id
    assert send(db, backend_settings) == {"sent": 1, "retry": 0, "failed": 0}
    token = token_for(db, inv.id)
    anon = agent.client.__class__(app)
    done = anon.post("/api/surveys/answers", json={"token": token, **answers()})
    assert done.status_code == 201, done.text
    stored = db.scalar(select(SurveyAnswer).where(SurveyAnswer.contact_id == contact["id"]))
    assert stored is not None and stored.agent_id == agent.user.id and stored.csat == 5
    again = anon.post("/api/surveys/answers", json={"token": token, **answers()})
    assert again.status_code == 409

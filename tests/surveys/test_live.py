"""Surveys under real concurrency: a live server (real threads, real HTTP) on each database.
Contacts of one member ending at once earn one invitation; members answering at once each
store exactly one answer, a link sent twice at once answers once, and nothing fails."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.members.models import Member
from memberdesk.surveys.enums import InvitationState, SkipReason
from memberdesk.surveys.models import SurveyAnswer, SurveyInvitation
from memberdesk.surveys.sender import OutboxSender, send_due
from tests.dbutil import BACKENDS
from tests.livesrv import LiveServer, live_server
from tests.surveys.helpers import LINK, answers
from tests.test_concurrency import run_threads

RACERS = 10  # contacts of one member ending at the same moment
MEMBERS = 24  # members answering at once, each link sent twice at once


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"surveys-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=120) as server:
        yield server


def _reachable(live: LiveServer, n: int) -> list[int]:
    """Adults with a phone and no confidential-communication request, in id order."""
    adult = date.today().replace(year=date.today().year - 19)
    with live.sessions() as session:
        found = [
            m.id
            for m in session.scalars(select(Member).order_by(Member.id))
            if m.phone and m.confidential_scope is None and m.date_of_birth <= adult
        ]
    assert len(found) >= n
    return found[:n]


def _contact(member_id: int) -> dict[str, object]:
    end = now()
    return {
        "member_id": member_id,
        "channel": "phone",
        "direction": "inbound",
        "reasons": ["benefits"],
        "started_at": (end - timedelta(minutes=5)).isoformat(),
        "ended_at": end.isoformat(),
        "resolved": True,
    }


def test_contacts_ending_at_once_and_members_answering_at_once(live: LiveServer) -> None:
    agents = [live.add_user(Role.TIER1_AGENT, team="Load") for _ in range(4)]
    racer, *others = _reachable(live, MEMBERS + 1)

    def complete(i: int, client: httpx.Client) -> list[str]:
        member = racer if i < RACERS else others[i - RACERS]
        auth = {"Authorization": f"Bearer {agents[i % len(agents)].token}"}
        return [str(client.post("/api/contacts", json=_contact(member), headers=auth).status_code)]

    assert run_threads(RACERS + MEMBERS, complete, live.base_url) == Counter(
        {"201": RACERS + MEMBERS}
    )
    with live.sessions() as session:
        decided = session.execute(
            select(SurveyInvitation.member_id, SurveyInvitation.state, SurveyInvitation.skip_reason)
        ).all()
    mine = Counter((state, reason) for m, state, reason in decided if m == racer)
    assert mine == Counter(
        {(InvitationState.PENDING, None): 1, (InvitationState.SKIPPED, SkipReason.THROTTLED): 9}
    )
    assert sum(1 for _, state, _ in decided if state is InvitationState.PENDING) == MEMBERS + 1

    counts = send_due(live.sessions, live.settings, OutboxSender(live.sessions), at=now())
    assert counts == {"sent": MEMBERS + 1, "retry": 0, "failed": 0}
    with live.sessions() as session:
        from memberdesk.surveys.models import OutboxMessage

        tokens = [LINK.search(m.body).group(1) for m in session.scalars(select(OutboxMessage))]  # type: ignore[union-attr]
    assert len(set(tokens)) == MEMBERS + 1

    def answer(i: int, client: httpx.Client) -> list[str]:
        token = tokens[i // 2]  # two clients send each link at the same moment
        body = {"token": token, **answers(csat=1 + i % 5, nps=i % 11)}
        got = client.post("/api/surveys/answers", json=body)
        bad = client.post("/api/surveys/answers", json={"token": token, **answers(csat=9)})
        return [str(got.status_code), f"bad {bad.status_code}"]

    outcomes = run_threads(2 * (MEMBERS + 1), answer, live.base_url)
    assert outcomes == Counter(
        {"201": MEMBERS + 1, "409": MEMBERS + 1, "bad 422": 2 * (MEMBERS + 1)}
    )
    with live.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(SurveyAnswer))
        invitations = session.scalar(select(func.count(func.distinct(SurveyAnswer.invitation_id))))
        answered = session.scalar(
            select(func.count())
            .select_from(SurveyInvitation)
            .where(SurveyInvitation.state == InvitationState.ANSWERED)
        )
    assert stored == invitations == answered == MEMBERS + 1
    supervisor = live.add_user(Role.SUPERVISOR, team="Load")
    today = now().date()
    report = httpx.get(
        live.url("/api/surveys/results"),
        params={
            "from": (today - timedelta(days=1)).isoformat(),
            "to": (today + timedelta(days=1)).isoformat(),
        },
        headers={"Authorization": f"Bearer {supervisor.token}"},
    )
    assert report.status_code == 200 and report.json()["total"]["answers"] == MEMBERS + 1

"""Many calls through the phone menu at once on a live server (uvicorn, real HTTP, Twilio's
signed webhooks), on each database: every call keeps its own state, leaves the menu the way its
caller chose, becomes exactly one contact; voicemails become callback tasks; transferred calls
answered by an agent pop on that agent's desktop; the audit chain verifies. Counts, not
timings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.enums import Role
from memberdesk.compliance.verify import verify_chain
from memberdesk.contacts.models import Callback, Contact
from memberdesk.db import read_only_connection
from memberdesk.ivr.models import IvrCall, ScreenPop
from memberdesk.kpi.twilio import CREDENTIAL_FILE
from memberdesk.members.models import Member
from tests.dbutil import BACKENDS
from tests.ivr.caller import TOKEN, Caller
from tests.livesrv import LiveServer, live_server
from tests.test_concurrency import run_threads

CALLERS = 24


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"ivr-{request.param}")
    var = Path(tmp) / "var"
    with live_server(request.param, var, tmp, members=40) as server:
        (Path(server.settings.var_dir) / CREDENTIAL_FILE).write_text(TOKEN)
        yield server


def test_many_calls_at_once(live: LiveServer) -> None:
    with live.sessions() as session:
        members = [
            (m.member_number.replace("-", ""), f"{m.date_of_birth:%m%d%Y}")
            for m in session.scalars(select(Member).order_by(Member.id).limit(CALLERS))
        ]
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    feeder = live.add_user(Role.TELEPHONY)

    def work(i: int, client: httpx.Client) -> list[str]:
        number, born = members[i]
        c = Caller(client, base=live.base_url, phone=f"+1415555{i:04d}")
        kind = i % 4
        c.start()
        c.press("2" if kind == 1 else "1")
        if kind == 3:  # three wrong dates of birth: a representative takes over
            for _ in range(3):
                c.press(number)
                c.press("01011900")
            return [f"not identified {'<Enqueue>' in c.last}"]
        c.press(number)
        c.press(born)
        if kind == 0:
            c.press("1")
            c.press("9")
            c.press("2")
            return [f"contained {c.hang_up().json()['outcome']}"]
        if kind == 1:
            c.press("2")
            c.press("0")
            at = now()
            r = client.post(
                "/api/kpi/events",
                json={
                    "events": [
                        {
                            "id": f"ans-{c.call_sid}",
                            "type": "answered",
                            "at": (at + timedelta(seconds=5)).isoformat(),
                            "call_id": c.call_sid,
                            "agent_id": agent.username,
                        }
                    ]
                },
                headers={"Authorization": f"Bearer {feeder.token}"},
            )
            return [f"transferred {'<Enqueue>eligibility-es' in c.last} {r.status_code}"]
        c.press("4")
        r = c.record()
        return [f"voicemail {r.status_code} {'<Hangup' in c.last}"]

    outcomes = run_threads(CALLERS, work, live.base_url)
    quarter = CALLERS // 4
    assert outcomes == {
        "contained contained": quarter,
        "transferred True 200": quarter,
        "voicemail 200 True": quarter,
        "not identified True": quarter,
    }, outcomes
    with live.sessions() as session:
        by_outcome = dict(
            session.execute(select(IvrCall.outcome, func.count()).group_by(IvrCall.outcome)).all()
        )
        assert by_outcome == {
            "contained": quarter,
            "transferred": 2 * quarter,
            "voicemail": quarter,
        }
        contacts = session.scalar(
            select(func.count()).select_from(Contact).where(Contact.call_ref.like("ivr:%"))
        )
        assert contacts == CALLERS
        assert session.scalar(select(func.count()).select_from(Callback)) == quarter
        pops = session.scalar(
            select(func.count())
            .select_from(ScreenPop)
            .where(ScreenPop.agent_id == agent.user_id, ScreenPop.member_id.is_not(None))
        )
        assert pops == quarter
        audit.seal_all(session)
        session.commit()
    with read_only_connection(live.engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem

"""The same life event posted at once from several clients is recorded once: the database's
unique (member_id, dedup_bidx) refuses every copy after the first, with no row lock and no
read-then-insert check to race (the event date is encrypted; its blind index is what is unique).
Real threads against a live server, on each database."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import select

from memberdesk.clock import today_utc
from memberdesk.compliance.enums import Role
from memberdesk.members import service
from memberdesk.members.enums import Relationship
from memberdesk.members.models import LifeEvent, Member
from tests.dbutil import BACKENDS
from tests.livesrv import live_server

CLIENTS = 8


@pytest.mark.parametrize("backend", BACKENDS)
def test_simultaneous_duplicates_are_recorded_once(backend: str, tmp_path: Path) -> None:
    with live_server(backend, tmp_path / "var", tmp_path, members=40) as live:
        with live.sessions() as session:
            member_id = next(
                m.id
                for m in session.scalars(
                    select(Member).where(Member.relationship == Relationship.SELF)
                )
                if m.date_of_birth < date(2000, 1, 1)
                and service.eligibility(m, today_utc()).eligible
            )
        agent = live.add_user(Role.TIER1_AGENT)
        body = {"event_type": "permanent_move", "event_date": today_utc().isoformat()}
        start = threading.Barrier(CLIENTS)
        answers: list[int] = []

        def post() -> None:
            with httpx.Client(
                base_url=live.base_url, headers={"Authorization": f"Bearer {agent.token}"}
            ) as client:
                start.wait()
                answers.append(
                    client.post(f"/api/members/{member_id}/life-events", json=body).status_code
                )

        threads = [threading.Thread(target=post) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(answers) == [201] + [409] * (CLIENTS - 1)
        with live.sessions() as session:
            recorded = session.scalars(
                select(LifeEvent).where(LifeEvent.member_id == member_id)
            ).all()
        moves = [
            e for e in recorded if e.event_type == "permanent_move" and e.event_date == today_utc()
        ]
        assert len(moves) == 1

"""Get-next routes a navigated member's work to their navigator first; others still get the
rest, and get the navigated member's work too once the first offer has lapsed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import update
from sqlalchemy.orm import Session

from memberdesk.cases.models import CaseClock
from memberdesk.compliance.enums import Role
from memberdesk.navigators.offers import FIRST_OFFER
from tests import factories as f
from tests.cases.conftest import open_case
from tests.navigators.conftest import flag

# A Wednesday morning in Los Angeles, clear of holidays: voicemails are due at 17:00 that day.
T0 = datetime(2026, 12, 9, 17, 0, tzinfo=UTC)  # 09:00 Pacific


def _next(persona) -> dict | None:  # type: ignore[no-untyped-def]
    r = persona.client.post("/api/work/next")
    assert r.status_code in (200, 204), r.text
    return r.json() if r.status_code == 200 else None


def test_a_navigator_gets_their_members_cases_first_and_others_get_the_rest(
    login, client, db: Session
) -> None:
    nav = login(Role.NAVIGATOR)
    mine = f.member(db, last_name="Mine")
    stranger = f.member(db, last_name="Stranger")
    flag(nav.client, mine.id)
    with time_machine.travel(T0, tick=False):
        urgent = open_case(client, stranger.id, priority="urgent")
        own = open_case(client, mine.id, priority="low")
        # The stranger's case is much nearer its deadline: without the navigator it goes first.
        db.execute(
            update(CaseClock)
            .where(CaseClock.case_id == urgent["id"])
            .values(due_at=T0 + timedelta(hours=1))
        )
        db.commit()
        agent = login(Role.TIER1_AGENT)
        # Another agent does not get the navigated member's new case: it is offered first to
        # the navigator; they get the other case.
        got = _next(agent)
        assert got is not None and got["id"] == urgent["id"]
        assert _next(agent) is None
        got = _next(nav)
        assert got is not None and got["id"] == own["id"]
        assert got["case"]["assignee"]["id"] == nav.user.id


def test_the_first_offer_lapses_so_no_work_is_stranded(login, client, db: Session) -> None:
    nav = login(Role.NAVIGATOR)
    mine = f.member(db, last_name="Mine")
    flag(nav.client, mine.id)
    agent = login(Role.TIER1_AGENT)
    with time_machine.travel(T0, tick=False):
        case = open_case(client, mine.id)
        assert _next(agent) is None
    with time_machine.travel(T0 + FIRST_OFFER + timedelta(minutes=1), tick=False):
        got = _next(agent)
        assert got is not None and got["id"] == case["id"]


def test_a_disabled_navigator_holds_nothing_back(login, client, db: Session) -> None:
    nav = login(Role.NAVIGATOR)
    mine = f.member(db, last_name="Mine")
    flag(nav.client, mine.id)
    nav.user.disabled = True
    db.flush()
    with time_machine.travel(T0, tick=False):
        case = open_case(client, mine.id)
        got = _next(login(Role.TIER1_AGENT))
        assert got is not None and got["id"] == case["id"]


def test_a_navigator_takes_their_members_spanish_case_whatever_their_languages(
    login, client, db: Session
) -> None:
    nav = login(Role.NAVIGATOR)  # default skills: Tiers 1 and 2, English
    mine = f.member(db, last_name="Garcia", spoken_language="es", written_language="es")
    flag(nav.client, mine.id)
    english = f.member(db, last_name="English")
    with time_machine.travel(T0, tick=False):
        other = open_case(client, english.id)
        own = open_case(client, mine.id)
        assert own["queue"]["name"] == "Tier 1 Spanish"
        assert _next(nav)["id"] == own["id"]  # type: ignore[index]
        assert _next(nav)["id"] == other["id"]  # type: ignore[index]


def _voicemail(client, member_id: int, at: datetime) -> dict:  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/voicemails",
        json={"member_id": member_id, "phone": "4155550142", "received_at": at.isoformat()},
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_a_navigator_returns_their_members_voicemails_first(login, client, db: Session) -> None:
    nav = login(Role.NAVIGATOR)
    mine = f.member(db, last_name="Mine")
    stranger = f.member(db, last_name="Stranger")
    flag(nav.client, mine.id)
    with time_machine.travel(T0, tick=False):
        earlier = _voicemail(client, stranger.id, T0 - timedelta(days=1))  # overdue
        own = _voicemail(client, mine.id, T0 - timedelta(minutes=5))
        unknown = client.post(
            "/api/voicemails",
            json={"member_id": None, "phone": "4155550199", "received_at": T0.isoformat()},
        ).json()
        got = _next(nav)
        assert got is not None and got["kind"] == "callback" and got["id"] == own["id"]
        agent = login(Role.TIER1_AGENT)
        assert _next(agent)["id"] == earlier["id"]  # type: ignore[index]
        assert _next(agent)["id"] == unknown["id"]  # type: ignore[index]


def test_a_held_voicemail_goes_to_anyone_once_its_warning_passes(
    login, client, db: Session
) -> None:
    nav = login(Role.NAVIGATOR)
    mine = f.member(db, last_name="Mine")
    flag(nav.client, mine.id)
    late = T0 + timedelta(hours=7)  # 16:00 Pacific: the 17:00 deadline's warning is near
    with time_machine.travel(late, tick=False):
        cb = _voicemail(client, mine.id, late)
        agent = login(Role.TIER1_AGENT)
        warn = datetime.fromisoformat(cb["warn_at"])
        assert warn < late + FIRST_OFFER
        assert _next(agent) is None  # still offered to the navigator
    with time_machine.travel(warn + timedelta(minutes=1), tick=False):
        got = _next(agent)
        assert got is not None and got["id"] == cb["id"]


def test_a_navigators_own_case_comes_before_anyone_elses_voicemail(
    login, client, db: Session
) -> None:
    nav = login(Role.NAVIGATOR)
    mine = f.member(db, last_name="Mine")
    stranger = f.member(db, last_name="Stranger")
    flag(nav.client, mine.id)
    with time_machine.travel(T0, tick=False):
        theirs = _voicemail(client, stranger.id, T0 - timedelta(days=1))  # overdue, not theirs
        own = open_case(client, mine.id, priority="low")
        first = _next(nav)
        assert first is not None and (first["kind"], first["id"]) == ("case", own["id"])
        second = _next(nav)
        assert second is not None and (second["kind"], second["id"]) == ("callback", theirs["id"])

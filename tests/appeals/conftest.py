"""Personas, members on each pack, and helpers for the appeals tests.

A member's pack follows their line of business (``memberdesk.members.packs.pack_for``): an
Oregon Health Plan member from the seeded Oregon book runs on ``oregon-medicaid``; ``on_line``
moves a member to another line (the column ``pack_for`` reads), for the self-funded ERISA line,
which has no synthetic book of its own, and for tests that need many members of a line.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import Member
from tests import factories as f
from tests.web.test_pages import csrf_of, sign_in

ONE_DAY = 86_400


def on_line(db: Session, member: Member, line: LineOfBusiness) -> Member:
    """Put ``member`` on ``line`` (its pack decides their appeals' clocks)."""
    member.line_of_business = line
    db.flush()
    return member


@pytest.fixture
def member(db: Session) -> Member:
    """A California small-group member (calchoice)."""
    return f.member(db, last_name="Appellant")


@pytest.fixture
def oregon_member(db: Session) -> Member:
    """An Oregon Health Plan member of the seeded Oregon book (oregon-medicaid)."""
    found = db.get(Member, f.oregon_book(db, members=3)[0])
    assert found is not None
    return found


@pytest.fixture
def erisa_member(db: Session) -> Member:
    """A member of a self-funded employer plan (erisa-group)."""
    return on_line(db, f.member(db, last_name="Erisaperson"), LineOfBusiness.ERISA_GROUP)


@pytest.fixture
def tier3(login):  # type: ignore[no-untyped-def]
    return login(Role.TIER3_APPEALS, team="Team C")


@pytest.fixture
def supervisor(login):  # type: ignore[no-untyped-def]
    return login(Role.SUPERVISOR, team="Team A")


def body(member_id: int, received_at: datetime | str, **extra: Any) -> dict[str, Any]:
    """A ``POST /api/appeals`` body (a written standard appeal unless ``extra`` says)."""
    at = received_at if isinstance(received_at, str) else received_at.isoformat()
    payload: dict[str, Any] = {
        "member_id": member_id,
        "kind": "appeal",
        "urgency": "standard",
        "channel": "written",
        "received_at": at,
        "summary": "Denied prior authorisation for a knee MRI; my doctor says it is needed",
    }
    payload.update(extra)
    return payload


def receive(
    client: Any, member_id: int, received_at: datetime | str, **extra: Any
) -> dict[str, Any]:
    """POST /api/appeals and return the 201 answer."""
    r = client.post("/api/appeals", json=body(member_id, received_at, **extra))
    assert r.status_code == 201, r.text
    return dict(r.json())


def clock(appeal: dict[str, Any], target: str) -> dict[str, Any]:
    """The appeal's clock for ``target`` (exactly one expected)."""
    found = [c for c in appeal["clocks"] if c["target"] == target]
    assert len(found) == 1, appeal["clocks"]
    return found[0]


class Web:
    """A person at a browser: a signed-in cookie session posting forms with the CSRF token."""

    def __init__(self, client: Any, user_id: int, username: str) -> None:
        self.client, self.user_id, self.username = client, user_id, username
        self.csrf = csrf_of(client.get("/").text)

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            path, data={"csrf_token": self.csrf, **(data or {})}, follow_redirects=False
        )

    def follow(self, answer: Any) -> str:
        """The page a 303 leads to."""
        assert answer.status_code == 303, answer.text[:3000]
        return str(self.client.get(answer.headers["location"]).text)


@pytest.fixture
def person(app, login):  # type: ignore[no-untyped-def]
    """``person(role, team=...)`` -> a signed-in browser session (real HTTP through the app)."""
    made: list[Any] = []

    def make(role: Role, **kw: Any) -> Web:
        persona = login(role, **kw)
        client = TestClient(app)
        made.append(client)
        assert sign_in(client, persona.user.username).status_code == 303
        return Web(client, persona.user.id, persona.user.username)

    yield make
    for c in made:
        c.close()


def text_of(html: str) -> str:
    """The words of the page's main part, tags dropped (what a person reads)."""
    main = html.split('<main id="main"', 1)[1].split(">", 1)[1]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))
    return unescape(re.sub(r" ([:.,;)])", r"\1", text))

"""Personas, members on each pack, and helpers for the appeals tests.

Until members carry their line of business, every member's pack is ``calchoice``
(``memberdesk.members.packs.pack_for``). ``on_pack`` puts one member on another pack by
replacing ``pack_for`` in the one module that asks it for appeals (``memberdesk.appeals.service``),
for that member only. Once the Oregon line of business is merged, ``oregon_member`` and
``erisa_member`` create members on those lines instead and ``on_pack`` goes (test_cli.py,
test_exhaustion.py and test_live.py replace ``pack_for`` the same way, inline).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from memberdesk.appeals import service
from memberdesk.compliance.enums import Role
from memberdesk.members.models import Member
from tests import factories as f

ONE_DAY = 86_400


@pytest.fixture
def on_pack(monkeypatch: pytest.MonkeyPatch) -> Callable[[Member, str], Member]:
    """``on_pack(member, pack)``: the member's appeals run on ``pack``."""
    chosen: dict[int, str] = {}
    real = service.pack_for

    def pack_for(member: Member | None) -> str:
        if member is not None and member.id in chosen:
            return chosen[member.id]
        return real(member)

    monkeypatch.setattr(service, "pack_for", pack_for)

    def put(member: Member, pack: str) -> Member:
        chosen[member.id] = pack
        return member

    return put


@pytest.fixture
def member(db: Session) -> Member:
    """A California small-group member (calchoice)."""
    return f.member(db, last_name="Appellant")


@pytest.fixture
def oregon_member(db: Session, on_pack: Callable[[Member, str], Member]) -> Member:
    """A member whose appeals run on the oregon-medicaid pack."""
    return on_pack(f.member(db, last_name="Medicaidperson"), "oregon-medicaid")


@pytest.fixture
def erisa_member(db: Session, on_pack: Callable[[Member, str], Member]) -> Member:
    """A member of a self-funded employer plan (erisa-group)."""
    return on_pack(f.member(db, last_name="Erisaperson"), "erisa-group")


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

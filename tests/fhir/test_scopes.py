"""Scoped tokens for the apps members and plans connect: ``patient/*.read`` (a member's own
compartment) and ``user/*.read`` (staff) reach the FHIR API's reads and nothing else the
account could do; a scope that does not fit the account is refused at issue."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from tests import factories as f
from tests.conftest import PASSWORD


def _token(anon: TestClient, username: str, scope: str | None) -> tuple[int, dict[str, str]]:
    body = {"username": username, "password": PASSWORD, "name": "my app"}
    if scope:
        body["scope"] = scope
    r = anon.post("/api/auth/token", json=body)
    if r.status_code != 201:
        return r.status_code, {}
    assert r.json()["scope"] == scope
    return 201, {"Authorization": f"Bearer {r.json()['token']}"}


def test_a_scoped_token_reads_fhir_and_nothing_else(login, anon, db: Session) -> None:
    me = f.member(db, last_name="Appconnect")
    member = login(Role.MEMBER, member_id=me.id)
    status, app = _token(anon, member.user.username, "patient/*.read")
    assert status == 201
    assert anon.get("/fhir/Patient", headers=app).json()["entry"][0]["resource"]["id"] == str(me.id)
    assert anon.get("/fhir/Coverage", headers=app).status_code == 200
    # Not the portal, not the account: the app cannot read messages, order cards or list
    # and revoke the member's tokens.
    refused = anon.get("/api/me", headers=app)
    assert refused.status_code == 403 and "patient/*.read" in refused.json()["detail"][0]["msg"]
    assert anon.post("/api/me/id-cards", json={"reason": "damaged"}, headers=app).status_code == 403
    assert anon.get("/api/auth/tokens", headers=app).status_code == 403
    denied = db.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.ACCESS_DENIED))
    assert any((e.detail or {}).get("scope") == "patient/*.read" for e in denied)
    # The member's own listing shows which token is the app's.
    listed = member.client.get("/api/auth/tokens").json()
    assert [t["scope"] for t in listed if t["name"] == "my app"] == ["patient/*.read"]
    # ...and so does the administrator's page of the account, in words.
    admin = login(Role.ADMIN)
    page = admin.client.get(f"/admin/accounts/{member.user.username}").text
    assert "reads the FHIR API only, the member's own records" in page

    agent = login(Role.TIER1_AGENT, team="Team A")
    status, staff_app = _token(anon, agent.user.username, "user/*.read")
    assert status == 201
    read = anon.get(f"/fhir/Patient/{me.id}", headers=staff_app)
    assert read.status_code == 200
    assert anon.get(f"/api/members/{me.id}", headers=staff_app).status_code == 403

    # A scope that does not fit the account: refused (422), naming the field.
    assert _token(anon, member.user.username, "user/*.read")[0] == 422
    assert _token(anon, agent.user.username, "patient/*.read")[0] == 422
    wfm = login(Role.WFM_ANALYST)
    assert _token(anon, wfm.user.username, "user/*.read")[0] == 422

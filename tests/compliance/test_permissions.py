"""Every route declares its permission, and every role is refused what it must not see."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from memberdesk.compliance.deps import Require, public
from memberdesk.compliance.enums import Permission, Role
from memberdesk.compliance.permissions import matrix, parse_matrix, policy
from memberdesk.members.enums import IdCardReason
from memberdesk.members.models import IdCardRequest
from tests import factories as f

PUBLIC_ROUTES = {
    ("GET", "/healthz"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/api/auth/token"),
    ("POST", "/api/auth/password"),  # proves the current password itself (also after a reset)
    ("POST", "/api/auth/enrol"),  # a member opens an account by proving identity facts
    ("GET", "/password"),
    ("POST", "/password"),  # the page of POST /api/auth/password
    ("GET", "/enrol"),
    ("POST", "/enrol"),  # the page of POST /api/auth/enrol
    # A survey link's token authorises exactly that one survey, once (surveys/).
    ("POST", "/api/surveys/answers"),
    ("GET", "/survey/{token}"),
    ("POST", "/survey/{token}"),  # the page of POST /api/surveys/answers
    ("GET", "/fhir/metadata"),  # FHIR's CapabilityStatement: clients read it before signing in
}


def declared(route: APIRoute) -> list[object]:
    """The Require / public markers among a route's dependencies (recursively)."""
    found: list[object] = []
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        call = dep.call
        if isinstance(call, Require) or call is public:
            found.append(call)
        stack.extend(dep.dependencies)
    return found


def flat(items) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    """API routes, descending into included routers (FastAPI keeps those as branches)."""
    out: list[APIRoute] = []
    for r in items:
        if isinstance(r, APIRoute):
            out.append(r)
        elif hasattr(r, "original_router"):
            out.extend(flat(r.original_router.routes))
    return out


def routes(app) -> list[tuple[str, str, APIRoute]]:  # type: ignore[no-untyped-def]
    return [(m, r.path, r) for r in flat(app.routes) for m in r.methods]


def test_every_route_declares_exactly_one_permission_or_public(app) -> None:
    problems = []
    for method, path, route in routes(app):
        marks = declared(route)
        if len(marks) != 1:
            problems.append(f"{method} {path}: {len(marks)} markers")
        elif marks[0] is public and (method, path) not in PUBLIC_ROUTES:
            problems.append(f"{method} {path}: public but not on the allow-list")
    assert problems == []
    assert len(routes(app)) > 30


def test_matrix_is_data_and_validated() -> None:
    assert set(matrix()) == set(Role)
    assert not policy(Role.WFM_ANALYST).allows(Permission.MEMBER_READ)
    assert not policy(Role.TIER1_AGENT).allows(Permission.APPEAL_CLINICAL_READ)
    assert policy(Role.TIER3_APPEALS).allows(Permission.APPEAL_CLINICAL_READ)
    assert policy(Role.COMPLIANCE_OFFICER).allows(Permission.ACCESS_REPORT_READ)
    assert not policy(Role.ADMIN).allows(Permission.MEMBER_READ)
    # Navigators and their supervisors flag, unflag and assign navigators; agents refer.
    assert policy(Role.NAVIGATOR).allows(Permission.NAVIGATOR_MANAGE)
    assert policy(Role.SUPERVISOR).allows(Permission.NAVIGATOR_MANAGE)
    assert not policy(Role.TIER1_AGENT).allows(Permission.NAVIGATOR_MANAGE)
    with pytest.raises(ValueError, match="not a valid"):
        parse_matrix('[roles.tier1_agent]\npermissions = ["member.teleport"]')
    with pytest.raises(ValueError, match="cannot mask"):
        parse_matrix('[roles.tier1_agent]\npermissions = []\nmask = { date_of_birth = "all" }')


@pytest.fixture
def path_values(db: Session, login) -> dict[str, str]:  # type: ignore[no-untyped-def]
    m = f.member(db)
    card = IdCardRequest(member_id=m.id, reason=IdCardReason.DAMAGED)
    db.add(card)
    db.flush()
    other = login(Role.TIER1_AGENT, username="walk-target")
    return {
        "member_id": str(m.id),
        "card_id": str(card.id),
        "group_id": str(m.group_id),
        "plan_id": "1",
        "contact_id": "999999",
        "callback_id": "999999",
        "letter_id": "999999",
        "user_id": str(other.user.id),
        "username": "walk-target",
        "hold_id": "999999",
        "name": "california-state",
        "token_id": "999999",
        "grant_id": "999999",
        "team_id": "999999",
        "case_id": "999999",
        "transfer_id": "999999",
        "step_id": "verify_identity",
        "kind": "acknowledgement",
        "document_id": "999999",
        "appeal_id": "999999",
        "inquiry_id": "999999",
        "referral_id": "999999",
        "incident_id": "999999",
        "vendor_id": "999999",
        "baa_id": "999999",
        "person_id": "999999",
        "article_id": "999999",
        "version_id": "999999",
        "point_id": "999999",
        "patient_id": str(m.id),
        "coverage_id": "999999",
        "organization_id": f"group-{m.group_id}",
        "scorecard_id": "999999",
        "evaluation_id": "999999",
        "assignment_id": "999999",
        "calibration_id": "999999",
        "pop_id": "999999",
    }


def test_each_role_allowed_and_refused_exactly_by_the_matrix(
    app, login, path_values, db, monkeypatch
) -> None:
    # The wallboard's server-sent stream runs until its time is up (the test client never
    # disconnects): with none, it answers at once and the walk checks only who may open it.
    monkeypatch.setattr("memberdesk.kpi.ui_board.STREAM_SECONDS", 0.0)
    monkeypatch.setattr("memberdesk.ivr.ui.STREAM_SECONDS", 0.0)  # the desktop's screen pops
    member = f.member(db, last_name="Portalperson")
    refused_ok, allowed_ok = 0, 0
    for role in Role:
        persona = login(
            role,
            team="Team A" if role != Role.MEMBER else None,
            member_id=member.id if role == Role.MEMBER else None,
        )
        pol = policy(role)
        for method, path, route in routes(app):
            marks = declared(route)
            if marks[0] is public:
                continue
            needed = marks[0].permission  # type: ignore[union-attr]
            url = re.sub(r"{(\w+)}", lambda m: path_values[m.group(1)], path)
            query = "?start=2026-01-01&end=2026-12-31" if "/compliance/access/" in path else ""
            response = persona.client.request(method, url + query, json={})
            if pol.allows(needed):
                assert response.status_code != 403, (role, method, path, response.text)
                allowed_ok += 1
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)
                if path.startswith("/api/"):
                    assert needed.value in response.json()["detail"][0]["msg"]
                elif path.startswith("/fhir/"):  # a FHIR OperationOutcome
                    issue = response.json()["issue"][0]
                    assert issue["code"] == "forbidden" and needed.value in issue["details"]["text"]
                else:  # a page: the site's error page, in plain words
                    assert "Not available to your role" in response.text
                refused_ok += 1
    assert refused_ok > 100 and allowed_ok > 50


def test_no_credentials_means_401_for_every_protected_api_route(app, anon, path_values) -> None:
    for method, path, route in routes(app):
        if declared(route)[0] is public or not path.startswith(("/api/", "/fhir/")):
            continue
        url = re.sub(r"{(\w+)}", lambda m: path_values[m.group(1)], path)
        response = anon.request(method, url, json={})
        assert response.status_code == 401, (method, path)


def test_pages_redirect_to_sign_in(anon) -> None:
    response = anon.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2F"


def test_bad_token_is_401(anon) -> None:
    response = anon.get("/api/plans", headers={"Authorization": "Bearer mdt_nope"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_qa_analyst_sees_masked_fields_agent_sees_all(login, db: Session) -> None:
    m = f.member(
        db,
        dob=date(1975, 8, 30),
        phone="(916) 555-0177",
        last_name="Maskington",
        email="maskington@example.com",
        confidential_phone="(916) 555-0188",
        confidential_address="PO Box 12, Sacramento, CA 95814",
        confidential_scope="sensitive_services",
    )
    qa = login(Role.QA_ANALYST).client.get(f"/api/members/{m.id}").json()["member"]
    assert qa["date_of_birth"] == "1975"
    assert qa["phone"] == "•••-•••-0177"
    assert qa["member_number"].endswith(m.member_number[-5:])
    assert m.member_number not in str(qa)
    assert qa["address"]["line1"] is None and qa["address"]["city"] == "Oakland"
    assert qa["email"] is None and qa["confidential_communication"] is None
    assert "PO Box" not in str(qa) and "0188" not in str(qa).replace("•••-•••-0188", "")
    agent = login(Role.TIER1_AGENT).client.get(f"/api/members/{m.id}").json()["member"]
    assert agent["date_of_birth"] == "1975-08-30"
    assert agent["phone"] == "(916) 555-0177"
    assert agent["confidential_communication"]["phone"] == "(916) 555-0188"
    assert agent["contact_routing"]["sensitive_address"] == "PO Box 12, Sacramento, CA 95814"


def test_member_sees_only_their_own_record(login, db: Session) -> None:
    me = f.member(db, last_name="Selfserve")
    spouse = f.member(
        db,
        subscriber=me,
        relationship="spouse",
        first_name="Adult",
        last_name="Selfserve",
        dob=date(1983, 1, 2),
    )
    portal = login(Role.MEMBER, member_id=me.id).client
    mine = portal.get("/api/me").json()
    assert mine["member"]["id"] == me.id
    assert [h["id"] for h in mine["household"]] == [me.id]  # not the spouse's details
    assert portal.get(f"/api/members/{me.id}").status_code == 403
    assert portal.get(f"/api/members/{spouse.id}").status_code == 403
    assert (
        portal.post("/api/members/search", json={"member_number": me.member_number}).status_code
        == 403
    )
    assert portal.post("/api/me/id-cards", json={"reason": "lost_or_stolen"}).status_code == 201


def test_supervisor_sees_own_team_only(login) -> None:
    sup = login(Role.SUPERVISOR, team="Team A")
    mine = login(Role.TIER1_AGENT, team="Team A")
    other = login(Role.TIER1_AGENT, team="Team B")
    names = {u["username"] for u in sup.client.get("/api/team").json()}
    assert mine.user.username in names and sup.user.username in names
    assert other.user.username not in names
    assert sup.client.get("/api/users").status_code == 403  # not an administrator


def test_wfm_analyst_gets_no_member_data(login, db: Session) -> None:
    m = f.member(db)
    wfm = login(Role.WFM_ANALYST).client
    assert wfm.get(f"/api/members/{m.id}").status_code == 403
    assert (
        wfm.post("/api/members/search", json={"member_number": m.member_number}).status_code == 403
    )
    assert wfm.get(f"/api/groups/{m.group_id}/members").status_code == 403
    assert wfm.get("/api/groups").status_code == 200  # employers are not PHI

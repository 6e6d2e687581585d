"""Flag, assign, unflag and read a member's navigator through the API; the caseload."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.navigators.models import MemberNavigator
from tests import factories as f
from tests.cases.conftest import open_case
from tests.navigators.conftest import audited, flag

REASON = "Dialysis and a housing move"


def test_a_navigator_flags_a_member_by_hand_and_owns_them(
    navigator, member, client, db: Session
) -> None:
    out = flag(navigator.client, member.id)
    assert out["state"] == "flagged" and out["source"] == "hand" and out["rules"] == []
    assert out["navigator"]["id"] == navigator.user.id and out["reason"] == REASON
    # Audited with the member and the navigator, never the reason's words.
    entry = audited(db, "navigator.flagged", member.id)[-1]
    assert entry.actor_id == navigator.user.id and entry.detail["source"] == "hand"
    assert REASON not in str(entry.detail)
    # The member 360 shows the navigator (no reasons there).
    view = client.get(f"/api/members/{member.id}").json()
    assert view["navigator"]["navigator"]["username"] == navigator.user.username
    assert view["navigator"]["source"] == "hand" and "reason" not in view["navigator"]
    # Reading the flag with its reason is audited.
    read = client.get(f"/api/members/{member.id}/navigator")
    assert read.status_code == 200 and read.json()["reason"] == REASON
    assert audited(db, "navigator.read", member.id)
    again = navigator.client.post(f"/api/members/{member.id}/navigator", json={"reason": "x"})
    assert again.status_code == 409 and again.json()["detail"][0]["loc"] == ["path", "member_id"]


def test_a_supervisor_flags_for_the_least_loaded_navigator_and_reassigns(
    login, supervisor, db: Session
) -> None:
    busy, free = login(Role.NAVIGATOR), login(Role.NAVIGATOR)
    first, second, third = (f.member(db, last_name=n) for n in ("One", "Two", "Three"))
    flag(busy.client, first.id)  # busy now owns one member
    got = flag(supervisor.client, second.id)
    # Every enabled navigator in the book counts; the one with fewest members gets the next.
    assert got["navigator"]["id"] != busy.user.id
    named = flag(supervisor.client, third.id, navigator_id=busy.user.id)
    assert named["navigator"]["id"] == busy.user.id
    moved = supervisor.client.post(
        f"/api/members/{third.id}/navigator/assign", json={"navigator_id": free.user.id}
    )
    assert moved.status_code == 200 and moved.json()["navigator"]["id"] == free.user.id
    entry = audited(db, "navigator.assigned", third.id)[-1]
    assert entry.actor_id == supervisor.user.id


def test_unflag_with_a_reason_ends_the_flag(navigator, member, client, db: Session) -> None:
    flag(navigator.client, member.id)
    r = navigator.client.post(
        f"/api/members/{member.id}/navigator/unflag", json={"reason": "Moved out of area"}
    )
    assert r.status_code == 200
    assert r.json()["state"] == "unflagged" and r.json()["unflag_reason"] == "Moved out of area"
    assert client.get(f"/api/members/{member.id}").json()["navigator"] is None
    assert navigator.client.get("/api/navigators/me/caseload").json()["total"] == 0
    again = navigator.client.post(
        f"/api/members/{member.id}/navigator/unflag", json={"reason": "again"}
    )
    assert again.status_code == 409
    assign = navigator.client.post(
        f"/api/members/{member.id}/navigator/assign", json={"navigator_id": navigator.user.id}
    )
    assert assign.status_code == 409
    assert audited(db, "navigator.unflagged", member.id)
    # Flagged again later by hand: the same row, flagged once more.
    assert flag(navigator.client, member.id)["state"] == "flagged"


def test_bad_input_names_the_field_and_changes_nothing(
    navigator, member, login, db: Session
) -> None:
    agent = login(Role.TIER1_AGENT)
    secret = "Patient has HIV"
    bad = navigator.client.post(
        f"/api/members/{member.id}/navigator",
        json={"reason": secret, "navigator_id": agent.user.id},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "navigator_id"]
    assert secret not in bad.text
    blank = navigator.client.post(f"/api/members/{member.id}/navigator", json={"reason": "  "})
    assert blank.status_code == 422 and blank.json()["detail"][0]["loc"] == ["body", "reason"]
    missing = navigator.client.post("/api/members/99999999/navigator", json={"reason": secret})
    assert missing.status_code == 404 and secret not in missing.text
    assert db.scalar(select(MemberNavigator).where(MemberNavigator.member_id == member.id)) is None
    assert navigator.client.get(f"/api/members/{member.id}/navigator").status_code == 404
    # Agents read flags but do not set them.
    refused = agent.client.post(f"/api/members/{member.id}/navigator", json={"reason": "x"})
    assert refused.status_code == 403


def test_caseload_counts_open_cases_and_callbacks(
    navigator, supervisor, member, client, login, db: Session
) -> None:
    other = f.member(db, last_name="Elsewhere")
    flag(navigator.client, member.id)
    flag(navigator.client, other.id)
    open_case(client, member.id, case_type="billing")
    taken = open_case(client, member.id)
    supervisor.client.post(f"/api/cases/{taken['id']}/assign", json={"user_id": navigator.user.id})
    vm = client.post(
        "/api/voicemails",
        json={
            "member_id": member.id,
            "phone": "4155550142",
            "received_at": "2026-12-01T10:00:00-08:00",
        },
    )
    assert vm.status_code == 201, vm.text
    mine = navigator.client.get("/api/navigators/me/caseload")
    assert mine.status_code == 200
    body = mine.json()
    assert body["navigator"]["id"] == navigator.user.id and body["total"] == 2
    first = body["members"][0]
    # The member with deadlines comes first; the one with nothing open last.
    assert first["member_id"] == member.id and first["last_name"] == "Navigated"
    assert (first["open_cases"], first["waiting_cases"], first["open_callbacks"]) == (2, 1, 1)
    assert first["next_due_at"] is not None
    assert body["members"][1]["member_id"] == other.id
    assert body["members"][1]["open_cases"] == 0 and body["members"][1]["next_due_at"] is None
    entry = audited(db, "navigator.caseload_read")[-1]
    assert entry.object_id == str(navigator.user.id)
    # A supervisor looks at it by id; an agent may not; an agent's own caseload is empty.
    by_id = supervisor.client.get(f"/api/navigators/{navigator.user.id}/caseload")
    assert by_id.status_code == 200 and by_id.json()["total"] == 2
    assert client.get(f"/api/navigators/{navigator.user.id}/caseload").status_code == 403
    assert client.get("/api/navigators/me/caseload").json()["total"] == 0
    agent = login(Role.TIER1_AGENT)
    not_nav = supervisor.client.get(f"/api/navigators/{agent.user.id}/caseload")
    assert not_nav.status_code == 404


def test_the_member_page_names_the_navigator(app, navigator, member, agent) -> None:
    from fastapi.testclient import TestClient

    from tests.compliance.test_auth import sign_in

    flag(navigator.client, member.id)
    with TestClient(app) as browser:
        sign_in(browser, agent.user.username)
        page = browser.get(f"/members/{member.id}")
    assert page.status_code == 200
    assert f"Member navigator: {navigator.user.display_name}" in page.text
    assert REASON not in page.text

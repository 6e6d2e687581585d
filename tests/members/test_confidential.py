"""A Civil Code 56.107 confidential phone is the member's phone too: phone search finds it, and
the member 360 (API and page) shows it to the roles that may see it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.members.enums import Relationship
from tests import factories as f
from tests.conftest import PASSWORD


def sign_in(browser: TestClient, username: str) -> None:
    """The sign-in form, as a browser sends it."""
    page = browser.get("/login").text
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    answer = browser.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def confidential_member(db: Session):  # type: ignore[no-untyped-def]
    sub = f.member(db, phone="(530) 555-0101")
    return f.member(
        db,
        subscriber=sub,
        relationship=Relationship.CHILD,
        first_name="Private",
        phone=None,
        confidential_phone="(530) 555-0177",
        confidential_address="PO Box 77, Chico, CA 95926",
        confidential_scope="sensitive_services",
    )


def test_phone_search_finds_a_confidential_phone(client, db: Session) -> None:
    m = confidential_member(db)
    for phone in ("530-555-0177", "(530) 555 0177", "+1 530 555 0177"):
        page = client.post("/api/members/search", json={"phone": phone}).json()
        assert [r["id"] for r in page["items"]] == [m.id], phone
    household = client.post("/api/members/search", json={"phone": "5305550101"}).json()
    assert m.id not in [r["id"] for r in household["items"]]


def test_member_page_shows_the_confidential_phone_to_those_who_may_see_it(
    app, login, db: Session
) -> None:
    m = confidential_member(db)
    agent = login(Role.TIER1_AGENT).user
    with TestClient(app) as browser:
        sign_in(browser, agent.username)
        page = browser.get(f"/members/{m.id}").text
    assert "(530) 555-0177" in page and "PO Box 77, Chico, CA 95926" in page
    assert "Sensitive services only" in page
    qa = login(Role.QA_ANALYST).user
    with TestClient(app) as browser:
        sign_in(browser, qa.username)
        page = browser.get(f"/members/{m.id}").text
    assert "555-0177" not in page and "PO Box" not in page

"""The pages through real HTTP on SQLite and PostgreSQL (no browser): sign-in notices and where
sign-in returns to, each role's home, and the member page's forms with the API's rules."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.members.enums import Relationship
from memberdesk.web.ui import safe_next
from tests import factories as f
from tests.conftest import PASSWORD

FROZEN = "2026-11-27T18:00:00+00:00"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def sign_in(browser: TestClient, username: str, next_path: str | None = None):  # type: ignore[no-untyped-def]
    page = browser.get("/login").text
    data = {"username": username, "password": PASSWORD, "csrf_token": csrf_of(page)}
    if next_path is not None:
        data["next"] = next_path
    return browser.post("/login", data=data, follow_redirects=False)


@pytest.fixture
def browser(app):  # type: ignore[no-untyped-def]
    with TestClient(app) as client:
        yield client


def test_notices_are_known_codes_with_fixed_sentences(browser: TestClient) -> None:
    signed_out = browser.get("/login", params={"notice": "signed_out"}).text
    assert "You have signed out." in signed_out
    expired = browser.get("/login", params={"notice": "expired"}).text
    assert "Your session ended after 15 idle minutes; sign in to go on." in expired
    for text in ("Call 555-0100 now", "<b>hi</b>", "Signed out"):
        page = browser.get("/login", params={"notice": text}).text
        assert text not in page and "&lt;b&gt;" not in page
        assert 'role="status"' not in page


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/members/12", "/members/12"),
        ("/members/12?on=2026-01-01", "/members/12?on=2026-01-01"),
        ("/", "/"),
        ("//evil.example/x", None),
        ("/\\evil.example", None),
        ("https://evil.example/", None),
        ("javascript:alert(1)", None),
        ("members/12", None),
        ("/login?next=/x", None),
        ("/ok\r\nSet-Cookie: x=1", None),
        ("", None),
    ],
)
def test_only_local_paths_are_kept(given: str, kept: str | None) -> None:
    assert safe_next(given) == kept


def test_sign_in_returns_to_the_page_and_keeps_it_through_a_mistake(
    browser: TestClient, login
) -> None:
    user = login(Role.TIER1_AGENT).user
    form = browser.get("/login", params={"notice": "expired", "next": "/members/5"}).text
    assert '<input type="hidden" name="next" value="/members/5">' in form
    wrong = browser.post(
        "/login",
        data={
            "username": user.username,
            "password": "not it",
            "csrf_token": csrf_of(form),
            "next": "/members/5",
        },
    )
    assert wrong.status_code == 401
    assert f'value="{user.username}"' in wrong.text  # the username stays typed in
    assert '<input type="hidden" name="next" value="/members/5">' in wrong.text
    answer = sign_in(browser, user.username, next_path="/members/5")
    assert answer.status_code == 303 and answer.headers["location"] == "/members/5"


def test_sign_in_never_sends_you_off_the_site(browser: TestClient, login) -> None:
    user = login(Role.TIER1_AGENT).user
    page = browser.get("/login", params={"next": "//evil.example"}).text
    assert "evil.example" not in page
    answer = sign_in(browser, user.username, next_path="https://evil.example/")
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_sign_out_notice(browser: TestClient, login) -> None:
    sign_in(browser, login(Role.TIER1_AGENT).user.username)
    home = browser.get("/").text
    out = browser.post("/logout", data={"csrf_token": csrf_of(home)}, follow_redirects=False)
    assert out.headers["location"] == "/login?notice=signed_out"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.TIER1_AGENT, ['id="member_number"', "autofocus", "Find a member"]),
        (Role.QA_ANALYST, ["What you can do here", "year of birth", 'href="/plans"']),
        (Role.WFM_ANALYST, ["Workforce planning", "memberdesk wfm staff", "members on file"]),
        (Role.ADMIN, ["Accounts", "Accounts by role", "Workforce planning analyst"]),
        (Role.COMPLIANCE_OFFICER, ["Find a member", "Compliance", "access reports"]),
    ],
)
def test_every_role_has_a_useful_home(
    browser: TestClient, login, role: Role, expected: list[str]
) -> None:
    sign_in(browser, login(role, team="Team A").user.username)
    home = browser.get("/")
    assert home.status_code == 200
    for text in expected:
        assert text in home.text, text
    words = re.sub(r"<[^>]+>", " ", home.text.split("<main")[1])
    usernames = re.compile(r"\b\w+-[0-9a-f]{6}\b")  # the test accounts' names
    assert "_" not in usernames.sub("", words)


def test_search_errors_in_plain_words(browser: TestClient, login) -> None:
    sign_in(browser, login(Role.TIER1_AGENT).user.username)
    csrf = csrf_of(browser.get("/").text)
    for fields, words in [
        ({"member_number": "12-34"}, "A member ID is 9 digits"),
        ({"last_name": "Smith"}, "Give the last name and the date of birth together."),
        ({"phone": "4155550100", "last_name": "Smith"}, "Search by one of"),
        ({"phone": "555"}, "A phone number has 10 digits"),
        ({}, "Search by one of"),
    ]:
        page = browser.post("/members/search", data={"csrf_token": csrf, **fields})
        assert page.status_code == 422
        assert words in page.text, fields
        for developer_text in ("Value error", "search:", "member_number:", "last_name and"):
            assert developer_text not in page.text


@time_machine.travel(FROZEN, tick=False)
def test_member_page_forms_use_the_apis_rules(browser: TestClient, login, db: Session) -> None:
    m = f.member(db, spans=[(date(2020, 1, 1), None)])
    ended = f.member(db, spans=[(date(2020, 1, 1), date(2025, 6, 30))])
    agent = login(Role.TIER1_AGENT)
    sign_in(browser, agent.user.username)
    page = browser.get(f"/members/{m.id}").text
    csrf = csrf_of(page)
    made = browser.post(
        f"/members/{m.id}/id-cards",
        data={"csrf_token": csrf, "reason": "lost_or_stolen"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    assert made.headers["location"] == f"/members/{m.id}?done=id_card#id-cards"
    after = browser.get(made.headers["location"].split("#")[0]).text
    assert "ID card requested." in after and "Lost or stolen</strong>: requested" in after
    # The API's refusals, said in words on the page.
    again = browser.post(
        f"/members/{m.id}/id-cards", data={"csrf_token": csrf, "reason": "damaged"}
    )
    assert again.status_code == 409 and "already being processed" in again.text
    gone = browser.post(
        f"/members/{ended.id}/id-cards", data={"csrf_token": csrf, "reason": "damaged"}
    )
    assert gone.status_code == 409
    assert "No ID card: the member is not covered and no coverage starts later." in gone.text
    unknown = browser.post(f"/members/{m.id}/id-cards", data={"csrf_token": csrf, "reason": "x"})
    assert unknown.status_code == 422 and "Choose why a card is needed." in unknown.text

    event = {"csrf_token": csrf, "event_type": "marriage", "event_date": "2026-10-03"}
    recorded = browser.post(
        f"/members/{m.id}/life-events",
        data={**event, "notes": "Wed in Fresno"},
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    shown = browser.get(f"/members/{m.id}").text
    assert "Marriage</strong>, 3 Oct 2026" in shown and "Note: Wed in Fresno" in shown
    twice = browser.post(f"/members/{m.id}/life-events", data=event)
    assert twice.status_code == 409 and "already recorded" in twice.text
    assert 'value="2026-10-03"' in twice.text  # what was typed stays
    early = browser.post(f"/members/{m.id}/life-events", data={**event, "event_date": "1979-01-01"})
    assert early.status_code == 422
    assert "The event date must not be before the member&#39;s date of birth." in early.text
    blank = browser.post(f"/members/{m.id}/life-events", data={"csrf_token": csrf})
    assert blank.status_code == 422
    assert "Choose the kind of life event." in blank.text
    assert "Enter the date of the event as a full date" in blank.text
    # The same audit as the API: the access report lists the writes.
    officer = login(Role.COMPLIANCE_OFFICER).client
    rows = officer.get(
        f"/api/compliance/access/user/{agent.user.id}",
        params={"start": "2026-01-01", "end": "2026-12-31"},
    ).json()
    actions = {r["action"] for r in rows if r["member_id"] == m.id}
    assert {"id_card.requested", "life_event.recorded", "member.read"} <= actions


@time_machine.travel(FROZEN, tick=False)
def test_coverage_on_another_date(browser: TestClient, login, db: Session) -> None:
    m = f.member(db, spans=[(date(2020, 1, 1), date(2025, 6, 30))])
    sign_in(browser, login(Role.TIER1_AGENT).user.username)
    then = browser.get(f"/members/{m.id}", params={"on": "2024-03-01"}).text
    assert "Coverage on 1 Mar 2024" in then
    assert "Covered from 1 Jan 2020 through 30 Jun 2025." in then
    now = browser.get(f"/members/{m.id}").text
    assert "Not covered: coverage ended on 30 Jun 2025." in now
    bad = browser.get(f"/members/{m.id}", params={"on": "2024-02-30"})
    assert bad.status_code == 422 and "Enter a full date between 1900 and 2199" in bad.text


@time_machine.travel(FROZEN, tick=False)
def test_portal_asks_for_its_own_card(browser: TestClient, login, db: Session) -> None:
    m = f.member(db, spans=[(date(2020, 1, 1), None)])
    sign_in(browser, login(Role.MEMBER, member_id=m.id).user.username)
    page = browser.get("/me").text
    assert "Request a new ID card" in page and "New enrolment" not in page.split("<select")[1]
    made = browser.post(
        "/me/id-cards",
        data={"csrf_token": csrf_of(page), "reason": "damaged"},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/me?done=id_card")
    after = browser.get("/me").text
    assert "Damaged</strong>: requested" in after
    assert "The card you asked for is on its way." in after  # and no second form


@time_machine.travel(FROZEN, tick=False)
def test_member_page_in_words_for_a_newborn_and_an_aged_out_child(
    browser: TestClient, login, db: Session
) -> None:
    parent = f.member(db, spans=[(date(2015, 1, 1), None)])
    baby = f.member(
        db,
        subscriber=parent,
        relationship=Relationship.CHILD,
        dob=date(2026, 1, 9),
        phone=None,
        spans=[(date(2026, 1, 9), None)],
    )
    grown = f.member(
        db,
        subscriber=parent,
        relationship=Relationship.DOMESTIC_PARTNER,
        first_name="Partner",
        dob=date(1985, 1, 1),
        phone=None,
        spans=[(date(2015, 1, 1), None)],
    )
    grown.accessibility_needs = ["tty"]
    db.flush()
    aged = f.member(
        db,
        subscriber=parent,
        relationship=Relationship.CHILD,
        first_name="Grown",
        dob=date(2000, 5, 17),
        phone=None,
        spans=[(date(2015, 1, 1), None)],
    )
    sign_in(browser, login(Role.TIER1_AGENT).user.username)
    newborn = browser.get(f"/members/{baby.id}").text
    assert "Covered since birth on 9 Jan 2026, with no end date." in newborn
    assert "Household&#39;s monthly premium" in newborn and "Coverage tier" in newborn
    assert "9 Jan 2026 (birth)" in newborn
    assert "dependant age limit" not in newborn  # a baby has 26 years to go
    partner = browser.get(f"/members/{grown.id}").text
    assert "Domestic partner" in partner and "Uses TTY or relay calls" in partner
    assert "TTY or relay calls" in partner
    old = browser.get(f"/members/{aged.id}").text
    assert "Not covered" in old and "Monthly premium" not in old
    assert "31 May 2026 (dependant age limit)" in old and "No end date" not in old
    for page in (newborn, partner, old):
        text = re.sub(r"<[^>]+>", " ", page.split("<main")[1])
        assert "_" not in text and "open-ended" not in text
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text.replace('value="', ""))
    qa = TestClient(browser.app)
    with qa:
        sign_in(qa, login(Role.QA_ANALYST).user.username)
        masked = qa.get(f"/members/{baby.id}").text
    assert "9 Jan 2026" not in masked and "2026-01-09" not in masked
    assert "Covered since birth in 2026, with no end date." in masked

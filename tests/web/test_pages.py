"""The pages through real HTTP on SQLite and PostgreSQL (no browser): sign-in notices and where
sign-in returns to, each role's home, and the member page's forms with the API's rules."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.members.enums import Relationship
from memberdesk.web.pages import safe_next
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
        (Role.WFM_ANALYST, ["Workforce planning", "Staffing calculator", "members on file"]),
        (Role.ADMIN, ["Accounts", "Accounts by role", "Administrator", "/admin/accounts"]),
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
    assert "Household's monthly premium" in newborn and "Coverage tier" in newborn
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


# --- account pages: forced password change, change password, enrolment ------------------------

NEW_PASSWORD = "seven tall ferns by the quay"


def field_error(html: str, name: str) -> str | None:
    """The error shown beside one field, or None."""
    found = re.search(rf'<p class="error field-error" id="{name}-error">([^<]*)</p>', html)
    return found.group(1).replace("&#39;", "'") if found else None


def alert(html: str) -> str | None:
    """The form's own error, said once at its top."""
    found = re.search(r'<div class="error form-error" role="alert"><p>([^<]*)</p>', html)
    return found.group(1).replace("&#39;", "'") if found else None


def change(browser: TestClient, username: str, current: str, new: str, again: str | None = None):  # type: ignore[no-untyped-def]
    form = browser.get("/password").text
    return browser.post(
        "/password",
        data={
            "csrf_token": csrf_of(form),
            "username": username,
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
        follow_redirects=False,
    )


def test_forms_that_check_a_password_wait_when_an_address_sprays(
    browser: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from memberdesk.compliance import auth

    # An address past the limit, and a queue already too long: refused before any check.
    monkeypatch.setattr(auth, "spray_delay", lambda failures, limit: 30.0)
    monkeypatch.setattr(auth.SPRAY_GATE, "reserve", lambda addr, delay, at: None)
    for path in ("/login", "/password", "/enrol"):
        answer = browser.post(path, data={"csrf_token": "x", "username": "u", "password": "p"})
        assert answer.status_code == 429, path
        assert "Too many attempts" in answer.text and answer.headers["retry-after"]


def test_a_reset_password_leads_to_the_change_form_not_a_session(
    browser: TestClient, login, db: Session
) -> None:
    from memberdesk.compliance.models import LoginAttempt, User

    admin, agent = login(Role.ADMIN), login(Role.TIER1_AGENT)
    name = agent.user.username
    temporary = admin.client.post(f"/api/users/{name}/password-reset").json()["temporary_password"]
    page = browser.get("/login").text
    form = browser.post(
        "/login",
        # Signing in on the way to a page (an idle log-off, a bookmark): the change keeps it.
        data={
            "username": name,
            "password": temporary,
            "csrf_token": csrf_of(page),
            "next": "/members/7?as_of=2026-01-01",
        },
        follow_redirects=False,
    )
    assert form.status_code == 200
    assert '<h1 id="change-password">Change your password</h1>' in form.text
    assert "An administrator reset your password. Choose a new one to go on" in form.text
    assert f'value="{name}"' in form.text and temporary not in form.text
    assert '<input type="hidden" name="next" value="/members/7?as_of=2026-01-01">' in form.text
    assert "md_session" not in browser.cookies and "md_password_csrf" in browser.cookies
    assert browser.get("/api/auth/me").status_code == 401
    # The attempt was committed: a correct password, recorded as such.
    attempt = db.scalars(
        select(LoginAttempt).where(LoginAttempt.username == name).order_by(LoginAttempt.id)
    ).all()[-1]
    assert attempt.success
    # The form it showed works: the new password signs in, the temporary one no longer does.
    changed = browser.post(
        "/password",
        data={
            "csrf_token": csrf_of(form.text),
            "username": name,
            "current_password": temporary,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
            "next": "/members/7?as_of=2026-01-01",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == (
        "/login?notice=password_changed&next=%2Fmembers%2F7%3Fas_of%3D2026-01-01"
    )
    notice = browser.get(changed.headers["location"]).text
    assert "Your password is changed and you are signed out everywhere." in notice
    assert db.get(User, agent.user.id).must_change_password is False
    again = browser.post(
        "/login",
        data={
            "username": name,
            "password": NEW_PASSWORD,
            "csrf_token": csrf_of(notice),
            "next": "/members/7?as_of=2026-01-01",
        },
        follow_redirects=False,
    )
    assert 'name="next" value="/members/7?as_of=2026-01-01"' in notice  # the page carries it
    assert again.status_code == 303
    assert again.headers["location"] == "/members/7?as_of=2026-01-01"


def test_signed_in_people_change_their_password_from_the_header(
    browser: TestClient, login, db: Session
) -> None:
    from memberdesk.compliance.models import AuditEntry

    agent = login(Role.TIER1_AGENT)
    name = agent.user.username
    sign_in(browser, name)
    home = browser.get("/").text
    link = f'<a href="/password?username={name}">Change password</a>'
    assert link in home
    form = browser.get(f"/password?username={name}").text
    assert f'value="{name}"' in form
    assert 'id="current_password"' in form and 'autocomplete="new-password"' in form
    done = change(browser, name, PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/login?notice=password_changed"
    # Every session and token has ended: this browser and the API token sign in again.
    assert browser.get("/", follow_redirects=False).headers["location"].startswith("/login")
    assert agent.client.get("/api/auth/me").status_code == 401
    assert sign_in(browser, name).status_code == 401  # the old password is gone
    actions = db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert "auth.password_changed" in actions
    # A username that is not one is never put into the form.
    odd = browser.get("/password", params={"username": '"><script>x</script>'}).text
    assert "<script>x" not in odd and 'id="username" name="username" type="text" required' in odd


@pytest.mark.parametrize(
    ("fields", "field", "words", "status"),
    [
        (
            {"new_password_again": "something else entirely"},
            "new_password_again",
            "The two passwords are not the same. Type the same password in both boxes.",
            422,
        ),
        (
            {"new_password": "short one", "new_password_again": "short one"},
            "new_password",
            "Password must be at least 15 characters.",
            422,
        ),
        (
            {"new_password": "password1234567", "new_password_again": "password1234567"},
            "new_password",
            "Password is on the list of common or breached passwords; choose another.",
            422,
        ),
        ({"current_password": ""}, "current_password", "Enter your current password.", 422),
        ({"username": ""}, "username", "Enter your username.", 422),
        (
            {"new_password": "", "new_password_again": ""},
            "new_password",
            "Choose a new password.",
            422,
        ),
    ],
)
def test_change_password_refusals_sit_beside_their_field(
    browser: TestClient, login, fields: dict[str, str], field: str, words: str, status: int
) -> None:
    name = login(Role.TIER1_AGENT).user.username
    data = {
        "username": name,
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD,
        **fields,
    }
    form = browser.get("/password").text
    answer = browser.post("/password", data={"csrf_token": csrf_of(form), **data})
    assert answer.status_code == status
    assert field_error(answer.text, field) == words
    assert alert(answer.text) == "Please correct what is marked below."
    assert f'id="{field}"' in answer.text and 'aria-invalid="true"' in answer.text
    for typed in (PASSWORD, NEW_PASSWORD, "password1234567", "short one"):
        assert typed not in answer.text  # passwords are never put back
    assert f'value="{name}"' in answer.text or not data["username"]


def test_change_password_refusals_for_the_whole_form(
    browser: TestClient, login, db: Session
) -> None:
    from memberdesk.compliance.models import User

    agent = login(Role.TIER1_AGENT)
    name = agent.user.username
    wrong = change(browser, name, "not the password at all", NEW_PASSWORD)
    assert wrong.status_code == 401
    assert alert(wrong.text) == (
        "Wrong username or password, or the account is locked or disabled."
    )
    assert db.get(User, agent.user.id).failed_attempts == 1  # committed, like sign-in
    same = change(browser, name, PASSWORD, PASSWORD)
    assert same.status_code == 422
    assert alert(same.text) == "The new password must differ from the current one."
    form = browser.get("/password").text
    forged = browser.post(
        "/password",
        data={"csrf_token": "ünïcode", "username": name, "current_password": PASSWORD},
    )
    assert (
        forged.status_code == 403 and alert(forged.text) == "Your form expired. Please try again."
    )
    assert csrf_of(form)
    # The sign-in form refuses a forged non-ASCII token the same way (no server error).
    login_form = browser.post(
        "/login", data={"csrf_token": "ünïcode", "username": name, "password": PASSWORD}
    )
    assert login_form.status_code == 403 and "form expired" in login_form.text


def test_sign_in_page_links_to_enrolment_and_knows_the_new_notices(browser: TestClient) -> None:
    page = browser.get("/login").text
    assert '<a href="/enrol">Members: create your account</a>' in page
    enrolled = browser.get("/login", params={"notice": "enrolled"}).text
    assert "Your member account is ready. Sign in with the username and password" in enrolled


@pytest.fixture
def adult(db: Session):  # type: ignore[no-untyped-def]
    m = f.member(db, last_name="O'Brien-Núñez", dob=date(1980, 5, 17))
    db.commit()
    return m


def enrol(browser: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    form = browser.get("/enrol").text
    data = {"csrf_token": csrf_of(form), "password_again": fields.get("password", ""), **fields}
    return browser.post("/enrol", data=data, follow_redirects=False)


def test_a_member_enrols_signs_in_and_sees_their_own_record(
    browser: TestClient, adult, db: Session
) -> None:
    page = browser.get("/enrol").text
    assert '<h1 id="enrol">Create your member account</h1>' in page
    made = enrol(
        browser,
        member_number=adult.member_number,
        last_name="obrien nunez",
        date_of_birth="1980-05-17",
        username="obrien",
        password=NEW_PASSWORD,
    )
    assert made.status_code == 303 and made.headers["location"] == "/login?notice=enrolled"
    form = browser.get(made.headers["location"]).text
    signed = browser.post(
        "/login",
        data={"username": "obrien", "password": NEW_PASSWORD, "csrf_token": csrf_of(form)},
    )
    assert signed.status_code == 200 and signed.url.path == "/me"
    assert "O&#39;Brien-Núñez" in signed.text


@pytest.mark.parametrize(
    ("fields", "field", "words", "status"),
    [
        (
            {"password_again": "something else entirely"},
            "password_again",
            "The two passwords are not the same. Type the same password in both boxes.",
            422,
        ),
        (
            {"username": "Has Spaces"},
            "username",
            "Username must be 2-64 characters: "
            "lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.",
            422,
        ),
        (
            {"password": "obrienobrien-garden-path", "password_again": "obrienobrien-garden-path"},
            "password",
            "Password must not contain the username.",
            422,
        ),
        ({"member_number": ""}, "member_number", "Enter the member ID from your ID card.", 422),
        (
            {"date_of_birth": "17/05/1980"},
            "date_of_birth",
            "Enter your date of birth as a full date (day, month and year).",
            422,
        ),
    ],
)
def test_enrolment_refusals_sit_beside_their_field(
    browser: TestClient,
    adult,
    db: Session,
    fields: dict[str, str],
    field: str,
    words: str,
    status: int,
) -> None:
    from memberdesk.compliance.models import LoginAttempt

    data = {
        "member_number": adult.member_number,
        "last_name": "O'Brien-Núñez",
        "date_of_birth": "1980-05-17",
        "username": "obrien",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
        **fields,
    }
    form = browser.get("/enrol").text
    answer = browser.post("/enrol", data={"csrf_token": csrf_of(form), **data})
    assert answer.status_code == status
    assert field_error(answer.text, field) == words
    assert NEW_PASSWORD not in answer.text and data["password"] not in answer.text
    # What was typed stays in the fields to correct (not the passwords), never in the words.
    assert f'value="{adult.member_number}"' in answer.text or not data["member_number"]
    said = " ".join(
        filter(
            None,
            [
                alert(answer.text),
                *(
                    field_error(answer.text, n)
                    for n in (
                        "member_number",
                        "last_name",
                        "date_of_birth",
                        "username",
                        "password",
                        "password_again",
                    )
                ),
            ],
        )
    )
    for typed in (adult.member_number, "O'Brien", "1980", "17/05"):
        assert typed not in said
    # Refused by the form, before the facts were checked: nothing counted against the address.
    assert (
        db.scalars(select(LoginAttempt).where(LoginAttempt.username == "(enrolment)")).all() == []
    )


def test_enrolment_refusals_from_the_service(
    browser: TestClient, adult, login, db: Session
) -> None:
    from memberdesk.compliance.models import LoginAttempt

    facts = {
        "member_number": adult.member_number,
        "last_name": "O'Brien-Núñez",
        "date_of_birth": "1980-05-17",
        "password": NEW_PASSWORD,
    }
    # Facts that do not match: said once for the form, never which one; the try counts.
    wrong = enrol(browser, **{**facts, "date_of_birth": "1980-05-18", "username": "obrien"})
    assert wrong.status_code == 422
    assert alert(wrong.text) == (
        "We could not find a member with this member ID, last name and date of birth. Check "
        "them against your ID card."
    )
    assert field_error(wrong.text, "date_of_birth") is None
    assert 'value="1980-05-18"' in wrong.text and NEW_PASSWORD not in wrong.text
    tries = db.scalars(select(LoginAttempt).where(LoginAttempt.username == "(enrolment)")).all()
    assert len(tries) == 1 and not tries[0].success
    # A child cannot hold an account.
    child = f.member(db, subscriber=adult, relationship=Relationship.CHILD, dob=date(2015, 1, 1))
    db.commit()
    young = enrol(
        browser,
        member_number=child.member_number,
        last_name="Testperson",
        date_of_birth="2015-01-01",
        username="kiddo",
        password=NEW_PASSWORD,
    )
    assert young.status_code == 422
    assert field_error(young.text, "date_of_birth") == (
        "Portal accounts are for members aged 18 or over; a parent or guardian asks member "
        "services."
    )
    # A username someone has, then the member's second account.
    taken = enrol(browser, **{**facts, "username": login(Role.TIER1_AGENT).user.username})
    assert taken.status_code == 409
    assert field_error(taken.text, "username") == "This username is taken."
    assert enrol(browser, **{**facts, "username": "obrien"}).status_code == 303
    twice = enrol(browser, **{**facts, "username": "obrien-again"})
    assert twice.status_code == 409
    assert field_error(
        twice.text,
        "member_number",
    ) == (
        "You already have a member account. If you cannot sign in, call member services: they "
        "can close it so that you can create a new one."
    )
    forged = browser.post("/enrol", data={"csrf_token": "forged", **facts, "username": "x1"})
    assert (
        forged.status_code == 403 and alert(forged.text) == "Your form expired. Please try again."
    )


def test_enrolment_failures_are_limited_per_address(
    browser: TestClient, adult, monkeypatch: pytest.MonkeyPatch
) -> None:
    from memberdesk.compliance import auth

    monkeypatch.setattr(auth, "spray_delay", lambda failures, limit: 0.0)  # no waiting here
    guess = {
        "member_number": adult.member_number,
        "last_name": "Testperson",
        "username": "guesser",
        "password": NEW_PASSWORD,
    }
    statuses = [
        enrol(browser, **guess, date_of_birth=f"1980-01-{d:02d}").status_code for d in range(1, 22)
    ]
    assert statuses[:20] == [422] * 20 and statuses[20] == 429
    last = enrol(browser, **guess, date_of_birth="1980-02-01")
    assert alert(last.text) == "Too many failed enrolments from this address; try again later."

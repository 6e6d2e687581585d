"""The case pages through real HTTP on SQLite and PostgreSQL (no browser): what an agent, a
supervisor and a member see and do, forms posted with their CSRF token, and who may not."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.cases.models import Case
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.members.models import Member
from tests import factories as f
from tests.cases.conftest import open_case
from tests.web.test_pages import csrf_of, sign_in

FROZEN = "2026-11-17T18:00:00+00:00"  # a Tuesday, 10:00 am Pacific
CODES = (
    "billing_correction",
    "tier1_handoff",
    "waiting_on_member",
    "in_progress",
    "needs_specialist",
)


class Web:
    """A person at a browser: a signed-in cookie session that posts forms with the CSRF token."""

    def __init__(self, client: TestClient, user_id: int, username: str) -> None:
        self.client, self.user_id, self.username = client, user_id, username
        self.csrf = csrf_of(client.get("/").text)

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.post(
            path, data={"csrf_token": self.csrf, **(data or {})}, follow_redirects=False, **kw
        )

    def follow(self, answer: Any) -> str:
        """The page a 303 leads to."""
        assert answer.status_code == 303, answer.text[:2000]
        return str(self.client.get(answer.headers["location"]).text)


@pytest.fixture
def person(app, login) -> Iterator[Callable[..., Web]]:  # type: ignore[no-untyped-def]
    """``person(role, team=..., member_id=...)`` -> a signed-in browser session."""
    made: list[TestClient] = []

    def make(role: Role, **kw: Any) -> Web:
        persona = login(role, **kw)
        client = TestClient(app)
        made.append(client)
        answer = sign_in(client, persona.user.username)
        assert answer.status_code == 303
        return Web(client, persona.user.id, persona.user.username)

    yield make
    for c in made:
        c.close()


def words(html: str) -> str:
    """The text of the page's main part, tags dropped (what a person reads)."""
    main = html.split('<main id="main"', 1)[1].split(">", 1)[1]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))
    return unescape(re.sub(r" ([:.,;)])", r"\1", text))


def no_codes(text: str) -> None:
    for code in CODES:
        assert code not in text, code


def open_from_page(agent: Web, member_id: int, **fields: str) -> int:
    form = agent.get(f"/members/{member_id}/cases/new")
    assert form.status_code == 200 and "What it is about" in form.text
    data = {"case_type": "billing", "priority": "high", "summary": "Premium charged twice"}
    data.update(fields)
    answer = agent.post(f"/members/{member_id}/cases", data)
    assert answer.status_code == 303, answer.text[:2000]
    return int(re.search(r"/cases/(\d+)", answer.headers["location"]).group(1))  # type: ignore[union-attr]


@time_machine.travel(FROZEN, tick=False)
def test_open_a_case_from_the_member_page_and_read_it_in_words(
    person, member: Member, db: Session
) -> None:
    agent = person(Role.TIER1_AGENT, team="Team A")
    member_page = agent.get(f"/members/{member.id}").text
    assert f'href="/members/{member.id}/cases/new"' in member_page
    case_id = open_from_page(agent, member.id)
    page = agent.get(f"/cases/{case_id}?done=opened").text
    text = words(page)
    assert "Case opened." in text
    assert f"Case {case_id}: Billing or premium" in text
    assert "Casework" in text and f'href="/members/{member.id}"' in page
    assert "Tier 1 — member services" in text and "High priority" in text
    assert "Checklist: Premium or billing correction" in text
    assert "Review the invoice and payroll deductions (required)" in text
    # The hand-off clock: 48 hours, counted down, and the time in words for no-JS readers.
    assert "Hand-off to Tier 2 if not resolved: due in 48 h" in text
    assert "Thu 19 Nov 2026, 10:00 am Pacific time" in text
    assert 'data-due="2026-11-19T18:00:00+00:00"' in page
    assert "Premium charged twice" in text and "Held by Nobody yet" in text
    no_codes(text)
    # The member page lists it under Open cases with the same live countdown.
    back = words(agent.get(f"/members/{member.id}").text)
    assert f"Case {case_id}: Billing or premium" in back and "due in 48 h" in back
    read = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.CASE_READ, AuditEntry.object_id == str(case_id)
        )
    ).all()
    assert read, "reading the case page is audited"


def test_opening_without_a_summary_or_kind_is_refused_in_words(person, member: Member, db) -> None:
    agent = person(Role.TIER1_AGENT, team="Team A")
    before = db.scalar(select(Case.id).where(Case.member_id == member.id))
    answer = agent.post(
        f"/members/{member.id}/cases", {"case_type": "", "priority": "normal", "summary": " "}
    )
    assert answer.status_code == 422
    text = words(answer.text)
    assert "Choose what the case is about." in text
    assert "Write what the member needs" in text
    assert db.scalar(select(Case.id).where(Case.member_id == member.id)) == before


@time_machine.travel(FROZEN, tick=False)
def test_checklist_state_and_resolution_rules_in_words(person, member: Member) -> None:
    agent = person(Role.TIER1_AGENT, team="Team A")
    case_id = open_from_page(agent, member.id)
    ticked = agent.follow(agent.post(f"/cases/{case_id}/checklist/verify_identity"))
    assert "Step ticked." in ticked
    assert "— done 17 Nov 2026, 10:00 am" in words(ticked)
    # Resolving needs a rationale, then every required step: the missing ones are named.
    no_reason = agent.post(f"/cases/{case_id}/state", {"state": "resolved", "rationale": ""})
    assert no_reason.status_code == 422
    assert "Write the decision rationale" in words(no_reason.text)
    blocked = agent.post(
        f"/cases/{case_id}/state", {"state": "resolved", "rationale": "Refund issued"}
    )
    assert blocked.status_code == 409
    text = words(blocked.text)
    assert "cannot be resolved until these required steps are ticked" in text
    assert "Review the invoice and payroll deductions; Identify the error" in text
    assert "Verify the caller's identity" not in text.split("required steps are ticked")[1][:200]
    # A move the life cycle does not allow is said with both states in words.
    closed = agent.post(f"/cases/{case_id}/state", {"state": "closed", "rationale": ""})
    assert closed.status_code == 409
    assert "A case that is new cannot move to closed." in words(closed.text)
    waiting = agent.follow(
        agent.post(f"/cases/{case_id}/state", {"state": "waiting_on_member", "rationale": ""})
    )
    assert "Waiting on the member" in words(waiting)
    assert "Paused while waiting on the member" in words(waiting)  # claim research may pause
    for step in ("review_invoice", "identify_error", "submit_correction", "confirm_with_member"):
        assert agent.post(f"/cases/{case_id}/checklist/{step}").status_code == 303
    done = agent.follow(
        agent.post(
            f"/cases/{case_id}/state", {"state": "resolved", "rationale": "Refund of $42 issued"}
        )
    )
    text = words(done)
    assert "State changed." in text and "Resolution rationale" in text
    assert "Refund of $42 issued" in text
    no_codes(text)
    assert agent.post(f"/cases/{case_id}/checklist/no_such_step").status_code == 404


@time_machine.travel(FROZEN, tick=False)
def test_escalate_needs_a_rationale_and_the_case_shows_at_tier_2(person, member: Member) -> None:
    agent = person(Role.TIER1_AGENT, team="Team A")
    case_id = open_from_page(agent, member.id)
    refused = agent.post(
        f"/cases/{case_id}/escalate", {"reason": "billing_dispute", "rationale": "  "}
    )
    assert refused.status_code == 422
    assert "Write the decision rationale" in words(refused.text)
    assert "Tier 1 — member services" in words(refused.text)
    moved = agent.follow(
        agent.post(
            f"/cases/{case_id}/escalate",
            {"reason": "billing_dispute", "rationale": "Payroll shows a double deduction"},
        )
    )
    text = words(moved)
    assert "Case escalated." in text and "Tier 2 — benefits specialists" in text
    assert "Escalated Tier 1 to Tier 2" in text and "Billing dispute" in text
    assert "Payroll shows a double deduction" in text
    no_codes(text)
    # From Tier 2, only regulatory reasons reach Tier 3: said plainly.
    tier2 = person(Role.TIER2_SPECIALIST, team="Team B")
    no = tier2.post(
        f"/cases/{case_id}/escalate", {"reason": "complaint", "rationale": "The member insists"}
    )
    assert no.status_code == 409
    assert "goes to Tier 3 only for a formal appeal" in words(no.text)
    down = tier2.follow(
        tier2.post(f"/cases/{case_id}/deescalate", {"rationale": "Routine after all"})
    )
    assert "Case de-escalated." in down and "Tier 1 — member services" in words(down)


@time_machine.travel(FROZEN, tick=False)
def test_notes_are_appended_and_corrections_are_addenda(person, member: Member) -> None:
    agent = person(Role.TIER1_AGENT, team="Team A")
    case_id = open_from_page(agent, member.id)
    first = agent.follow(agent.post(f"/cases/{case_id}/notes", {"text": "Called on Monday"}))
    note_id = re.search(r'id="note-(\d+)"', first).group(1)  # type: ignore[union-attr]
    fixed = agent.follow(
        agent.post(
            f"/cases/{case_id}/notes", {"text": "It was Tuesday, not Monday", "corrects": note_id}
        )
    )
    text = words(fixed)
    assert "Called on Monday" in text  # never edited
    assert f"Correction (addendum) to note {note_id}" in text
    assert agent.post(f"/cases/{case_id}/notes", {"text": ""}).status_code == 422


@time_machine.travel(FROZEN, tick=False)
def test_warm_transfer_offered_seen_and_accepted_by_the_receiver(
    person, member: Member, db: Session
) -> None:
    giver = person(Role.TIER1_AGENT, team="Team A")
    taker = person(Role.TIER1_AGENT, team="Team A")
    case_id = open_from_page(giver, member.id)
    missing = giver.post(
        f"/cases/{case_id}/transfers",
        {"to": f"person:{taker.user_id}", "warm": "yes", "context_summary": "Double charge"},
    )
    assert missing.status_code == 422
    assert "A warm transfer needs the question the member should ask." in words(missing.text)
    offered = giver.follow(
        giver.post(
            f"/cases/{case_id}/transfers",
            {
                "to": f"person:{taker.user_id}",
                "warm": "yes",
                "context_summary": "Double charge in October",
                "member_question": "Ask for the October refund amount",
            },
        )
    )
    assert "Transfer offered." in offered
    assert f"Warm transfer to {taker.username}" in words(offered)
    assert "waiting for an answer" in words(offered)
    work = words(taker.get("/work").text)
    assert "Transfers offered to you" in work and f"Case {case_id}" in work
    assert "Ask for the October refund amount" in work
    transfer_id = re.search(  # type: ignore[union-attr]
        r'action="/work/transfers/(\d+)/accept"', taker.get("/work").text
    ).group(1)
    assert giver.post(f"/work/transfers/{transfer_id}/accept").status_code == 403
    accepted = taker.follow(taker.post(f"/work/transfers/{transfer_id}/accept"))
    text = words(accepted)
    assert "Transfer accepted. The case is yours now." in text and "Held by You" in text
    assert "Warm transfer" in text
    assert db.get(Case, case_id).assignee_id == taker.user_id  # type: ignore[union-attr]


@time_machine.travel(FROZEN, tick=False)
def test_get_next_opens_the_item_or_says_nothing_waits(person, member: Member) -> None:
    agent = person(Role.TIER1_AGENT, team="Team A")
    case_id = open_from_page(agent, member.id)
    agent.post(
        f"/cases/{case_id}/escalate", {"reason": "billing_dispute", "rationale": "Needs Tier 2"}
    )
    tier2 = person(Role.TIER2_SPECIALIST, team="Team B")
    page = tier2.get("/work").text
    assert "Get next" in page and "You hold no open cases" in words(page)
    answer = tier2.post("/work/next")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{case_id}?done=next"
    work = words(tier2.get("/work").text)
    assert f"Case {case_id}: Billing or premium" in work and "Casework" in work
    nothing = tier2.follow(tier2.post("/work/next"))
    assert "Nothing waits for you right now" in words(nothing)


@time_machine.travel(FROZEN, tick=False)
def test_supervisor_console_queues_team_and_reassignment(
    person, member: Member, db: Session
) -> None:
    agent = person(Role.TIER1_AGENT, team="Team A")
    case_id = open_from_page(agent, member.id)
    boss = person(Role.SUPERVISOR, team="Team A")
    page = boss.get("/supervisor")
    assert page.status_code == 200
    text = words(page.text)
    for heading in ("Queues", "Transfers today", "Reassign a case", "Team: who holds what"):
        assert heading in text
    assert "Tier 1 General" in text and "Tier 1 — member services" in text
    assert 'hx-get="/supervisor/queues"' in page.text and 'hx-trigger="every 15s"' in page.text
    fragment = boss.get("/supervisor/queues")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Tier 3 Appeals and compliance" in fragment.text
    assert agent.username in text
    bad = boss.post("/supervisor/reassign", {"case_id": "abc", "user_id": ""})
    assert bad.status_code == 422
    assert "Enter the case number (digits only)." in words(bad.text)
    done = boss.follow(
        boss.post("/supervisor/reassign", {"case_id": str(case_id), "user_id": str(agent.user_id)})
    )
    assert "Case reassigned." in done
    assert db.get(Case, case_id).assignee_id == agent.user_id  # type: ignore[union-attr]
    assert "Held by You" in words(agent.get(f"/cases/{case_id}").text)
    no_codes(words(done))


@pytest.mark.parametrize("role", [Role.TIER1_AGENT, Role.TIER2_SPECIALIST, Role.QA_ANALYST])
def test_only_supervisors_open_the_console(person, role: Role) -> None:
    web = person(role, team="Team A")
    for path in ("/supervisor", "/supervisor/queues"):
        page = web.get(path)
        assert page.status_code == 403 and "Not available to your role" in page.text
    assert web.post("/supervisor/reassign", {"case_id": "1", "user_id": "1"}).status_code == 403


def test_documents_upload_list_and_download(person, member: Member) -> None:
    agent = person(Role.TIER1_AGENT, team="Team A")
    case_id = open_from_page(agent, member.id)
    pdf = b"%PDF-1.4\n% a letter from the member\n"
    page = agent.follow(
        agent.post(
            f"/cases/{case_id}/documents",
            files={"file": ("october-invoice.pdf", pdf, "application/pdf")},
        )
    )
    text = words(page)
    assert "Document added." in text and "october-invoice.pdf" in text and "PDF" in text
    href = re.search(rf'href="(/cases/{case_id}/documents/\d+)"', page).group(1)  # type: ignore[union-attr]
    got = agent.get(href)
    assert got.status_code == 200 and got.content == pdf
    wrong = agent.post(
        f"/cases/{case_id}/documents",
        files={"file": ("run.exe", b"MZ\x90\x00\x03binary", "application/octet-stream")},
    )
    assert wrong.status_code == 422
    assert "Upload a PDF, PNG, JPEG, TIFF or plain-text file." in words(wrong.text)


def test_linking_a_contact_of_the_member(person, member: Member, login) -> None:
    agent = person(Role.TIER1_AGENT, team="Team A")
    api = login(Role.TIER1_AGENT, team="Team A").client
    made = api.post(
        "/api/contacts",
        json={
            "member_id": member.id,
            "channel": "phone",
            "direction": "inbound",
            "reasons": ["billing"],
            "started_at": "2026-11-02T09:30:00-08:00",
        },
    )
    assert made.status_code == 201, made.text
    case_id = open_case(api, member.id, case_type="billing")["id"]
    page = agent.get(f"/cases/{case_id}").text
    assert "Phone, inbound, 2 Nov 2026, 9:30 am" in words(page)
    linked = agent.follow(
        agent.post(f"/cases/{case_id}/contacts", {"contact_id": str(made.json()["id"])})
    )
    assert "Contact linked to the case." in linked
    assert "Phone, 2 Nov 2026, 9:30 am" in words(linked)


@time_machine.travel(FROZEN, tick=False)
def test_member_portal_shows_only_their_own_cases_in_plain_words(
    person, member: Member, db: Session, login
) -> None:
    other = f.member(db, last_name="Otherperson")
    api = login(Role.TIER1_AGENT, team="Team A").client
    mine = open_case(api, member.id, case_type="billing", summary="Secret internal summary")
    theirs = open_case(api, other.id, case_type="claims", summary="Someone else's claim")
    api.post(f"/api/cases/{mine['id']}/notes", json={"text": "Internal note about the member"})
    me = person(Role.MEMBER, member_id=member.id)
    page = me.get("/me/cases")
    assert page.status_code == 200
    text = words(page.text)
    assert f"Case {mine['id']}: Billing or premium" in text
    assert "Received: we will start on it soon" in text
    assert "By Tue 24 Nov 2026, 5:00 pm Pacific time" in text  # claim research: 5 business days
    assert f"Case {theirs['id']}" not in text
    for secret in ("Secret internal summary", "Internal note", "Tier", "queue", "Someone else"):
        assert secret not in text
    as_json = me.client.get("/api/me/cases").json()
    assert [c["id"] for c in as_json] == [mine["id"]]
    assert as_json[0]["status"] == "Received: we will start on it soon"
    assert as_json[0]["reply_due_at"] == "2026-11-24T17:00:00-08:00"
    assert set(as_json[0]) == {
        "id",
        "about",
        "status",
        "open",
        "opened_on",
        "reply_due_at",
        "reply_due",
    }
    # Staff have no portal; a member has no case pages.
    assert person(Role.TIER1_AGENT).get("/me/cases").status_code == 403
    assert me.get(f"/cases/{mine['id']}").status_code == 403
    assert me.get("/work").status_code == 403

"""The regulatory-inquiry pages through real HTTP on SQLite and PostgreSQL (no browser): a Tier 3
analyst records an inquiry, assigns the liaison, records documents and the answer, and closes it;
every refusal of the service said beside its field with nothing changed; every change and read
audited; free text hidden from a compliance officer; 403 for a role without the permission."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.appeals.models import InquiryDocument, RegulatoryInquiry
from memberdesk.cases.models import Case
from memberdesk.clock import now
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.members.models import Member
from memberdesk.sla.packs import zone_of
from tests import factories as f
from tests.appeals.conftest import Web, receive, text_of

PACIFIC = zone_of("calchoice")
SUMMARY = "Enrollee says the plan ignored two calls about a denied MRI"
CODES = ("dmhc", "oha", "regulator_response", "[masked]", "responded", "open:")


def typed(at: datetime) -> str:
    """A time as a person types it in a datetime-local field (Pacific time)."""
    return at.astimezone(PACIFIC).strftime("%Y-%m-%dT%H:%M")


def form(member: Member, **extra: str) -> dict[str, str]:
    at = now()
    data = {
        "regulator": "dmhc",
        "reference": "DMHC-2026-118842",
        "member_number": member.member_number,
        "received_at": typed(at - timedelta(hours=2)),
        "response_due_at": typed(at + timedelta(days=10)),
        "appeal_id": "",
        "summary": SUMMARY,
    }
    data.update(extra)
    return data


def record(web: Web, member: Member, **extra: str) -> tuple[int, str]:
    answer = web.post("/appeals/inquiries/new", form(member, **extra))
    page = web.follow(answer)
    found = re.search(r"/appeals/inquiries/(\d+)", answer.headers["location"])
    assert found
    return int(found.group(1)), page


def audited(db: Session, action: AuditAction, object_id: int) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.object_id == str(object_id))
        )
        or 0
    )


def count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(RegulatoryInquiry)) or 0


def beside(html: str, field: str) -> str:
    """The problem said beside a field, or at the top of a part of the page (by its id)."""
    found = re.search(rf'id="{field}-error">([^<]+)<', html)
    if found:
        return found.group(1)
    part = html.split(f'id="{field}"', 1)[-1].split("</section>", 1)[0]
    found = re.search(r'role="alert"><p>([^<]+)</p>', part)
    return found.group(1) if found else ""


def no_codes(html: str) -> None:
    words = text_of(html)
    for code in CODES:
        assert code not in words, code


def test_an_analyst_records_and_works_an_inquiry(person, member: Member, db: Session) -> None:
    analyst = person(Role.TIER3_APPEALS, team="Team C")
    assert analyst.get("/appeals/inquiries/new").status_code == 200
    inquiry_id, page = record(analyst, member)
    words = text_of(page)
    assert "Recorded. The regulator's deadline is below" in words
    assert "California Department of Managed Health Care" in words
    assert "DMHC-2026-118842" in words and SUMMARY in words
    assert f"{member.first_name} {member.last_name}" in words
    assert re.search(r"Response to the regulator: Due in (9|10) days", words), words
    no_codes(page)
    assert audited(db, AuditAction.INQUIRY_RECEIVED, inquiry_id) == 1
    assert audited(db, AuditAction.INQUIRY_READ, inquiry_id) >= 1
    row = db.get(RegulatoryInquiry, inquiry_id)
    assert row is not None and row.reference == "DMHC-2026-118842"

    url = f"/appeals/inquiries/{inquiry_id}"
    page = analyst.follow(analyst.post(f"{url}/liaison", {"liaison_id": str(analyst.user_id)}))
    assert "Liaison assigned." in page and analyst.username in text_of(page)
    page = analyst.follow(
        analyst.post(
            f"{url}/documents",
            {"direction": "received", "title": "DMHC complaint form", "exchanged_at": ""},
        )
    )
    assert "Document recorded." in page
    assert "DMHC complaint form — received from the regulator, today" in text_of(page)
    page = analyst.follow(
        analyst.post(f"{url}/response", {"response": "Records and the call log sent to DMHC"})
    )
    words = text_of(page)
    assert "Response recorded." in words and "Records and the call log sent to DMHC" in words
    assert "Response to the regulator: Met" in words
    page = analyst.follow(analyst.post(f"{url}/close"))
    assert "Inquiry closed." in page and "Closed today" in text_of(page)
    db.refresh(row)
    assert row.state == "closed"
    case = db.get(Case, row.case_id)
    assert case is not None and case.state == "closed"
    assert audited(db, AuditAction.INQUIRY_UPDATED, inquiry_id) == 4
    no_codes(page)


def test_recording_refused_beside_each_field_nothing_saved(
    person, tier3, member: Member, db: Session
) -> None:
    analyst = person(Role.TIER3_APPEALS, team="Team C")
    other = f.member(db, last_name="Otherperson")
    theirs = receive(tier3.client, other.id, now() - timedelta(days=1))
    at = now()
    cases: list[tuple[dict[str, str], str, str]] = [
        (
            {"response_due_at": typed(at - timedelta(hours=3))},
            "response_due_at",
            "after the time it was received",
        ),
        ({"received_at": typed(at + timedelta(hours=2))}, "received_at", "not later than now"),
        ({"received_at": "yesterday"}, "received_at", "Enter when it was received"),
        ({"member_number": "000000000-00"}, "member_number", "No member has this member ID"),
        ({"reference": "DMHC 118842!"}, "reference", "letters, digits"),
        ({"appeal_id": str(theirs["id"])}, "appeal_id", "No appeal of this member"),
        ({"summary": "   "}, "summary", "Write what the regulator forwarded"),
        ({"regulator": "fda"}, "regulator", "Choose the regulator"),
    ]
    before = count(db)
    for extra, field, words in cases:
        answer = analyst.post("/appeals/inquiries/new", form(member, **extra))
        assert answer.status_code == 422, (field, answer.status_code)
        beside = re.search(rf'id="{field}-error">([^<]+)<', answer.text)
        assert beside and words in beside.group(1), (field, answer.text[-3000:])
        assert f'aria-describedby="{field}-error"' in answer.text
        assert count(db) == before  # nothing saved
    # What was typed stays in the form.
    assert "DMHC-2026-118842" in answer.text


def test_actions_refused_in_words_nothing_changed(person, member: Member, db: Session) -> None:
    analyst = person(Role.TIER3_APPEALS, team="Team C")
    inquiry_id, _ = record(analyst, member)
    url = f"/appeals/inquiries/{inquiry_id}"

    def refused(path: str, data: dict[str, str], status: int, field: str, words: str) -> None:
        answer = analyst.post(f"{url}/{path}", data)
        assert answer.status_code == status, (path, answer.status_code, answer.text[-2000:])
        assert "Nothing was changed" in answer.text
        assert words in beside(answer.text, field), (path, field, answer.text[-3000:])

    refused("close", {}, 409, "close", "cannot be closed: answer it first")
    refused("liaison", {"liaison_id": "999999"}, 422, "liaison_id", "Choose a staff member")
    refused(
        "documents",
        {"direction": "sent", "title": "Letter", "exchanged_at": typed(now() + timedelta(days=1))},
        422,
        "exchanged_at",
        "not later than now",
    )
    refused("documents", {"direction": "sent", "title": ""}, 422, "title", "Say what the document")
    refused(
        "response",
        {"response": "Sent", "responded_at": typed(now() - timedelta(days=3))},
        422,
        "responded_at",
        "after the inquiry arrived",
    )
    refused("response", {"response": ""}, 422, "response", "Write what was answered")
    row = db.get(RegulatoryInquiry, inquiry_id)
    assert row is not None and row.state == "open" and row.liaison_id is None
    docs = select(func.count()).select_from(InquiryDocument)
    assert db.scalar(docs.where(InquiryDocument.inquiry_id == inquiry_id)) == 0
    assert audited(db, AuditAction.INQUIRY_UPDATED, inquiry_id) == 0
    analyst.follow(analyst.post(f"{url}/response", {"response": "Answered"}))
    # Answered meanwhile (by someone else in another tab): said in the answer's part.
    refused("response", {"response": "Again"}, 409, "response", "answered already")
    assert "Again" not in text_of(analyst.get(url).text)


def test_the_list_overdue_first_and_filtered(person, member: Member, db: Session) -> None:
    analyst = person(Role.TIER3_APPEALS, team="Team C")
    at = now()
    later, _ = record(analyst, member, reference="OHA-1", regulator="oha")
    overdue, _ = record(
        analyst,
        member,
        reference="DOL-2",
        regulator="dol",
        received_at=typed(at - timedelta(days=20)),
        response_due_at=typed(at - timedelta(days=1)),
    )
    page = analyst.get("/appeals/inquiries")
    assert page.status_code == 200
    words = text_of(page.text)
    assert words.index("DOL-2") < words.index("OHA-1")
    assert "US Department of Labor" in words and "Oregon Health Authority" in words
    assert re.search(r"Overdue by 1 day", words) and "Due in" in words
    no_codes(page.text)
    entry = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == AuditAction.INQUIRY_READ, AuditEntry.object_id.is_(None))
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.detail is not None
    assert entry.detail["ids"] == [overdue, later]  # every inquiry shown, in the order shown
    # Answered and closed, it leaves the open list for the closed one.
    url = f"/appeals/inquiries/{overdue}"
    analyst.follow(analyst.post(f"{url}/response", {"response": "Sent late"}))
    page = analyst.follow(analyst.post(f"{url}/close"))
    assert "after the deadline" in text_of(page)
    assert "DOL-2" not in text_of(analyst.get("/appeals/inquiries").text)
    closed = text_of(analyst.get("/appeals/inquiries?show=closed").text)
    assert "DOL-2" in closed and "OHA-1" not in closed
    assert later


def test_roles_masking_and_refusals(person, member: Member, db: Session) -> None:
    analyst = person(Role.TIER3_APPEALS, team="Team C")
    inquiry_id, _ = record(analyst, member)
    officer = person(Role.COMPLIANCE_OFFICER)
    page = officer.get(f"/appeals/inquiries/{inquiry_id}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert SUMMARY not in words and "Not shown to your role" in words
    assert f"{member.first_name} {member.last_name}" in words  # the officer's role shows members
    assert 'action="/appeals/inquiries/' not in page.text  # no forms without appeal.write
    assert officer.get("/appeals/inquiries").status_code == 200
    assert officer.get("/appeals/inquiries/new").status_code == 403
    refused = officer.post(f"/appeals/inquiries/{inquiry_id}/close")
    assert refused.status_code == 403 and "Not available to your role" in refused.text
    agent = person(Role.TIER1_AGENT, team="Team A")
    for path in ("/appeals/inquiries", f"/appeals/inquiries/{inquiry_id}"):
        assert agent.get(path).status_code == 403
    assert agent.post("/appeals/inquiries/new", form(member)).status_code == 403
    assert count(db) == 1


def test_linked_from_the_appeal_and_the_worklist(person, tier3, member: Member) -> None:
    analyst = person(Role.TIER3_APPEALS, team="Team C")
    appeal = receive(tier3.client, member.id, now() - timedelta(days=2))
    inquiry_id, page = record(analyst, member, appeal_id=str(appeal["id"]))
    assert f'href="/appeals/{appeal["id"]}"' in page
    appeal_page = analyst.get(f"/appeals/{appeal['id']}").text
    assert f'href="/appeals/inquiries/{inquiry_id}"' in appeal_page
    assert "Regulators and counsel" in appeal_page
    worklist = analyst.get("/appeals").text
    assert 'href="/appeals/inquiries"' in worklist and 'href="/appeals/referrals"' in worklist
    assert f'href="/appeals/inquiries/{inquiry_id}"' in worklist

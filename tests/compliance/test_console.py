"""The compliance console over HTTP on both databases: the audit search's filters and keyset
paging against entries written for the test, entries in words, the PHI access report and its
CSV, legal holds placed and released with a reason (audited), retention's dry run and a
confirmed run refused without its confirmation, and an agent refused every page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from memberdesk.compliance import audit, reports, words
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, PurposeOfUse, Role
from memberdesk.compliance.models import AuditEntry, LegalHold
from memberdesk.compliance.ui import PAGE_SIZE
from memberdesk.members.models import Member
from tests import factories as f

NOV30 = {"to": "2026-11-30"}
NOV = datetime(2026, 11, 10, 18, 0, tzinfo=UTC)  # Tuesday 10 November, 10:00 in California
ENTRY_ID = re.compile(r'data-label="Entry" class="num">(\d+)<')


def ids_on(html: str) -> list[int]:
    """The entry numbers a page lists, in its order."""
    return [int(n) for n in ENTRY_ID.findall(html)]


def ctx_of(persona: Any, request_id: str | None = None) -> AuditContext:
    """The audit context of a persona's own requests."""
    user = persona.user
    return AuditContext(
        actor_id=user.id,
        actor=user.username,
        role=user.role.value,
        purpose=PurposeOfUse.TREATMENT.value,
        request_id=request_id,
        client_addr="10.9.8.7",
    )


def views(db: Session, persona: Any, member: Member, days: list[datetime], **kw: Any) -> list[int]:
    """The persona viewed the member's record once on each of ``days``; the entries' ids."""
    out = []
    for at in days:
        with time_machine.travel(at, tick=False):
            entry = audit.record(
                db,
                ctx_of(persona, **kw),
                AuditAction.MEMBER_READ,
                object_type="member",
                object_id=member.id,
                member_ids=[member.id],
            )
        assert entry is not None
        out.append(entry)
    db.flush()
    return out


@pytest.fixture
def officer(login):  # type: ignore[no-untyped-def]
    return login(Role.COMPLIANCE_OFFICER)


def test_search_filters_find_exactly_the_known_entries(login, officer, db: Session) -> None:
    agent = login(Role.TIER1_AGENT, team="Team A", username="alex.morgan")
    other = login(Role.TIER2_SPECIALIST)
    m, n = f.member(db), f.member(db)
    november = views(db, agent, m, [NOV, NOV + timedelta(days=1)])
    october = views(db, agent, m, [NOV - timedelta(days=30)])
    of_n = views(db, other, n, [NOV + timedelta(hours=2)])
    c = officer.client

    by_user = c.get("/compliance/audit", params={"user": agent.user.username})
    assert by_user.status_code == 200, by_user.text
    assert ids_on(by_user.text) == sorted(november + october, reverse=True)

    by_member_month = c.get(
        "/compliance/audit",
        params={"member": m.member_number, "from": "2026-11-01", "to": "2026-11-30"},
    )
    assert ids_on(by_member_month.text) == sorted(november, reverse=True)

    by_member_other = c.get("/compliance/audit", params={"member": n.member_number.lower()})
    assert ids_on(by_member_other.text) == of_n

    acted = c.get(
        "/compliance/audit",
        params={"action": "member.read", "user": other.user.username, "to": "2026-11-10"},
    )
    assert ids_on(acted.text) == of_n
    by_object = c.get("/compliance/audit", params={"object_type": "member", "object_id": str(m.id)})
    assert ids_on(by_object.text) == sorted(november + october, reverse=True)

    # In words: what was done, who, when in the plan's zone, which member; never the codes.
    page = by_user.text
    assert "Viewed a member&#39;s record" in page or "Viewed a member's record" in page
    assert "Tue 10 Nov 2026, 10:00 am Pacific time" in page
    assert m.member_number in page and "Tier 1 agent" in page and "Treatment" in page
    assert "member.read" not in page.replace('value="member.read"', "")
    assert "tier1_agent" not in page


def test_paging_walks_every_entry_once_by_keyset(login, officer, db: Session) -> None:
    agent = login(Role.TIER1_AGENT, team="Team A")
    m = f.member(db)
    written = views(db, agent, m, [NOV + timedelta(minutes=i) for i in range(PAGE_SIZE + 7)])
    c = officer.client
    first = c.get("/compliance/audit", params={"user": agent.user.username})
    page_one = ids_on(first.text)
    assert page_one == sorted(written, reverse=True)[:PAGE_SIZE]
    older = re.search(r'href="(/compliance/audit\?[^"]+)#results">Older entries', first.text)
    assert older is not None and f"before={page_one[-1]}" in older.group(1)
    second = c.get(older.group(1).replace("&amp;", "&"))
    page_two = ids_on(second.text)
    assert page_two == sorted(written, reverse=True)[PAGE_SIZE:]
    assert "Older entries</a>" not in second.text and "Back to the newest" in second.text


def test_search_is_audited_with_the_filters_named_not_their_values(
    login, officer, db: Session
) -> None:
    agent = login(Role.TIER1_AGENT, team="Team A")
    officer.client.get("/compliance/audit", params={"user": agent.user.username})
    entry = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.actor == officer.user.username)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).one()
    assert entry.action == AuditAction.ACCESS_REPORT.value
    assert entry.detail == {"report": "audit_page", "rows": 0, "filters": ["username"]}


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"from": "2026-13-01"}, "from", "Enter a date"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to", "The last day is before the first"),
        ({"member": "ZZ0000000-99"}, "member", "No member has this member ID"),
        ({"user": "nobody-such"}, "user", "No account has this username"),
        ({"action": "member.obliterated"}, "action", "Choose what was done"),
        ({"object_type": "spaceship"}, "object_type", "Choose the kind of record"),
        ({"object_id": "12"}, "object_type", "Choose the kind of record the number"),
    ],
)
def test_bad_filters_are_named_beside_their_field(officer, params, field, words) -> None:  # type: ignore[no-untyped-def]
    r = officer.client.get("/compliance/audit", params=params)
    assert r.status_code == 422
    assert f'id="{field}-error">{words}' in r.text
    assert ids_on(r.text) == []


def test_access_report_page_and_its_csv(login, officer, db: Session) -> None:
    agent = login(Role.TIER1_AGENT, team="Team A")
    m = f.member(db)
    views(db, agent, m, [NOV], request_id='=HYPERLINK("http://evil")')
    views(db, agent, m, [NOV - timedelta(days=40)])  # outside the month asked for
    c = officer.client
    r = c.get(
        "/compliance/access",
        params={"member": m.member_number, "from": "2026-11-01", "to": "2026-11-30"},
    )
    assert r.status_code == 200, r.text
    assert agent.user.username in r.text and "Viewed a member" in r.text
    assert r.text.count('data-label="Who"') == 1
    link = re.search(r'href="(/api/compliance/access/member/\d+\?[^"]+)"', r.text)
    assert link is not None
    got = c.get(link.group(1).replace("&amp;", "&"))
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [(x["actor"], x["member_number"], x["action"]) for x in rows] == [
        (agent.user.username, m.member_number, "member.read")
    ]
    assert rows[0]["request_id"] == '\'=HYPERLINK("http://evil")'  # neutralised

    by_user = c.get(
        "/compliance/access",
        params={"by": "user", "user": agent.user.username, **{"from": "2026-10-01"}, **NOV30},
    )
    assert by_user.text.count('data-label="Who"') == 2
    bad = c.get("/compliance/access", params={"by": "user", "user": "nobody-such"})
    assert bad.status_code == 422 and 'id="user-error">No account has this username' in bad.text


def test_last_month_is_the_reports_default(officer) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2026, 12, 4, 20, 0, tzinfo=UTC), tick=False):
        page = officer.client.get("/compliance/access").text
    assert 'value="2026-11-01"' in page and 'value="2026-11-30"' in page


def test_legal_hold_placed_and_released_with_a_reason(officer, db: Session) -> None:
    m = f.member(db)
    c = officer.client
    bad = c.post("/compliance/holds", data={"matter": "", "member": "ZZ0000000-99"})
    assert bad.status_code == 422
    assert 'id="matter-error">Name the matter' in bad.text
    assert 'id="member-error">No member has this member ID' in bad.text
    assert db.scalar(select(LegalHold).where(LegalHold.member_id == m.id)) is None
    no_kind = c.post("/compliance/holds", data={"matter": "Audit", "scope": "record_type"})
    assert 'id="record_type-error">Choose the kind' in no_kind.text

    placed = c.post(
        "/compliance/holds",
        data={"matter": "Doe v. Plan", "member": m.member_number, "reason": "Subpoena"},
        follow_redirects=False,
    )
    assert placed.status_code == 303
    hold = db.scalars(select(LegalHold).where(LegalHold.member_id == m.id)).one()
    page = c.get(placed.headers["location"]).text
    assert "Legal hold placed" in page and "Doe v. Plan" in page and m.member_number in page

    unexplained = c.post(f"/compliance/holds/{hold.id}/release", data={"reason": " "})
    assert unexplained.status_code == 422
    assert f'id="release-{hold.id}-error">Say why the hold is released' in unexplained.text
    db.refresh(hold)
    assert hold.released_at is None

    released = c.post(
        f"/compliance/holds/{hold.id}/release",
        data={"reason": "Settled on 1 December"},
        follow_redirects=False,
    )
    assert released.status_code == 303
    db.refresh(hold)
    assert hold.released_by == officer.user.username
    assert hold.release_reason == "Settled on 1 December"
    stored = db.execute(
        text("SELECT release_reason FROM legal_holds WHERE id = :id"), {"id": hold.id}
    ).scalar_one()
    assert b"Settled" not in stored  # encrypted at rest
    trail = db.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "legal_hold", AuditEntry.object_id == str(hold.id)
        )
    ).all()
    assert [e.action for e in trail] == [
        AuditAction.LEGAL_HOLD_PLACED.value,
        AuditAction.LEGAL_HOLD_RELEASED.value,
    ]
    assert audit.decrypt_changes(trail[1].changes) == {
        "new": {"release_reason": "Settled on 1 December"}
    }
    again = c.post(f"/compliance/holds/{hold.id}/release", data={"reason": "Twice"})
    assert again.status_code == 409 and "already released" in again.text
    assert "Settled on 1 December" in c.get("/compliance/holds").text


def test_retention_dry_run_then_a_run_refused_without_confirmation(officer, db: Session) -> None:
    gone = f.member(db, last_name="Longgone", spans=[(date(2008, 1, 1), date(2014, 6, 30))])
    c = officer.client
    dry = c.post("/compliance/retention/dry-run")
    assert dry.status_code == 200
    assert "Members whose coverage ended long ago" in dry.text and "Sign-in attempts" in dry.text
    assert "Nothing was changed" in dry.text and 'name="confirm"' in dry.text

    refused = c.post("/compliance/retention/run", data={})
    assert refused.status_code == 422
    assert "Nothing was deleted" in refused.text and "(the confirmation)" in refused.text
    assert 'id="confirm-error"' in refused.text
    db.expire_all()
    assert db.get(Member, gone.id).last_name == "Longgone"
    forged = c.post("/compliance/retention/run", data={"confirm": "sure"})
    assert forged.status_code == 422
    db.expire_all()
    assert db.get(Member, gone.id).purged_at is None

    ran = c.post("/compliance/retention/run", data={"confirm": "yes"})
    assert ran.status_code == 200 and "Retention ran" in ran.text
    db.expire_all()
    assert db.get(Member, gone.id).purged_at is not None
    runs = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.RETENTION_RUN.value,
            AuditEntry.actor == officer.user.username,
        )
    ).all()
    assert [e.detail["dry_run"] for e in runs] == [True, True, True, False]


CONSOLE_GETS = [
    "/compliance",
    "/compliance/audit",
    "/compliance/chain",
    "/compliance/chain/progress",
    "/compliance/access",
    "/compliance/holds",
    "/compliance/retention",
]
CONSOLE_POSTS = [
    "/compliance/chain/verify",
    "/compliance/holds",
    "/compliance/holds/1/release",
    "/compliance/retention/dry-run",
    "/compliance/retention/run",
]


def test_an_agent_is_refused_every_page(login, officer) -> None:  # type: ignore[no-untyped-def]
    agent = login(Role.TIER1_AGENT, team="Team A").client
    for path in CONSOLE_GETS:
        assert agent.get(path).status_code == 403, path
        assert officer.client.get(path).status_code == 200, path
    for path in CONSOLE_POSTS:
        assert agent.post(path, data={"reason": "x", "confirm": "yes"}).status_code == 403, path
    home = officer.client.get("/").text
    assert 'href="/compliance"' in home and 'href="/compliance/access"' in home
    assert 'href="/compliance"' not in agent.get("/").text


def test_a_past_months_page_comes_from_its_window_with_the_same_entries(
    login, officer, db: Session
) -> None:
    """March asked in December: the page is taken from the window's index (not by walking back
    from today), and holds exactly the entries a plain walk finds, page after page."""
    agent = login(Role.TIER1_AGENT, team="Team A")
    m = f.member(db)
    march = [datetime(2026, 3, 2, 17, tzinfo=UTC) + timedelta(hours=7 * i) for i in range(70)]
    in_march = views(db, agent, m, march)
    views(db, agent, m, [datetime(2026, 2, 27, 17, tzinfo=UTC)])  # before the window
    # Months of later entries: more of the log lies after the window than in it.
    views(db, agent, m, [datetime(2026, 12, 1, tzinfo=UTC) + timedelta(days=i) for i in range(5)])
    window = reports.AuditFilter(
        start=datetime(2026, 3, 1, tzinfo=UTC), end=datetime(2026, 4, 1, tzinfo=UTC)
    )
    assert reports._window_first(db, window)
    everything = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).all()
    expected = [e.id for e in everything if window.start <= e.at < window.end]
    assert set(in_march) <= set(expected)
    found, before = [], None
    while True:
        rows = reports.search_audit(db, window, PAGE_SIZE, before)
        found += [e.id for e in rows[:PAGE_SIZE]]
        if len(rows) <= PAGE_SIZE:
            break
        before = rows[PAGE_SIZE - 1].id
    assert found == expected
    read = reports.AuditFilter(action="member.read", start=window.start, end=window.end)
    assert [e.id for e in reports.search_audit(db, read, 100)] == sorted(in_march, reverse=True)
    page = officer.client.get(
        "/compliance/audit", params={"from": "2026-03-01", "to": "2026-03-31"}
    )
    assert ids_on(page.text) == expected[:PAGE_SIZE]


def test_every_audited_action_has_words() -> None:
    """The search shows what each action means, never its code: a new action needs its words
    in ``compliance/words.py``."""
    assert set(words.ACTIONS) == set(AuditAction)
    assert len(set(words.ACTIONS.values())) == len(words.ACTIONS)  # no two read alike


def test_the_api_releases_a_hold_with_its_reason(officer, db: Session) -> None:
    m = f.member(db)
    c = officer.client
    hold = c.post("/api/compliance/legal-holds", json={"matter": "Roe", "member_id": m.id}).json()
    r = c.post(f"/api/compliance/legal-holds/{hold['id']}/release", json={"reason": "Dismissed"})
    assert r.status_code == 200 and r.json()["released_at"]
    assert db.get(LegalHold, hold["id"]).release_reason == "Dismissed"
    long = c.post("/api/compliance/legal-holds/1/release", json={"reason": "x" * 2001})
    assert long.status_code == 422 and "reason" in long.text

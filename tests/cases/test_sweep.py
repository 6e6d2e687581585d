"""The SLA sweep through the real app on each database, time moved with time_machine: each
warning and breach fires once, a Tier 1 case nobody touches moves to Tier 2 at its hand-off
deadline, paused clocks never fire, and voicemail callbacks and portal messages are swept too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.cases.models import CaseHandoff
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.contacts.models import Callback, Contact
from memberdesk.sla.sweep import sweep
from tests import factories as f
from tests.cases.conftest import clock, open_case

T0 = datetime(2026, 12, 8, 17, 30, tzinfo=UTC)  # a Tuesday, 09:30 in California
MINUTE = timedelta(minutes=1)


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def sla_events(db: Session, object_type: str, object_id: int) -> list[tuple[str, str]]:
    """(action, target) of the SLA worker's audit entries for one object, in order."""
    rows = db.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action.in_([AuditAction.SLA_WARNED.value, AuditAction.SLA_BREACHED.value]),
            AuditEntry.object_type == object_type,
            AuditEntry.object_id == str(object_id),
        )
        .order_by(AuditEntry.id)
    ).all()
    assert all(r.actor == "sla-worker" and r.actor_id is None for r in rows)
    return [(r.action, (r.detail or {})["target"]) for r in rows]


def swept(db: Session) -> dict[str, int]:
    """Sweep at the (travelled) present; the kinds that fired anything."""
    return {k: n for k, n in sweep(db).fired.items() if n}


def test_warning_then_handoff_then_breach_each_once(client, member, tier2, db: Session) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        case = open_case(client, member.id, case_type="billing", summary="Premium billed twice")
        url = f"/api/cases/{case['id']}"
        handoff, research = clock(case, "tier1_handoff"), clock(case, "claim_research")
        assert swept(db) == {}
        # The hand-off clock warns at half its 48 hours, once.
        traveller.move_to(at(handoff["warn_at"]) + MINUTE)
        assert swept(db) == {"case clock warnings": 1}
        assert swept(db) == {}
        assert sla_events(db, "case", case["id"]) == [("sla.warned", "tier1_handoff")]
        assert client.get(url).json()["tier"] == 1
        # Nobody acts: at the deadline the case moves to Tier 2, once, and is no breach.
        traveller.move_to(at(handoff["due_at"]) + MINUTE)
        assert swept(db) == {"automatic escalations": 1}
        assert swept(db) == {}
        moved = client.get(url).json()
        assert moved["tier"] == 2 and moved["queue"]["name"] == "Tier 2 Benefits and billing"
        assert clock(moved, "tier1_handoff")["state"] == "met"
        auto = [h for h in moved["handoffs"] if h["kind"] == "auto_escalated"]
        assert len(auto) == 1 and auto[0]["reason"] == "handoff_deadline"
        assert auto[0]["actor_id"] is None
        got = tier2.client.post("/api/work/next")
        assert got.status_code == 200 and got.json()["id"] == case["id"]
        # The research clock: warned once at its share, breached once at its deadline.
        traveller.move_to(at(research["warn_at"]) + MINUTE)
        assert swept(db) == {"case clock warnings": 1}
        traveller.move_to(at(research["due_at"]) + MINUTE)
        assert swept(db) == {"case clock breaches": 1}
        assert swept(db) == {}
        final = client.get(url).json()
        traveller.move_to(at(research["due_at"]) + timedelta(days=90))
        assert swept(db) == {}
    assert clock(final, "claim_research")["state"] == "breached"
    assert sla_events(db, "case", case["id"]) == [
        ("sla.warned", "tier1_handoff"),
        ("sla.warned", "claim_research"),
        ("sla.breached", "claim_research"),
    ]
    autos = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.CASE_AUTO_ESCALATED.value,
            AuditEntry.object_id == str(case["id"]),
        )
    ).all()
    assert len(autos) == 1 and autos[0].actor == "sla-worker"


def test_a_late_sweep_warns_before_it_breaches(client, member, db: Session) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        case = open_case(client, member.id, case_type="claims", summary="Claim denied")
        client.post(
            f"/api/cases/{case['id']}/escalate",
            json={"reason": "claim_dispute", "rationale": "Needs claims research"},
        )
        research = clock(case, "claim_research")
        traveller.move_to(at(research["due_at"]) + timedelta(days=3))  # the worker was down
        assert swept(db) == {"case clock warnings": 1, "case clock breaches": 1}
    assert sla_events(db, "case", case["id"]) == [
        ("sla.warned", "claim_research"),
        ("sla.breached", "claim_research"),
    ]


def test_paused_clocks_never_fire_and_met_ones_neither(client, member, db: Session) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        waiting = open_case(client, member.id, case_type="billing", summary="Needs a statement")
        done = open_case(client, member.id, case_type="other", summary="Card works now")
        client.post(
            f"/api/cases/{waiting['id']}/escalate",
            json={"reason": "billing_dispute", "rationale": "Disputed premium"},
        )
        r = client.post(
            f"/api/cases/{waiting['id']}/state",
            json={"state": "waiting_on_member", "rationale": "Asked for the bank statement"},
        )
        assert r.status_code == 200, r.text
        r = client.post(
            f"/api/cases/{done['id']}/state", json={"state": "resolved", "rationale": "Fixed"}
        )
        assert r.status_code == 200, r.text
        paused = clock(client.get(f"/api/cases/{waiting['id']}").json(), "claim_research")
        assert paused["state"] == "paused" and paused["due_at"] is None
        traveller.move_to(T0 + timedelta(days=20))  # past every deadline
        assert swept(db) == {}
        still = clock(client.get(f"/api/cases/{waiting['id']}").json(), "claim_research")
    assert still["state"] == "paused"
    assert sla_events(db, "case", waiting["id"]) == sla_events(db, "case", done["id"]) == []


def voicemail(client: Any, member_id: int, received_at: datetime) -> dict[str, Any]:
    r = client.post(
        "/api/voicemails",
        json={"member_id": member_id, "phone": "(415) 555-0142", "received_at": str(received_at)},
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_voicemail_callbacks_warn_and_breach_once_unless_returned(client, db: Session) -> None:
    m = f.member(db)
    with time_machine.travel(T0, tick=False) as traveller:
        late = voicemail(client, m.id, T0)
        returned = voicemail(client, m.id, T0)
        r = client.post(
            f"/api/callbacks/{returned['id']}/attempts",
            json={"outcome": "reached", "note": "Explained the bill"},
        )
        assert r.status_code in (200, 201), r.text
        traveller.move_to(at(late["warn_at"]) + MINUTE)
        assert swept(db) == {"callback warnings": 1}
        traveller.move_to(at(late["due_at"]) + MINUTE)
        assert swept(db) == {"callback breaches": 1}
        assert swept(db) == {}
    row = db.get(Callback, late["id"])
    assert row is not None and row.warned_at is not None and row.breached_at is not None
    assert sla_events(db, "callback", late["id"]) == [
        ("sla.warned", "voicemail_return"),
        ("sla.breached", "voicemail_return"),
    ]
    assert sla_events(db, "callback", returned["id"]) == []


def test_unanswered_portal_messages_warn_and_breach_once(login, client, db: Session) -> None:
    m = f.member(db)
    me = login(Role.MEMBER, member_id=m.id).client
    with time_machine.travel(T0, tick=False) as traveller:
        unanswered = me.post("/api/me/messages", json={"subject": "Bill", "body": "Twice?"})
        answered = me.post("/api/me/messages", json={"subject": "Card", "body": "Lost it"})
        assert unanswered.status_code == answered.status_code == 201
        msg, other = unanswered.json(), answered.json()
        reply = client.post(
            "/api/contacts",
            json={
                "member_id": m.id,
                "channel": "portal",
                "direction": "outbound",
                "reasons": ["id_card"],
                "started_at": T0.isoformat(),
                "resolved": True,
                "in_reply_to": other["id"],
            },
        )
        assert reply.status_code == 201, reply.text
        row = db.get(Contact, msg["id"])
        assert row is not None and row.reply_warn_at is not None
        traveller.move_to(row.reply_warn_at + MINUTE)
        assert swept(db) == {"portal reply warnings": 1}
        traveller.move_to(at(msg["reply_due_at"]) + MINUTE)
        assert swept(db) == {"portal reply breaches": 1}
        assert swept(db) == {}
    db.refresh(row)
    assert row.reply_warned_at is not None and row.reply_breached_at is not None
    assert sla_events(db, "contact", msg["id"]) == [
        ("sla.warned", "email_reply"),
        ("sla.breached", "email_reply"),
    ]
    assert sla_events(db, "contact", other["id"]) == []


def test_handoff_records_name_the_system(client, member, db: Session) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        case = open_case(client, member.id)
        traveller.move_to(at(clock(case, "tier1_handoff")["due_at"]) + MINUTE)
        assert swept(db) == {"case clock warnings": 1, "automatic escalations": 1}
    (h,) = db.scalars(select(CaseHandoff).where(CaseHandoff.case_id == case["id"])).all()
    assert (h.from_tier, h.to_tier, h.actor_id, h.reason) == (1, 2, None, "handoff_deadline")

"""What the regulatory-inquiry and legal-referral pages show, in words, built from the API's
views (``api_tier3``) so that the page and the API never disagree; and a date and time typed on
the plan's clock read as an aware instant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals import tier3, ui_views, views, words
from memberdesk.appeals.api_tier3 import inquiry_out, referral_out
from memberdesk.appeals.enums import InquiryState, ReferralState
from memberdesk.appeals.models import LegalReferral, RegulatoryInquiry
from memberdesk.appeals.ui_views import shown
from memberdesk.cases.models import CaseClock, CaseNote
from memberdesk.cases.ui_views import member_name, staff_choices, usernames
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.crypto import bidx_member_number
from memberdesk.compliance.masking import MASKED
from memberdesk.compliance.models import LegalHold
from memberdesk.contacts import timewords
from memberdesk.members.models import Member
from memberdesk.sla.packs import zone_of

REFERRAL_STATES = {ReferralState.OPEN: "Open: with counsel", ReferralState.CLOSED: "Closed"}
DOC_DIRECTIONS = {"received": "Received from the regulator", "sent": "Sent to the regulator"}
NOBODY = "Nobody yet"


def member_by_number(session: Session, number: str) -> Member | None:
    """The member with this member ID (as on the card), found by its blind index."""
    number = number.strip()[:40]
    if not number:
        return None
    return session.scalar(
        select(Member).where(Member.member_number_bidx == bidx_member_number(number))
    )


def typed_time(value: str, tz: tzinfo) -> datetime | None:
    """A ``datetime-local`` value typed on the plan's clock (``tz``) as an aware instant; None
    when left empty. Raises ValueError for anything that is not a date and time."""
    if not value.strip():
        return None
    naive = datetime.fromisoformat(value.strip())
    return naive.replace(tzinfo=tz) if naive.tzinfo is None else naive


def zone(session: Session, inquiry: RegulatoryInquiry) -> tzinfo:
    """The zone the inquiry's times are typed and shown in: its case's pack calendar's."""
    row = _clocks(session, [inquiry.case_id]).get(inquiry.case_id)
    return zone_of(row.pack if row else "calchoice")


def _members(session: Session, ids: set[int]) -> dict[int, Member]:
    return {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(ids)))}


def _clocks(session: Session, case_ids: list[int]) -> dict[int, CaseClock]:
    return {
        c.case_id: c
        for c in session.scalars(
            select(CaseClock).where(
                CaseClock.case_id.in_(case_ids), CaseClock.target == tier3.RESPONSE_TARGET
            )
        )
    }


def _deadline(row: CaseClock | None, at: datetime) -> dict[str, Any] | None:
    return ui_views.deadline(views.clock_out(row, at, False), row.pack, at) if row else None


def inquiry_rows(
    session: Session, rows: Sequence[RegulatoryInquiry], at: datetime
) -> list[dict[str, Any]]:
    """The inquiries list's rows (already in order), in words, in a few queries."""
    members = _members(session, {r.member_id for r in rows})
    clocks = _clocks(session, [r.case_id for r in rows])
    names = usernames(session, [r.liaison_id for r in rows])
    return [
        {
            "id": r.id,
            "regulator": words.REGULATORS[r.regulator],
            "reference": r.reference,
            "member": member_name(members.get(r.member_id)),
            "deadline": _deadline(clocks.get(r.case_id), at),
            "state": words.INQUIRY_STATES[r.state],
            "liaison": names.get(r.liaison_id or 0, NOBODY),
        }
        for r in rows
    ]


def _when(at: datetime | None, tz: tzinfo, ref: datetime) -> str:
    return timewords.local_time(at, tz, ref) if at else ""


def inquiry_page(
    session: Session, inquiry: RegulatoryInquiry, principal: Principal, at: datetime
) -> dict[str, Any]:
    """Everything the inquiry page shows, in words."""
    out = inquiry_out(session, inquiry, principal, at)
    row = _clocks(session, [inquiry.case_id]).get(inquiry.case_id)
    tz = zone_of(row.pack if row else "calchoice")
    referrals = session.scalars(
        select(LegalReferral)
        .where(LegalReferral.inquiry_id == inquiry.id)
        .order_by(LegalReferral.id)
    ).all()
    return {
        "i": out,
        "regulator": words.REGULATORS[out.regulator],
        "state": words.INQUIRY_STATES[out.state],
        "is_open": out.state is InquiryState.OPEN,
        "responded": out.state is InquiryState.RESPONDED,
        "closed": out.state is InquiryState.CLOSED,
        "member": {"id": out.member_id, "name": member_name(session.get(Member, out.member_id))},
        "summary": shown(out.summary),
        "received": _when(out.received_at, tz, at),
        "deadline": _deadline(row, at),
        "liaison": out.liaison or NOBODY,
        "documents": [
            {
                "direction": DOC_DIRECTIONS[d.direction.value],
                "title": shown(d.title),
                "description": shown(d.description),
                "when": _when(d.exchanged_at, tz, at),
            }
            for d in out.documents
        ],
        "response": {
            "when": _when(out.responded_at, tz, at),
            "late": out.responded_at > out.response_due_at,
            "summary": shown(out.response_summary),
        }
        if out.responded_at
        else None,
        "closed_at": _when(inquiry.closed_at, tz, at),
        "referrals": [{"id": r.id, "matter": r.matter_number} for r in referrals],
        "staff": staff_choices(session, None),
        "directions": {k: v.split(" ")[0] for k, v in DOC_DIRECTIONS.items()},
    }


def referral_rows(
    session: Session, rows: Sequence[LegalReferral], at: datetime
) -> list[dict[str, Any]]:
    """The referrals list's rows (already in order), in words."""
    members = _members(session, {r.member_id for r in rows})
    holds = {
        h.id: h
        for h in session.scalars(
            select(LegalHold).where(LegalHold.id.in_([r.legal_hold_id or 0 for r in rows]))
        )
    }
    return [
        {
            "id": r.id,
            "matter": r.matter_number,
            "counsel": r.counsel,
            "member": member_name(members.get(r.member_id)),
            "referred": _when(r.referred_at, zone_of("calchoice"), at),
            "state": REFERRAL_STATES[r.state],
            "hold": _hold_words(holds.get(r.legal_hold_id or 0)),
        }
        for r in rows
    ]


def _hold_words(hold: LegalHold | None) -> str:
    if hold is None:
        return "None"
    return "Released" if hold.released_at else "In force"


def _outcome(session: Session, referral: LegalReferral, clinical: bool) -> str:
    """How the matter ended: the note its closing wrote on the case (masked likewise)."""
    text = session.scalar(
        select(CaseNote.text)
        .where(CaseNote.case_id == referral.case_id, CaseNote.kind == "resolution")
        .order_by(CaseNote.id.desc())
        .limit(1)
    )
    if not text:
        return ""
    return shown(text if clinical else MASKED)


def referral_page(
    session: Session,
    referral: LegalReferral,
    principal: Principal,
    at: datetime,
    *,
    clinical: bool,
    holds: bool,
) -> dict[str, Any]:
    """Everything the referral page shows, in words (the hold's reason to whoever may read free
    text or manage holds)."""
    out = referral_out(session, referral, principal)
    tz = zone_of("calchoice")
    hold = session.get(LegalHold, out.legal_hold_id) if out.legal_hold_id else None
    inquiry = session.get(RegulatoryInquiry, out.inquiry_id) if out.inquiry_id else None
    return {
        "r": out,
        "state": REFERRAL_STATES[out.state],
        "is_open": out.state is ReferralState.OPEN,
        "member": {"id": out.member_id, "name": member_name(session.get(Member, out.member_id))},
        "reason": shown(out.reason),
        "referred": _when(out.referred_at, tz, at),
        "closed_at": _when(out.closed_at, tz, at),
        "outcome": _outcome(session, referral, clinical) if out.closed_at else "",
        "inquiry": {
            "id": inquiry.id,
            "words": f"{words.REGULATORS[inquiry.regulator]}, their reference {inquiry.reference}",
        }
        if inquiry
        else None,
        "hold": {
            "active": out.legal_hold_active,
            "placed": _when(hold.placed_at, tz, at),
            "by": hold.placed_by,
            "released": _when(hold.released_at, tz, at),
            "reason": shown(hold.reason if clinical or holds or hold.reason is None else MASKED),
        }
        if hold
        else None,
    }


def linked_to_appeal(session: Session, appeal_id: int) -> dict[str, list[dict[str, Any]]]:
    """The inquiries and referrals that name this appeal (links for the appeal page)."""
    inquiries = session.scalars(
        select(RegulatoryInquiry)
        .where(RegulatoryInquiry.appeal_id == appeal_id)
        .order_by(RegulatoryInquiry.id)
    ).all()
    referrals = session.scalars(
        select(LegalReferral).where(LegalReferral.appeal_id == appeal_id).order_by(LegalReferral.id)
    ).all()
    return {
        "inquiries": [
            {
                "id": i.id,
                "words": f"{words.REGULATORS[i.regulator]}, their reference {i.reference}",
                "state": words.INQUIRY_STATES[i.state],
            }
            for i in inquiries
        ],
        "referrals": [
            {"id": r.id, "matter": r.matter_number, "state": REFERRAL_STATES[r.state]}
            for r in referrals
        ],
    }

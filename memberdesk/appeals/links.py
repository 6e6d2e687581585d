"""Which Tier 3 record a case is worked for, so the case is not resolved behind its back.

An appeal's regulatory clocks are clock rows of its case: resolving the case from the case page
would stop them unmet. The case moves with its record instead (decided and closed, withdrawn,
responded to, closed).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals.enums import AppealState, InquiryState, ReferralState
from memberdesk.appeals.models import Appeal, LegalReferral, RegulatoryInquiry


def blocking_record(session: Session, case_id: int) -> str | None:
    """Why the case may not be resolved or closed by itself, or None when it may."""
    appeal = session.scalar(
        select(Appeal.id).where(
            Appeal.case_id == case_id, Appeal.state.in_((AppealState.OPEN, AppealState.DECIDED))
        )
    )
    if appeal is not None:
        return (
            f"the case is worked for appeal {appeal}: decide and close (or withdraw) the appeal, "
            "which resolves the case"
        )
    inquiry = session.scalar(
        select(RegulatoryInquiry.id).where(
            RegulatoryInquiry.case_id == case_id, RegulatoryInquiry.state != InquiryState.CLOSED
        )
    )
    if inquiry is not None:
        return f"the case is worked for regulatory inquiry {inquiry}: close the inquiry instead"
    referral = session.scalar(
        select(LegalReferral.id).where(
            LegalReferral.case_id == case_id, LegalReferral.state == ReferralState.OPEN
        )
    )
    if referral is not None:
        return f"the case is worked for legal referral {referral}: close the referral instead"
    return None


def appeal_of_case(session: Session, case_id: int) -> int | None:
    """The id of the appeal a case is worked for (the case page links to it)."""
    return session.scalar(select(Appeal.id).where(Appeal.case_id == case_id))

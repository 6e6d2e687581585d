"""Which policy pack governs a member's work: their line of business decides.

Every member of the book memberdesk seeds today is on the California small-group marketplace,
governed by the `calchoice` pack (DMHC, the California calendar). The Oregon Medicaid line of
business adds `oregon-medicaid` here, from the member's plan, without its callers changing.
"""

from __future__ import annotations

from memberdesk.members.models import Member

DEFAULT_PACK = "calchoice"


def pack_for(member: Member | None) -> str:
    """The pack whose calendar and targets run this member's clocks (an unidentified caller's
    too: the plan's default line of business)."""
    return DEFAULT_PACK

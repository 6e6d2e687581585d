"""Which policy pack governs a member's work: their line of business decides.

A California small-group member's cases, callbacks and messages run on the `calchoice` pack
(DMHC, the California calendar); an Oregon Health Plan member's on `oregon-medicaid` (42 CFR 438
and OAR 410-141, the Oregon calendar). Callers (cases, callbacks, contacts, surveys, the member
360) ask here and follow whatever line the member is on.
"""

from __future__ import annotations

from memberdesk.members.lines import DEFAULT_LINE, LINES, line_of
from memberdesk.members.models import Member

DEFAULT_PACK = LINES[DEFAULT_LINE].pack


def pack_for(member: Member | None) -> str:
    """The pack whose calendar and targets run this member's clocks (an unidentified caller's
    too: the plan's default line of business).

    The line of business is a column of the member (set from their plan when they are
    enrolled), so every caller can ask without loading the member's coverage."""
    if member is None:
        return DEFAULT_PACK
    return line_of(member.line_of_business).pack

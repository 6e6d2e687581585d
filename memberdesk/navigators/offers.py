"""Routing to navigators: a navigator's own members' work first, and for a short while only.

Get-next (``cases.work``) and the callback claim (``contacts.callbacks``) use these statements.
A navigated member's new case or callback is offered to their navigator for ``FIRST_OFFER``;
after that anyone whose skills fit may take it, so a navigator who is away never strands work.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from memberdesk.compliance.models import User
from memberdesk.navigators.enums import FlagState
from memberdesk.navigators.models import MemberNavigator

# Long enough for a navigator between calls to pick it up; short against every clock a case
# carries (the Tier 1 hand-off runs 48 hours). Callbacks are held at most until their warning.
FIRST_OFFER = timedelta(hours=1)


def navigated_by(navigator_id: int) -> Select[int]:
    """Ids of the members this navigator owns (flagged, and assigned to them)."""
    return select(MemberNavigator.member_id).where(
        MemberNavigator.navigator_id == navigator_id,
        MemberNavigator.state == FlagState.FLAGGED,
    )


def owns_any(session: Session, user_id: int) -> bool:
    """Whether the user is the navigator of at least one flagged member (one index probe)."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    MemberNavigator.navigator_id == user_id,
                    MemberNavigator.state == FlagState.FLAGGED,
                )
            )
        )
    )


def held_for_others(user_id: int) -> Select[int]:
    """Ids of members whose (enabled) navigator is someone other than ``user_id``: their new
    work is offered to that navigator first."""
    return (
        select(MemberNavigator.member_id)
        .join(User, User.id == MemberNavigator.navigator_id)
        .where(
            MemberNavigator.state == FlagState.FLAGGED,
            MemberNavigator.navigator_id != user_id,
            User.disabled.is_(False),
        )
    )

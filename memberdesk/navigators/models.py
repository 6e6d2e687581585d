"""The navigator flag of a member: one row per member ever flagged, its history in the audit
log. Reasons are free text about the member's needs (PHI) and stored encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.db import Base, UTCDateTime
from memberdesk.members.models import str_enum
from memberdesk.navigators.enums import FlagSource, FlagState


class MemberNavigator(Base):
    """Whether a member is flagged for complex needs, why, and which navigator owns them."""

    __tablename__ = "member_navigators"
    __table_args__ = (
        # A navigator's caseload, and get-next's "my members first" (and "held for another").
        Index("ix_member_navigators_navigator_id_state", "navigator_id", "state"),
    )

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    state: Mapped[FlagState] = mapped_column(str_enum(FlagState), default=FlagState.FLAGGED)
    source: Mapped[FlagSource] = mapped_column(str_enum(FlagSource))
    # The rules that fired when the rules flagged the member (None for a flag by hand).
    rules: Mapped[list[str] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(EncryptedString("member_navigators.reason"))
    navigator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the rules
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unflagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unflagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unflag_reason: Mapped[str | None] = mapped_column(
        EncryptedString("member_navigators.unflag_reason")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

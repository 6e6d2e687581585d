"""The log of enrolment files applied (or refused): what makes importing the same file twice
change nothing. No PHI: control numbers, a hash and counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberdesk.clock import now
from memberdesk.db import Base, UTCDateTime
from memberdesk.enroll.enums import FileKind, FileStatus
from memberdesk.members.models import str_enum


class EnrollmentFile(Base):
    __tablename__ = "enrollment_files"
    # Control numbers identify a file to its sender; the hash identifies its content. Either
    # seen before means the file (or a clash with one) is already on file.
    __table_args__ = (
        UniqueConstraint(
            "sender", "isa_control", "gs_control", "st_controls", name="uq_enrollment_files_control"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sender: Mapped[str] = mapped_column(String(15))
    isa_control: Mapped[str] = mapped_column(String(9))
    gs_control: Mapped[str] = mapped_column(String(9))
    st_controls: Mapped[str] = mapped_column(String(200))
    kind: Mapped[FileKind] = mapped_column(str_enum(FileKind))
    status: Mapped[FileStatus] = mapped_column(str_enum(FileStatus))
    members: Mapped[int] = mapped_column(default=0)
    # Counts by change kind (the reconciliation report's totals).
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

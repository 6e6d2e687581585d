"""Tables of quality assurance: scorecards and their items, evaluations with per-item scores,
calibration sessions and corrective-training assignments.

Comments, dispute reasons and resolution notes are free text that may mention a caller: they are
stored encrypted, like every PHI column.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import text

from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.db import Base, UTCDateTime
from memberdesk.members.models import str_enum
from memberdesk.quality.enums import (
    CorrectiveState,
    DisputeOutcome,
    EvaluationKind,
    EvaluationState,
)

# The worker's overdue sweep reads open, unflagged assignments by due time (partial index; its
# query repeats the condition word for word so both databases use the index).
UNFLAGGED_CORRECTIVE = "state = 'open' AND overdue_at IS NULL"
# One evaluation of a contact outside calibration: a concurrent second one is refused.
OUTSIDE_CALIBRATION = "calibration_id IS NULL"


class QaScorecard(Base):
    """A scorecard template: weighted items, some of them auto-fail."""

    __tablename__ = "qa_scorecards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(String(1000), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    items: Mapped[list[QaScorecardItem]] = relationship(
        back_populates="scorecard", order_by="QaScorecardItem.position", lazy="selectin"
    )


class QaScorecardItem(Base):
    """One line of a scorecard."""

    __tablename__ = "qa_scorecard_items"
    __table_args__ = (UniqueConstraint("scorecard_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecards.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(48))
    text: Mapped[str] = mapped_column(String(300))
    weight: Mapped[int] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer, default=1)
    auto_fail: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_na: Mapped[bool] = mapped_column(Boolean, default=False)

    scorecard: Mapped[QaScorecard] = relationship(back_populates="items")


class Calibration(Base):
    """A calibration session: several evaluators score the same contact on one scorecard."""

    __tablename__ = "qa_calibrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecards.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Evaluation(Base):
    """One evaluation of a contact (pending while a sampled one waits to be scored)."""

    __tablename__ = "qa_evaluations"
    __table_args__ = (
        Index("ix_qa_evaluations_agent_scored", "agent_id", "scored_at"),
        Index("ix_qa_evaluations_period_agent", "period", "agent_id"),
        Index(
            "uq_qa_evaluations_contact",
            "contact_id",
            unique=True,
            postgresql_where=text(OUTSIDE_CALIBRATION),
            sqlite_where=text(OUTSIDE_CALIBRATION),
        ),
        # One score per evaluator in a calibration session.
        UniqueConstraint("calibration_id", "evaluator_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecards.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[EvaluationKind] = mapped_column(str_enum(EvaluationKind))
    state: Mapped[EvaluationState] = mapped_column(str_enum(EvaluationState))
    calibration_id: Mapped[int | None] = mapped_column(ForeignKey("qa_calibrations.id"))
    # The month of the contact (YYYY-MM in the pack's zone): the sample's and reports' period.
    period: Mapped[str] = mapped_column(String(7))
    sample_seed: Mapped[int | None] = mapped_column(Integer)
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    score: Mapped[float | None] = mapped_column(Float)
    auto_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    comments: Mapped[str | None] = mapped_column(EncryptedString("qa_evaluations.comments"))
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disputed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispute_reason: Mapped[str | None] = mapped_column(
        EncryptedString("qa_evaluations.dispute_reason")
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[DisputeOutcome | None] = mapped_column(str_enum(DisputeOutcome))
    resolution_note: Mapped[str | None] = mapped_column(
        EncryptedString("qa_evaluations.resolution_note")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    scores: Mapped[list[EvaluationScore]] = relationship(
        back_populates="evaluation",
        order_by="EvaluationScore.id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class EvaluationScore(Base):
    """One item's points in an evaluation (None: not applicable)."""

    __tablename__ = "qa_evaluation_scores"
    __table_args__ = (UniqueConstraint("evaluation_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("qa_evaluations.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecard_items.id"))
    points: Mapped[int | None] = mapped_column(Integer)

    evaluation: Mapped[Evaluation] = relationship(back_populates="scores")


class CorrectiveAssignment(Base):
    """Corrective training owed after an evaluation under 80%, due on the pack's
    ``qa_corrective_training`` clock; the worker flags it overdue once when the time passes."""

    __tablename__ = "qa_corrective_assignments"
    __table_args__ = (
        Index("ix_qa_corrective_agent_state", "agent_id", "state"),
        Index(
            "ix_qa_corrective_unflagged",
            "due_at",
            postgresql_where=text(UNFLAGGED_CORRECTIVE),
            sqlite_where=text(UNFLAGGED_CORRECTIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("qa_evaluations.id"), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[CorrectiveState] = mapped_column(
        str_enum(CorrectiveState), default=CorrectiveState.OPEN
    )
    pack: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(48))
    policy_version: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Stamped once by the worker's sweep (conditional update), so the flag is audited once.
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(EncryptedString("qa_corrective_assignments.note"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

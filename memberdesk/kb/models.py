"""Tables of the knowledge base: articles, their versions, the labels agents filter by, and the
contact points each version gives members with who verified them and when.

Articles are the plan's own guidance, not member data: nothing here is PHI. The search index
(an FTS5 table on SQLite, a ``tsvector`` table on PostgreSQL) is kept by ``kb/search.py``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from memberdesk.clock import now
from memberdesk.db import Base, UTCDateTime
from memberdesk.kb.enums import ArticleKind, FeedbackKind, KbLanguage, PointKind, VersionState
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import str_enum


class KbArticle(Base):
    """An article in one language; its translation shares ``translation_key``."""

    __tablename__ = "kb_articles"
    __table_args__ = (UniqueConstraint("translation_key", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    translation_key: Mapped[str] = mapped_column(String(80))
    language: Mapped[KbLanguage] = mapped_column(str_enum(KbLanguage))
    kind: Mapped[ArticleKind] = mapped_column(str_enum(ArticleKind))
    # None: every line of business.
    line_of_business: Mapped[LineOfBusiness | None] = mapped_column(str_enum(LineOfBusiness))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # Loaded when read (one article's page, an export), not with every search hit.
    labels: Mapped[list[KbLabel]] = relationship(
        cascade="all, delete-orphan", order_by="KbLabel.id", lazy="select"
    )


class KbLabel(Base):
    """A tag, contact reason or case type an article answers (``facet`` says which)."""

    __tablename__ = "kb_labels"
    __table_args__ = (
        UniqueConstraint("article_id", "facet", "value"),
        Index("ix_kb_labels_facet_value", "facet", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    facet: Mapped[str] = mapped_column(String(16))  # tag, reason, case_type
    value: Mapped[str] = mapped_column(String(48))


# Regulatory versions whose sign-off clock runs and has not been flagged overdue (the partial
# index's condition, repeated word for word by the sweep).
SIGNOFF_OPEN = (
    "signoff_due_at IS NOT NULL AND signoff_overdue_at IS NULL "
    "AND published_at IS NULL AND retired_at IS NULL"
)


class KbVersion(Base):
    """One numbered version of an article and where it is in its lifecycle."""

    __tablename__ = "kb_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "number"),
        Index("ix_kb_versions_state", "state"),
        # The worker's sign-off sweep reads only the regulatory versions still unflagged.
        Index(
            "ix_kb_versions_signoff_open",
            "signoff_due_at",
            postgresql_where=text(SIGNOFF_OPEN),
            sqlite_where=text(SIGNOFF_OPEN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    change_note: Mapped[str | None] = mapped_column(String(500))
    effective_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[VersionState] = mapped_column(str_enum(VersionState), default=VersionState.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # A version written for a regulatory change starts the pack's ``policy_signoff`` clock:
    # compliance must publish it by ``signoff_due_at``; the worker stamps ``signoff_overdue_at``
    # once when it has not.
    regulatory: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    signoff_pack: Mapped[str | None] = mapped_column(String(32))
    signoff_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signoff_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    points: Mapped[list[KbContactPoint]] = relationship(
        cascade="all, delete-orphan", order_by="KbContactPoint.id", lazy="selectin"
    )


class KbContactPoint(Base):
    """A contact point found in a version, unverified until someone records checking it."""

    __tablename__ = "kb_contact_points"
    __table_args__ = (UniqueConstraint("version_id", "kind", "normalized"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("kb_versions.id"), index=True)
    kind: Mapped[PointKind] = mapped_column(str_enum(PointKind))
    value: Mapped[str] = mapped_column(String(300))
    normalized: Mapped[str] = mapped_column(String(300))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verification_note: Mapped[str | None] = mapped_column(String(300))


class KbTerm(Base):
    """A word (folded, as typed) of a published version: what a misspelt word is corrected
    to. Kept in Python on both engines, so the correction is the same on both."""

    __tablename__ = "kb_terms"

    language: Mapped[KbLanguage] = mapped_column(str_enum(KbLanguage), primary_key=True)
    term: Mapped[str] = mapped_column(String(64), primary_key=True)


class KbFeedback(Base):
    """An agent's word on an article for a contact (helpful or not), or that no article answered
    the contact. One per agent, contact and article: marking again changes the mark
    (``once_key`` is unique; None when no contact is named, so each such mark is its own)."""

    __tablename__ = "kb_feedback"
    __table_args__ = (
        Index("ix_kb_feedback_created_at", "created_at"),
        Index("ix_kb_feedback_reason", "reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FeedbackKind] = mapped_column(str_enum(FeedbackKind))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("kb_articles.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("kb_versions.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    # The contact reason or case type the agent was answering (what the gap report groups by).
    reason: Mapped[str | None] = mapped_column(String(48))
    case_type: Mapped[str | None] = mapped_column(String(48))
    once_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

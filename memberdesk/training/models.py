"""Tables of training records: the course catalogue, each person's training profile (start
date), and completions. Staff accounts carry no hire date, so the start date lives here rather
than in ``users`` (a person without a profile is read as starting the day the account was made)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberdesk.clock import now
from memberdesk.db import Base, UTCDateTime
from memberdesk.members.models import str_enum
from memberdesk.training.enums import CourseKind


class Course(Base):
    """A course in the catalogue, with its knowledge check's pass mark if it has one."""

    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CourseKind] = mapped_column(str_enum(CourseKind))
    hours: Mapped[float] = mapped_column(Float)
    # Roles that must take it (values of compliance Role); empty: optional for everyone.
    required_roles: Mapped[list[str]] = mapped_column(JSON)
    renew_months: Mapped[int | None] = mapped_column(Integer)
    pass_mark: Mapped[float | None] = mapped_column(Float)  # percent; None: no knowledge check
    description: Mapped[str] = mapped_column(String(1000), default="")
    required_since: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Profile(Base):
    """A person's training profile: when they started in member services."""

    __tablename__ = "training_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    started_on: Mapped[date] = mapped_column(Date)
    # The new-hire programme finished before these records were kept.
    initial_on_file: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Completion(Base):
    """A person finished a course on a day (one record per person, course and day)."""

    __tablename__ = "training_completions"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "completed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    completed_on: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[float] = mapped_column(Float)
    quiz_score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

"""API shapes of training records; every field is described for /docs."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from memberdesk.compliance.enums import Role
from memberdesk.schemas import Day, DbId
from memberdesk.training.enums import CourseKind, DueKind, DueStatus

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]
Hours = Annotated[float, Field(gt=0, le=24)]
Percent = Annotated[float, Field(ge=0, le=100)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CourseIn(_In):
    """A course for the catalogue."""

    code: Code = Field(description="Short unique name: lower-case letters, digits and dashes")
    title: Title = Field(description="The course's title")
    kind: CourseKind = Field(
        description="initial (new-hire programme), hipaa_annual, privacy_module, de_escalation, "
        "regulatory or continuing"
    )
    hours: Annotated[float, Field(gt=0, le=40)] = Field(description="Hours it takes (0-40)")
    required_roles: list[Role] = Field(
        default_factory=list, max_length=len(Role), description="Roles that must take it"
    )
    renew_months: int | None = Field(
        default=None, ge=1, le=60, description="Due again this many months after completion"
    )
    pass_mark: Percent | None = Field(
        default=None, description="Pass mark of its knowledge check in percent (none: no quiz)"
    )
    description: str = Field(default="", max_length=1000, description="What it covers")


class CourseOut(BaseModel):
    """A course in the catalogue."""

    id: int = Field(description="Internal id")
    code: str = Field(description="Short unique name")
    title: str = Field(description="The course's title")
    kind: CourseKind = Field(description="What the course is for")
    hours: float = Field(description="Hours it takes")
    required_roles: list[str] = Field(description="Roles that must take it")
    renew_months: int | None = Field(description="Months until it is due again (none: once)")
    pass_mark: float | None = Field(description="Knowledge-check pass mark in percent")
    description: str = Field(description="What it covers")
    required_since: date = Field(description="The day it became required")


class CompletionIn(_In):
    """A person finished a course."""

    course_id: DbId = Field(description="The course")
    completed_on: Day = Field(description="The day it was finished (not before the start date)")
    hours: Hours | None = Field(
        default=None, description="Hours spent (default: the course's hours; at most 24)"
    )
    quiz_score: Percent | None = Field(
        default=None, description="Knowledge-check score in percent (needed if it has a quiz)"
    )


class CompletionOut(BaseModel):
    """A recorded completion."""

    id: int = Field(description="Internal id")
    user_id: int = Field(description="Whose it is")
    course_id: int = Field(description="The course")
    course_title: str = Field(description="The course's title")
    completed_on: date = Field(description="The day it was finished")
    hours: float = Field(description="Hours spent")
    quiz_score: float | None = Field(description="Knowledge-check score in percent")
    passed: bool = Field(description="Whether it counts as done (the quiz met its pass mark)")


class StartIn(_In):
    """A person's training profile."""

    started_on: Day = Field(description="The day they started in member services")
    initial_on_file: Day | None = Field(
        default=None,
        description="The day they finished the new-hire programme before records were kept",
    )


class DueOut(BaseModel):
    """One obligation."""

    kind: DueKind = Field(description="initial_programme, monthly_hours or course")
    title: str = Field(description="What is owed, in words")
    status: DueStatus = Field(description="current, due or overdue")
    due_on: date | None = Field(description="The last day to do it (none: done for good)")
    course_id: int | None = Field(description="The course, for a course")
    hours_done: float | None = Field(description="Hours done, for hours obligations")
    hours_needed: float | None = Field(description="Hours needed, for hours obligations")
    last_done: date | None = Field(description="When it was last done")


class RecordOut(BaseModel):
    """A person's training record on a day."""

    user_id: int = Field(description="Whose record")
    username: str = Field(description="Their sign-in name")
    display_name: str = Field(description="Their name")
    role: str = Field(description="Their role")
    started_on: date = Field(description="The day they started")
    on: date = Field(description="The day the record is read on")
    month_hours: float = Field(description="Training hours this calendar month")
    month_minimum: float = Field(description="Monthly minimum hours (8)")
    month_target: float = Field(description="Monthly target hours (12)")
    monthly_applies: bool = Field(description="Whether the monthly minimum applies this month")
    initial_hours: float = Field(description="Hours of the new-hire programme done")
    overdue: int = Field(description="How many obligations are overdue")
    due: int = Field(description="How many are due and not overdue")
    dues: list[DueOut] = Field(description="Every obligation, overdue first")
    completions: list[CompletionOut] = Field(description="Completions, newest first")


class ShrinkageOut(BaseModel):
    """Training as a share of paid time, from the records."""

    months: int = Field(description="Complete calendar months averaged (before this one)")
    person_months: int = Field(description="Front-line person-months the mean is of")
    hours_per_month: float = Field(description="Mean training hours per person-month")
    paid_hours_per_year: float = Field(description="Paid hours of a full-time year (2,080)")
    share: float = Field(description="Training's share of paid time (0-1): hours x 12 / paid")

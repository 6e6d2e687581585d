"""Stored training records as API shapes."""

from __future__ import annotations

from memberdesk.training import core
from memberdesk.training.models import Completion, Course
from memberdesk.training.schemas import CompletionOut, CourseOut, DueOut, RecordOut
from memberdesk.training.service import Read


def course_out(c: Course) -> CourseOut:
    """A course."""
    return CourseOut(
        id=c.id,
        code=c.code,
        title=c.title,
        kind=c.kind,
        hours=c.hours,
        required_roles=list(c.required_roles),
        renew_months=c.renew_months,
        pass_mark=c.pass_mark,
        description=c.description,
        required_since=c.required_since,
    )


def completion_out(c: Completion, titles: dict[int, str]) -> CompletionOut:
    """A completion with its course's title."""
    return CompletionOut(
        id=c.id,
        user_id=c.user_id,
        course_id=c.course_id,
        course_title=titles.get(c.course_id, ""),
        completed_on=c.completed_on,
        hours=c.hours,
        quiz_score=c.quiz_score,
        passed=c.passed,
    )


def record_out(r: Read, titles: dict[int, str], *, with_completions: bool = True) -> RecordOut:
    """A person's record on the standing's day."""
    user, st, done = r.user, r.standing, r.done
    return RecordOut(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        started_on=r.person.started_on,
        on=st.on,
        month_hours=st.month_hours,
        month_minimum=core.MONTHLY_MINIMUM,
        month_target=core.MONTHLY_TARGET,
        monthly_applies=st.monthly_applies,
        initial_hours=st.initial_hours,
        overdue=len(st.overdue),
        due=len(st.due),
        dues=[
            DueOut(
                kind=d.kind,
                title=d.title,
                status=d.status,
                due_on=d.due_on,
                course_id=d.course_id,
                hours_done=d.hours_done,
                hours_needed=d.hours_needed,
                last_done=d.last_done,
            )
            for d in st.dues
        ],
        completions=[completion_out(c, titles) for c in done] if with_completions else [],
    )

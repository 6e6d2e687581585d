"""Command line of training records: the catalogue, who is due or overdue, a person's record,
recording a completion or a start date, and the hours staff actually train a month (the share
of paid time the WFM planner counts as training shrinkage)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

import typer

training_app = typer.Typer(
    help="Training records: courses, completions, who is due or overdue.",
    no_args_is_help=True,
)
CLI_CTX = {"actor": "memberdesk-cli", "role": "system"}
FLAGS = {
    "completed_on": "--on",
    "quiz_score": "--score",
    "hours": "--hours",
    "started_on": "STARTED_ON",
    "initial_on_file": "--initial-on-file",
    "course_id": "COURSE",
}


def _sessions():  # type: ignore[no-untyped-def]
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker

    return make_sessionmaker(connect(load_settings()))


def _day(text: str | None, flag: str) -> date | None:
    from memberdesk.cli import fail

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{flag}: must be a date written YYYY-MM-DD") from None


@contextmanager
def _user_errors() -> Iterator[None]:
    """A rule broken: its option named, the reason, exit 2, nothing saved."""
    from pydantic import ValidationError

    from memberdesk.cli import fail
    from memberdesk.errors import MemberdeskError

    try:
        yield
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][-1]) if err["loc"] else ""
        raise fail(f"{FLAGS.get(name, name)}: {err['msg']}") from None
    except MemberdeskError as exc:
        name = (exc.field or "").split(".")[-1]
        raise fail(f"{FLAGS.get(name, name)}: {exc.message}") from None


def _emit(obj: Any) -> None:
    typer.echo(json.dumps(obj, default=str))


@training_app.command("courses")
def courses(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """The catalogue: hours, kind, who must take it, renewal and pass mark."""
    from memberdesk.training import service, views, words

    with _sessions()() as session:
        found = [views.course_out(c).model_dump(mode="json") for c in service.courses(session)]
    if as_json:
        _emit({"courses": found})
        return
    for c in found:
        quiz = f"pass {c['pass_mark']:g}%" if c["pass_mark"] is not None else "no quiz"
        typer.echo(
            f"{c['code']:<26} {words.hours(c['hours']):>6}  {words.renews(c['renew_months']):<11}"
            f" {quiz:<9} {c['title']}"
        )


def _today() -> date:
    from memberdesk.clock import now
    from memberdesk.training.service import local_day

    return local_day(now())


@training_app.command("due")
def due(
    team: Annotated[str | None, typer.Option(help="Only this team (its name)")] = None,
    on: Annotated[str | None, typer.Option(help="Read on this day (YYYY-MM-DD)")] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Also people with nothing due")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """Who is due or overdue, and each person's hours this month against 8-12 h."""
    from sqlalchemy import select

    from memberdesk.cli import fail
    from memberdesk.compliance.models import Team
    from memberdesk.training import service, views

    day = _day(on, "--on") or _today()
    with _sessions()() as session:
        scope = None
        if team is not None:
            scope = session.scalar(select(Team.id).where(Team.name == team))
            if scope is None:
                raise fail("--team: no team of this name")
        reads = service.standings(session, service.people(session, scope), day)
        titles = service.titles(session)
        rows = [
            views.record_out(r, titles, with_completions=False).model_dump(mode="json")
            for r in reads
            if everyone or r.standing.overdue or r.standing.due
        ]
    rows.sort(key=lambda r: (-r["overdue"], -r["due"], r["username"]))
    if as_json:
        _emit({"on": day.isoformat(), "people": rows})
        return
    for r in rows:
        open_ = [d for d in r["dues"] if d["status"] != "current"]
        typer.echo(
            f"{r['username']:<16} {r['month_hours']:>5.1f} h this month  "
            f"{r['overdue']} overdue, {r['due']} due"
        )
        for d in open_:
            typer.echo(f"    {d['status']:<8} {d['due_on'] or '':<10}  {d['title']}")


@training_app.command("person")
def person(
    username: Annotated[str, typer.Argument(help="Sign-in name")],
    on: Annotated[str | None, typer.Option(help="Read on this day (YYYY-MM-DD)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """A person's record: what is due, hours this month, courses done."""
    from memberdesk.training import service, views

    day = _day(on, "--on") or _today()
    with _sessions()() as session, _user_errors():
        user = service.by_username(session, username)
        (read,) = service.standings(session, [user], day)
        out = views.record_out(read, service.titles(session)).model_dump(mode="json")
    if as_json:
        _emit(out)
        return
    typer.echo(
        f"{out['display_name']} ({out['username']}), started {out['started_on']}: "
        f"{out['month_hours']:.1f} h this month (minimum 8, target 12)"
    )
    for d in out["dues"]:
        typer.echo(f"  {d['status']:<8} {d['due_on'] or '':<10}  {d['title']}")
    for c in out["completions"][:20]:
        score = f" quiz {c['quiz_score']:g}%" if c["quiz_score"] is not None else ""
        flag = "" if c["passed"] else " (not passed)"
        typer.echo(
            f"  done {c['completed_on']}  {c['hours']:g} h  {c['course_title']}{score}{flag}"
        )


@training_app.command("record")
def record(
    username: Annotated[str, typer.Argument(help="Whose completion (sign-in name)")],
    course: Annotated[str, typer.Argument(help="The course's code")],
    on: Annotated[str, typer.Option("--on", help="The day it was finished (YYYY-MM-DD)")],
    hours: Annotated[float | None, typer.Option(help="Hours spent (default: the course's)")] = None,
    score: Annotated[float | None, typer.Option(help="Knowledge-check score, 0-100")] = None,
) -> None:
    """Record that someone finished a course (audited as the command line)."""
    from memberdesk.clock import now
    from memberdesk.compliance.audit import AuditContext
    from memberdesk.training import service
    from memberdesk.training.schemas import CompletionIn

    ctx = AuditContext(actor_id=None, **CLI_CTX)
    with _sessions()() as session, _user_errors():
        user = service.by_username(session, username)
        found = service.course_by_code(session, course)
        body = CompletionIn.model_validate(
            {"course_id": found.id, "completed_on": on, "hours": hours, "quiz_score": score}
        )
        done = service.record_completion(session, ctx, user.id, body, now())
        session.commit()
        verdict = "passed" if done.passed else "not passed (below the pass mark)"
        typer.echo(
            f"recorded: {username} {course} on {done.completed_on}, {done.hours:g} h, {verdict}"
        )


@training_app.command("start")
def start(
    username: Annotated[str, typer.Argument(help="Sign-in name")],
    started_on: Annotated[str, typer.Argument(help="The day they started (YYYY-MM-DD)")],
    initial_on_file: Annotated[
        str | None,
        typer.Option(help="The day they finished the new-hire programme before records"),
    ] = None,
) -> None:
    """Set when someone started in member services (the new-hire window runs from it)."""
    from memberdesk.clock import now
    from memberdesk.compliance.audit import AuditContext
    from memberdesk.training import service
    from memberdesk.training.schemas import StartIn

    ctx = AuditContext(actor_id=None, **CLI_CTX)
    with _sessions()() as session, _user_errors():
        user = service.by_username(session, username)
        body = StartIn.model_validate(
            {"started_on": started_on, "initial_on_file": initial_on_file}
        )
        service.set_start(session, ctx, user.id, body, now())
        session.commit()
    typer.echo(f"{username} started on {started_on}")


@training_app.command("hours")
def hours(
    months: Annotated[
        int, typer.Option(help="Complete calendar months to average", min=1, max=24)
    ] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """Mean training hours per person-month recorded over the last complete months (front-line
    staff, the new-hire programme aside), and that as a share of paid time."""
    from memberdesk.training import service
    from memberdesk.wfm.plan import PlanInputs, training_share

    day = _today()
    with _sessions()() as session:
        mean, count = service.recorded_monthly_hours(session, day, months)
    share = training_share(mean, PlanInputs().paid_hours_per_fte)
    if as_json:
        _emit({"months": months, "person_months": count, "hours_per_month": mean, "share": share})
        return
    typer.echo(
        f"{mean:.1f} h a month per person over {count} person-months: {share:.1%} of paid time"
    )

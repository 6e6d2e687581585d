"""``memberdesk qa``: scorecards, the monthly sample, evaluations, results against the 90%
goal, the semi-annual audit, calibration spreads and corrective training. Every change is
audited under the account named with ``--by`` (or the system)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from memberdesk.compliance.audit import AuditContext

qa_app = typer.Typer(
    help="QA: scorecards, the monthly sample, evaluations, results, the semi-annual audit.",
    no_args_is_help=True,
)
MONTH = r"^(20|21)\d\d-(0[1-9]|1[0-2])$"


def _sessions():  # type: ignore[no-untyped-def]
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker

    return make_sessionmaker(connect(load_settings()))


def _month(value: str, option: str) -> str:
    import re

    from memberdesk.cli import fail

    if not re.match(MONTH, value):
        raise fail(f"{option} must be a month written YYYY-MM")
    return value


def _actor(session: Session, username: str | None) -> tuple[AuditContext, int | None]:
    from sqlalchemy import select

    from memberdesk.cli import fail
    from memberdesk.compliance.audit import SYSTEM, AuditContext
    from memberdesk.compliance.models import User

    if username is None:
        return SYSTEM, None
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise fail("--by names no account")
    return AuditContext(actor_id=user.id, actor=user.username, role=user.role.value), user.id


def _run(session: Session, work: Any) -> Any:
    """Run ``work()``, committing once; a refusal is a message and exit code 2."""
    from memberdesk.cli import fail
    from memberdesk.errors import MemberdeskError

    try:
        result = work()
    except MemberdeskError as exc:
        session.rollback()
        where = f" ({exc.field})" if exc.field else ""
        raise fail(f"{exc.message}{where}") from None
    session.commit()
    return result


def _echo(data: Any, as_json: bool, text: str) -> None:
    typer.echo(json.dumps(data, default=str) if as_json else text)


@qa_app.command("scorecards")
def scorecards(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """Every scorecard with its items, weights and auto-fail items."""
    from memberdesk.quality import service, views

    with _sessions()() as session:
        cards = [views.scorecard_out(c).model_dump() for c in service.scorecards(session)]
    lines = []
    for c in cards:
        lines.append(f"{c['id']:>3} {c['name']}")
        for i in c["items"]:
            flag = " AUTO-FAIL" if i["auto_fail"] else ""
            lines.append(f"      {i['weight']:>3}  {i['key']:<20} 0-{i['max_score']}{flag}")
    _echo({"scorecards": cards}, as_json, "\n".join(lines))


@qa_app.command("add-scorecard")
def add_scorecard(
    file: Annotated[Path, typer.Argument(help="JSON: {name, description, items: [...]}")],
    by: Annotated[str | None, typer.Option(help="Username the change is audited under")] = None,
) -> None:
    """Add a scorecard from a JSON file (its weights must sum to 100)."""
    from pydantic import ValidationError

    from memberdesk.cli import fail
    from memberdesk.quality import service
    from memberdesk.quality.schemas import ScorecardIn

    try:
        body = ScorecardIn.model_validate_json(file.read_text())
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise fail(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None
    with _sessions()() as session:
        ctx, uid = _actor(session, by)
        card = _run(session, lambda: service.create_scorecard(session, ctx, body, uid))
        typer.echo(f"scorecard {card.id}: {card.name}")


@qa_app.command("sample")
def draw(
    period: Annotated[str, typer.Option(help="The month to draw from, YYYY-MM")],
    per_agent: Annotated[int, typer.Option(help="Contacts per agent", min=1, max=50)] = 5,
    seed: Annotated[int, typer.Option(help="Same seed, same draw", min=0)] = 1,
    by: Annotated[str | None, typer.Option(help="Username the draw is audited under")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """Draw each agent's random sample of the month (deterministic for a seed)."""
    from memberdesk.clock import now
    from memberdesk.quality import sample

    _month(period, "--period")
    with _sessions()() as session:
        ctx, _ = _actor(session, by)
        drawn = _run(
            session, lambda: sample.draw_sample(session, ctx, period, per_agent, seed, now())
        )
    data = {"period": period, "seed": seed, "drawn": len(drawn.evaluation_ids),
            "agents": drawn.agents, "evaluation_ids": drawn.evaluation_ids}  # fmt: skip
    _echo(data, as_json, f"{data['drawn']} contacts drawn for {drawn.agents} agents ({period})")


def _scores(pairs: list[str]) -> dict[str, int | None]:
    from memberdesk.cli import fail

    out: dict[str, int | None] = {}
    for p in pairs:
        key, sep, value = p.partition("=")
        if not sep:
            raise fail("--score is KEY=POINTS (or KEY=na)")
        try:
            out[key.strip()] = None if value.strip().lower() == "na" else int(value)
        except ValueError:
            raise fail(f"--score {key}: points must be a whole number or na") from None
    return out


@qa_app.command("evaluate")
def evaluate(
    by: Annotated[str, typer.Option(help="The evaluating QA analyst's username")],
    score: Annotated[list[str], typer.Option(help="KEY=POINTS (or KEY=na), once per item")],
    contact: Annotated[int | None, typer.Option(help="Contact id (a targeted evaluation)")] = None,
    evaluation: Annotated[int | None, typer.Option(help="A sampled evaluation's id")] = None,
    comments: Annotated[str, typer.Option(help="Coaching comments")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """Score a contact, or an evaluation the sample drew; under 80% opens corrective training."""
    from memberdesk.cli import fail
    from memberdesk.clock import now
    from memberdesk.quality import service, views

    if (contact is None) == (evaluation is None):
        raise fail("give --contact or --evaluation")
    points = _scores(score)
    with _sessions()() as session:
        ctx, uid = _actor(session, by)
        assert uid is not None
        at = now()

        def work() -> Any:
            if evaluation is not None:
                return service.score_pending(session, ctx, uid, evaluation, points, comments, at)
            assert contact is not None
            return service.evaluate_contact(session, ctx, uid, contact, None, points, comments, at)

        ev = _run(session, work)
        out = views.evaluation_out(session, ev, at).model_dump(mode="json")
    due = out["corrective"]["due_at"] if out["corrective"] else None
    text = f"evaluation {out['id']}: {out['score']}%" + (
        f", corrective training due {due}" if due else ""
    )
    _echo(out, as_json, text)


@qa_app.command("results")
def results(
    start: Annotated[
        str | None, typer.Option(help="First month, YYYY-MM (default: this one)")
    ] = None,
    end: Annotated[str | None, typer.Option(help="Last month, YYYY-MM (default: --start)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """Agent and team averages against the 90% goal."""
    from memberdesk.clock import now
    from memberdesk.quality import reports, service

    start = _month(start, "--start") if start else service.period_of(now())
    end = _month(end, "--end") if end else start
    with _sessions()() as session:
        out = reports.results(session, None, start, end).model_dump()
    lines = [f"goal {out['goal']}%   overall {out['overall']}%"]
    for a in out["agents"]:
        mark = "meets" if a["meets_goal"] else "below"
        lines.append(
            f"  {a['agent'][:30]:<30} {a['evaluations']:>4} evals  {a['average']:>6}%  {mark}"
        )
    for t in out["teams"]:
        lines.append(f"  team {t['team'][:25]:<25} {t['evaluations']:>4} evals  {t['average']:>6}%")
    _echo(out, as_json, "\n".join(lines))


@qa_app.command("audit")
def audit(
    year: Annotated[int, typer.Option(help="The year", min=2000, max=2199)],
    half: Annotated[int, typer.Option(help="1: January-June, 2: July-December", min=1, max=2)],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """The semi-annual QA audit: per agent, evaluations, average, under 80%, corrective training."""
    from memberdesk.clock import now
    from memberdesk.quality import reports

    with _sessions()() as session:
        out = reports.audit_report(session, None, year, half, now()).model_dump()
    lines = [f"QA audit {year} H{half} (goal {out['goal']}%)"]
    for r in out["rows"]:
        lines.append(
            f"  {r['agent'][:28]:<28} evals {r['evaluations']:>3} avg {r['average']}% "
            f"<80 {r['below_80']} corrective {r['corrective']} on time {r['on_time']} "
            f"late {r['late']} overdue {r['overdue_open']} open {r['open']}"
        )
    _echo(out, as_json, "\n".join(lines))


@qa_app.command("calibration")
def calibration_spread(
    calibration_id: Annotated[int, typer.Argument(help="The session's id", min=1)],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """A calibration session's scores and their spread (max - min, standard deviation)."""
    from memberdesk.cli import fail
    from memberdesk.quality import views
    from memberdesk.quality.models import Calibration

    with _sessions()() as session:
        cal = session.get(Calibration, calibration_id)
        if cal is None:
            raise fail("no such calibration")
        out = views.calibration_out(session, cal).model_dump(mode="json")
    s = out["spread"]
    text = (
        f"{out['title']}: {s['count']} evaluators, mean {s['mean']}%, range {s['range']}, "
        f"standard deviation {s['stdev']}"
    )
    _echo(out, as_json, text)


@qa_app.command("corrective")
def corrective(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue assignments")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """Corrective-training assignments by due time, overdue ones marked."""
    from sqlalchemy import select

    from memberdesk.clock import now
    from memberdesk.quality import service, views
    from memberdesk.quality.models import CorrectiveAssignment

    at = now()
    with _sessions()() as session:
        rows = list(
            session.scalars(select(CorrectiveAssignment).order_by(CorrectiveAssignment.due_at))
        )
        who = service.names(session, [a.agent_id for a in rows])
        out = [
            views.corrective_out(a, who.get(a.agent_id, ""), at).model_dump(mode="json")
            for a in rows
        ]
    out = [o for o in out if o["overdue"] or not overdue]
    lines = [
        f"{o['id']:>4} {o['agent'][:28]:<28} {o['state']:<9} due {o['due_at']}"
        + ("  OVERDUE" if o["overdue"] else "")
        for o in out
    ]
    _echo({"at": at.isoformat(), "assignments": out}, as_json, "\n".join(lines) or "none")

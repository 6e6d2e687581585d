"""Command line of appeals: the Tier 3 reports as CSV or JSON, one appeal (audited), and the
deemed-exhaustion sweep on demand (the worker runs it by itself)."""

from __future__ import annotations

import getpass
import json
from typing import Annotated, Any

import typer

appeals_app = typer.Typer(
    help="Appeals and grievances: the aging and deadline reports, look one up, sweep.",
    no_args_is_help=True,
)


def _sessions():  # type: ignore[no-untyped-def]
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker

    return make_sessionmaker(connect(load_settings()))


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _ctx() -> Any:
    from memberdesk.compliance.audit import AuditContext

    return AuditContext(actor_id=None, actor=f"cli:{getpass.getuser()}"[:64], role="system")


def _report(name: str, detail: dict[str, Any]) -> None:
    """Audit a report run from the command line (counts and ids only)."""
    from memberdesk.compliance import audit
    from memberdesk.compliance.enums import AuditAction

    with _sessions()() as session:
        audit.record(
            session,
            _ctx(),
            AuditAction.APPEAL_REPORT,
            object_type="appeal_report",
            object_id=name,
            detail=detail,
        )
        session.commit()


def _emit(rows: list[Any], kind: type, as_json: bool, extra: dict[str, Any]) -> None:
    from memberdesk.appeals import reports

    if as_json:
        typer.echo(json.dumps({**extra, "rows": reports.as_dicts(rows)}, default=str))
    else:
        typer.echo(reports.to_csv(rows, kind), nl=False)


@appeals_app.command("aging")
def aging(
    quarter: Annotated[
        str | None, typer.Option(help="YYYY-Qn [default: the last quarter ended]")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object instead of CSV")] = False,
) -> None:
    """The quarterly aging report: grievances and appeals open 30 days or more, by pack (CSV)."""
    from memberdesk.appeals import reports, rules
    from memberdesk.appeals.api_reports import last_quarter
    from memberdesk.clock import now

    label = quarter or last_quarter(now())
    try:
        year, q = rules.quarter_bounds(label)
    except ValueError as exc:
        raise _fail(f"--quarter {exc}") from None
    with _sessions()() as session:
        rows = reports.aging(session, year, q)
    _report("aging", {"quarter": f"{year}-Q{q}"})
    _emit(rows, reports.AgingRow, as_json, {"quarter": f"{year}-Q{q}"})


@appeals_app.command("open")
def open_appeals(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object instead of CSV")] = False,
) -> None:
    """Open appeals by their nearest deadline, overdue first (CSV)."""
    from memberdesk.appeals import reports
    from memberdesk.clock import now

    at = now()
    with _sessions()() as session:
        rows = reports.open_by_deadline(session, at)
    _report("open", {"count": len(rows)})
    _emit(rows, reports.OpenRow, as_json, {"at": at.isoformat()})


@appeals_app.command("deadlines")
def deadlines(
    first: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object instead of CSV")] = False,
) -> None:
    """Appeal deadlines met per month, by pack [default: the last twelve months] (CSV)."""
    from memberdesk.appeals import reports
    from memberdesk.appeals.api_reports import month_range
    from memberdesk.clock import now
    from memberdesk.errors import InvalidInput

    at = now()
    try:
        start, end = month_range(first, last, at)
    except InvalidInput as exc:
        option = "--from" if exc.field == "query.first" else "--to"
        raise _fail(f"{option} {exc.message}") from None
    with _sessions()() as session:
        rows = reports.met_per_month(session, start, end, at)
    span = {"first": f"{start[0]:04d}-{start[1]:02d}", "last": f"{end[0]:04d}-{end[1]:02d}"}
    _report("deadlines", span)
    _emit(rows, reports.MonthRow, as_json, span)


@appeals_app.command("show")
def show(
    appeal_id: Annotated[int, typer.Argument(min=1, help="Appeal id")],
) -> None:
    """An appeal with its clocks, rights and the letters it owes, as JSON (the read is audited;
    free text is masked: read it on the appeal page)."""
    from memberdesk.appeals import service, views
    from memberdesk.clock import now
    from memberdesk.compliance import audit
    from memberdesk.compliance.enums import AuditAction
    from memberdesk.errors import NotFound

    with _sessions()() as session:
        try:
            appeal = service.get_appeal(session, appeal_id)
        except NotFound:
            raise _fail("APPEAL_ID: no appeal with this id") from None
        detail = views.appeal_detail(session, appeal, now(), clinical=False)
        audit.record(
            session,
            _ctx(),
            AuditAction.APPEAL_READ,
            object_type="appeal",
            object_id=appeal.id,
            member_ids=[appeal.member_id],
            detail={"path": "cli: appeals show", "clinical": False},
        )
        session.commit()
    typer.echo(detail.model_dump_json())


@appeals_app.command("sweep")
def sweep() -> None:
    """Flag Medicaid appeals past a deadline undecided as deemed exhausted (each once)."""
    from memberdesk.appeals.sweep import sweep as run
    from memberdesk.clock import now

    with _sessions()() as session:
        n = run(session, now())
    typer.echo(f"{n} appeal(s) deemed exhausted")

"""Command line of the kpi domain: ``memberdesk kpi calls | import | report``."""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memberdesk.calendars.cli import fail
from memberdesk.cli import PlainHelpGroup

if TYPE_CHECKING:
    from collections.abc import Iterator

    from memberdesk.kpi.calls import RowError
    from memberdesk.kpi.formulas import CallRecord
    from memberdesk.sla.packs import KpiGoal

kpi_app = typer.Typer(
    cls=PlainHelpGroup,
    rich_markup_mode=None,
    help="KPIs: service level, abandonment, ASA and AHT from call records.",
    no_args_is_help=True,
)
ERRORS_SHOWN = 50
CsvFile = Annotated[Path, typer.Option("--csv", help="Call-record CSV file")]
Pack = Annotated[str, typer.Option(help="Policy pack whose targets apply")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object")]
ShortAbandon = Annotated[
    float,
    typer.Option(help="Hang-ups before this many seconds are short abandons", min=0, max=600),
]


def _goals(pack: str) -> dict[str, KpiGoal]:
    """The pack's KPI goals by measure, or a clean --pack error."""
    from memberdesk.kpi.targets import goals_of
    from memberdesk.sla.packs import UnknownPackError

    try:
        return goals_of(pack)
    except UnknownPackError as exc:
        raise fail("--pack", str(exc)) from None


def _read(csv_file: Path) -> Iterator[tuple[int, CallRecord] | RowError]:
    """The file's rows, parsed; file-level problems end the command with a clean error."""
    from memberdesk.kpi.calls import HeaderError, parse_calls

    try:
        with csv_file.open(newline="", encoding="utf-8") as fh:
            yield from parse_calls(fh)
    except FileNotFoundError:
        raise fail("--csv", "no such file") from None
    except HeaderError as exc:
        raise fail("--csv", str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail("--csv", f"cannot be read as CSV ({type(exc).__name__})") from None


def _refuse(shown: list[Any], count: int, what: str) -> typer.Exit:
    for error in shown[:ERRORS_SHOWN]:
        typer.echo(f"error: --csv: {error}", err=True)
    more = f" ({count - ERRORS_SHOWN} more not shown)" if count > ERRORS_SHOWN else ""
    return fail("--csv", f"{count} problem(s){more}; {what}")


@kpi_app.command("calls")
def calls(
    csv_file: CsvFile,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Answered within this many seconds counts for the service level "
            "[default: the pack's, 20 s for calchoice, 30 s for oregon-medicaid]",
            min=0,
            max=3600,
            show_default=False,
        ),
    ] = None,
    short_abandon: ShortAbandon = 5.0,
    pack: Pack = "calchoice",
    as_json: Json = False,
) -> None:
    """Service level, abandon rate, ASA and AHT of a call-record CSV, against the pack's
    targets. The whole file is checked first: any bad row and no figures are printed, only
    every problem by line and column."""
    from memberdesk.kpi.calls import RowError
    from memberdesk.kpi.formulas import CallTally
    from memberdesk.kpi.targets import judged, threshold_of

    goals = _goals(pack)
    threshold = threshold if threshold is not None else threshold_of(goals)
    tally, errors = CallTally(), []
    for item in _read(csv_file):
        if isinstance(item, RowError):
            errors.append(item)
        else:
            tally.count(item[1], threshold, short_abandon)
    if errors:
        raise _refuse(errors, len(errors), "nothing was counted")
    out = {
        **judged(tally, goals, transfers=False),
        "threshold_seconds": threshold,
        "short_abandon_seconds": short_abandon,
        "pack": pack,
    }
    if as_json:
        typer.echo(json.dumps(out))
        return
    _print(out)


@kpi_app.command("import")
def import_(
    csv_file: CsvFile,
    pack: Pack = "calchoice",
    short_abandon: ShortAbandon = 5.0,
) -> None:
    """Store a call-record CSV and add it to the half-hour rollups that reports read, all or
    nothing: any bad row, or a call ID imported before, and nothing is stored (audited)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from memberdesk.compliance.audit import AuditContext
    from memberdesk.db import make_sessionmaker
    from memberdesk.errors import MemberdeskError
    from memberdesk.kpi.ingest import import_calls
    from memberdesk.kpi.targets import threshold_of

    goals = _goals(pack)
    sessions = make_sessionmaker(_connect())
    ctx = AuditContext(actor_id=None, actor=f"cli:{getpass.getuser()}"[:64], role="system")
    progress = Progress(TextColumn("importing calls"), BarColumn(), MofNCompleteColumn())
    with progress, sessions() as session:
        task = progress.add_task("import", total=None)
        try:
            result = import_calls(
                session,
                ctx,
                _read(csv_file),
                pack=pack,
                threshold=threshold_of(goals),
                short_abandon=short_abandon,
                keep_errors=ERRORS_SHOWN,
                progress=lambda n: progress.advance(task, n),
            )
        except MemberdeskError as exc:
            session.rollback()
            raise fail("--csv", exc.message) from None
        if result.error_count:
            session.rollback()
        else:
            session.commit()
    if result.error_count:
        raise _refuse(result.errors, result.error_count, "nothing was imported")
    typer.echo(
        f"imported {result.calls:,} calls into {result.intervals:,} half-hour rollups "
        f"(import {result.import_id}, pack {pack})"
    )


@kpi_app.command("report")
def report(
    first: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (pack's zone)")],
    last: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (included)")],
    pack: Pack = "calchoice",
    by: Annotated[
        str | None,
        typer.Option(
            help="Break down by queue, agent, team, interval, day, week or month",
            show_default=False,
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Call KPIs of imported calls over whole days, from the rollups, against the pack."""
    from memberdesk.db import make_sessionmaker
    from memberdesk.kpi.report import By, call_kpis
    from memberdesk.kpi.targets import judged

    goals = _goals(pack)
    start, end = _day("--from", first), _day("--to", last)
    if end < start:
        raise fail("--to", "must not be before --from")
    try:
        breakdown = By(by) if by else None
    except ValueError:
        raise fail("--by", "must be queue, agent, team, interval, day, week or month") from None
    sessions = make_sessionmaker(_connect())
    with sessions() as session:
        total, rows = call_kpis(session, pack, start, end, breakdown)
    out: dict[str, Any] = {
        "pack": pack,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "total": judged(total, goals),
        "by": breakdown.value if breakdown else None,
        "rows": [{"key": key, **judged(t, goals)} for key, t in rows],
    }
    if as_json:
        typer.echo(json.dumps(out))
        return
    typer.echo(f"{pack}, {start} to {end}")
    _print(out["total"])
    for row in out["rows"]:
        typer.echo(
            f"  {row['key'] or '(no agent)'}: {row['offered']:,} offered, service level "
            f"{_pct(row['service_level'])}, abandon rate {_pct(row['abandon_rate'])}"
        )


@kpi_app.command("channels")
def channels(
    first: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (pack's zone)")],
    last: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (included)")],
    pack: Pack = "calchoice",
    as_json: Json = False,
) -> None:
    """Contacts by channel over whole days: volume, handling, one-contact resolution, CSAT, NPS
    and how fast each channel answered against its clock."""
    from memberdesk.db import make_sessionmaker
    from memberdesk.kpi.channels import channel_report
    from memberdesk.kpi.report import MAX_DAYS

    _goals(pack)
    start, end = _day("--from", first), _day("--to", last)
    if end < start:
        raise fail("--to", "must not be before --from")
    if (end - start).days >= MAX_DAYS:
        raise fail("--to", f"a report covers at most {MAX_DAYS} days")
    with make_sessionmaker(_connect())() as session:
        out = channel_report(session, pack, start, end)
    if as_json:
        typer.echo(json.dumps(out, default=str))
        return
    typer.echo(f"{pack}, {start} to {end}")
    for row in out["rows"]:
        speed = row["speed"]
        timing = (
            f"; {_pct(speed['on_time_rate'])} in time ({speed['measure'].replace('_', ' ')})"
            if speed
            else ""
        )
        typer.echo(
            f"  {row['label']}: {row['inbound']:,} in, {row['outbound']:,} out; resolved at "
            f"first contact {_pct(row['fcr_rate'])}; CSAT {_pct(row['csat'])}{timing}"
        )


def _connect() -> Any:
    from memberdesk.cli import connect, load_settings

    return connect(load_settings())


def _day(option: str, text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise fail(option, "must be a date written YYYY-MM-DD") from None
    if not 2000 <= day.year <= 2199:
        raise fail(option, "must be between the years 2000 and 2199")
    return day


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _print(out: dict[str, Any]) -> None:
    def secs(x: float | None) -> str:
        return "—" if x is None else f"{x:.0f} s"

    status = out["status"]
    short = out.get("short_abandon_seconds")
    within = f" within {short:g} s" if short is not None else ""
    short_words = (
        f" (of which {out['short_abandoned']:,} hung up{within} before anyone could answer: "
        "not counted against the centre)"
        if out["short_abandoned"]
        else ""
    )
    typer.echo(
        f"{out['offered']:,} calls offered: {out['answered']:,} answered, "
        f"{out['abandoned']:,} abandoned{short_words}"
    )
    level = f"service level {_pct(out['service_level'])}"
    if "threshold_seconds" in out:
        level += f" answered within {out['threshold_seconds']:g} s"
    typer.echo(level + _said(status.get("service_level")))
    typer.echo(f"abandon rate {_pct(out['abandon_rate'])}" + _said(status.get("abandon_rate")))
    typer.echo(f"average speed of answer {secs(out['asa_seconds'])}")
    typer.echo(f"average handle time {secs(out['aht_seconds'])}")


def _said(status: str | None) -> str:
    words = {"ok": "on target", "warning": "warning: near the limit", "breach": "misses the target"}
    return f" ({words.get(status, status)})" if status else ""

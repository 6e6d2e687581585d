"""Command line of the kpi domain: ``memberdesk kpi calls``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memberdesk.calendars.cli import fail
from memberdesk.cli import PlainHelpGroup

if TYPE_CHECKING:
    from memberdesk.kpi.formulas import CallTally

kpi_app = typer.Typer(
    cls=PlainHelpGroup,
    rich_markup_mode=None,
    help="KPIs: service level, abandonment, ASA and AHT from call records.",
    no_args_is_help=True,
)
ERRORS_SHOWN = 50


@kpi_app.command("calls")
def calls(
    csv_file: Annotated[Path, typer.Option("--csv", help="Call-record CSV file")],
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
    short_abandon: Annotated[
        float,
        typer.Option(help="Hang-ups before this many seconds are short abandons", min=0, max=600),
    ] = 5.0,
    pack: Annotated[str, typer.Option(help="Policy pack whose targets apply")] = "calchoice",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Service level, abandon rate, ASA and AHT of a call-record CSV, against the pack's
    targets. The whole file is checked first: any bad row and no figures are printed, only
    every problem by line and column."""
    from memberdesk.kpi.calls import HeaderError, RowError, parse_calls
    from memberdesk.kpi.formulas import CallTally
    from memberdesk.sla.packs import UnknownPackError, get_pack

    try:
        goals = {t.kpi.measure: t.kpi for t in get_pack(pack).targets.values() if t.kpi}
    except UnknownPackError as exc:
        raise fail("--pack", str(exc)) from None
    level_goal = goals.get("service_level")
    if threshold is None:
        threshold = (level_goal.within_seconds if level_goal else None) or 20.0
    tally, errors = CallTally(), 0
    try:
        with csv_file.open(newline="", encoding="utf-8") as fh:
            for item in parse_calls(fh):
                if isinstance(item, RowError):
                    errors += 1
                    if errors <= ERRORS_SHOWN:
                        typer.echo(f"error: --csv: {item}", err=True)
                else:
                    tally.count(item, threshold, short_abandon)
    except FileNotFoundError:
        raise fail("--csv", "no such file") from None
    except HeaderError as exc:
        raise fail("--csv", str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail("--csv", f"cannot be read as CSV ({type(exc).__name__})") from None
    if errors:
        more = f" ({errors - ERRORS_SHOWN} more not shown)" if errors > ERRORS_SHOWN else ""
        raise fail("--csv", f"{errors} problem(s){more}; nothing was counted")
    out = _figures(tally, threshold, short_abandon, pack, goals)
    if as_json:
        typer.echo(json.dumps(out))
        return
    _print(out)


def _figures(
    tally: CallTally, threshold: float, short_abandon: float, pack: str, goals: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "offered": tally.offered,
        "answered": tally.answered,
        "abandoned": tally.abandoned,
        "short_abandoned": tally.short_abandoned,
        "service_level": tally.service_level,
        "abandon_rate": tally.abandon_rate,
        "asa_seconds": tally.asa_seconds,
        "aht_seconds": tally.aht_seconds,
        "threshold_seconds": threshold,
        "short_abandon_seconds": short_abandon,
        "pack": pack,
    }
    status = {}
    for measure in ("service_level", "abandon_rate"):
        goal, value = goals.get(measure), out[measure]
        if goal is not None and value is not None and goal.has_thresholds:
            found = goal.status(value)
            status[measure] = found.value if found is not None else None
    out["status"] = status
    return out


def _print(out: dict[str, Any]) -> None:
    def pct(x: float | None) -> str:
        return "—" if x is None else f"{x:.1%}"

    def secs(x: float | None) -> str:
        return "—" if x is None else f"{x:.0f} s"

    status = out["status"]
    typer.echo(
        f"{out['offered']:,} calls offered: {out['answered']:,} answered, "
        f"{out['abandoned']:,} abandoned ({out['short_abandoned']:,} within "
        f"{out['short_abandon_seconds']:g} s, not counted against the centre)"
    )
    typer.echo(
        f"service level {pct(out['service_level'])} answered within "
        f"{out['threshold_seconds']:g} s" + _said(status.get("service_level"))
    )
    typer.echo(f"abandon rate {pct(out['abandon_rate'])}" + _said(status.get("abandon_rate")))
    typer.echo(f"average speed of answer {secs(out['asa_seconds'])}")
    typer.echo(f"average handle time {secs(out['aht_seconds'])}")


def _said(status: str | None) -> str:
    words = {"ok": "on target", "warning": "warning: near the limit", "breach": "misses the target"}
    return f" ({words.get(status, status)})" if status else ""

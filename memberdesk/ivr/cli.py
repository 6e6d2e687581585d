"""``memberdesk ivr containment``: the phone menu's containment by month, against its goal."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from memberdesk.calendars.cli import fail
from memberdesk.cli import PlainHelpGroup

ivr_app = typer.Typer(
    cls=PlainHelpGroup,
    rich_markup_mode=None,
    help="Phone menu (IVR): containment by month.",
    no_args_is_help=True,
)


def _day(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(option, "must be a date, YYYY-MM-DD") from None


@ivr_app.command("containment")
def containment(
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: a year ago)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (default: today)")
    ] = None,
    pack: Annotated[str, typer.Option(help="Line of business (policy pack)")] = "calchoice",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Calls through the phone menu each month and the share it answered with no
    representative, against the 25-30% goal (counts only: no member data)."""
    from memberdesk.cli import connect, load_settings
    from memberdesk.clock import now
    from memberdesk.db import make_sessionmaker
    from memberdesk.errors import InvalidInput
    from memberdesk.ivr import report
    from memberdesk.kpi.targets import goals_of
    from memberdesk.sla.packs import UnknownPackError

    try:
        goals_of(pack)
    except UnknownPackError:
        raise fail(
            "--pack", "is not a known policy pack (calchoice, oregon-medicaid, ...)"
        ) from None
    try:
        first, last = report.period(_day("--from", start), _day("--to", end), now())
    except InvalidInput as exc:
        raise fail("--from", str(exc)) from None
    with make_sessionmaker(connect(load_settings()))() as session:
        out = report.containment(session, pack, first, last)
    if as_json:
        typer.echo(out.model_dump_json())
        return
    typer.echo(
        f"Phone menu, {pack}, {first} to {last} (goal {report.GOAL_LOW:.0%}-{report.GOAL_HIGH:.0%})"
    )
    for m in [*out.months, out.total]:
        label = "all" if m is out.total else m.month
        share = f"{m.containment:.1%} {m.standing}" if m.containment is not None else "no calls"
        typer.echo(
            f"{label:>7}  calls {m.calls:>6}  contained {m.contained:>6}  "
            f"transferred {m.transferred:>6}  voicemail {m.voicemail:>5}  "
            f"abandoned {m.abandoned:>5}  {share}"
        )

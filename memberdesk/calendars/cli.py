"""Command line of the calendars domain: ``memberdesk calendars list|show``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from memberdesk.cli import PlainHelpGroup

app = typer.Typer(
    cls=PlainHelpGroup,
    rich_markup_mode=None,
    help="Business calendars: time zones, opening hours, closures.",
    no_args_is_help=True,
)


def fail(option: str, reason: str) -> typer.Exit:
    """Print ``error: OPTION: reason`` to stderr and return the exit to raise (code 2)."""
    typer.echo(f"error: {option}: {reason}", err=True)
    return typer.Exit(2)


@app.command("list")
def list_calendars() -> None:
    """List the shipped and registered calendars."""
    from memberdesk.calendars import get_calendar
    from memberdesk.calendars.loader import calendar_names

    for name in calendar_names():
        cal = get_calendar(name)
        typer.echo(f"{name:<18} {cal.tz.key:<22} {cal.weekly_summary():<28} {cal.title}")


@app.command("show")
def show(
    name: Annotated[str | None, typer.Argument(help="Calendar name (see `calendars list`)")] = None,
    year: Annotated[
        int | None,
        typer.Option("--year", help="Year to list (default: this year)", min=1900, max=2399),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Show a plan calendar from a TOML/JSON file")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """List a calendar's closures (and one-off openings) in a year."""
    from memberdesk.calendars import CalendarError, UnknownCalendarError, get_calendar
    from memberdesk.calendars.loader import load_calendar_file

    if (name is None) == (file is None):
        raise fail("NAME", "give a calendar name or --file, not both or neither")
    try:
        cal = load_calendar_file(file) if file else get_calendar(str(name))
    except UnknownCalendarError as exc:
        raise fail("NAME", str(exc)) from None
    except (CalendarError, OSError, ValueError) as exc:
        raise fail("--file", str(exc)) from None
    year = year or datetime.now(cal.tz).year
    closures, openings = cal.closures(year), cal.openings_in(year)
    if as_json:
        payload = {
            "name": cal.name,
            "title": cal.title,
            "timezone": cal.tz.key,
            "version": cal.version,
            "base": cal.base,
            "year": year,
            "hours": cal.weekly_summary(),
            "closures": [
                {
                    "date": c.date.isoformat(),
                    "name": c.name,
                    "kind": str(c.kind),
                    "closed": [str(w) for w in c.closed],
                    "working_day_lost": bool(cal.hours[c.date.weekday()]),
                    "note": c.note,
                }
                for c in closures
            ],
            "openings": [
                {"date": o.date.isoformat(), "name": o.name, "hours": [str(w) for w in o.hours]}
                for o in openings
            ],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    typer.echo(f"{cal.name} — {cal.title}" if cal.title else cal.name)
    typer.echo(f"  time zone  {cal.tz.key}")
    typer.echo(f"  hours      {cal.weekly_summary()}")
    if cal.base:
        typer.echo(f"  based on   {cal.base}")
    if cal.citation:
        typer.echo(f"  rule       {cal.citation}")
    typer.echo(f"  version    {cal.version}")
    typer.echo(f"closures in {year}:")
    for c in closures:
        label = c.name + (f" (closed {', '.join(str(w) for w in c.closed)})" if c.closed else "")
        typer.echo(f"  {c.date:%a %Y-%m-%d}  {label:<34}{c.note}".rstrip())
    lost = sum(1 for c in closures if c.is_full and cal.hours[c.date.weekday()])
    partial = sum(1 for c in closures if not c.is_full)
    summary = f"{len(closures)} closures; {lost} working days closed"
    typer.echo(summary + (f", {partial} partial" if partial else ""))
    if openings:
        typer.echo(f"one-off openings in {year}:")
        for o in openings:
            typer.echo(f"  {o.date:%a %Y-%m-%d}  {o.name} ({', '.join(str(w) for w in o.hours)})")

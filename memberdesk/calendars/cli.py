"""Command line of the calendars domain."""

from __future__ import annotations

import typer

app = typer.Typer(help="calendars", no_args_is_help=True)

"""Command line of the sla domain."""

from __future__ import annotations

import typer

app = typer.Typer(help="sla", no_args_is_help=True)

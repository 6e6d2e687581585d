"""Command line of the wfm domain."""

from __future__ import annotations

import typer

app = typer.Typer(help="wfm", no_args_is_help=True)

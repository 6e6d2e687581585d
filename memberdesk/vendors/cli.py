"""Command line of the vendor register: every vendor with its agreement's standing, the
renewals falling due, and what needs attention."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

vendors_app = typer.Typer(
    help="Vendors: business associates, their agreements and what needs attention.",
    no_args_is_help=True,
)


def _sessions():  # type: ignore[no-untyped-def]
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker

    return make_sessionmaker(connect(load_settings()))


@vendors_app.command("list")
def list_vendors(
    attention: Annotated[
        bool, typer.Option("--attention", help="Only vendors with something to see to")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
) -> None:
    """Each vendor: status, the agreement's standing and expiry, and its warnings."""
    from memberdesk.clock import now
    from memberdesk.vendors import service, views

    at = now()
    with _sessions()() as session:
        found = [views.vendor_out(session, v, at) for v in service.list_vendors(session)]
    rows: list[dict[str, Any]] = [
        {
            "id": v.id,
            "name": v.name,
            "kind": v.kind.value,
            "status": v.status.value,
            "baa": v.baa_standing.value,
            "expires_on": v.baa.expires_on.isoformat() if v.baa and v.baa.expires_on else None,
            "renewal_due_on": (
                v.baa.renewal_due_on.isoformat() if v.baa and v.baa.renewal_due_on else None
            ),
            "warnings": v.warnings,
        }
        for v in found
        if v.warnings or not attention
    ]
    if as_json:
        typer.echo(json.dumps({"at": at.isoformat(), "vendors": rows}))
        return
    for r in rows:
        expiry = f"expires {r['expires_on']}" if r["expires_on"] else "no expiry"
        warn = f"  ! {', '.join(r['warnings'])}" if r["warnings"] else ""
        typer.echo(
            f"{r['id']:>4} {r['name'][:34]:<34} {r['status']:<10} {r['baa']:<17} {expiry}{warn}"
        )

"""Command line of cases and queues: look at a case, list the queues (counts only)."""

from __future__ import annotations

import getpass
import json
import sys
from typing import Annotated

import typer

cases_app = typer.Typer(help="Cases: look one up (audited).", no_args_is_help=True)
queues_app = typer.Typer(help="Work queues and their load (counts only).", no_args_is_help=True)


def _sessions():  # type: ignore[no-untyped-def]
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker

    return make_sessionmaker(connect(load_settings()))


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@cases_app.command("show")
def show(
    case_id: Annotated[int, typer.Argument(min=1, help="Case id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """A case with its clocks, checklist and hand-offs (the read is audited)."""
    from memberdesk.cases import service, views
    from memberdesk.clock import now
    from memberdesk.compliance import audit
    from memberdesk.compliance.audit import AuditContext
    from memberdesk.compliance.enums import AuditAction
    from memberdesk.errors import NotFound

    ctx = AuditContext(actor_id=None, actor=f"cli:{getpass.getuser()}"[:64], role="system")
    with _sessions()() as session:
        try:
            case = service.get_case(session, case_id)
        except NotFound:
            raise _fail("CASE_ID: no case with this id") from None
        detail = views.case_detail(session, case, now())
        audit.record(
            session,
            ctx,
            AuditAction.CASE_READ,
            object_type="case",
            object_id=case.id,
            member_ids=[case.member_id],
            detail={"path": "cli: cases show"},
        )
        session.commit()
    if as_json:
        typer.echo(detail.model_dump_json())
        return
    out = sys.stdout
    print(f"Case {detail.id}: {detail.case_type} ({detail.priority}), {detail.state}", file=out)
    print(f"Tier {detail.tier}, queue {detail.queue.name}", file=out)
    who = detail.assignee.username if detail.assignee else "unassigned"
    print(f"Assignee: {who}; member id {detail.member_id}; pack {detail.pack}", file=out)
    print(f"Summary: {detail.summary}", file=out)
    for c in detail.clocks:
        due = c.due_at.isoformat() if c.due_at else "(paused)"
        print(f"  clock {c.target}: {c.state}, due {due}", file=out)
    for s in detail.checklist.steps:
        mark = "x" if s.done else " "
        print(f"  [{mark}] {s.id}{' (required)' if s.required else ''}", file=out)
    for h in detail.handoffs:
        print(f"  {h.at.isoformat()} {h.kind}: Tier {h.from_tier} -> {h.to_tier}", file=out)


@queues_app.command("list")
def list_queues(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Every queue with waiting, assigned, at-risk and breached counts and the oldest wait."""
    from memberdesk.cases.routing import queue_stats
    from memberdesk.clock import now

    with _sessions()() as session:
        stats = queue_stats(session, now())
        rows = [
            {
                "id": s.queue.id,
                "name": s.queue.name,
                "tier": s.queue.tier,
                "language": s.queue.language,
                "active": s.queue.active,
                "waiting": s.waiting,
                "assigned": s.assigned,
                "oldest_waiting_seconds": s.oldest_waiting_seconds,
                "at_risk": s.at_risk,
                "breached": s.breached,
            }
            for s in stats
        ]
    if as_json:
        typer.echo(json.dumps({"queues": rows}))
        return
    print(f"{'id':>3}  {'queue':<32} {'tier':>4} {'waiting':>7} {'at risk':>7} {'breached':>8}")
    for r in rows:
        print(
            f"{r['id']:>3}  {r['name']:<32} {r['tier']:>4} {r['waiting']:>7} "
            f"{r['at_risk']:>7} {r['breached']:>8}"
        )

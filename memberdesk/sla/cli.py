"""Command line of the sla domain: ``memberdesk sla policies|due``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memberdesk.calendars.cli import fail
from memberdesk.cli import PlainHelpGroup

if TYPE_CHECKING:
    from memberdesk.sla.packs import Target

app = typer.Typer(
    cls=PlainHelpGroup,
    rich_markup_mode=None,
    help="SLA and regulatory clocks, policy packs.",
    no_args_is_help=True,
)


@app.command("policies")
def policies(
    pack: Annotated[str | None, typer.Option("--pack", help="Only this pack")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """List the policy packs and their targets, with clock and citation."""
    from memberdesk.sla.packs import UnknownPackError, get_pack, pack_names

    try:
        packs = [get_pack(pack)] if pack else [get_pack(n) for n in pack_names()]
    except UnknownPackError as exc:
        raise fail("--pack", str(exc)) from None
    if as_json:
        typer.echo(json.dumps({p.name: _pack_json(p) for p in packs}, ensure_ascii=False))
        return
    for i, p in enumerate(packs):
        if i:
            typer.echo("")
        typer.echo(f"{p.name} {p.version} — {p.title}")
        typer.echo(f"  calendar {p.calendar} · effective {p.effective_from} · {p.citation}")
        typer.echo(
            f"  {'target':<27} {'clock':<18} {'warn':>4}  {'pause':<5} {'extension':<12} citation"
        )
        for t in p.targets.values():
            if not t.is_clock:
                typer.echo(f"  {t.id:<27} {'KPI':<18} {t.rule} ({t.citation})")
                continue
            warn = f"{t.warning_share:.0%}" if t.is_clock else "-"
            pause = ("yes" if t.may_pause else "no") if t.is_clock else "-"
            ext = (
                f"{t.extension.count}×{t.extension.amount} {t.clock.unit}"
                if t.extension and t.clock
                else "-"
            )
            cite = t.citation + (" (verify)" if t.verify else "")
            typer.echo(f"  {t.id:<27} {t.clock_label():<18} {warn:>4}  {pause:<5} {ext:<12} {cite}")
        for note in p.notes:
            typer.echo(f"  note: {note}")


def _pack_json(p: Any) -> dict[str, Any]:
    return {
        "version": p.version,
        "policy_version": f"{p.name}@{p.version}#{p.digest}",
        "title": p.title,
        "calendar": p.calendar,
        "effective_from": p.effective_from.isoformat(),
        "citation": p.citation,
        "notes": list(p.notes),
        "targets": {
            t.id: {
                "what": t.what,
                "clock": str(t.clock) if t.clock else None,
                "amount": t.amount,
                "kpi": t.kpi.to_dict() if t.kpi else None,
                "warning_share": t.warning_share,
                "may_pause": t.may_pause,
                "extension": (
                    {
                        "count": t.extension.count,
                        "amount": t.extension.amount,
                        "reason_required": t.extension.reason_required,
                    }
                    if t.extension
                    else None
                ),
                "regulatory": t.regulatory,
                "deemed_exhausted_on_breach": t.deemed_exhausted_on_breach,
                "rule": t.rule,
                "citation": t.citation,
                "verify": t.verify,
            }
            for t in p.targets.values()
        },
    }


def parse_start(text: str) -> datetime:
    """An aware datetime from ISO 8601, or a clean CLI failure naming ``--start``."""
    example = "e.g. 2026-11-25T18:00:00-08:00"
    try:
        start = datetime.fromisoformat(text)
    except ValueError as exc:
        # Python's own reason ("day is out of range for month") helps; its "Invalid isoformat
        # string" repeats the input, and messages never repeat what was sent.
        why = "" if "isoformat" in str(exc) else f" ({exc})"
        raise fail("--start", f"not a valid ISO 8601 date-time{why}; {example}") from None
    if start.utcoffset() is None:
        raise fail(
            "--start",
            "has no UTC offset; add one (e.g. -08:00 or Z): "
            "health-plan deadlines must be unambiguous",
        )
    return start


@app.command("due")
def due(
    start: Annotated[str, typer.Option("--start", help="Receipt time, ISO 8601 with offset")],
    calendar: Annotated[str | None, typer.Option("--calendar", help="Calendar name")] = None,
    clock: Annotated[
        str | None,
        typer.Option("--clock", help="clock_hours, calendar_days, business_days or business_hours"),
    ] = None,
    amount: Annotated[int | None, typer.Option("--amount", help="Hours or days")] = None,
    pack: Annotated[
        str | None, typer.Option("--pack", help="Policy pack (see `sla policies`)")
    ] = None,
    target: Annotated[str | None, typer.Option("--target", help="Target ID within --pack")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Print the trail first")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Print a deadline as ISO 8601 with the calendar's offset (its last line)."""
    from memberdesk.calendars import CalendarError, UnknownCalendarError, get_calendar
    from memberdesk.sla.clocks import Clock
    from memberdesk.sla.engine import DeadlineError, compute_due, resolve_kind

    tgt = _target(pack, target, clock, amount)
    if tgt is None:
        given = (("--calendar", calendar), ("--clock", clock), ("--amount", amount))
        missing = [option for option, value in given if value is None]
        if missing:
            raise fail(missing[0], "required unless --pack and --target are given")
        assert clock is not None and amount is not None
        try:
            kind = resolve_kind(clock)
        except DeadlineError as exc:
            raise fail("--clock", str(exc)) from None
        if amount < 0:
            raise fail("--amount", "must be zero or more")
    else:
        assert tgt.clock is not None and tgt.amount is not None
        kind, amount = tgt.clock, tgt.amount
    when = parse_start(start)
    try:
        cal = get_calendar(calendar or (tgt.calendar if tgt else ""))
    except UnknownCalendarError as exc:
        raise fail("--calendar", str(exc)) from None
    try:
        deadline = compute_due(cal, kind, amount, when)
        running = Clock(cal, kind, amount, when, warning_share=tgt.warning_share if tgt else 0.75)
    except DeadlineError as exc:
        option = {"amount": "--amount", "kind": "--clock"}.get(exc.field, "--start")
        raise fail(option, str(exc).removeprefix(f"{exc.field} ")) from None
    except CalendarError as exc:
        raise fail("--start", str(exc)) from None
    head = []
    if tgt:
        head.append(f"{tgt.pack}/{tgt.id}: {tgt.what} — {tgt.clock_label()} ({tgt.citation})")
    warning = running.warning_at
    assert warning is not None
    if as_json:
        payload = deadline.to_dict(trail=explain)
        payload["warning_at"] = warning.isoformat()
        if tgt:
            payload.update(
                pack=tgt.pack,
                target=tgt.id,
                policy_version=tgt.policy_version,
                citation=tgt.citation,
            )
        if explain:
            payload["trail"] = head + payload["trail"]
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    if explain:
        for line in [
            *head,
            *deadline.trail,
            f"warning at {running.warning_share:.0%}: {warning.isoformat()}",
        ]:
            typer.echo(line)
    typer.echo(deadline.due.isoformat())


def _target(
    pack: str | None, target: str | None, clock: str | None, amount: int | None
) -> Target | None:
    from memberdesk.sla.packs import UnknownPackError, UnknownTargetError, get_pack

    if pack is None and target is None:
        return None
    if pack is None or target is None:
        raise fail("--pack" if pack is None else "--target", "--pack and --target go together")
    if clock is not None or amount is not None:
        raise fail(
            "--clock" if clock is not None else "--amount",
            "use either --pack/--target or --clock/--amount",
        )
    try:
        tgt = get_pack(pack).target(target)
    except UnknownPackError as exc:
        raise fail("--pack", str(exc)) from None
    except UnknownTargetError as exc:
        raise fail("--target", str(exc)) from None
    if not tgt.is_clock:
        raise fail("--target", f"{pack}/{target} is a KPI target ({tgt.rule}), not a clock")
    return tgt

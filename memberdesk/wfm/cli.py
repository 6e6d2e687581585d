"""Command line of the wfm domain: staff, forecast, schedule, simulate, plan.

Heavy libraries (numpy, scipy, statsmodels, numba, matplotlib, pandas) are imported inside the
commands, and each command imports only what its path needs: `wfm staff` for Erlang C needs
NumPy alone. Every figure that is an assumption rather than a seed figure is labelled as one in
the output.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from memberdesk.cli import PlainHelpGroup
from memberdesk.wfm.words import count

# The seed guides give an AHT of 6-9 minutes for common inquiries (20-40 for specialists).
AHT_HELP = "Average handle time, seconds (the seed guides give 6-9 minutes, 360-540 s)"
DEMO_TZ = "America/Los_Angeles"

app = typer.Typer(
    cls=PlainHelpGroup,
    rich_markup_mode=None,
    help="Workforce management: staffing, forecasts, schedules, simulation, budget.",
    no_args_is_help=True,
)


# ----------------------------------------------------------------------------- helpers


def _fail(message: str) -> typer.Exit:
    from memberdesk.cli import fail  # late: memberdesk.cli imports this module

    return fail(message)


@contextmanager
def _user_errors(options: dict[str, str] | None = None) -> Iterator[None]:
    """Turn InvalidInput from the pure cores into `error: --option: reason`, exit 2."""
    from memberdesk.errors import InvalidInput

    try:
        yield
    except InvalidInput as exc:
        name = exc.field or ""
        option = (options or {}).get(name, "--" + name.replace("_", "-"))
        reason = exc.message.split(": ", 1)[1] if ": " in exc.message else exc.message
        raise _fail(f"{option}: {reason}") from None


def _emit(obj: object) -> None:
    typer.echo(json.dumps(obj, indent=2, default=_jsonable, allow_nan=False))


def _jsonable(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[attr-defined]
    if hasattr(value, "item"):
        return value.item()  # type: ignore[attr-defined]
    return str(value)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _today(tz: str = DEMO_TZ) -> dt.date:
    """Today in the demo's time zone (through memberdesk.clock, so tests can move time)."""
    from zoneinfo import ZoneInfo

    from memberdesk.clock import now

    return now().astimezone(ZoneInfo(tz)).date()


def _holidays(calendar: str, holidays_file: Path | None, years: range) -> set[dt.date]:
    """Closed dates: from a file if given, else from memberdesk.calendars when it is there."""
    if holidays_file is not None:
        try:
            lines = holidays_file.read_text().splitlines()
        except (OSError, UnicodeDecodeError):
            raise _fail("--holidays: the file cannot be read") from None
        dates = set()
        for number, text in enumerate(lines, 1):
            if text.strip():
                try:
                    dates.add(dt.date.fromisoformat(text.strip()))
                except ValueError:
                    raise _fail(f"--holidays: line {number}: must be a date YYYY-MM-DD") from None
        return dates
    try:
        from memberdesk.calendars import get_calendar
    except ImportError:
        typer.echo(
            "note: memberdesk.calendars is not available; no holidays (use --holidays FILE)",
            err=True,
        )
        return set()
    try:
        cal = get_calendar(calendar)
    except KeyError:
        from memberdesk.calendars import calendar_names

        known = ", ".join(calendar_names())
        raise _fail(f"--calendar: unknown calendar; known: {known}") from None
    return {c.date for y in years for c in cal.closures(y)}


# ----------------------------------------------------------------------------- staff


@app.command()
def staff(
    calls: Annotated[float | None, typer.Option(help="Calls offered in the interval")] = None,
    aht: Annotated[
        float | None, typer.Option(help=AHT_HELP + "; required unless --csv gives it")
    ] = None,
    interval: Annotated[float, typer.Option(help="Interval length, seconds")] = 1800.0,
    target: Annotated[
        float, typer.Option(help="Service-level target, a fraction (seed: 0.8)")
    ] = 0.8,
    within: Annotated[
        float, typer.Option(help="Answer-time threshold T, seconds (seed: 20-30)")
    ] = 20.0,
    patience: Annotated[
        float | None, typer.Option(help="Mean caller patience, seconds: use Erlang A")
    ] = None,
    max_occupancy: Annotated[float, typer.Option(help="Highest agent occupancy allowed")] = 1.0,
    shrinkage: Annotated[
        float, typer.Option(help="Share of paid time off the phones (0: none applied)")
    ] = 0.0,
    fractional: Annotated[bool, typer.Option(help="Report a fractional requirement")] = False,
    concurrency: Annotated[int, typer.Option(help="Chats one agent works at once")] = 1,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="CSV of interval_start,calls,aht_seconds")
    ] = None,
    measured_aht: Annotated[
        bool,
        typer.Option(
            "--measured-aht",
            help="Use the AHT measured over the stored calls of the last 28 days",
        ),
    ] = False,
    pack: Annotated[str, typer.Option(help="Line of business of --measured-aht")] = "calchoice",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Agents needed for a service-level target (Erlang C, or Erlang A with --patience)."""
    opts = dict(
        interval=interval,
        target=target,
        within=within,
        patience=patience,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        fractional=fractional,
    )
    if concurrency < 1:
        raise _fail("--concurrency: must be a whole number >= 1")
    if csv_file is not None:
        if aht is not None or calls is not None:
            which = "--aht" if aht is not None else "--calls"
            raise _fail(f"{which}: the CSV gives calls and aht_seconds per interval; drop {which}")
        _staff_csv(csv_file, concurrency, opts)
        return
    if calls is None:
        raise _fail("--calls: required (or give --csv FILE)")
    if measured_aht:
        if aht is not None:
            raise _fail("--measured-aht: give either --aht or --measured-aht, not both")
        aht = _measured_aht(pack, as_json)
    if aht is None:
        # No silent default: AHT drives the answer, and the seeds give a range, not one figure.
        raise _fail("--aht: required, in seconds (the seed guides give 6-9 minutes, 360-540 s)")
    if patience is None and not fractional and concurrency == 1:
        # The everyday case, in plain floats: no NumPy to import (start-up is most of the time).
        from memberdesk.wfm.erlang_c import staff_one

        with _user_errors():
            one = staff_one(
                calls,
                aht,
                interval=interval,
                target=target,
                within=within,
                max_occupancy=max_occupancy,
                shrinkage=shrinkage,
            )
        _staff_print(one, within, shrinkage, as_json)
        return
    from memberdesk.wfm import erlang

    with _user_errors():
        if concurrency > 1:
            got = erlang.chat_staff(
                calls,
                aht,
                concurrency=concurrency,
                interval=interval,
                target=target,
                within=within,
                patience=patience,
                shrinkage=shrinkage,
            )
        else:
            got = erlang.staff(calls, aht, **opts)  # type: ignore[arg-type]
    _staff_print(got.as_dict(), within, shrinkage, as_json)


def _staff_print(d: dict[str, Any], within: float, shrinkage: float, as_json: bool) -> None:
    d["asa_seconds"] = _finite(d["asa_seconds"])
    if as_json:
        _emit(d)
        return
    asa = "unbounded" if d["asa_seconds"] is None else f"{d['asa_seconds']:.1f} s"
    typer.echo(
        f"{d['model']}: {d['intensity']:.2f} Erlangs -> {count(d['agents'], 'agent')}, "
        f"{d['scheduled']} scheduled; SL {d['service_level']:.1%} in {within:g} s, "
        f"ASA {asa}, occupancy {d['occupancy']:.1%}, P(wait) {d['p_wait']:.1%}"
        + (f", P(abandon) {d['p_abandon']:.1%}" if "p_abandon" in d else "")
    )
    if shrinkage == 0:
        typer.echo("  scheduled = agents: no shrinkage applied (give --shrinkage)")


def _staff_csv(path: Path, concurrency: int, opts: dict[str, Any]) -> None:
    import csv
    import sys

    import numpy as np

    from memberdesk.wfm import csvio, erlang

    with _user_errors():
        rows = csvio.read_intervals(path)
        got = erlang.staff_intervals(np.array(rows.calls), np.array(rows.aht_seconds), **opts)
    agents = got.agents
    scheduled = got.scheduled
    if concurrency > 1:
        agents = np.ceil(agents / concurrency)
        scheduled = erlang.scheduled_staff(agents, opts["shrinkage"])
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["interval_start", "calls", "agents", "scheduled", "service_level"])
    for i, start in enumerate(rows.starts):
        a, c = float(agents[i]), rows.calls[i]
        out.writerow(
            [
                start,
                int(c) if c.is_integer() else c,
                int(a) if a.is_integer() else round(a, 4),
                int(scheduled[i]),
                f"{got.service_level[i]:.6f}",
            ]
        )


# ----------------------------------------------------------------------------- forecast


MEASURED_DAYS = 28


def _measured(pack: str, option: str) -> Any:
    """The pack's measured AHT, FCR and CSAT over the last four weeks (to yesterday)."""
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker
    from memberdesk.kpi.measured import measured
    from memberdesk.sla.packs import UnknownPackError, zone_of

    try:
        yesterday = _today(zone_of(pack).key) - dt.timedelta(days=1)
    except UnknownPackError as exc:
        raise _fail(f"--pack: {exc}") from None
    first = yesterday - dt.timedelta(days=MEASURED_DAYS - 1)
    with make_sessionmaker(connect(load_settings()))() as session:
        found = measured(session, pack, first, yesterday)
    if found.aht_seconds is None:
        raise _fail(f"{option}: no answered calls stored for {pack} from {first} to {yesterday}")
    return found


def _measured_aht(pack: str, quiet: bool) -> float:
    """The average handle time of the stored calls of the last four weeks (to yesterday)."""
    found = _measured(pack, "--measured-aht")
    if not quiet:
        typer.echo(
            f"AHT measured over {found.answered:,} answered calls, {found.first} to "
            f"{found.last}: {found.aht_seconds:.0f} s"
        )
    return float(found.aht_seconds)


def _stored_history(pack: str) -> Any:
    """Calls per half hour from the imported call records, as the forecast's history."""
    from memberdesk.cli import connect, load_settings
    from memberdesk.db import make_sessionmaker
    from memberdesk.sla.packs import UnknownPackError
    from memberdesk.wfm.service import stored_history

    try:
        with make_sessionmaker(connect(load_settings()))() as session:
            history = stored_history(session, pack)
    except UnknownPackError as exc:
        raise _fail(f"--pack: {exc}") from None
    if history is None:
        raise _fail(f"--stored: no call records imported for {pack} (memberdesk kpi import)")
    return history


@app.command()
def forecast(
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="History CSV: interval_start,calls")
    ] = None,
    stored: Annotated[
        bool,
        typer.Option("--stored", help="Learn from the call records imported into the database"),
    ] = False,
    pack: Annotated[str, typer.Option(help="Line of business of --stored")] = "calchoice",
    members: Annotated[int, typer.Option(help="Members, for the demo history")] = 15_000,
    seed: Annotated[int, typer.Option(help="Seed of the demo history")] = 1,
    calendar: Annotated[str, typer.Option(help="Calendar whose closures are holidays")] = (
        "california-state"
    ),
    holidays: Annotated[
        Path | None, typer.Option("--holidays", help="File of closed dates, one ISO date a line")
    ] = None,
    holdout_weeks: Annotated[int, typer.Option(help="Weeks held out to score the model")] = 13,
    days: Annotated[int, typer.Option(help="Working days to forecast after the history")] = 5,
    out: Annotated[Path | None, typer.Option(help="Write the forecast CSV here")] = None,
    svg: Annotated[Path | None, typer.Option(help="Write a holdout chart (SVG) here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Forecast calls per 30-minute interval; score it against seasonal-naive on a holdout."""
    from memberdesk.wfm import demo as demo_plan
    from memberdesk.wfm import forecast as fc

    if days < 1:
        raise _fail("--days: must be >= 1")
    if members < 1:
        raise _fail("--members: must be a positive number of members")
    with _user_errors({"history": "--csv", "holdout_weeks": "--holdout-weeks"}):
        if csv_file is not None and stored:
            raise _fail("--stored: give either --csv or --stored, not both")
        if csv_file is not None or stored:
            if stored:
                history = _stored_history(pack)
            else:
                try:
                    history = fc.read_history_csv(str(csv_file))
                except FileNotFoundError:
                    raise _fail("--csv: no such file") from None
            years = range(history.index[0].year, history.index[-1].year + 2)
            closed = _holidays(calendar, holidays, years)
        else:
            today = _today()
            closed = _holidays(calendar, holidays, demo_plan.years(today))
            history = demo_plan.history(closed, today, members=members, seed=seed)
        ev = fc.evaluate(history, closed, holdout_weeks)
        model = fc.fit(history, closed)
        idx = fc.future_index(history, days, closed)
        ahead = model.predict(idx)
    if out is not None:
        frame = ahead.round(3).rename("calls").to_frame()
        frame.index = [t.isoformat() for t in ahead.index]
        frame.rename_axis("interval_start").to_csv(out)
    if svg is not None:
        from memberdesk.wfm.charts import forecast_vs_actual_svg

        tail = ev.actual.index[-18 * 10 :]
        svg.write_text(
            forecast_vs_actual_svg(
                ev.actual[tail], ev.model[tail], naive=ev.naive[tail], title="Holdout, last 10 days"
            )
        )
    result: dict[str, Any] = {
        "history": {
            "source": f"stored calls ({pack})"
            if stored
            else str(csv_file)
            if csv_file
            else f"demo (members={members}, seed={seed})",
            "start": history.index[0].isoformat(),
            "end": history.index[-1].isoformat(),
            "intervals": len(history),
            "calls": float(history.sum()),
            "holidays": len(closed),
        },
        "assumptions": {} if csv_file or stored else fc.demo_assumptions(),
        "evaluation": ev.summary(),
        "forecast": [
            {"interval_start": t.isoformat(), "calls": round(float(v), 3)} for t, v in ahead.items()
        ],
    }
    if as_json:
        _emit(result)
        return
    e = result["evaluation"]
    typer.echo(
        f"history {result['history']['start']} .. {result['history']['end']}: "
        f"{count(len(history), 'interval')}, {count(round(float(history.sum())), 'call')}"
    )
    if not csv_file and not stored:
        typer.echo("  synthetic demo history, ending yesterday; its shape is assumed:")
        for a in result["assumptions"].values():
            typer.echo(f"    {a['label']}: {a['value']}")
    typer.echo(
        f"holdout {e['holdout_start']} .. {e['holdout_end']} "
        f"({count(e['intervals'], 'interval')}): "
        f"WAPE model {e['wape_model']:.3f} vs seasonal-naive {e['wape_seasonal_naive']:.3f}"
    )
    by_day = ahead.groupby(ahead.index.date).sum()
    for d, v in by_day.items():
        typer.echo(f"  {d:%a %Y-%m-%d}  {v:7.1f} calls forecast")


# ----------------------------------------------------------------------------- schedule


@app.command()
def schedule(
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="CSV: interval_start and agents, or calls,aht_seconds"),
    ] = None,
    days: Annotated[int, typer.Option(help="Demo: working days to schedule")] = 1,
    aht: Annotated[
        float | None,
        typer.Option(help="Demo: " + AHT_HELP + "; default 420 (an assumption)"),
    ] = None,
    target: Annotated[float, typer.Option(help="Service-level target (seed: 0.8)")] = 0.8,
    within: Annotated[
        float, typer.Option(help="Answer-time threshold, seconds (seed: 20-30)")
    ] = 20.0,
    patience: Annotated[float | None, typer.Option(help="Erlang A patience, seconds")] = None,
    shrinkage: Annotated[
        float,
        typer.Option(
            help="Shrinkage besides breaks and lunch (absence, training); "
            "default 0.15 is an assumption"
        ),
    ] = 0.15,
    templates: Annotated[str, typer.Option(help="Shift lengths in paid hours, e.g. 8,10")] = "8,10",
    max_agents: Annotated[int | None, typer.Option(help="Most agents per day")] = None,
    calendar: Annotated[str, typer.Option(help="Demo: calendar for holidays")] = (
        "california-state"
    ),
    tz: Annotated[str, typer.Option(help="Time zone of the schedule")] = "America/Los_Angeles",
    svg: Annotated[Path | None, typer.Option(help="Write requirement vs scheduled (SVG)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Cheapest 8/10-hour shifts (breaks, lunch) covering each interval; unmet ones listed."""
    from memberdesk.wfm import csvio
    from memberdesk.wfm import demo as demo_plan
    from memberdesk.wfm.schedule import DEFAULT_TEMPLATES, ShiftTemplate, build_schedule

    _check_tz(tz)
    lengths = _parse_lengths(templates)
    known = {t.paid_hours: t for t in DEFAULT_TEMPLATES}
    chosen = tuple(known.get(h) or ShiftTemplate(f"{h:g}h", h) for h in lengths)
    opts: dict[str, Any] = dict(
        interval=1800.0, target=target, within=within, patience=patience, shrinkage=shrinkage, tz=tz
    )
    # Only the defaults are assumptions of ours; a value the user gives is theirs.
    assumed = [f"shrinkage {shrinkage:.0%} besides breaks and lunch"] if shrinkage == 0.15 else []
    with _user_errors({"max_agents": "--max-agents", "calls": "--csv", "aht": "--csv"}):
        if csv_file is not None:
            if aht is not None:
                raise _fail("--aht: the CSV gives aht_seconds per interval; drop --aht")
            req = csvio.read_requirement(csv_file, **opts)
        else:
            if days < 1:
                raise _fail("--days: must be >= 1")
            if aht is None:
                aht = demo_plan.DEMO_AHT_SECONDS
                assumed.append(demo_plan.ASSUMPTIONS["aht_seconds"][1])
            today = _today(tz)
            closed = _holidays(calendar, None, demo_plan.years(today))
            opts.pop("tz")
            req = demo_plan.requirement(closed, today, days=days, aht=aht, **opts)
        sched = build_schedule(req, templates=chosen, max_agents_per_day=max_agents)
    if svg is not None:
        from memberdesk.wfm.charts import requirement_vs_scheduled_svg

        svg.write_text(requirement_vs_scheduled_svg(sched.requirement, sched.coverage))
    summary = sched.summary()
    summary["assumptions"] = assumed
    if as_json:
        _emit(summary)
        return
    typer.echo(
        f"{sched.status}: {count(sum(x.agents for x in sched.shifts), 'agent')}, "
        f"{count(sched.paid_hours, 'paid hour')}, {count(len(sched.unmet), 'unmet interval')}"
    )
    if assumed:
        typer.echo(f"  assumed (not seed figures): {'; '.join(assumed)}")
    for s in sched.shifts:
        brk = ", ".join(b.strftime("%H:%M") for b in s.breaks)
        lunch = s.lunch.strftime("%H:%M") if s.lunch is not None else "-"
        typer.echo(
            f"  {s.agents:3d} x {s.template:>3} {s.start:%a %m-%d %H:%M}-{s.end:%H:%M}"
            f"  lunch {lunch}  breaks {brk}"
        )
    for t, v in sched.unmet.items():
        typer.echo(f"  unmet {t.isoformat()}: short {count(v, 'agent')}")


def _check_tz(name: str) -> None:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        raise _fail("--tz: must be an IANA time zone, e.g. America/Los_Angeles") from None


def _parse_lengths(text: str) -> list[float]:
    try:
        lengths = [float(x.strip().removesuffix("h")) for x in text.split(",") if x.strip()]
    except ValueError:
        raise _fail("--templates: expected paid hours separated by commas, like 8,10") from None
    if not lengths or any(not 2 <= h <= 12 for h in lengths):
        raise _fail("--templates: each shift must be 2-12 paid hours")
    return lengths


# ----------------------------------------------------------------------------- simulate


@app.command()
def simulate(
    calls: Annotated[float | None, typer.Option(help="Calls per interval (constant)")] = None,
    agents: Annotated[int | None, typer.Option(help="Agents on the phones (constant)")] = None,
    aht: Annotated[float | None, typer.Option(help=AHT_HELP + "; required with --calls")] = None,
    interval: Annotated[float, typer.Option(help="Interval length, seconds")] = 1800.0,
    intervals: Annotated[int, typer.Option(help="Intervals to simulate (constant mode)")] = 16,
    within: Annotated[float, typer.Option(help="Answer-time threshold, seconds")] = 20.0,
    patience: Annotated[
        float | None,
        typer.Option(help="Mean caller patience, seconds (default 120, an assumption)"),
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="CSV: interval_start,calls,aht_seconds,agents"),
    ] = None,
    demo: Annotated[
        bool, typer.Option(help="Simulate the demo's next open day, English + Spanish")
    ] = False,
    replications: Annotated[int, typer.Option(help="Independent replications")] = 30,
    seed: Annotated[int, typer.Option(help="Random seed")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Event-driven simulation: SL, ASA and abandonment per interval with 95% intervals."""
    import time

    from memberdesk.wfm import simulate as sim

    if not 2 <= replications <= 10_000:
        raise _fail("--replications: 2 to 10,000 (2 at least for a confidence interval)")
    if patience is not None and patience <= 0:
        raise _fail("--patience: must be > 0 seconds")
    assumed: list[str] = []
    if patience is None:
        patience = 120.0
        assumed.append("mean caller patience 120 s (not in the seeds; --patience)")
    labels: list[str]
    reference: dict[str, Any] | None = None
    with _user_errors({"staffing": "--agents", "calls": "--calls", "aht": "--aht"}):
        if demo:
            from memberdesk.wfm import demo as demo_plan

            today = _today()
            closed = _holidays("california-state", None, demo_plan.years(today))
            scenario, labels = demo_plan.scenario(closed, today, within=within, patience=patience)
            assumed += [label for _, label in demo_plan.ASSUMPTIONS.values()]
        elif csv_file is not None:
            from memberdesk.wfm import csvio

            scenario, labels = csvio.read_scenario(
                csv_file, interval=interval, within=within, patience=patience
            )
        else:
            import numpy as np

            if calls is None or agents is None:
                raise _fail("--calls and --agents: both required (or give --csv FILE or --demo)")
            if aht is None:
                raise _fail("--aht: required with --calls, in seconds (seed: 6-9 minutes)")
            if not 1 <= intervals <= 17_568:
                raise _fail("--intervals: must be 1 to 17,568 (a year of half-hours)")
            scenario = sim.single_queue(
                np.full(intervals, calls),
                aht,
                agents,
                interval_seconds=interval,
                within_seconds=within,
                patience_seconds=patience,
            )
            labels = [f"interval {i}" for i in range(intervals)]
            reference = _erlang_reference(agents, calls, aht, interval, within, patience)
        # Compiling the event loop (or loading it from numba's cache) is not simulation time.
        compile_s = sim.warm_up()
        t0 = time.perf_counter()
        res = sim.simulate(scenario, replications=replications, seed=seed)
        elapsed = time.perf_counter() - t0
    result: dict[str, Any] = sim.result_as_dict(res, labels)
    result["seconds"] = elapsed
    result["calls_per_second"] = res.calls_simulated / elapsed if elapsed > 0 else None
    result["compile_seconds"] = compile_s
    result["assumptions"] = assumed
    if reference is not None:
        result["steady_state_formula"] = reference
    if as_json:
        _emit(result)
        return
    t = result["total"]
    typer.echo(
        f"{count(res.calls_simulated, 'call')} in {count(replications, 'replication')}: "
        f"SL {t['service_level']['mean']:.1%} [{t['service_level']['low']:.1%}, "
        f"{t['service_level']['high']:.1%}], abandon {t['abandon_rate']['mean']:.1%}, "
        f"ASA {t['asa_seconds']['mean']:.1f} s"
    )
    speed = f"{result['calls_per_second']:,.0f} calls/s" if elapsed > 0 else "too fast to time"
    typer.echo(
        f"  simulated in {elapsed:.3f} s ({speed}); compiling or loading the compiled "
        f"simulator took {compile_s:.2f} s before that and is not counted"
    )
    if assumed:
        typer.echo(f"  assumed (not seed figures): {'; '.join(assumed)}")
    if reference is not None:
        typer.echo(
            f"  {reference['model']} formula: SL {reference['service_level']:.1%}, "
            f"abandon {reference.get('p_abandon', 0.0):.1%}"
        )
    for row in result["intervals"]:
        typer.echo(
            f"  {row['interval']}: offered {row['offered']:.1f}, "
            f"SL {_pct(row['service_level'])} "
            f"[{_pct(row['service_level_low'])}, {_pct(row['service_level_high'])}], "
            f"abandon {_pct(row['abandon_rate'])}, ASA {_secs(row['asa_seconds'])}"
        )


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def _secs(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f} s"


def _erlang_reference(
    agents: int, calls: float, aht: float, interval: float, within: float, patience: float | None
) -> dict[str, Any]:
    from memberdesk.wfm.erlang import service_level_for

    d = service_level_for(
        agents, calls, aht, interval=interval, within=within, patience=patience
    ).as_dict()
    d["asa_seconds"] = _finite(d["asa_seconds"])
    return d


# ----------------------------------------------------------------------------- plan


@app.command()
def plan(
    members: Annotated[int, typer.Option(help="Enrolled members")] = 15_000,
    contacts_per_member: Annotated[
        float,
        typer.Option(help="Contacts per member per year, all channels (assumption: 2.0)"),
    ] = 2.0,
    routine_share: Annotated[
        float,
        typer.Option(help="Share of voice calls that are routine requests (assumption: 0.5)"),
    ] = 0.5,
    shrinkage: Annotated[
        float | None,
        typer.Option(
            help="Share of paid time off the phones (assumption: 0.3); with --training-from, "
            "the share besides training (default: 0.3 less the seed's 10 h a month)",
            show_default=False,
        ),
    ] = None,
    training_from: Annotated[
        str | None,
        typer.Option(
            "--training-from",
            help="Add training's share of shrinkage from 'plan' (the seed's 8-12 h a month) or "
            "'records' (the hours front-line staff recorded over the last 3 months)",
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(help="Open-enrollment year (default: the next one still ahead of hiring)"),
    ] = None,
    measured: Annotated[
        bool,
        typer.Option(
            "--measured",
            help="Plan on the AHT, one-contact resolution and CSAT measured over the stored "
            "calls, contacts and surveys of the last 28 days",
        ),
    ] = False,
    pack: Annotated[str, typer.Option(help="Line of business of --measured")] = "calchoice",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Yearly volume, staffing-ratio check, Oct-Jan surge and in-house vs outsourced budget."""
    from memberdesk.wfm.plan import PlanInputs, build_plan, next_open_enrollment_year, plan_text

    if year is None:
        year = next_open_enrollment_year(_today())
    elif not 1900 <= year <= 2199:
        raise _fail("--year: must be between 1900 and 2199")
    names = {
        "contacts_per_member": "--contacts-per-member",
        "routine_share": "--routine-share",
    }
    quality: dict[str, Any] = {}
    basis: dict[str, Any] | None = None
    if measured:
        found = _measured(pack, "--measured")
        quality = _targets(pack) | {
            "measured_aht_seconds": found.aht_seconds,
            "measured_fcr": found.fcr,
            "measured_csat": found.csat,
        }
        basis = {
            "pack": pack,
            "from": found.first.isoformat(),
            "to": found.last.isoformat(),
            "answered_calls": found.answered,
            "contacts_decided": found.fcr_decided,
            "survey_answers": found.csat_answers,
        }
    training = _training_shrinkage(training_from, shrinkage)
    total = training["shrinkage"] if training else (0.3 if shrinkage is None else shrinkage)
    with _user_errors(names):
        p = build_plan(
            PlanInputs(
                members=members,
                contacts_per_member_year=contacts_per_member,
                routine_share=routine_share,
                shrinkage=total,
                open_enrollment_year=year,
                **quality,
            )
        )
    if basis is not None:
        p["measured"] = basis
    if training is not None:
        p["training_shrinkage"] = training
    if as_json:
        _emit(p)
        return
    if training is not None:
        typer.echo(
            f"Training: {training['hours_per_month']:.1f} h a month ({training['from']}) is "
            f"{training['share']:.1%} of paid time, on top of {training['other_shrinkage']:.1%} "
            f"other shrinkage: {training['shrinkage']:.1%} in all"
        )
    if basis is not None:
        typer.echo(
            f"Measured on {basis['pack']} from {basis['from']} to {basis['to']}: "
            f"{basis['answered_calls']:,} answered calls, {basis['contacts_decided']:,} "
            f"contacts decided, {basis['survey_answers']:,} survey answers"
        )
    typer.echo(plan_text(p))


def _training_shrinkage(source: str | None, other: float | None) -> dict[str, Any] | None:
    """Training's share of shrinkage (see ``service.training_shrinkage``), or a CLI error."""
    if source is None:
        return None
    from memberdesk.errors import InvalidInput
    from memberdesk.wfm.service import training_shrinkage

    try:
        if source != "records":
            return training_shrinkage(None, source, other, _today())
        from memberdesk.cli import connect, load_settings
        from memberdesk.clock import now
        from memberdesk.db import make_sessionmaker
        from memberdesk.training.service import local_day

        with make_sessionmaker(connect(load_settings()))() as session:
            return training_shrinkage(session, source, other, local_day(now()))
    except InvalidInput as exc:
        raise _fail(f"--training-from: {exc.message}") from None


def _targets(pack: str) -> dict[str, float]:
    """The pack's FCR and CSAT targets (where it stops warning, and its floor)."""
    from memberdesk.wfm.service import targets

    return targets(pack)

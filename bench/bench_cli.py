"""Command-line start-up: whole `memberdesk` processes beside a bare `python -c pass`.

Every figure is a complete process (interpreter start, imports, the command, exit), measured in
the same run as the baseline, interleaved round by round in a shuffled order so that load from
other work on the shared machine hits every command alike. Two figures per process: the wall
time (what a user waits; the goal is stated in it) and the CPU time the process used (user +
system, from wait4), which load from other processes on a shared machine disturbs far less.
The goal (issue 9, item 12): `--help`, `calendars list`, `sla due` and `wfm staff` within 0.25 s
of the baseline. Never a pass/fail test: it prints figures.

Run: `make bench`, or `.venv/bin/python bench/bench_cli.py [--rounds 15]`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 0.25
QUICK = os.environ.get("BENCH_QUICK") == "1"  # smoke-run the script in seconds
# As users run it: Python caches compiled modules (.pyc) on the first run. A PYTHONDONTWRITEBYTECODE
# inherited from a CI or sandbox would make every process recompile memberdesk from source.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def memberdesk_exe() -> str:
    """The console script installed beside this interpreter (as a user runs it)."""
    exe = Path(sys.executable).with_name("memberdesk")
    if not exe.exists():
        sys.exit(f"no memberdesk console script beside {sys.executable}: pip install -e . first")
    return str(exe)


def year_csv(folder: Path) -> Path:
    """A year of half-hour intervals in the `wfm staff --csv` format."""
    path = folder / "year.csv"
    lines = ["interval_start,calls,aht_seconds"]
    start = 1_767_254_400  # 2026-01-01T08:00:00Z
    for i in range(17_520):
        t = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(start + 1800 * i))
        lines.append(f"{t},{40 + (i * 7919) % 80},{360 + (i * 104729) % 180}")
    path.write_text("\n".join(lines) + "\n")
    return path


def commands(folder: Path) -> list[tuple[str, list[str], bool]]:
    """(label, argv, part of the goal) for every process measured."""
    md = memberdesk_exe()
    start = "2026-11-25T18:00:00-08:00"
    return [
        ("python -c pass (baseline)", [sys.executable, "-c", "pass"], False),
        ("memberdesk --help", [md, "--help"], True),
        ("memberdesk --version", [md, "--version"], False),
        ("memberdesk calendars list", [md, "calendars", "list"], True),
        (
            "memberdesk sla due (business_days 2)",
            [md, "sla", "due", "--calendar", "california-state", "--clock", "business_days",
             "--amount", "2", "--start", start, "--explain"],
            True,
        ),
        (
            "memberdesk sla due --pack calchoice",
            [md, "sla", "due", "--pack", "calchoice", "--target", "appeal_ack", "--start", start,
             "--json"],
            True,
        ),
        (
            "memberdesk wfm staff (Erlang C, one interval)",
            [md, "wfm", "staff", "--calls", "100", "--aht", "420", "--json"],
            True,
        ),
        (
            "memberdesk wfm staff --csv (a year, 17,520 rows)",
            [md, "wfm", "staff", "--csv", str(year_csv(folder))],
            False,
        ),
        (
            "memberdesk wfm staff --patience (Erlang A)",
            [md, "wfm", "staff", "--calls", "100", "--aht", "420", "--patience", "120"],
            False,
        ),
    ]  # fmt: skip


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, argv)
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3 if QUICK else 15)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        cmds = commands(Path(tmp))
        # Old CSV flag sets: a process that fails is reported, not timed.
        usable = []
        for label, argv, goal in cmds:
            try:
                run_once(argv)  # warm the page cache and write .pyc files, as a first run does
                usable.append((label, argv, goal))
            except subprocess.CalledProcessError:
                print(f"(skipped, exits non-zero here: {label})")
        wall: dict[str, list[float]] = {label: [] for label, _, _ in usable}
        cpu: dict[str, list[float]] = {label: [] for label, _, _ in usable}
        for _ in range(args.rounds):
            order = usable[:]
            rng.shuffle(order)
            for label, argv, _ in order:
                w, c = run_once(argv)
                wall[label].append(w)
                cpu[label].append(c)
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}, {args.rounds} rounds (each process once per round, shuffled)"
    )
    first = usable[0][0]
    base_wall, base_cpu = statistics.median(wall[first]), statistics.median(cpu[first])
    width = max(len(label) for label, _, _ in usable)
    print(f"  {'process (medians)':<{width}}  wall      over baseline   cpu       over baseline")
    for label, _, goal in usable:
        w, c = statistics.median(wall[label]), statistics.median(cpu[label])
        if label == first:
            print(f"  {label:<{width}}  {w:.3f} s                   {c:.3f} s")
            continue
        verdict = ""
        if goal:
            verdict = "  goal met" if w - base_wall <= GOAL_SECONDS else "  goal missed"
            verdict += f" (wall <= +{GOAL_SECONDS:.2f} s)"
        print(
            f"  {label:<{width}}  {w:.3f} s   +{w - base_wall:.3f} s        "
            f"{c:.3f} s   +{c - base_cpu:.3f} s{verdict}"
        )


if __name__ == "__main__":
    main()

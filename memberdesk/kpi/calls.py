"""Call records from CSV: every row checked, each problem named by line and column.

The file's first line is the header
``call_id,queue,offered_at,answered_at,abandoned_at,talk_seconds,hold_seconds,wrap_seconds,
agent_id,member_id`` (columns in any order, more allowed); times are ISO 8601 with an offset;
cells that do not apply are empty. Messages name the line, the column and the rule, never the
value: a file exported from a telephony platform holds phone numbers and member IDs.
Standard library only, so `memberdesk kpi calls` starts fast.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from memberdesk.kpi.formulas import CallRecord

CALL_COLUMNS = (
    "call_id",
    "queue",
    "offered_at",
    "answered_at",
    "abandoned_at",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
    "agent_id",
    "member_id",
)
SECONDS_COLUMNS = ("talk_seconds", "hold_seconds", "wrap_seconds")
MAX_SECONDS = 7 * 24 * 3600.0  # a week: longer is a typo, not a call
MAX_TEXT = 64  # call, queue, agent and member IDs: what the tables hold


@dataclass(frozen=True)
class RowError:
    """One problem in the file: where, and which rule was broken."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "header"
        return (
            f"{where}, {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"
        )


class HeaderError(ValueError):
    """The first line is not a call-record header."""


def _time(cell: str, line: int, column: str, errors: list[RowError]) -> datetime | None:
    if not cell:
        return None
    try:
        value = datetime.fromisoformat(cell)
    except ValueError:
        errors.append(RowError(line, column, "must be a time in ISO 8601 with an offset"))
        return None
    if value.tzinfo is None:
        errors.append(RowError(line, column, "must have a UTC offset (e.g. -08:00 or Z)"))
        return None
    return value


def _seconds(cell: str, line: int, column: str, errors: list[RowError]) -> float:
    try:
        value = float(cell)
    except ValueError:
        errors.append(RowError(line, column, "must be a number of seconds"))
        return 0.0
    if not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
        errors.append(RowError(line, column, "must be from 0 to 604800 seconds (a week)"))
        return 0.0
    return value


def _record(cells: list[str], line: int, errors: list[RowError]) -> CallRecord | None:
    """The row (cells in ``CALL_COLUMNS`` order) as a call record, or None with its problems
    added to ``errors``."""
    call_id, queue, offered_text, answered_text, abandoned_text, talk, hold, wrap, agent, member = (
        cells
    )
    before = len(errors)
    if not call_id:
        errors.append(RowError(line, "call_id", "is required"))
    if not queue:
        errors.append(RowError(line, "queue", "is required"))
    for column, text in (("call_id", call_id), ("queue", queue), ("agent_id", agent)):
        if len(text) > MAX_TEXT:
            errors.append(RowError(line, column, f"must be at most {MAX_TEXT} characters"))
    if len(member) > MAX_TEXT:
        errors.append(RowError(line, "member_id", f"must be at most {MAX_TEXT} characters"))
    offered = _time(offered_text, line, "offered_at", errors)
    if not offered_text:
        errors.append(RowError(line, "offered_at", "is required"))
    answered = _time(answered_text, line, "answered_at", errors)
    abandoned = _time(abandoned_text, line, "abandoned_at", errors)
    if answered is not None and abandoned is not None:
        errors.append(RowError(line, "abandoned_at", "a call is answered or abandoned, not both"))
    if offered is not None:
        for column, value in (("answered_at", answered), ("abandoned_at", abandoned)):
            if value is not None and value < offered:
                errors.append(RowError(line, column, "must not be before offered_at"))
    seconds = [
        _seconds(text, line, column, errors) if text else 0.0
        for text, column in zip((talk, hold, wrap), SECONDS_COLUMNS, strict=True)
    ]
    if len(errors) > before or offered is None:
        return None
    return CallRecord(
        call_id,
        queue,
        offered,
        answered,
        abandoned,
        seconds[0],
        seconds[1],
        seconds[2],
        agent or None,
        member or None,
    )


def parse_calls(lines: Iterable[str]) -> Iterator[tuple[int, CallRecord] | RowError]:
    """Each data row as (line, ``CallRecord``), or its problems as ``RowError``s (file order).

    Raises ``HeaderError`` when the first line lacks a required column. A call ID seen before
    in the file is an error on the later line. Blank lines are skipped.
    """
    reader = csv.reader(lines)
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in CALL_COLUMNS if c not in header]
    if missing:
        raise HeaderError(f"the header lacks column(s) {', '.join(missing)}")
    at = [header.index(c) for c in CALL_COLUMNS]
    width = max(at) + 1
    seen: set[str] = set()
    for row in reader:
        if len(row) < width:
            if "".join(row).strip():
                yield RowError(reader.line_num, "", f"expected {len(header)} columns")
            continue  # else a blank line: no call
        cells = [row[i].strip() for i in at]
        errors: list[RowError] = []
        record = _record(cells, reader.line_num, errors)
        call_id = cells[0]
        if call_id in seen:
            errors.append(RowError(reader.line_num, "call_id", "appears on an earlier line"))
            record = None
        seen.add(call_id)
        if record is None:
            yield from errors
        else:
            yield reader.line_num, record

"""CSV that is safe to open in a spreadsheet: no cell is read as a formula.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is evaluated by
Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)`` exfiltrates, ``=cmd|...`` runs on old
Excel). Following the OWASP "CSV Injection" guidance, such a text cell gets a leading
apostrophe, which spreadsheets show as text and never evaluate. Numbers are left alone (a
negative number is data, not a formula).

Use :func:`writer` / :func:`dict_writer` wherever memberdesk writes CSV for people to open.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet evaluates; non-text values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row neutralised."""
    return [neutralise(v) for v in values]


class SafeWriter:
    """``csv.writer`` whose rows are neutralised before they are written."""

    def __init__(self, stream: IO[str], **kwargs: Any) -> None:
        self._w = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one neutralised row."""
        return self._w.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write neutralised rows."""
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """``csv.DictWriter`` whose values are neutralised before they are written."""

    def __init__(self, stream: IO[str], fieldnames: list[str], **kwargs: Any) -> None:
        super().__init__(stream, fieldnames, **kwargs)

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        """Write one neutralised row."""
        return super().writerow({k: neutralise(v) for k, v in rowdict.items()})


def writer(stream: IO[str], **kwargs: Any) -> SafeWriter:
    """A formula-safe ``csv.writer``."""
    return SafeWriter(stream, **kwargs)


def dict_writer(stream: IO[str], fieldnames: list[str], **kwargs: Any) -> SafeDictWriter:
    """A formula-safe ``csv.DictWriter``."""
    return SafeDictWriter(stream, fieldnames, **kwargs)

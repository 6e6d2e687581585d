"""Numbers with nouns that agree with them, for the WFM command line ("1 agent", "2 agents")."""

from __future__ import annotations


def number(n: float) -> str:
    """A count as people read it: whole numbers with thousands separators, else 4 digits."""
    return f"{int(n):,}" if float(n).is_integer() else f"{n:,.4g}"


def count(n: float, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the form that agrees with it: singular for exactly 1 only."""
    return f"{number(n)} {noun if n == 1 else plural or noun + 's'}"


def span(low: float, high: float, noun: str, plural: str | None = None) -> str:
    """A range with its noun (``4 - 6 reps``), or one count when both ends agree."""
    if low == high:
        return count(low, noun, plural)
    return f"{number(low)} - {number(high)} {plural or noun + 's'}"

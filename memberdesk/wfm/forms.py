"""Numbers typed into the WFM pages: each checked against its range, with the reason in plain
words under its field's name, so a page can show it beside the field.

The ranges are the API's (`schemas.py`) where the page asks the same thing; shares are typed
as percentages and handed on as fractions. Pure: no database, no web.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from memberdesk.errors import InvalidInput


@dataclass(frozen=True)
class Number:
    """One numeric field: its range, whether the ends are allowed, its unit in words."""

    low: float
    high: float
    unit: str = ""
    low_open: bool = False  # the low end itself is refused
    high_open: bool = False
    whole: bool = False
    optional: bool = False
    percent: bool = False  # typed as 0-100, handed on as a fraction

    def words(self) -> str:
        """The rule as a sentence: "Enter a number from 1 to 86,400 seconds."."""
        kind = "a whole number" if self.whole else "a number"
        low, high = _n(self.low), _n(self.high)
        unit = f" {self.unit}" if self.unit else ""
        if self.low_open and self.high_open:
            rule = f"more than {low} and less than {high}"
        elif self.low_open:
            rule = f"more than {low} and at most {high}"
        elif self.high_open:
            rule = f"from {low} up to (not including) {high}"
        else:
            rule = f"from {low} to {high}"
        return f"Enter {kind} {rule}{unit}."


def _n(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,g}"


def read_numbers(
    raw: Mapping[str, str], spec: Mapping[str, Number], errors: dict[str, str]
) -> dict[str, float | None]:
    """Each field of ``spec`` as a number (a fraction for percentages), None when optional and
    empty or when refused; refusals go into ``errors`` under the field's name."""
    out: dict[str, float | None] = {}
    for name, rule in spec.items():
        text = (raw.get(name) or "").strip().replace(",", "")
        out[name] = None
        if not text:
            if not rule.optional:
                errors[name] = "Enter a value. " + rule.words()
            continue
        try:
            value = float(text.removesuffix("%"))
        except ValueError:
            errors[name] = rule.words()
            continue
        ok = math.isfinite(value)
        ok = ok and (value > rule.low if rule.low_open else value >= rule.low)
        ok = ok and (value < rule.high if rule.high_open else value <= rule.high)
        ok = ok and (not rule.whole or value.is_integer())
        if not ok:
            errors[name] = rule.words()
            continue
        out[name] = value / 100 if rule.percent else value
    return out


def lengths(text: str, errors: dict[str, str], field: str = "templates") -> list[float]:
    """Shift lengths in paid hours typed as "8, 10" (each 2 to 12 hours, as `wfm schedule`)."""
    try:
        got = [float(x.strip().removesuffix("h")) for x in text.split(",") if x.strip()]
    except ValueError:
        got = []
    if not got or any(not (math.isfinite(h) and 2 <= h <= 12) for h in got) or len(got) > 6:
        errors[field] = (
            "Enter up to 6 shift lengths in paid hours, separated by commas, like 8, 10; "
            "each from 2 to 12 hours."
        )
        return []
    return sorted(set(got))


def refusal(exc: InvalidInput, errors: dict[str, str], fields: Mapping[str, str]) -> None:
    """A pure core's refusal as the page's error, under the form field that caused it (the
    form as a whole when no field matches)."""
    name = fields.get(exc.field or "", "")
    reason = exc.message.split(": ", 1)[1] if ": " in exc.message else exc.message
    errors[name] = reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")

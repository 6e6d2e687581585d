"""The complex-needs rules as a pure function (no database): which rules a member meets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from memberdesk.navigators.enums import Rule

if TYPE_CHECKING:
    from memberdesk.config import Settings


@dataclass(frozen=True)
class RuleConfig:
    """Thresholds of the rules (0 turns a counting rule off); defaults as in Settings."""

    contacts: int = 3
    contact_days: int = 30
    open_cases: int = 2
    interpreter_disability: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> RuleConfig:
        """The thresholds configured in ``Settings`` (``MEMBERDESK_NAVIGATOR_RULE_*``)."""
        return cls(
            contacts=settings.navigator_rule_contacts,
            contact_days=settings.navigator_rule_contact_days,
            open_cases=settings.navigator_rule_open_cases,
            interpreter_disability=settings.navigator_rule_interpreter_disability,
        )


def has_disability_need(accessibility_needs: Sequence[str], disabled_dependent: bool) -> bool:
    """A disability or accessibility need on file (any accommodation, or a disabled dependant)."""
    return bool(accessibility_needs) or disabled_dependent


def fired(
    cfg: RuleConfig,
    *,
    contacts: int,
    open_cases: int,
    interpreter_needed: bool,
    disability_need: bool,
) -> list[Rule]:
    """The rules the member meets, in a fixed order (empty: no flag)."""
    out: list[Rule] = []
    if cfg.contacts and contacts >= cfg.contacts:
        out.append(Rule.FREQUENT_CONTACTS)
    if cfg.open_cases and open_cases >= cfg.open_cases:
        out.append(Rule.OPEN_CASES)
    if cfg.interpreter_disability and interpreter_needed and disability_need:
        out.append(Rule.INTERPRETER_AND_DISABILITY)
    return out

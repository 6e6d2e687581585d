"""Checklist templates as data (``data/checklists.toml``), chosen by case type (pure)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from memberdesk.cases.enums import CaseType

DATA = Path(__file__).with_name("data") / "checklists.toml"


@dataclass(frozen=True)
class Step:
    id: str
    label: str
    required: bool


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    case_types: tuple[CaseType, ...]
    steps: tuple[Step, ...]


@cache
def templates() -> dict[str, Template]:
    """Every template by name, validated (unknown case types and duplicate steps refused)."""
    raw = tomllib.loads(DATA.read_text(encoding="utf-8"))
    out: dict[str, Template] = {}
    seen: dict[CaseType, str] = {}
    for name, body in raw["templates"].items():
        steps = tuple(Step(s["id"], s["label"], bool(s["required"])) for s in body["steps"])
        if len({s.id for s in steps}) != len(steps):
            raise ValueError(f"checklist {name}: step ids must be unique")
        types = tuple(CaseType(t) for t in body["case_types"])
        for t in types:
            if t in seen:
                raise ValueError(f"case type {t} has two checklists: {seen[t]} and {name}")
            seen[t] = name
        out[name] = Template(name, body["title"], types, steps)
    return out


def template_for(case_type: CaseType) -> Template | None:
    """The checklist a case of this type gets, if any."""
    for template in templates().values():
        if case_type in template.case_types:
            return template
    return None

"""Letter templates: found by kind, language and version, checked before use, rendered in a
sandbox. Pure: reads the package's own template files, nothing else.

A template is refused, with its name and the reason, when it does not parse, uses a placeholder
the contract does not give, reaches for Python internals (``__class__``, ``__globals__``, …),
loads another template, or uses an unknown filter. Rendering runs in Jinja's immutable sandbox
with ``StrictUndefined``, so whatever slips past the check still fails closed. Errors never
carry a context value (those are PHI), only the template's name and the placeholder's name.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, UndefinedError, meta, nodes, pass_context
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from memberdesk.errors import InvalidInput
from memberdesk.letters import words

TEMPLATE_DIR = Path(__file__).with_name("templates")
RELEASED_FILE = TEMPLATE_DIR / "released.toml"
SUFFIX = ".txt"
_VERSION = re.compile(r"v(\d+)")
# Markers a template line may start with (see pdf.py); a value never starts a block.
MARKERS = ("# ", "## ", "- ")
SOFT_BREAK = "\u2028"  # a line break inside a value: stays inside its paragraph
NEUTRAL = "\u200b"  # put before a value that would otherwise read as a marker


class TemplateRefused(InvalidInput):
    """A template is unusable; the message names the template and the reason."""

    type = "template_refused"

    def __init__(self, template: str, reason: str) -> None:
        super().__init__(f"template {template}: {reason}", field="template")
        self.template = template
        self.reason = reason


@dataclass(frozen=True)
class Template:
    """One version of one template, as shipped in the package."""

    folder: str  # "acknowledgement" or "rights/calchoice"
    language: str
    version: int
    source: str

    @property
    def name(self) -> str:
        """``acknowledgement/es/v1``: what a letter records as the version it used."""
        return f"{self.folder}/{self.language}/v{self.version}"

    @property
    def sha256(self) -> str:
        """Digest of the source: a released version must never change (released.toml)."""
        return hashlib.sha256(self.source.encode()).hexdigest()


def _finalize(value: Any) -> Any:
    # Text from the context is data, never layout: its line breaks stay inside the paragraph,
    # and text that happens to start like a marker ("# 3", "- none") is not read as one.
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\n", SOFT_BREAK)
        if value.startswith(("#", "- ")):
            value = NEUTRAL + value
    return value


@pass_context
def _day(ctx: Context, value: date | datetime | None) -> str:
    if value is None:
        return ""
    return words.day(value, str(ctx.get("language") or "en"))


@pass_context
def _when(ctx: Context, value: datetime | None) -> str:
    if value is None:
        return ""
    return words.when(value, str(ctx.get("language") or "en"))


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,  # plain text for the PDF, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.globals.clear()  # no range(), lipsum(), cycler(): placeholders and filters only
    env.filters["day"] = _day
    env.filters["when"] = _when
    return env


ENV = _environment()


def _internal(name: object) -> bool:
    return isinstance(name, str) and name.startswith("_")


def _static_faults(ast: nodes.Template) -> str | None:
    for loader in ast.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        return f"may not load other templates ({type(loader).__name__.lower()})"
    for attr in ast.find_all(nodes.Getattr):
        if _internal(attr.attr):
            return f"reaches Python internals (attribute {attr.attr})"
    for item in ast.find_all(nodes.Getitem):
        if isinstance(item.arg, nodes.Const) and _internal(item.arg.value):
            return f"reaches Python internals (attribute {item.arg.value})"
    for name in ast.find_all(nodes.Name):
        if _internal(name.name):
            return f"reaches Python internals (name {name.name})"
    return None


def check_template(name: str, source: str, allowed: frozenset[str]) -> None:
    """Refuse a template that cannot be used safely; the error names it and the reason."""
    try:
        ast = ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateRefused(name, f"syntax error on line {exc.lineno}: {exc.message}") from None
    fault = _static_faults(ast)
    if fault:
        raise TemplateRefused(name, fault)
    try:
        ENV.compile(source)  # unknown filters and tests are found here
        undeclared = meta.find_undeclared_variables(ast)
    except TemplateError as exc:
        raise TemplateRefused(name, str(exc.message or type(exc).__name__)) from None
    unknown = sorted(undeclared - allowed)
    if unknown:
        raise TemplateRefused(name, f"unknown placeholder {unknown[0]}")


def render_source(name: str, source: str, values: Mapping[str, Any]) -> str:
    """Render checked template text with ``values``; every failure names the template only."""
    try:
        return ENV.from_string(source).render(dict(values))
    except SecurityError:
        raise TemplateRefused(name, "reaches Python internals") from None
    except UndefinedError as exc:
        # Jinja's message names the placeholder ("'x' is undefined"), never a value.
        raise TemplateRefused(name, f"unknown placeholder ({exc.message})") from None
    except Exception as exc:
        # Anything else (a filter meeting a value it cannot take) may quote the value: only
        # the kind of failure leaves this function.
        raise TemplateRefused(name, f"failed to render ({type(exc).__name__})") from None


def render(template: Template, values: Mapping[str, Any], allowed: frozenset[str]) -> str:
    """Check, then render, one shipped template."""
    check_template(template.name, template.source, allowed)
    return render_source(template.name, template.source, values)


# --------------------------------------------------------------------------- finding versions


@lru_cache
def released() -> dict[str, str]:
    """Released template versions and their digests: these are frozen (a change is a new vN)."""
    data = tomllib.loads(RELEASED_FILE.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.get("released", {}).items()}


def versions(folder: str, language: str) -> list[int]:
    """Versions of a template present in the package, oldest first."""
    where = TEMPLATE_DIR / folder / language
    if not where.is_dir():
        return []
    found = (_VERSION.fullmatch(p.name.removesuffix(SUFFIX)) for p in where.glob(f"v*{SUFFIX}"))
    return sorted(int(m.group(1)) for m in found if m)


def languages(folder: str) -> list[str]:
    """Languages a template exists in."""
    where = TEMPLATE_DIR / folder
    return sorted(p.name for p in where.iterdir() if p.is_dir()) if where.is_dir() else []


def load(
    folder: str, language: str, version: int | None = None, *, drafts: bool = False
) -> Template:
    """A template version: the one asked for, else the newest released one (``drafts``: the
    newest present, released or not, for previews of a template under review)."""
    present = versions(folder, language)
    if version is None:
        usable = [v for v in present if drafts or f"{folder}/{language}/v{v}" in released()]
        if not usable:
            raise TemplateRefused(f"{folder}/{language}", "no released version")
        version = usable[-1]
    if version not in present:
        raise TemplateRefused(f"{folder}/{language}/v{version}", "no such version")
    path = TEMPLATE_DIR / folder / language / f"v{version}{SUFFIX}"
    found = Template(folder, language, version, path.read_text(encoding="utf-8"))
    frozen = released().get(found.name)
    if frozen is not None and frozen != found.sha256:
        raise TemplateRefused(found.name, "changed after its release; add a new version instead")
    return found

"""Every template version the package holds, and whether it is released (pure)."""

from __future__ import annotations

from memberdesk.letters import contract, render
from memberdesk.letters.compose import pack_names
from memberdesk.letters.enums import LetterKind


def folders() -> list[str]:
    """Template folders: one per kind of letter, one per pack's rights notice."""
    return [k.value for k in LetterKind] + [f"rights/{p}" for p in pack_names()]


def allowed(folder: str) -> frozenset[str]:
    """Placeholders a template in ``folder`` may use."""
    if folder.startswith("rights/"):
        return contract.all_placeholders()
    return contract.placeholders(LetterKind(folder))


def every_template() -> list[render.Template]:
    """Every version of every template, in folder, language and version order."""
    out = []
    for folder in folders():
        for language in render.languages(folder):
            for version in render.versions(folder, language):
                out.append(render.load(folder, language, version))
    return out


def check(template: render.Template) -> None:
    """Refuse a template that breaks the rules (see render.check_template)."""
    render.check_template(template.name, template.source, allowed(template.folder))


def status(template: render.Template) -> str:
    """``released`` or ``draft``."""
    return "released" if template.name in render.released() else "draft"

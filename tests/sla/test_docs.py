"""The reference docs stand alone and their command examples are what the commands print."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memberdesk.cli import app

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
runner = CliRunner()


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_docs_cite_nothing_outside_the_repository(doc: Path) -> None:
    text = doc.read_text()
    for outside in ("DESIGN.md", "../shared", "seeds/", "regulatory-rules.md"):
        assert outside not in text, f"{doc.name} refers to {outside}"


def test_package_description_claims_only_what_exists() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    description = meta["description"]
    assert "planned" not in description
    # Each domain the description names is a package of the product.
    for word, package in [
        ("contacts", "contacts"),
        ("cases", "cases"),
        ("appeals", "appeals"),
        ("letters", "letters"),
        ("KPIs", "kpi"),
        ("surveys", "surveys"),
        ("workforce management", "wfm"),
    ]:
        if word in description:
            assert (ROOT / "memberdesk" / package / "__init__.py").exists(), word


def _examples(doc: str) -> list[tuple[list[str], str]]:
    """(arguments, expected output) of every ``$ memberdesk ...`` block in a doc."""
    text = (ROOT / "docs" / doc).read_text()
    found = []
    for block in re.findall(r"```\n\$ memberdesk (.*?)```", text, flags=re.S):
        command, _, expected = block.partition("\n")
        while command.endswith("\\"):
            more, _, expected = expected.partition("\n")
            command = command[:-1] + more.strip()
        found.append((command.split(), expected))
    return found


def _name(value: object) -> str:
    return " ".join(value)[:60] if isinstance(value, list) else ""


@pytest.mark.parametrize(("args", "expected"), _examples("sla.md") + _examples("wfm.md"), ids=_name)
def test_doc_examples_are_true(args: list[str], expected: str) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.stdout == expected

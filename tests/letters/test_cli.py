"""``memberdesk letters preview`` and ``check``: synthetic data only, no database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from memberdesk.cli import app
from tests.letters.helpers import pages_text

runner = CliRunner()


def test_preview_writes_a_sample_letter(tmp_path: Path) -> None:
    out = tmp_path / "preview.pdf"
    result = runner.invoke(
        app,
        [
            "letters",
            "preview",
            "--kind",
            "extension",
            "--pack",
            "oregon-medicaid",
            "--language",
            "ru",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "extension/en/v1 + rights/oregon-medicaid/en/v1 in en" in result.output
    assert "not yet verified" in result.output
    pages = pages_text(out.read_bytes())
    assert "Alex Sample" in pages[0] and "ВНИМАНИЕ" in pages[-1]


def test_preview_refuses_an_unknown_kind_or_pack(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    bad_kind = runner.invoke(
        app, ["letters", "preview", "--kind", "apology", "--pack", "calchoice", "--out", str(out)]
    )
    assert bad_kind.exit_code == 2 and "--kind must be one of" in bad_kind.output
    bad_pack = runner.invoke(
        app, ["letters", "preview", "--kind", "resolution", "--pack", "texas", "--out", str(out)]
    )
    assert bad_pack.exit_code == 2 and "--pack must be one of" in bad_pack.output
    assert not out.exists()


def test_check_passes_every_shipped_template() -> None:
    result = runner.invoke(app, ["letters", "check"])
    assert result.exit_code == 0, result.output
    assert "ok: resolution/es/v1 (released)" in result.output

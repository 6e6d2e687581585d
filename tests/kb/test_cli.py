"""``memberdesk kb import|export|search|as-of`` on a real database file: the import is all or
nothing with each bad file named, and the exported files are the shipped ones by name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memberdesk.cli import app
from memberdesk.config import get_settings
from memberdesk.db import make_engine
from memberdesk.kb import content
from memberdesk.migrate import upgrade

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Iterator[None]:
    """An empty migrated SQLite database the commands use."""
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'kb.db'}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    engine = make_engine(get_settings())
    upgrade(engine)
    engine.dispose()
    yield
    get_settings.cache_clear()


def test_import_refuses_bad_files_by_name_then_imports_exports_and_searches(
    cli_db: None, tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "ok.md").write_text((content.SHIPPED / "call-guide.en.md").read_text("utf-8"), "utf-8")
    (bad / "broken.md").write_text(
        "---\nslug: b-en\ntranslation_key: b\nlanguage: de\nkind: faq\n"
        "effective_on: 2026-01-01\ntitle: B\n---\nText\n",
        "utf-8",
    )
    refused = runner.invoke(app, ["kb", "import", str(bad)])
    assert refused.exit_code == 2
    assert "broken.md: language:" in refused.output
    out = tmp_path / "out"
    exported = runner.invoke(app, ["kb", "export", str(out)])
    assert exported.exit_code == 0 and "0 articles" in exported.output

    done = runner.invoke(app, ["kb", "import", str(content.SHIPPED)])
    assert done.exit_code == 0, done.output
    assert "20 new articles, 0 new versions, 0 unchanged, 0 published" in done.output
    again = runner.invoke(app, ["kb", "import", str(content.SHIPPED)])
    assert "0 new articles, 0 new versions, 20 unchanged" in again.output
    exported = runner.invoke(app, ["kb", "export", str(out)])
    assert "20 articles written" in exported.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in content.SHIPPED.iterdir()
    )
    # Drafts are not in force: nothing found, and nothing was told on any day yet.
    found = runner.invoke(app, ["kb", "search", "tarjeta"])
    assert found.output.strip().endswith("0 found")
    asof = runner.invoke(app, ["kb", "as-of", "call-guide-en", "2026-03-03"])
    assert asof.exit_code == 2 and "nothing of call-guide-en was in force" in asof.output
    wrong = runner.invoke(app, ["kb", "import", str(content.SHIPPED), "--publish-as", "nobody"])
    assert wrong.exit_code == 2 and "not a compliance approver" in wrong.output

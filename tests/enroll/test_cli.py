"""``memberdesk enroll``: a sample file imported (dry run first, then twice), a bad file refused
with the place of each problem and a non-zero exit, a 270 answered from a file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memberdesk.cli import app
from memberdesk.config import get_settings
from memberdesk.enroll.x12_270 import build_270

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Path:
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_sample_import_twice_and_refusal(env: Path) -> None:
    sample = env / "oregon.834"
    made = runner.invoke(
        app,
        [
            "enroll",
            "sample",
            "--profile",
            "oregon-medicaid",
            "--members",
            "12",
            "--out",
            str(sample),
        ],
    )
    assert made.exit_code == 0, made.output
    dry = runner.invoke(app, ["enroll", "import", str(sample), "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.output)
    assert report["counts"] == {"member_added": 12} and report["dry_run"] is True
    done = runner.invoke(app, ["enroll", "import", str(sample)])
    assert done.exit_code == 0 and "member_added: 12" in done.output
    again = runner.invoke(app, ["enroll", "import", str(sample)])
    assert again.exit_code == 0 and "already applied" in again.output

    text = sample.read_text(encoding="latin-1")
    number = text.split("REF*23*")[1].split("~")[0]
    term = text.replace("*021*28*", "*024*07*").replace("DTP*348*", "DTP*349*", 1)
    term = term.replace("DTP*349*D8*20", "DTP*349*D8*19", 1)  # ends before it began
    bad = env / "bad.834"
    bad.write_text(
        term.replace("ISA*00*", "ISA*00*", 1)
        .replace("*000000001*0*P", "*000000002*0*P")
        .replace("IEA*1*000000001", "IEA*1*000000002"),
        encoding="latin-1",
    )
    refused = runner.invoke(app, ["enroll", "import", str(bad)])
    assert refused.exit_code == 1
    assert "nothing was applied" in refused.output and "loop" in refused.output
    assert number not in refused.output
    assert (
        "loop 2300" in refused.output and "before the coverage's effective date" in refused.output
    )

    people = [(number, "", "", None)]
    asked = env / "q.270"
    asked.write_text(build_270("CLINIC", "MEMBERDESK", people, datetime(2026, 12, 1, tzinfo=UTC)))
    answered = runner.invoke(app, ["enroll", "eligibility", str(asked)])
    assert answered.exit_code == 0, answered.output
    assert "ST*271*" in answered.output and "EB*" in answered.output
    broken = env / "broken.270"
    broken.write_text(asked.read_text()[:120])
    assert runner.invoke(app, ["enroll", "eligibility", str(broken)]).exit_code == 1

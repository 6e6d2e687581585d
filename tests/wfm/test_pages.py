"""The WFM workspace through the app on each database: the staffing calculator and many
intervals agree with the pure core for the same input, bad input is refused beside its field
(422, nothing stored), and the pages are the WFM analyst's only, with no member data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.kpi.models import CallRow
from memberdesk.members.models import Member
from memberdesk.wfm import erlang
from tests.wfm.pagekit import PAGES, error_of, text_of

# ----------------------------------------------------------------------------- calculator


@pytest.mark.parametrize(
    ("typed", "core"),
    [
        (
            {"calls": "100", "aht": "420", "interval": "30", "target": "80", "within": "20"},
            {"calls": 100, "aht": 420, "interval": 1800, "target": 0.8, "within": 20},
        ),
        (
            {
                "calls": "640",
                "aht": "380",
                "interval": "15",
                "target": "90",
                "within": "30",
                "model": "erlang_a",
                "patience": "90",
                "shrinkage": "30",
                "max_occupancy": "85",
            },
            {
                "calls": 640,
                "aht": 380,
                "interval": 900,
                "target": 0.9,
                "within": 30,
                "patience": 90,
                "shrinkage": 0.3,
                "max_occupancy": 0.85,
            },
        ),
    ],
)
def test_the_calculator_agrees_with_erlang(analyst, typed, core) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/staff", params=typed)
    assert page.status_code == 200
    core = dict(core)  # the parameters are shared by both databases' runs
    want = erlang.staff(core.pop("calls"), core.pop("aht"), **core)
    assert text_of(page.text, "agents-needed") == f"{int(want.agents)} agents"
    assert f"{want.service_level:.1%} answered within" in page.text
    if want.scheduled != want.agents:
        assert f"{want.scheduled} to schedule" in page.text
    if want.p_abandon is not None:
        assert f"{want.p_abandon:.1%}" in page.text
    # the table of staff either side names the answer
    assert "(the answer)" in page.text


def test_the_calculator_for_chats_and_fractional_staff(analyst) -> None:  # type: ignore[no-untyped-def]
    chats = analyst.get(
        "/wfm/staff",
        params={
            "calls": "300",
            "aht": "600",
            "interval": "30",
            "target": "80",
            "within": "60",
            "concurrency": "3",
        },
    )
    want = erlang.chat_staff(300, 600, concurrency=3, interval=1800, target=0.8, within=60)
    assert text_of(chats.text, "agents-needed") == f"{want.agents} agents"
    part = analyst.get(
        "/wfm/staff",
        params={
            "calls": "100",
            "aht": "420",
            "interval": "30",
            "target": "80",
            "within": "20",
            "fractional": "1",
        },
    )
    frac = erlang.staff(100, 420, interval=1800, target=0.8, within=20, fractional=True)
    assert text_of(part.text, "agents-needed") == f"{frac.agents:.2f} agents"


def test_the_first_visit_shows_an_example_answer(analyst) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/staff")
    want = erlang.staff(100, 420, interval=1800, target=0.8, within=20)
    assert page.status_code == 200
    assert text_of(page.text, "agents-needed") == f"{int(want.agents)} agents"
    assert 'hx-get="/wfm/staff"' in page.text and "delay:400ms" in page.text


GOOD = {"calls": "100", "aht": "420", "interval": "30", "target": "80", "within": "20"}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"calls": "-5"}, "calls", "from 0 to 10,000,000 calls"),
        ({"calls": "many"}, "calls", "Enter a number"),
        ({"aht": "0"}, "aht", "from 1 to 86,400 seconds"),
        ({"aht": ""}, "aht", "Enter a value"),
        ({"target": "100"}, "target", "more than 0 and less than 100"),
        ({"interval": "0"}, "interval", "from 1 to 1,440 minutes"),
        ({"shrinkage": "100"}, "shrinkage", "up to (not including) 100"),
        ({"concurrency": "1.5"}, "concurrency", "whole number"),
        ({"model": "erlang_a", "patience": ""}, "patience", "Enter a value"),
        ({"model": "erlang_x"}, "model", "Choose Erlang C or Erlang A"),
        # in range field by field, but past the core's bound on the load (calls x AHT / interval)
        ({"calls": "10000000", "aht": "86400"}, "calls", "at most 100,000 Erlangs"),
    ],
)
def test_the_calculator_names_the_field_it_refuses(analyst, change, field, words) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/staff", params=GOOD | change)
    assert page.status_code == 422
    assert words in error_of(page.text, field)
    assert 'aria-invalid="true"' in page.text
    assert 'id="agents-needed"' not in page.text
    # htmx swaps only what comes back 2xx, so it is told the same with 200
    swapped = analyst.get("/wfm/staff", params=GOOD | change, headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and words in error_of(swapped.text, field)


def test_the_api_refuses_the_same_inputs(analyst) -> None:  # type: ignore[no-untyped-def]
    for body, field in (
        ({"calls": -5, "aht_seconds": 420}, "calls"),
        ({"calls": 100, "aht_seconds": 0}, "aht_seconds"),
        ({"calls": 100, "aht_seconds": 420, "target": 1.0}, "target"),
        ({"calls": 10_000_000, "aht_seconds": 86_400}, "calls"),
    ):
        r = analyst.post("/api/wfm/staff", json=body)
        assert r.status_code == 422, body
        assert field in r.text


# ----------------------------------------------------------------------------- many intervals

INTERVALS_CSV = (
    "interval_start,calls,aht_seconds\n"
    "2026-12-07T08:00:00-08:00,42,410\n"
    "2026-12-07T08:30:00-08:00,96.5,395\n"
    "2026-12-07T09:00:00-08:00,0,400\n"
    "2026-12-07T09:30:00-08:00,180,420\n"
)
RULES = {
    "interval": "30",
    "target": "80",
    "within": "20",
    "patience": "",
    "max_occupancy": "100",
    "shrinkage": "25",
}


def test_many_intervals_from_a_file_agree_with_the_command(analyst, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from memberdesk.cli import app as cli

    files = {"file": ("forecast.csv", INTERVALS_CSV.encode(), "text/csv")}
    page = analyst.post("/wfm/staff/intervals", data=RULES, files=files)
    assert page.status_code == 200, page.text
    got = erlang.staff_intervals(
        [42, 96.5, 0, 180],
        [410, 395, 400, 420],
        interval=1800,
        target=0.8,
        within=20,
        shrinkage=0.25,
    )
    assert text_of(page.text, "peak") == str(int(got.scheduled.max()))
    assert "4 intervals staffed (Erlang C)" in page.text
    for k, sched in enumerate(got.scheduled):
        assert f'data-label="To schedule">{int(sched)}<' in page.text, k
    download = analyst.post("/wfm/staff/intervals", data=RULES | {"download": "1"}, files=files)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    path = tmp_path / "forecast.csv"
    path.write_text(INTERVALS_CSV)
    command = CliRunner().invoke(
        cli,
        [
            "wfm",
            "staff",
            "--csv",
            str(path),
            "--target",
            "0.8",
            "--within",
            "20",
            "--shrinkage",
            "0.25",
        ],
    )
    assert command.exit_code == 0, command.output
    assert download.text == command.output
    pasted = analyst.post("/wfm/staff/intervals", data=RULES | {"rows": INTERVALS_CSV})
    assert pasted.status_code == 200 and text_of(pasted.text, "peak") == str(
        int(got.scheduled.max())
    )


@pytest.mark.parametrize(
    ("rows", "change", "field", "words"),
    [
        (
            INTERVALS_CSV.replace(",96.5,", ",-2,"),
            {},
            "csv",
            "Line 3, column calls: must be zero or more",
        ),
        ("calls,aht\n1,2\n", {}, "csv", "The first line must be the header"),
        ("", {}, "csv", "Choose a CSV file, or paste its lines"),
        (INTERVALS_CSV, {"target": "100"}, "target", "less than 100"),
        (INTERVALS_CSV, {"patience": "0"}, "patience", "from 1 to"),
    ],
)
def test_many_intervals_name_what_they_refuse(analyst, rows, change, field, words) -> None:  # type: ignore[no-untyped-def]
    page = analyst.post("/wfm/staff/intervals", data=RULES | change | {"rows": rows})
    assert page.status_code == 422
    assert words in error_of(page.text, field)
    assert "intervals staffed" not in page.text


# ----------------------------------------------------------------------------- who may


def test_only_the_wfm_role_opens_the_pages(login) -> None:  # type: ignore[no-untyped-def]
    for role in (Role.TIER1_AGENT, Role.SUPERVISOR, Role.COMPLIANCE_OFFICER):
        client = login(role, team="Team A").client
        for path in PAGES:
            assert client.get(path).status_code == 403, (role, path)
    analyst = login(Role.WFM_ANALYST).client
    for path in PAGES:
        assert analyst.get(path).status_code == 200, path


def test_wfm_analysts_see_no_member_data(login, db: Session) -> None:  # type: ignore[no-untyped-def]
    member = db.scalars(select(Member).order_by(Member.id)).first()
    assert member is not None
    analyst = login(Role.WFM_ANALYST).client
    assert analyst.get(f"/api/members/{member.id}").status_code == 403
    assert analyst.get(f"/members/{member.id}").status_code == 403
    home = analyst.get("/")
    assert home.status_code == 200
    for path in PAGES[1:-2]:
        assert f'href="{path}"' in home.text
    assert "memberdesk wfm" not in home.text  # links, not commands
    assert '<a href="/wfm">Workforce</a>' in home.text
    for path in ("/", *PAGES):
        text = analyst.get(path).text
        assert member.member_number not in text
        assert member.last_name not in text


def test_nothing_is_stored_by_the_pages(analyst, db: Session) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.compliance.models import AuditEntry

    def counts() -> tuple[int, int]:
        return (
            db.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            db.scalar(select(func.count()).select_from(CallRow)) or 0,
        )

    before = counts()
    analyst.get("/wfm/staff", params=GOOD | {"calls": "-1"})
    analyst.get("/wfm/plan", params={"members": "0"})
    analyst.get("/wfm/staff", params=GOOD)
    assert counts() == before

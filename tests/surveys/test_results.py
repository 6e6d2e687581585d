"""Survey KPIs against an independent count: CSAT and NPS over whole days in the pack's zone,
the CAHPS items over the pack's look-back (12 months commercial, 6 Medicaid), NA under 100
answers, by agent and by channel, each judged against the pack's targets."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.contacts.enums import Channel, Direction
from memberdesk.contacts.models import Contact
from memberdesk.kpi import formulas
from memberdesk.sla.packs import get_pack
from memberdesk.surveys import report
from memberdesk.surveys.enums import AnswerSource, CahpsAnswer
from memberdesk.surveys.models import SurveyAnswer
from tests import factories as f

LA = ZoneInfo("America/Los_Angeles")
CAHPS = [a.value for a in CahpsAnswer]


@dataclass(frozen=True)
class Given:
    """One answer as the test made it."""

    at: datetime
    pack: str
    agent: int | None
    channel: Channel
    csat: int
    nps: int
    help: str | None
    courtesy: str | None


def _store(db: Session, member_id: int, g: Given) -> None:
    contact = Contact(
        member_id=member_id,
        agent_id=g.agent,
        channel=g.channel,
        direction=Direction.INBOUND,
        started_at=g.at - timedelta(hours=1),
        ended_at=g.at - timedelta(minutes=50),
    )
    db.add(contact)
    db.flush()
    db.add(
        SurveyAnswer(
            contact_id=contact.id,
            member_id=member_id,
            agent_id=g.agent,
            channel=g.channel,
            pack=g.pack,
            language="en",
            source=AnswerSource.IMPORT,
            answered_at=g.at,
            csat=g.csat,
            nps=g.nps,
            cahps_help=g.help,
            cahps_courtesy=g.courtesy,
        )
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def expected(rows: list[Given]) -> dict[str, object]:
    """Counted by hand, without the formulas module."""
    n = len(rows)
    promoters = sum(1 for r in rows if r.nps >= 9)
    detractors = sum(1 for r in rows if r.nps <= 6)
    return {
        "answers": n,
        "csat": _share(sum(1 for r in rows if r.csat >= 4), n),
        "nps": 100 * (promoters - detractors) / n if n else None,
        "promoters": promoters,
        "detractors": detractors,
    }


def expected_cahps(rows: list[Given], item: str) -> tuple[int, float | None, float | None]:
    given_ = [getattr(r, item) for r in rows if getattr(r, item) is not None]
    n = len(given_)
    if n < 100:
        return n, None, None
    return (
        n,
        sum(1 for a in given_ if a in ("usually", "always")) / n,
        sum(1 for a in given_ if a == "always") / n,
    )


@pytest.fixture
def book(db: Session, login) -> tuple[list[Given], dict[int, str]]:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    agents = {login(Role.TIER1_AGENT).user.id: "", login(Role.TIER2_SPECIALIST).user.id: ""}
    from memberdesk.compliance.models import User

    for uid in list(agents):
        agents[uid] = db.get(User, uid).username  # type: ignore[union-attr]
    member = f.member(db)
    rows: list[Given] = []

    def make(at: datetime, pack: str = "calchoice") -> None:
        rows.append(
            Given(
                at=at,
                pack=pack,
                agent=rng.choice([*agents, None]),
                channel=rng.choice([Channel.PHONE, Channel.EMAIL, Channel.CHAT]),
                csat=rng.randint(1, 5),
                nps=rng.randint(0, 10),
                help=rng.choice([*CAHPS, None]),
                courtesy=rng.choice([*CAHPS, None, "always"]),
            )
        )

    for _ in range(90):  # November 2026, in California time
        make(
            datetime(
                2026, 11, rng.randint(1, 30), rng.randint(8, 17), rng.randint(0, 59), tzinfo=LA
            )
        )
    make(datetime(2026, 11, 1, 0, 5, tzinfo=LA))  # the first minutes of the period
    make(datetime(2026, 11, 30, 23, 30, tzinfo=LA))  # already 1 December in UTC
    make(datetime(2026, 10, 31, 23, 59, tzinfo=LA))  # the day before: CAHPS only
    make(datetime(2026, 12, 1, 0, 10, tzinfo=LA))  # the day after: nowhere
    for _ in range(60):  # earlier in the 12-month look-back: CAHPS only
        make(datetime(2026, rng.randint(1, 10), rng.randint(1, 28), 12, tzinfo=LA))
    make(datetime(2025, 12, 1, 0, 1, tzinfo=LA))  # the look-back's first minute
    make(datetime(2025, 11, 30, 23, 59, tzinfo=LA))  # just before it
    for _ in range(40):  # Medicaid: June (inside its 6 months) and May (outside)
        make(datetime(2026, rng.choice([5, 6, 11]), 15, 10, tzinfo=LA), "oregon-medicaid")
    for g in rows:
        _store(db, member.id, g)
    db.flush()
    return rows, agents


def _in(rows: list[Given], pack: str, first: datetime, end: datetime) -> list[Given]:
    return [r for r in rows if r.pack == pack and first <= r.at < end]


NOV = datetime(2026, 11, 1, tzinfo=LA), datetime(2026, 12, 1, tzinfo=LA)


def test_totals_match_a_count_by_hand(login, book) -> None:  # type: ignore[no-untyped-def]
    rows, _ = book
    client = login(Role.WFM_ANALYST).client  # figures only: no member data needed
    got = client.get("/api/surveys/results", params={"from": "2026-11-01", "to": "2026-11-30"})
    assert got.status_code == 200, got.text
    body = got.json()
    period = _in(rows, "calchoice", *NOV)
    lookback = _in(rows, "calchoice", datetime(2025, 12, 1, tzinfo=LA), NOV[1])
    want = expected(period)
    total = body["total"]
    assert total["answers"] == want["answers"] == 92
    assert total["csat"] == pytest.approx(want["csat"])
    assert total["nps"] == pytest.approx(want["nps"])
    assert (total["promoters"], total["detractors"]) == (want["promoters"], want["detractors"])
    for item, attr in (("cahps_help", "help"), ("cahps_courtesy", "courtesy")):
        n, rate, top = expected_cahps(lookback, attr)
        assert total[item]["answers"] == n
        assert total[item]["usually_or_always"] == pytest.approx(rate)
        assert total[item]["always"] == pytest.approx(top)
        assert total[item]["reported"] is (n >= 100)
    assert (body["cahps_from"], body["cahps_to"], body["cahps_lookback_months"]) == (
        "2025-12-01",
        "2026-11-30",
        12,
    )
    assert body["targets"] == {"csat": "at least 85%", "nps": "+25 to +50 (below +25 misses it)"}
    goal = {t.kpi.measure: t.kpi for t in get_pack("calchoice").targets.values() if t.kpi}
    assert total["status"]["csat"] == goal["csat"].status(total["csat"]).value  # type: ignore[union-attr]


def test_breakdowns_match_a_count_by_hand(login, book) -> None:  # type: ignore[no-untyped-def]
    rows, agents = book
    client = login(Role.SUPERVISOR, team="Team A").client
    period = _in(rows, "calchoice", *NOV)
    by_agent = client.get(
        "/api/surveys/results", params={"from": "2026-11-01", "to": "2026-11-30", "by": "agent"}
    ).json()
    got = {r["key"]: r for r in by_agent["rows"]}
    for agent_id, name in [*agents.items(), (None, "")]:
        mine = [r for r in period if r.agent == agent_id]
        assert got[name]["answers"] == len(mine)
        assert got[name]["csat"] == pytest.approx(expected(mine)["csat"])
        assert got[name]["nps"] == pytest.approx(expected(mine)["nps"])
    assert got[""]["label"] == "No agent recorded"
    by_channel = client.get(
        "/api/surveys/results",
        params={"from": "2026-11-01", "to": "2026-11-30", "by": "channel"},
    ).json()
    counts = Counter(r.channel.value for r in period)
    assert {r["key"]: r["answers"] for r in by_channel["rows"]} == dict(counts)
    assert {r["label"] for r in by_channel["rows"]} == {"Phone", "E-mail", "Chat"}
    assert sum(r["answers"] for r in by_channel["rows"]) == by_channel["total"]["answers"]


def test_medicaid_looks_back_six_months_and_says_na_below_100(login, book) -> None:  # type: ignore[no-untyped-def]
    rows, _ = book
    client = login(Role.SUPERVISOR, team="Team A").client
    body = client.get(
        "/api/surveys/results",
        params={"from": "2026-11-01", "to": "2026-11-30", "pack": "oregon-medicaid"},
    ).json()
    assert (body["cahps_from"], body["cahps_lookback_months"]) == ("2026-06-01", 6)
    inside = _in(rows, "oregon-medicaid", datetime(2026, 6, 1, tzinfo=LA), NOV[1])
    n, _, _ = expected_cahps(inside, "help")
    assert body["total"]["cahps_help"] == {
        "answers": n,
        "reported": False,
        "usually_or_always": None,
        "always": None,
    }
    assert body["total"]["cahps_composite"] is None
    assert body["targets"] == {} and body["total"]["status"] == {}  # no CSAT/NPS goal there


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to"),
        ({"from": "2025-01-01", "to": "2026-11-30"}, "to"),
        ({"from": "2026-11-01", "to": "2026-11-30", "pack": "nowhere"}, "pack"),
        ({"from": "2026-11-31", "to": "2026-11-30"}, "from"),
        ({"from": "2026-11-01", "to": "2026-11-30", "by": "queue"}, "by"),
    ],
)
def test_bad_questions_are_refused_by_field(login, params, field) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.SUPERVISOR, team="Team A").client
    got = client.get("/api/surveys/results", params=params)
    assert got.status_code == 422
    assert got.json()["detail"][0]["loc"] == ["query", field]


answers_st = st.lists(
    st.tuples(
        st.integers(1, 5),
        st.integers(0, 10),
        st.sampled_from([*CAHPS, None]),
        st.sampled_from([*CAHPS, None]),
    ),
    max_size=300,
)


@given(answers_st, answers_st)
def test_figures_are_the_formulas_of_the_answers_and_tallies_add_up(a, b) -> None:  # type: ignore[no-untyped-def]
    def tally(rows):  # type: ignore[no-untyped-def]
        t = report.Tally()
        for csat, nps, h, c in rows:
            t.answers += 1
            t.csat[csat] += 1
            t.nps[nps] += 1
            if h:
                t.help[h] += 1
            if c:
                t.courtesy[c] += 1
        return t

    both = tally(a)
    both.add(tally(b))
    rows = a + b
    out = report.figures(both, both, {})
    assert out["csat"] == formulas.csat(r[0] for r in rows)
    assert out["nps"] == formulas.nps(r[1] for r in rows)
    help_item = formulas.cahps_item(r[2] for r in rows if r[2])
    assert out["cahps_help"]["usually_or_always"] == help_item.usually_or_always
    courtesy_item = formulas.cahps_item(r[3] for r in rows if r[3])
    assert out["cahps_composite"] == formulas.cahps_composite([help_item, courtesy_item])
    assert out["promoters"] + out["passives"] + out["detractors"] == len(rows)


def test_target_words() -> None:
    goals = {t.kpi.measure: t.kpi for t in get_pack("calchoice").targets.values() if t.kpi}
    assert report.target_words(goals["csat"]) == "at least 85%"
    assert report.target_words(goals["nps"]) == "+25 to +50 (below +25 misses it)"
    assert report.target_words(None) == ""

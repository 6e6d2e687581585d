"""Policy packs hold the documented targets exactly, with their citations and the seeds' KPIs."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from memberdesk.sla import (
    PackError,
    UnknownPackError,
    UnknownTargetError,
    get_pack,
    get_target,
    pack_names,
)
from memberdesk.sla.packs import KpiGoal, KpiStatus, pack_from_dict

TABLES = {
    "calchoice": ("california-state", {
        "phone_answer": None,
        "abandon_rate": None,
        "first_contact_resolution": None,
        "csat": None,
        "nps": None,
        "qa_score": None,
        "email_reply": ("business_days", 1),
        "claim_research": ("business_days", 5),
        "tier1_handoff": ("clock_hours", 48),
        "tier3_assignment": ("business_days", 2),
        "appeal_ack": ("business_days", 2),
        "appeal_resolution": ("calendar_days", 30),
        "appeal_expedited": ("clock_hours", 72),
        "voicemail_return": ("business_days", 0),
        "qa_corrective_training": ("business_days", 10),
        "policy_signoff": ("business_days", 5),
    }),
    "oregon-medicaid": ("oregon-state", {
        "phone_answer": None,
        "abandon_rate": None,
        "one_call_resolution": None,
        "voicemail_return": ("business_days", 0),
        "grievance_decision": ("business_days", 5),
        "grievance_resolution": ("calendar_days", 30),
        "appeal_resolution": ("calendar_days", 16),
        "appeal_expedited": ("clock_hours", 72),
    }),
    "erisa-group": ("california-state", {
        "urgent_appeal": ("clock_hours", 72),
        "pre_service_appeal": ("calendar_days", 30),
        "post_service_appeal": ("calendar_days", 60),
    }),
    "compliance": ("california-state", {
        "breach_notice_individuals": ("calendar_days", 60),
        "breach_notice_california": ("calendar_days", 30),
        "right_of_access": ("calendar_days", 30),
        "accounting_of_disclosures": ("calendar_days", 60),
    }),
}  # fmt: skip


def test_pack_names() -> None:
    assert pack_names() == ["calchoice", "compliance", "erisa-group", "oregon-medicaid"]


@pytest.mark.parametrize("name", sorted(TABLES))
def test_pack_matches_the_documented_table(name: str) -> None:
    calendar, table = TABLES[name]
    pack = get_pack(name)
    assert pack.calendar == calendar
    assert pack.version == "2026.1" and pack.effective_from == date(2026, 1, 1)
    assert list(pack.targets) == list(table)
    for target_id, clock in table.items():
        t = pack.target(target_id)
        assert t.citation, target_id
        if clock is None:
            assert not t.is_clock and t.kpi
        else:
            assert (str(t.clock), t.amount) == clock
            assert t.calendar == calendar
            assert t.policy_version == f"{name}@2026.1#{pack.digest}"
            if t.regulatory:
                assert not t.may_pause


@pytest.mark.parametrize(
    ("pack", "target", "count", "amount"),
    [
        ("oregon-medicaid", "appeal_resolution", 1, 14),
        ("oregon-medicaid", "appeal_expedited", 1, 336),
        ("compliance", "right_of_access", 1, 30),
        ("compliance", "accounting_of_disclosures", 1, 30),
    ],
)
def test_extensions(pack: str, target: str, count: int, amount: int) -> None:
    ext = get_target(pack, target).extension
    assert ext is not None and (ext.count, ext.amount, ext.reason_required) == (count, amount, True)


def test_rule_details() -> None:
    assert get_target("calchoice", "tier1_handoff").warning_share == 0.5
    assert get_target("calchoice", "appeal_ack").warning_share == 0.75
    assert get_target("calchoice", "claim_research").may_pause
    assert get_target("calchoice", "phone_answer").kpi == KpiGoal(
        "service_level", within_seconds=20, breach_below=0.8
    )
    assert get_target("oregon-medicaid", "phone_answer").kpi == KpiGoal(
        "service_level", within_seconds=30, breach_below=0.8
    )
    deemed = {
        (p, t.id)
        for p in pack_names()
        for t in get_pack(p).targets.values()
        if t.deemed_exhausted_on_breach
    }
    assert deemed == {
        ("oregon-medicaid", "appeal_resolution"),
        ("oregon-medicaid", "appeal_expedited"),
    }
    assert get_target("compliance", "breach_notice_california").verify
    assert "1368.01(a)" in get_target("calchoice", "appeal_resolution").citation


def test_target_deadline() -> None:
    due = (
        get_target("calchoice", "appeal_ack")
        .compute_due(datetime.fromisoformat("2026-11-25T18:00:00-08:00"))
        .due
    )
    assert due.isoformat() == "2026-12-02T17:00:00-08:00"
    with pytest.raises(PackError, match="KPI"):
        get_target("calchoice", "phone_answer").compute_due(
            datetime.fromisoformat("2026-11-25T18:00:00-08:00")
        )


def test_unknown_names_and_dates() -> None:
    with pytest.raises(UnknownPackError, match="known: calchoice, compliance") as err:
        get_pack("texas")
    assert "texas" not in str(err.value)  # messages never repeat the name sent
    with pytest.raises(UnknownTargetError, match="appeal_ack"):
        get_target("calchoice", "appeal")
    with pytest.raises(PackError, match="no version effective"):
        get_pack("calchoice", on=date(2025, 6, 1))
    assert get_pack("calchoice", on=date(2026, 6, 1)).version == "2026.1"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            {
                "id": "x",
                "clock": "business_days",
                "amount": 1,
                "regulatory": True,
                "may_pause": True,
            },
            "never pause",
        ),
        ({"id": "x", "clock": "business_days"}, "amount"),
        ({"id": "x", "clock": "fortnights", "amount": 1}, "unknown clock kind"),
        ({"id": "x"}, "either 'clock'"),
        ({"id": "x", "clock": "business_days", "amount": 1, "warning_share": 1.5}, "warning_share"),
        ({"id": "x", "clock": "business_days", "amount": 1, "colour": "red"}, "unknown key"),
    ],
)
def test_bad_pack_data(target: dict, message: str) -> None:
    data = {
        "pack": "p",
        "version": "1",
        "effective_from": "2026-01-01",
        "calendar": "24x7",
        "targets": [target],
    }
    with pytest.raises(ValueError, match=message):
        pack_from_dict(data)


# --------------------------------------------------------------------------- seed KPIs


@pytest.mark.parametrize(
    ("pack", "target", "goal"),
    [
        # CalChoice guide: "Abandon Rate ≤5–8%", "FCR ≥70–80%", "CSAT ≥85%", "NPS +25 to +50",
        # "QA scoring averages ≥90%".
        ("calchoice", "abandon_rate", KpiGoal("abandon_rate", warn_above=0.05, breach_above=0.08)),
        ("calchoice", "first_contact_resolution",
         KpiGoal("first_contact_resolution", warn_below=0.80, breach_below=0.70)),
        ("calchoice", "csat", KpiGoal("csat", breach_below=0.85)),
        ("calchoice", "nps", KpiGoal("nps", warn_below=50, breach_below=25)),
        ("calchoice", "qa_score", KpiGoal("qa_score", breach_below=0.90)),
        # Health Share: "Less than 3% abandonment"; "Currently 83% one-call resolution".
        ("oregon-medicaid", "abandon_rate",
         KpiGoal("abandon_rate", breach_above=0.03, breach_at_bound=True)),
        ("oregon-medicaid", "one_call_resolution",
         KpiGoal("first_contact_resolution", achieved=0.83)),
    ],
)  # fmt: skip
def test_seed_kpis_are_in_the_packs(pack: str, target: str, goal: KpiGoal) -> None:
    t = get_target(pack, target)
    assert t.kpi == goal and not t.is_clock and t.citation


@pytest.mark.parametrize(
    ("pack", "target", "value", "status"),
    [
        ("calchoice", "abandon_rate", 0.04, KpiStatus.OK),
        ("calchoice", "abandon_rate", 0.05, KpiStatus.OK),
        ("calchoice", "abandon_rate", 0.06, KpiStatus.WARNING),
        ("calchoice", "abandon_rate", 0.08, KpiStatus.WARNING),
        ("calchoice", "abandon_rate", 0.081, KpiStatus.BREACH),
        ("calchoice", "first_contact_resolution", 0.82, KpiStatus.OK),
        ("calchoice", "first_contact_resolution", 0.75, KpiStatus.WARNING),
        ("calchoice", "first_contact_resolution", 0.69, KpiStatus.BREACH),
        ("calchoice", "csat", 0.85, KpiStatus.OK),
        ("calchoice", "csat", 0.849, KpiStatus.BREACH),
        ("calchoice", "nps", 51, KpiStatus.OK),
        ("calchoice", "nps", 30, KpiStatus.WARNING),
        ("calchoice", "nps", 10, KpiStatus.BREACH),
        ("calchoice", "qa_score", 0.89, KpiStatus.BREACH),
        ("calchoice", "phone_answer", 0.80, KpiStatus.OK),
        ("calchoice", "phone_answer", 0.79, KpiStatus.BREACH),
        ("oregon-medicaid", "abandon_rate", 0.029, KpiStatus.OK),
        ("oregon-medicaid", "abandon_rate", 0.03, KpiStatus.BREACH),  # "less than 3%"
        ("oregon-medicaid", "one_call_resolution", 0.50, None),  # achieved, not a floor
    ],
)
def test_kpi_status(pack: str, target: str, value: float, status: KpiStatus | None) -> None:
    goal = get_target(pack, target).kpi
    assert goal is not None and goal.status(value) == status


def test_citations_and_notes_are_honest() -> None:
    voicemail = get_target("calchoice", "voicemail_return")
    # The rule is Health Share of Oregon's; the CalChoice guide has no voicemail standard.
    assert voicemail.citation.startswith("Health Share of Oregon")
    assert "not in the CalChoice guide" in voicemail.rule
    assert (str(voicemail.clock), voicemail.amount) == ("business_days", 0)
    notes = " ".join(get_pack("calchoice").notes)
    assert "6 years" in notes and "keep grievance files 5 years" not in notes
    assert "not a floor" in get_target("oregon-medicaid", "one_call_resolution").rule


@pytest.mark.parametrize(
    ("kpi", "message"),
    [
        ({"measure": "smiles", "breach_below": 0.5}, "measure"),
        ({"measure": "csat"}, "threshold or an 'achieved'"),
        ({"measure": "csat", "breach_below": 85}, "within 0..1"),
        ({"measure": "nps", "breach_below": 150}, "within -100..100"),
        ({"measure": "csat", "breach_below": "high"}, "must be a number"),
        ({"measure": "abandon_rate", "warn_above": 0.09, "breach_above": 0.08}, "stricter"),
        ({"measure": "csat", "warn_below": 0.8, "breach_below": 0.85}, "stricter"),
        ({"measure": "service_level", "breach_below": 0.8}, "needs 'within_seconds'"),
        ({"measure": "csat", "breach_below": 0.8, "within_seconds": 20}, "service_level only"),
        ({"measure": "csat", "breach_below": 0.8, "colour": "red"}, "unknown kpi key"),
    ],
)
def test_bad_kpi_data(kpi: dict, message: str) -> None:
    data = {
        "pack": "p",
        "version": "1",
        "effective_from": "2026-01-01",
        "calendar": "24x7",
        "targets": [{"id": "x", "kpi": kpi}],
    }
    with pytest.raises(PackError, match=message):
        pack_from_dict(data)

"""Policy packs match DESIGN.md's tables exactly and carry their citations."""

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
from memberdesk.sla.packs import pack_from_dict

TABLES = {
    "calchoice": ("california-state", {
        "phone_answer": None,
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
def test_pack_matches_design_table(name: str) -> None:
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
    assert get_target("calchoice", "phone_answer").kpi == {
        "answered_within_seconds": 20,
        "answered_share": 0.8,
        "max_abandon_rate": 0.05,
    }
    assert get_target("oregon-medicaid", "phone_answer").kpi["answered_within_seconds"] == 30
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
    with pytest.raises(UnknownPackError, match="known: calchoice, compliance"):
        get_pack("texas")
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

"""The 271 eligibility answer (005010X279A1): written from the eligibility engine's answers,
and read back (for the tests, and for a plan checking its own output) under the same structure
check as the 270."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from memberdesk.enroll.x12 import Interchange, Problem, segment
from memberdesk.enroll.x12_270 import (
    LEVELS,
    VERSION,
    Inquiry,
    Request270,
    check_structure,
    read_x12,
)


@dataclass
class Answer:
    """What the eligibility engine said about one inquiry."""

    inquiry: Inquiry
    found: bool
    reject_code: str | None = None  # AAA03: 75 not found, 71 birth date, 73 name
    active: bool = False
    plan_name: str = ""
    insurance_type: str = "C1"
    last_name: str = ""
    first_name: str = ""
    member_id: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    begin: date | None = None
    end: date | None = None
    message: str = ""  # the reason when not covered, in plain words


def build_271(
    request: Request270,
    answers: list[Answer],
    at: datetime,
    control: int,
    payer_name: str,
    payer_id: str,
) -> str:
    """The 271 answering every inquiry of a 270 (one transaction set per 270 one)."""
    out = Interchange(
        request.envelope.receiver, request.envelope.sender, "HB", VERSION, control, at
    )
    body = [
        segment("BHT", "0022", "11", request.reference, at.strftime("%Y%m%d"), at.strftime("%H%M"))
    ]
    body.append(segment("HL", 1, "", "20", 1))
    body.append(segment("NM1", "PR", "2", payer_name[:60], "", "", "", "", "PI", payer_id))
    hl = 1
    receiver_hl = 0
    for i, ans in enumerate(answers):
        if i == 0 or ans.inquiry.receiver != answers[i - 1].inquiry.receiver:
            hl += 1
            receiver_hl = hl
            body.append(segment("HL", hl, 1, "21", 1))
            nm1 = ans.inquiry.receiver or ["NM1", "1P", "2", "PROVIDER"]
            body.append(segment(*nm1))
        hl += 1
        dependant = ans.inquiry.dependant if ans.found else None
        body.append(segment("HL", hl, receiver_hl, "22", 1 if dependant else 0))
        person = ans.inquiry.subscriber
        if person.trace:
            body.append(segment("TRN", "2", person.trace, "9MEMBERDSK"))
        if dependant is not None:
            # The answer is about the dependant (2000D); the subscriber is named as asked.
            body.append(
                segment(
                    "NM1",
                    "IL",
                    "1",
                    person.last_name,
                    person.first_name,
                    "",
                    "",
                    "",
                    "MI",
                    person.member_id,
                )
            )
            hl += 1
            body.append(segment("HL", hl, hl - 1, "23", 0))
            if dependant.trace:
                body.append(segment("TRN", "2", dependant.trace, "9MEMBERDSK"))
            body.append(segment("NM1", "03", "1", ans.last_name, ans.first_name))
        elif not ans.found:
            body.append(
                segment(
                    "NM1",
                    "IL",
                    "1",
                    person.last_name,
                    person.first_name,
                    "",
                    "",
                    "",
                    "MI" if person.member_id else "",
                    person.member_id,
                )
            )
            body.append(segment("AAA", "N", "", ans.reject_code or "75", "C"))
            continue
        else:
            body.append(
                segment(
                    "NM1",
                    "IL",
                    "1",
                    ans.last_name,
                    ans.first_name,
                    "",
                    "",
                    "",
                    "MI",
                    ans.member_id,
                )
            )
        if ans.date_of_birth:
            body.append(segment("DMG", "D8", ans.date_of_birth.strftime("%Y%m%d"), ans.sex))
        if ans.begin:
            if ans.end:
                body.append(segment("DTP", "307", "RD8", f"{ans.begin:%Y%m%d}-{ans.end:%Y%m%d}"))
            else:
                body.append(segment("DTP", "356", "D8", f"{ans.begin:%Y%m%d}"))
        body.append(
            segment(
                "EB",
                "1" if ans.active else "6",
                "IND",
                "30",
                ans.insurance_type,
                ans.plan_name[:50],
            )
        )
        if ans.message:
            body.append(segment("MSG", ans.message[:264]))
    out.add("271", body)
    return out.text()


def read_271(raw: bytes) -> tuple[list[Problem], list[dict[str, str]]]:
    """A 271's structural problems and its answers (for tests and for a plan checking its
    own output): per 2000C loop, the member ID, EB01 and the MSG or AAA03."""
    _envelope, segs, problems = read_x12(raw, "271", VERSION)
    problems += check_structure(segs, "271")
    answers: list[dict[str, str]] = []
    loop = ""
    for _pos, _st, el in segs:
        val = el + [""] * 10
        if el[0] == "HL":
            loop = LEVELS.get(val[3], ("",))[0]
            if loop == "2000C":
                answers.append({})
            elif loop == "2000D" and answers:
                answers[-1]["dependant"] = "yes"
        elif answers and loop in ("2000C", "2000D"):
            if el[0] == "NM1" and val[1] == "IL":
                answers[-1]["member_id"] = val[9]
            elif el[0] == "EB":
                answers[-1]["eb"] = val[1]
                answers[-1]["plan"] = val[5]
            elif el[0] == "MSG":
                answers[-1]["message"] = val[1]
            elif el[0] == "AAA":
                answers[-1]["reject"] = val[3]
            elif el[0] == "TRN":
                answers[-1]["trace"] = val[2]
            elif el[0] == "DTP":
                answers[-1]["dates"] = val[3]
    return problems, answers

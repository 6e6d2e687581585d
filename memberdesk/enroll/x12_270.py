"""270 eligibility inquiries and 271 answers (005010X279A1).

pyx12 reads the interchange (delimiters, ISA/GS/ST envelope, SE/GE/IEA counts and control
numbers). pyx12 4.0 ships maps for the 4010 270/271 only, so the 5010 guide's structure is
checked here from the table below (loops, their order and parents, the segments each holds and
which are required): the part of X279A1 a plan answering inquiries relies on. The 271 written
by ``x12_271.build_271`` is checked against the same table in the tests.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from memberdesk.enroll.x12 import Envelope, Interchange, Problem, X12Rejected, segment

VERSION = "005010X279A1"

# The guide's loops: HL03 level code -> (loop, parent level, entity NM101 codes, segments allowed
# in the loop and its 2100 name loop, segments required there). 2110 loops (EQ, EB) ride inside.
LEVELS = {
    "20": ("2000A", None, {"PR"}),
    "21": ("2000B", "20", {"1P", "FA", "2B", "36", "80", "GP", "P5", "PR"}),
    "22": ("2000C", "21", {"IL"}),
    "23": ("2000D", "22", {"03"}),
}
# The subscriber (2000C) and dependant (2000D) levels allow the same segments (a 270's
# subscriber may also state an amount, AMT).
_PERSON_270 = {"HL", "TRN", "NM1", "REF", "N3", "N4", "PRV", "DMG", "INS", "HI", "DTP", "EQ", "III"}
_PERSON_271 = {
    "HL", "TRN", "NM1", "REF", "N3", "N4", "AAA", "PRV", "DMG", "INS", "HI", "DTP", "MPI", "EB",
    "HSD", "MSG", "III", "LS", "LE", "PER",
}  # fmt: skip
ALLOWED = {
    "270": {
        "2000A": {"HL", "NM1"},
        "2000B": {"HL", "NM1", "REF", "N3", "N4", "PRV"},
        "2000C": _PERSON_270 | {"AMT"},
        "2000D": _PERSON_270,
    },
    "271": {
        "2000A": {"HL", "AAA", "NM1", "PER"},
        "2000B": {"HL", "NM1", "REF", "AAA", "PRV"},
        "2000C": _PERSON_271,
        "2000D": _PERSON_271,
    },
}


@dataclass
class Person:
    """The 2100C/D name loop of an inquiry: who the provider asks about."""

    loop: str
    position: int
    last_name: str = ""
    first_name: str = ""
    member_id: str = ""
    date_of_birth: date | None = None
    trace: str = ""
    service_date: date | None = None


@dataclass
class Inquiry:
    """One subscriber (2000C) asked about, and the dependant (2000D) if the inquiry names one."""

    subscriber: Person
    dependant: Person | None = None
    receiver: list[str] = field(default_factory=list)  # the 2100B NM1, echoed in the 271


@dataclass
class Request270:
    envelope: Envelope
    reference: str  # BHT03, echoed in the 271
    payer: list[str]
    inquiries: list[Inquiry]


def _d8(value: str | None) -> date | None:
    try:
        return datetime.strptime(value or "", "%Y%m%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        return None


def read_x12(
    raw: bytes, transaction: str, version: str
) -> tuple[Envelope, list[tuple[int, str, list[str]]], list[Problem]]:
    """Segments of a one-group interchange as (position, ST control, elements), with pyx12's
    envelope problems (counts, control numbers), located and without content."""
    import pyx12.errors
    import pyx12.x12file

    text = raw.decode("latin-1")
    if not text.lstrip().startswith("ISA"):
        raise X12Rejected(
            [Problem("the interchange does not start with an ISA segment", "ISA")], envelope=True
        )
    segs: list[tuple[int, str, list[str]]] = []
    problems: list[Problem] = []
    isa: list[str] = []
    gs: list[str] = []
    st = ""
    controls: list[str] = []
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
        for seg in reader:
            sid = seg.get_seg_id()
            elements = [sid] + [
                seg.get_value(f"{sid}{i:02d}") or "" for i in range(1, len(seg) + 1)
            ]
            if sid == "ISA":
                isa = elements
            elif sid == "GS":
                gs = elements
            elif sid == "ST":
                st = elements[2] if len(elements) > 2 else ""
                controls.append(st)
            pos = reader.get_seg_count()
            for kind, code, *_ in reader.pop_errors():
                where = {"isa": "ISA", "gs": "GS", "st": "SE"}.get(kind, sid)
                problems.append(
                    Problem(
                        _ENVELOPE.get(code, "the envelope is not valid"),
                        where,
                        pos if kind == "seg" else None,
                        transaction=st or None,
                    )
                )
            segs.append((pos, st, elements))
        reader.cleanup()
        for kind, code, *_ in reader.pop_errors():
            problems.append(
                Problem(
                    _ENVELOPE.get(code, "the interchange ends early"),
                    {"isa": "IEA", "gs": "GE", "st": "SE"}.get(kind, "IEA"),
                )
            )
    # Any failure of the third-party reader on untrusted input means "unreadable"; its message
    # may quote the input, so it is not passed on (nor logged).
    except Exception:
        raise X12Rejected(
            [Problem("the interchange cannot be read (envelope or delimiters)", "ISA")],
            envelope=True,
        ) from None
    if len(isa) < 14 or len(gs) < 9:
        raise X12Rejected(
            [Problem("the interchange has no complete ISA/GS envelope", "ISA")], envelope=True
        )
    envelope = Envelope(
        isa[6].strip(),
        isa[8].strip(),
        isa[13],
        gs[6],
        gs[8],
        isa[15] if len(isa) > 15 else "P",
        tuple(controls),
    )
    if gs[8] != version:
        problems.append(Problem(f"GS08 must name {version}", "GS"))
    if not controls:
        problems.append(Problem(f"the interchange holds no {transaction} transaction set", "ST"))
    return envelope, segs, problems


_ENVELOPE = {
    "001": "the interchange control numbers in ISA and IEA do not match",
    "021": "the number of groups in IEA is wrong",
    "023": "the interchange ends early",
    "3": "the transaction set count in GE is wrong",
    "4": "the group control numbers in GS and GE do not match",
    "5": "the segment count in SE is wrong",
    "6": "a segment is missing its trailer",
    "3A": "the transaction set count in GE is wrong",
    "4A": "the segment count in SE is wrong",
}


def check_structure(segs: list[tuple[int, str, list[str]]], transaction: str) -> list[Problem]:
    """The guide's loop structure: HL levels in order under the right parents, each name loop
    present with the right entity code, only segments the loop allows."""
    problems: list[Problem] = []
    allowed = ALLOWED[transaction]
    levels: dict[str, str] = {}  # HL01 -> level code
    loop = "HEADER"
    has_name = True
    last_hl: tuple[int, str, str] | None = None
    for pos, st, el in segs:
        sid = el[0]
        if sid in ("ISA", "GS", "GE", "IEA", "ST", "SE"):
            if sid == "SE" and not has_name and last_hl:
                problems.append(
                    Problem("the loop has no name (NM1) segment", "HL", last_hl[0], last_hl[1], st)
                )
            continue
        if sid == "BHT":
            if len(el) < 3 or el[1] != "0022":
                problems.append(Problem("BHT01 must be 0022", "BHT", pos, "HEADER", st))
            continue
        if sid == "HL":
            if not has_name and last_hl:
                problems.append(
                    Problem("the loop has no name (NM1) segment", "HL", last_hl[0], last_hl[1], st)
                )
            hl_id, parent, code = ([*el, "", "", "", ""])[1:4]
            level = LEVELS.get(code)
            if level is None:
                problems.append(Problem("HL03 is not a level of this guide", "HL", pos, loop, st))
                loop = "?"
                continue
            loop, want_parent, _ = level
            if want_parent is not None and levels.get(parent) != want_parent:
                problems.append(
                    Problem("HL02 does not point at the level above", "HL", pos, loop, st)
                )
            if want_parent is None and parent:
                problems.append(
                    Problem("the information source level has no parent", "HL", pos, loop, st)
                )
            levels[hl_id] = code
            has_name = False
            last_hl = (pos, loop, code)
            continue
        if loop == "HEADER":
            problems.append(Problem("a segment comes before the first HL", sid, pos, loop, st))
            continue
        if loop == "?":
            continue
        if sid not in allowed.get(loop, set()):
            problems.append(Problem("the segment is not allowed in this loop", sid, pos, loop, st))
            continue
        if sid == "NM1" and not has_name:
            assert last_hl is not None
            entities = LEVELS[last_hl[2]][2]
            if len(el) < 2 or el[1] not in entities:
                problems.append(
                    Problem("NM101 is not an entity this loop names", "NM1", pos, loop, st)
                )
            has_name = True
    if not has_name and last_hl:
        problems.append(Problem("the loop has no name (NM1) segment", "HL", last_hl[0], last_hl[1]))
    if not levels:
        problems.append(Problem("the transaction set has no HL levels", "ST", 1, "HEADER"))
    return problems


def parse_270(raw: bytes) -> Request270:
    """Read a 270; ``X12Rejected`` (with a 999) when the envelope or structure is wrong."""
    envelope, segs, problems = read_x12(raw, "270", VERSION)
    problems += check_structure(segs, "270")
    if problems:
        from memberdesk.clock import now
        from memberdesk.enroll.x12 import ack_999

        raise X12Rejected(problems, ack_999(envelope, problems, now(), "270", envelope.st_controls))
    reference = ""
    payer: list[str] = []
    inquiries: list[Inquiry] = []
    receiver: list[str] = []
    person: Person | None = None
    loop = ""
    for pos, _st, el in segs:
        sid = el[0]
        val = el + [""] * 12
        if sid == "BHT":
            reference = val[3]
        elif sid == "HL":
            loop = LEVELS[val[3]][0]
            if loop == "2000C":
                person = Person("2100C", pos)
                inquiries.append(Inquiry(person, receiver=receiver))
            elif loop == "2000D" and inquiries:
                person = Person("2100D", pos)
                inquiries[-1].dependant = person
        elif sid == "NM1":
            if loop == "2000A":
                payer = el
            elif loop == "2000B":
                receiver = el
            elif person is not None:
                person.position = pos
                person.last_name, person.first_name = val[3], val[4]
                if val[8] == "MI":
                    person.member_id = val[9]
        elif sid == "TRN" and person is not None and not person.trace:
            person.trace = val[2]
        elif sid == "DMG" and person is not None and val[1] == "D8":
            person.date_of_birth = _d8(val[2])
        elif sid == "DTP" and person is not None and val[1] == "291":
            person.service_date = _d8(val[3].split("-")[0])
    return Request270(envelope, reference, payer, inquiries)


def build_270(
    sender: str,
    receiver: str,
    people: list[tuple[str, str, str, date | None]],
    at: datetime,
    control: int = 1,
    provider: tuple[str, str] = ("EXAMPLE CLINIC", "1234567893"),
) -> str:
    """A 270 asking about each (member ID, last name, first name, date of birth): what a
    provider's system sends; for tests, the benchmark and trying the route by hand."""
    out = Interchange(sender, receiver, "HS", VERSION, control, at)
    body = [
        segment(
            "BHT", "0022", "13", f"REQ{control:09d}", at.strftime("%Y%m%d"), at.strftime("%H%M")
        ),
        segment("HL", 1, "", "20", 1),
        segment("NM1", "PR", "2", "MEMBERDESK HEALTH PLAN", "", "", "", "", "PI", receiver),
        segment("HL", 2, 1, "21", 1),
        segment("NM1", "1P", "2", provider[0], "", "", "", "", "XX", provider[1]),
    ]
    for n, (member_id, last, first, dob) in enumerate(people, start=3):
        body.append(segment("HL", n, 2, "22", 0))
        body.append(segment("TRN", "1", f"T{control}-{n}", "9EXAMPLECL"))
        body.append(segment("NM1", "IL", "1", last, first, "", "", "", "MI", member_id))
        if dob:
            body.append(segment("DMG", "D8", dob.strftime("%Y%m%d")))
        body.append(segment("EQ", "30"))
    out.add("270", body)
    return out.text()

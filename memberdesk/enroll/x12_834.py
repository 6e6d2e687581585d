"""The 834 benefit enrolment file (005010X220A1): read with pyx12, written for samples.

pyx12 validates the file against the implementation guide's map (envelope, segment order,
loop repeats, element types and codes, SE/GE/IEA counts) and, in the same pass, hands every
segment over with the map node it matched, so the loop of each segment is the guide's loop and
not a guess of ours. Problems name segment, position and loop; pyx12's own error text is not
passed on, as it may quote the value it refused.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from memberdesk.enroll.enums import (
    FULL_FILE_ACTIONS,
    INSURANCE_LINE,
    RELATIONSHIP_CODES,
    RELATIONSHIP_OUT,
    TERMINATION_OUT,
    FileKind,
    Maintenance,
)
from memberdesk.enroll.x12 import Envelope, Interchange, Problem, X12Rejected, clean, segment
from memberdesk.members.enums import Benefit, Relationship

VERSION = "005010X220A1"
# pyx12 logs the values it refuses (names, member IDs): keep its logger quiet.
logging.getLogger("pyx12").setLevel(logging.CRITICAL)
logging.getLogger("pyx12").propagate = False
logging.getLogger("pyx12").addHandler(logging.NullHandler())


@dataclass
class Coverage:
    """One 2300 loop: a plan and its dates."""

    position: int
    maintenance: str
    insurance_line: str
    plan_code: str
    begin: date | None = None
    end: date | None = None


@dataclass
class MemberRecord:
    """One 2000 loop: a member and what to do to them."""

    position: int  # the INS segment's position in its transaction set
    transaction: str
    subscriber: bool
    relationship: Relationship | None
    maintenance: str
    reason: str | None
    subscriber_number: str = ""
    member_number: str = ""
    group_number: str | None = None
    last_name: str = ""
    first_name: str = ""
    date_of_birth: date | None = None
    sex: str = "U"
    address_line1: str = ""
    address_line2: str | None = None
    city: str = ""
    state: str = ""
    postal_code: str = ""
    phone: str | None = None
    email: str | None = None
    language: str | None = None
    coverages: list[Coverage] = field(default_factory=list)


@dataclass
class Transaction:
    control: str
    kind: FileKind
    file_date: date | None
    sponsor_name: str = ""
    sponsor_id: str = ""
    members: list[MemberRecord] = field(default_factory=list)


@dataclass
class File834:
    envelope: Envelope
    transactions: list[Transaction]

    @property
    def members(self) -> int:
        """How many member records the file holds."""
        return sum(len(t.members) for t in self.transactions)


def _date(value: str | None) -> date | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date


class _Collector:
    """Receives pyx12's segments in order and builds the file's records."""

    def __init__(self, progress: Callable[[int], None] | None = None) -> None:
        self.progress = progress
        self.read = 0
        self.isa: dict[str, str] = {}
        self.gs: dict[str, str] = {}
        self.transactions: list[Transaction] = []
        self.current: MemberRecord | None = None
        self.coverage: Coverage | None = None
        self.loops: dict[int, str] = {}  # segment position -> the guide's loop

    def __call__(self, seg: Any, src: Any, node: Any, valid: bool) -> None:
        sid = seg.get_seg_id()
        v = seg.get_value
        loop = _loop_of(node)
        pos = src.get_seg_count()
        self.loops[pos] = loop
        self.read += 1
        if self.progress is not None and self.read % 1000 == 0:
            self.progress(1000)
        if sid == "ISA":
            self.isa = {
                "sender": (v("ISA06") or "").strip(),
                "receiver": (v("ISA08") or "").strip(),
                "control": v("ISA13") or "",
                "usage": v("ISA15") or "P",
            }
        elif sid == "GS":
            self.gs = {"control": v("GS06") or "", "version": v("GS08") or ""}
        elif sid == "ST":
            self.transactions.append(Transaction(v("ST02") or "", FileKind.CHANGE, None))
            self.current = None
        elif not self.transactions:
            return
        tr = self.transactions[-1] if self.transactions else None
        if tr is None:
            return
        if sid == "BGN":
            action = v("BGN08") or ""
            tr.kind = FileKind.FULL if action in FULL_FILE_ACTIONS else FileKind.CHANGE
            tr.file_date = tr.file_date or _safe_date(v("BGN03"))
        elif sid == "DTP" and loop == "HEADER" and v("DTP01") == "007":
            tr.file_date = _safe_date(v("DTP03")) or tr.file_date
        elif sid == "N1" and loop == "1000A":
            tr.sponsor_name = v("N102") or ""
            tr.sponsor_id = v("N104") or ""
        elif sid == "INS":
            rel = v("INS02") or ""
            self.current = MemberRecord(
                position=pos,
                transaction=tr.control,
                subscriber=v("INS01") == "Y",
                relationship=RELATIONSHIP_CODES.get(rel),
                maintenance=v("INS03") or "",
                reason=v("INS04") or None,
            )
            self.coverage = None
            tr.members.append(self.current)
        elif self.current is not None:
            self._member_segment(sid, v, loop, pos)

    def _member_segment(self, sid: str, v: Any, loop: str, pos: int) -> None:
        m = self.current
        assert m is not None
        if sid == "REF" and loop == "2000":
            qual, value = v("REF01"), v("REF02") or ""
            if qual == "0F":
                m.subscriber_number = value
            elif qual == "23":
                m.member_number = value
            elif qual == "1L":
                m.group_number = value
        elif sid == "NM1" and loop == "2100A":
            m.last_name = v("NM103") or ""
            m.first_name = v("NM104") or ""
        elif sid == "PER" and loop == "2100A":
            for q, val in ((v("PER03"), v("PER04")), (v("PER05"), v("PER06"))):
                if q in ("TE", "HP", "CP"):
                    m.phone = val
                elif q == "EM":
                    m.email = val
        elif sid == "N3" and loop == "2100A":
            m.address_line1 = v("N301") or ""
            m.address_line2 = v("N302") or None
        elif sid == "N4" and loop == "2100A":
            m.city, m.state, m.postal_code = v("N401") or "", v("N402") or "", v("N403") or ""
        elif sid == "DMG" and loop == "2100A":
            m.date_of_birth = _safe_date(v("DMG02"))
            m.sex = v("DMG03") or "U"
        elif sid == "LUI" and loop == "2100A":
            m.language = (v("LUI02") or "").lower() or None
        elif sid == "HD":
            self.coverage = Coverage(pos, v("HD01") or "", v("HD03") or "", v("HD04") or "")
            m.coverages.append(self.coverage)
        elif sid == "DTP" and loop == "2300" and self.coverage is not None:
            if v("DTP01") == "348":
                self.coverage.begin = _safe_date(v("DTP03"))
            elif v("DTP01") == "349":
                self.coverage.end = _safe_date(v("DTP03"))


def _safe_date(value: str | None) -> date | None:
    try:
        return _date(value)
    except ValueError:
        return None  # pyx12 reports the bad date; the record is refused with it


def _loop_of(node: Any) -> str:
    parent = node.get_parent() if node is not None else None
    return str(getattr(parent, "id", "") or "")


def _problems_from(report: Mapping[str, Any], loops: Mapping[int, str]) -> list[Problem]:
    """pyx12's JSON error tree as problems: segment, position, loop; never its error text or
    the value it quotes (``err_str``, ``err_val``)."""
    out: list[Problem] = []

    def add(err: Mapping[str, Any], element: str = "", **where: Any) -> None:
        words = _ERROR_WORDS.get(str(err.get("err_cde") or ""), _GENERIC)
        out.append(Problem(f"{words} ({element})" if element else words, **where))

    def add_level(err: Mapping[str, Any], level: str, **where: Any) -> None:
        # Envelope codes are per level (TA1 for ISA, AK9 for GS, IK5 for ST).
        code = str(err.get("err_cde") or "")
        words, trailer = _LEVEL_WORDS[level].get(code, ("the envelope is not valid", False))
        seg = {"ISA": "IEA", "GS": "GE", "ST": "SE"}[level] if trailer else level
        out.append(Problem(words, seg, **where))

    for isa in report.get("interchanges", []):
        for err in isa.get("errors", []):
            add_level(err, "ISA")
        for gs in isa.get("groups", []):
            for err in gs.get("errors", []):
                add_level(err, "GS")
            for st in gs.get("transactions", []):
                control = st.get("trn_set_control_num")
                for err in st.get("errors", []):
                    add_level(err, "ST", transaction=control)
                for seg in st.get("segments", []):
                    count = seg.get("seg_count")
                    where = {
                        "segment": seg.get("seg_id"),
                        "position": count,
                        "loop": loops.get(count) if isinstance(count, int) else None,
                        "transaction": control,
                    }
                    for err in seg.get("errors", []):
                        add(err, **where)
                    for ele in seg.get("elements", []):
                        name = f"element {seg.get('seg_id')}{int(ele.get('ele_pos') or 0):02d}"
                        for err in ele.get("errors", []):
                            add(err, name, **where)
    return out


_GENERIC = "the segment breaks the implementation guide (005010X220A1)"
# pyx12's error codes (IK3/IK4, TA1, AK9 code lists) in plain words.
_ERROR_WORDS = {
    "1": "a segment or element the guide does not know here",
    "2": "a required segment or element is missing",
    "3": "a required segment or loop is missing",
    "4": "a loop repeats more often than the guide allows",
    "5": "a segment repeats more often than the guide allows",
    "6": "a value is not of the element's type",
    "7": "a code is not one the guide allows",
    "8": "a date is not a valid date",
    "9": "a time is not a valid time",
    "10": "an element appears that the guide excludes",
}
# (words, whether the fault is in the level's trailer: IEA, GE, SE)
_LEVEL_WORDS: dict[str, dict[str, tuple[str, bool]]] = {
    "ISA": {
        "001": ("the interchange control numbers in ISA and IEA do not match", True),
        "021": ("the number of groups in IEA is wrong", True),
        "022": ("the interchange's control structure is invalid", False),
        "023": ("the interchange ends early", True),
        "024": ("the interchange's content is invalid", False),
    },
    "GS": {
        "1": ("the functional group is not an 834", False),
        "2": ("the functional group's version is not supported", False),
        "3": ("the functional group trailer (GE) is missing", True),
        "4": ("the control numbers in GS and GE do not match", True),
        "5": ("the transaction set count in GE is wrong", True),
        "6": ("the group control number is not valid", False),
    },
    "ST": {
        "1": ("the transaction set is not supported", False),
        "2": ("the transaction set trailer (SE) is missing", True),
        "3": ("the control numbers in ST and SE do not match", True),
        "4": ("the segment count in SE does not match the transaction set", True),
        "5": ("segments of the transaction set have errors", False),
        "23": ("the transaction set control number is not unique in its group", False),
    },
}


def parse_834(raw: bytes, progress: Callable[[int], None] | None = None) -> File834:
    """Validate an 834 with pyx12 and read its member records; refused whole when the file
    breaks the guide (``X12Rejected``: problems located by segment, position and loop).
    ``progress`` is told of every thousand segments read (the slow part of an import)."""
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    text = raw.decode("latin-1")
    if not text.lstrip().startswith("ISA"):
        raise X12Rejected(
            [Problem("the file does not start with an ISA segment", "ISA")], envelope=True
        )
    collector = _Collector(progress)
    report = io.StringIO()
    param = pyx12.params.params()
    try:
        ok = pyx12.x12n_document.x12n_document(
            param, io.StringIO(text), None, None, None, report, callback=collector
        )
    # Any failure of the third-party reader on untrusted input means "unreadable"; its message
    # may quote the input, so it is not passed on (nor logged).
    except Exception:
        raise X12Rejected(
            [Problem("the interchange cannot be read (envelope or delimiters)", "ISA")],
            envelope=True,
        ) from None
    if progress is not None:
        progress(collector.read % 1000)
    problems: list[Problem] = []
    if not ok:
        try:
            problems = _problems_from(json.loads(report.getvalue() or "{}"), collector.loops)
        except ValueError:
            problems = []
        problems = problems or [Problem(_GENERIC)]
    if not collector.isa or not collector.gs:
        raise X12Rejected([Problem("the interchange has no ISA/GS envelope", "ISA")], envelope=True)
    if collector.gs.get("version") != VERSION:
        problems.append(Problem(f"GS08 must name {VERSION} (an 834 of the 5010 guide)", "GS"))
    envelope = Envelope(
        sender=collector.isa["sender"],
        receiver=collector.isa["receiver"],
        isa_control=collector.isa["control"],
        gs_control=collector.gs["control"],
        version=collector.gs.get("version", ""),
        usage=collector.isa["usage"],
        st_controls=tuple(t.control for t in collector.transactions),
    )
    problems.extend(_record_problems(collector.transactions))
    if problems:
        from memberdesk.clock import now
        from memberdesk.enroll.x12 import ack_999

        raise X12Rejected(problems, ack_999(envelope, problems, now(), "834", envelope.st_controls))
    return File834(envelope, collector.transactions)


def _record_problems(transactions: Sequence[Transaction]) -> list[Problem]:
    """What the guide lets through but memberdesk cannot apply (no content quoted)."""
    out: list[Problem] = []
    for tr in transactions:
        for m in tr.members:

            def bad(message: str, m: MemberRecord = m, tr: Transaction = tr) -> None:
                out.append(Problem(message, "INS", m.position, "2000", tr.control))

            if m.maintenance not in {c.value for c in Maintenance}:
                bad("INS03 must be 001, 021, 024, 025 or 030")
            if m.relationship is None:
                bad("INS02 is not a relationship memberdesk records")
            elif m.subscriber != (m.relationship == Relationship.SELF):
                bad("INS01 and INS02 disagree (a subscriber is the member themself)")
            if not m.member_number:
                bad("REF*23 (the member's ID at the plan) is missing")
            if not m.subscriber_number:
                bad("REF*0F (the subscriber's ID) is missing")
            if m.date_of_birth is None and m.maintenance == Maintenance.ADD:
                bad("DMG (date of birth) is missing for an addition")
            for c in m.coverages:
                if c.begin and c.end and c.end < c.begin:
                    out.append(
                        Problem(
                            "the coverage ends (DTP*349) before it begins (DTP*348)",
                            "HD",
                            c.position,
                            "2300",
                            tr.control,
                        )
                    )
    return out


# --- writing (samples from the synthetic books) ----------------------------------------------


@dataclass(frozen=True)
class PlanRef:
    code: str
    benefit: Benefit


def member_loop(
    member: Mapping[str, Any],
    subscriber_number: str,
    spans: Iterable[Mapping[str, Any]],
    plans: Mapping[int, PlanRef],
    *,
    maintenance: str = Maintenance.ADD,
    reason: str = "28",
    group_number: str | None = None,
) -> list[str]:
    """The 2000 loop of one member (and their 2300 coverage loops)."""
    rel = Relationship(member["relationship"])
    segs = [
        segment(
            "INS",
            "Y" if rel == Relationship.SELF else "N",
            RELATIONSHIP_OUT[rel],
            maintenance,
            reason,
            "A",
            "",
            "",
            "FT" if rel == Relationship.SELF and group_number else "",
        ),
        segment("REF", "0F", subscriber_number),
    ]
    if group_number:
        segs.append(segment("REF", "1L", group_number))
    segs.append(segment("REF", "23", member["member_number"]))
    segs.append(segment("NM1", "IL", "1", clean(member["last_name"]), clean(member["first_name"])))
    contacts: list[str] = []
    if member.get("phone"):
        contacts += ["TE", "".join(ch for ch in member["phone"] if ch.isdigit())]
    if member.get("email"):
        contacts += ["EM", clean(member["email"], 80)]
    if contacts:
        segs.append(segment("PER", "IP", "", *contacts))
    segs.append(
        segment("N3", clean(member["address_line1"], 55), clean(member.get("address_line2"), 55))
    )
    segs.append(segment("N4", clean(member["city"], 30), member["state"], member["postal_code"]))
    segs.append(
        segment("DMG", "D8", member["date_of_birth"].strftime("%Y%m%d"), _sex(member.get("sex")))
    )
    if member.get("spoken_language"):
        segs.append(segment("LUI", "LE", member["spoken_language"], "", "7"))
    for span in spans:
        plan = plans[span["plan_id"]]
        segs.append(segment("HD", maintenance, "", INSURANCE_LINE[plan.benefit], plan.code))
        segs.append(segment("DTP", "348", "D8", span["effective_date"].strftime("%Y%m%d")))
        if span.get("termination_date"):
            segs.append(segment("DTP", "349", "D8", span["termination_date"].strftime("%Y%m%d")))
    return segs


def _sex(value: str | None) -> str:
    # DMG03 knows F, M and U only: another marker on file (X) goes as unknown.
    return value if value in ("F", "M") else "U"


def termination_reason_code(reason: Any) -> str:
    """INS04 for a termination reason (07, termination of benefits, when none applies)."""
    return TERMINATION_OUT.get(reason, "07")


def transaction_header(
    reference: str, at: datetime, *, full: bool, sponsor: tuple[str, str], payer: tuple[str, str]
) -> list[str]:
    """BGN, the file's effective date and the sponsor (1000A) and payer (1000B) names."""
    return [
        segment(
            "BGN",
            "00",
            reference,
            at.strftime("%Y%m%d"),
            at.strftime("%H%M"),
            "",
            "",
            "",
            "RX" if full else "2",
        ),
        segment("DTP", "007", "D8", at.strftime("%Y%m%d")),
        segment("N1", "P5", clean(sponsor[0]), "94", sponsor[1]),
        segment("N1", "IN", clean(payer[0]), "94", payer[1]),
    ]


def interchange(sender: str, receiver: str, control: int, at: datetime) -> Interchange:
    """An empty outgoing 834 interchange."""
    return Interchange(sender, receiver, "BE", VERSION, control, at)

"""X12 envelopes and acknowledgements shared by the 834 and the 270/271 (pure: no database).

Reading is pyx12's job (``x12_834``, ``x12_270``); this module writes: the ISA/GS/ST envelope of
what memberdesk sends (a sample 834, a 271), and the 999 / TA1 acknowledgement of a file it
refuses. A problem names the segment, its position and the loop, never the value it held: the
values of an enrolment file are names, dates of birth and member IDs.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

SEG = "~"
ELE = "*"
SUB = ":"
REP = "^"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located without its content."""

    message: str  # plain words, never a value from the file
    segment: str | None = None  # segment ID, e.g. "INS"
    position: int | None = None  # ordinal of the segment in its transaction set (ST = 1)
    loop: str | None = None  # the implementation guide's loop, e.g. "2000"
    transaction: str | None = None  # ST02 control number of the transaction set
    code: str = "5"  # 999 IK304 / IK403 error code (5: segment has data element errors)

    def where(self) -> str:
        """``segment INS (position 14) in loop 2000`` as far as it is known."""
        parts = []
        if self.segment:
            parts.append(f"segment {self.segment}")
        if self.position is not None:
            parts.append(f"(position {self.position})")
        if self.loop:
            parts.append(f"in loop {self.loop}")
        if self.transaction:
            parts.append(f"of transaction set {self.transaction}")
        return " ".join(parts) or "the interchange"

    def as_text(self) -> str:
        """The problem in one line."""
        return f"{self.where()}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The problem for JSON answers."""
        return {
            "segment": self.segment,
            "position": self.position,
            "loop": self.loop,
            "transaction": self.transaction,
            "message": self.message,
        }


class X12Rejected(Exception):
    """A file refused whole; ``problems`` say where, ``ack`` is the 999 (or TA1) to send back.

    The exception text carries counts only (it may reach a log)."""

    def __init__(self, problems: Sequence[Problem], ack: str = "", envelope: bool = False) -> None:
        super().__init__(f"X12 file refused: {len(problems)} problem(s)")
        self.problems = list(problems)
        self.ack = ack
        self.envelope = envelope  # the interchange itself was unreadable: a TA1, not a 999


@dataclass(frozen=True)
class Envelope:
    """What a file's ISA and GS say about it: who sent it, to whom, its control numbers."""

    sender: str
    receiver: str
    isa_control: str
    gs_control: str
    version: str  # GS08, e.g. 005010X220A1
    usage: str = "P"  # ISA15: P production, T test
    st_controls: tuple[str, ...] = ()

    @property
    def st_summary(self) -> str:
        """The transaction sets' control numbers: all of a few, the first and last of many
        (``0001..0420x420``), so the string stays short enough to log and index."""
        sts = self.st_controls
        if len(sts) <= 4:
            return ",".join(sts)
        return f"{sts[0]}..{sts[-1]}x{len(sts)}"

    @property
    def control_number(self) -> str:
        """The file's control numbers in one string (``ISA/GS/ST,ST``), as audited."""
        return f"{self.isa_control}/{self.gs_control}/{self.st_summary}"


def content_hash(raw: bytes) -> str:
    """SHA-256 of a file's bytes: the same file twice has the same hash."""
    return hashlib.sha256(raw).hexdigest()


def segment(*elements: object) -> str:
    """One segment from its ID and elements; trailing empty elements are dropped."""
    values = ["" if e is None else str(e) for e in elements]
    while len(values) > 1 and values[-1] == "":
        values.pop()
    return ELE.join(values) + SEG


def clean(value: str | None, limit: int = 60) -> str:
    """A value made safe for an element: no delimiters or line breaks, letters folded to the
    guide's character set (``Núñez`` → ``Nunez``: X12 has no accented letters), at most
    ``limit`` long."""
    if not value:
        return ""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    text = "".join(" " if c in (SEG, ELE, SUB, REP) else c for c in folded)
    return " ".join(text.split())[:limit]


@dataclass
class Interchange:
    """An outgoing interchange: one functional group of transaction sets."""

    sender: str
    receiver: str
    functional_id: str  # GS01: BE (834), HB (271), FA (999)
    version: str  # GS08
    control: int
    at: datetime
    usage: str = "P"
    sets: list[list[str]] = field(default_factory=list)

    def add(self, transaction_id: str, body: Iterable[str]) -> str:
        """Wrap ``body`` in ST/SE (counts filled in); returns the ST control number."""
        st = f"{len(self.sets) + 1:04d}"
        segs = [segment("ST", transaction_id, st, self.version), *body]
        segs.append(segment("SE", len(segs) + 1, st))
        self.sets.append(segs)
        return st

    def text(self) -> str:
        """The interchange as X12 text, one segment per line."""
        isa = ELE.join(
            [
                "ISA",
                "00",
                " " * 10,
                "00",
                " " * 10,
                "ZZ",
                self.sender.ljust(15)[:15],
                "ZZ",
                self.receiver.ljust(15)[:15],
                self.at.strftime("%y%m%d"),
                self.at.strftime("%H%M"),
                REP,
                "00501",
                f"{self.control:09d}",
                "0",
                self.usage,
                SUB,
            ]
        )
        lines = [isa + SEG]
        lines.append(
            segment(
                "GS",
                self.functional_id,
                self.sender,
                self.receiver,
                self.at.strftime("%Y%m%d"),
                self.at.strftime("%H%M"),
                self.control,
                "X",
                self.version,
            )
        )
        for segs in self.sets:
            lines.extend(segs)
        lines.append(segment("GE", len(self.sets), self.control))
        lines.append(segment("IEA", 1, f"{self.control:09d}"))
        return "\n".join(lines) + "\n"


def ta1(envelope: Envelope | None, at: datetime, note_code: str = "022") -> str:
    """A TA1 interchange acknowledgement refusing an unreadable interchange, in an interchange
    of its own (ISA, TA1, IEA with no functional group).

    Note codes (X12 I18): 022 invalid control structure, 024 invalid interchange content."""
    control = envelope.isa_control if envelope else "000000000"
    sender = envelope.receiver if envelope else "MEMBERDESK"
    receiver = envelope.sender if envelope else "UNKNOWN"
    out = Interchange(sender, receiver, "", "", 0, at)
    isa = out.text().splitlines()[0]
    return (
        "\n".join(
            [
                isa,
                segment("TA1", control, at.strftime("%y%m%d"), at.strftime("%H%M"), "R", note_code),
                segment("IEA", 0, "000000000"),
            ]
        )
        + "\n"
    )


def ack_999(
    envelope: Envelope,
    problems: Sequence[Problem],
    at: datetime,
    transaction_id: str,
    sets: Sequence[str],
    control: int = 1,
) -> str:
    """A 999 (005010X231A1) rejecting the transaction sets ``problems`` touch (accepting the
    rest); each problem is an IK3 naming segment, position and loop, never the value."""
    out = Interchange(envelope.receiver, envelope.sender, "FA", "005010X231A1", control, at)
    body = [
        segment(
            "AK1", "BE" if transaction_id == "834" else "HS", envelope.gs_control, envelope.version
        )
    ]
    rejected = 0
    for st in sets or ("0001",):
        mine = [p for p in problems if p.transaction in (st, None)]
        body.append(segment("AK2", transaction_id, st, envelope.version))
        for p in mine[:20]:  # the guide allows many; twenty say enough to fix a file
            body.append(segment("IK3", p.segment or "ST", p.position or 1, p.loop or "", "8"))
        body.append(segment("IK5", "R" if mine else "A", "5" if mine else ""))
        rejected += bool(mine)
    accepted = len(sets or ("0001",)) - rejected
    status = "A" if not rejected else ("R" if not accepted else "P")
    body.append(segment("AK9", status, len(sets or ("0001",)), len(sets or ("0001",)), accepted))
    out.add("999", body)
    return out.text()

"""Response bodies of the enrolment exchange API (requests are X12 text, not JSON)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from memberdesk.enroll.enums import ChangeKind, FileKind


class ChangeOut(BaseModel):
    """One change an 834 makes (or would make), located by segment, not by its content."""

    kind: ChangeKind = Field(description="What the member record does")
    segment: str = Field(description="The segment that starts the member record (INS)")
    position: int = Field(description="The segment's position in its transaction set")
    loop: str = Field(description="The implementation guide's loop (2000)")
    transaction: str = Field(description="The transaction set's control number (ST02)")
    member_id: int | None = Field(description="The member's internal id (none: added by the file)")
    plan: str | None = Field(description="The plan code the change concerns")
    begin: str | None = Field(description="Coverage begin date (ISO 8601)")
    end: str | None = Field(description="Coverage end date (ISO 8601)")
    retroactive: bool = Field(description="The coverage ends before the day it was applied")


class ImportOut(BaseModel):
    """What importing an 834 did (or, in a dry run, would do)."""

    control: str = Field(description="The file's control numbers: ISA13/GS06/ST02,...")
    kind: FileKind = Field(description="A change file or a full file (BGN08)")
    members: int = Field(description="Member records in the file")
    dry_run: bool = Field(description="True: nothing was changed")
    already_applied: bool = Field(description="The same file was applied before: no change")
    file_id: int | None = Field(description="The file's entry in the log of applied files")
    counts: dict[str, int] = Field(description="Changes by kind")
    changes: list[ChangeOut] = Field(description="Each change (dry runs; empty otherwise)")


class ProblemOut(BaseModel):
    """One reason a file was refused, by location (never a value from the file)."""

    loc: list[str | int] = Field(description="body, segment ID, position")
    msg: str = Field(description="The problem in plain words, with its loop")
    type: str = Field(description="Always x12_rejected")


class RejectedOut(BaseModel):
    """An 834 refused whole: nothing was applied."""

    detail: list[ProblemOut] = Field(description="Each problem found")
    ack: str = Field(description="The 999 acknowledgement (or TA1) to return to the sender")

"""Request and response bodies of the knowledge base API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from memberdesk.cases.enums import CaseType
from memberdesk.contacts.enums import Reason
from memberdesk.kb.enums import ArticleKind, KbLanguage, PointKind, VersionState
from memberdesk.members.enums import LineOfBusiness
from memberdesk.schemas import DbId

SLUG = r"^[a-z0-9][a-z0-9-]{0,79}$"


class VersionIn(BaseModel):
    """The text of a new version (it starts as a draft)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200, description="What the article answers")
    body: str = Field(
        min_length=1,
        max_length=100_000,
        description="The article in Markdown (HTML is shown as text)",
    )
    effective_on: date = Field(description="First day members are told this version")
    expires_on: date | None = Field(
        default=None, description="Day it stops being told (none: until replaced)"
    )
    change_note: str | None = Field(
        default=None, max_length=500, description="What changed and why, for the reviewer"
    )
    regulatory: bool = Field(
        default=False,
        description="Written because a rule changed: starts the pack's policy_signoff clock "
        "(compliance signs it off, with a compliance officer's approval, within 5 business days)",
    )


class ArticleIn(VersionIn):
    """A new article with its first version (a draft)."""

    slug: str = Field(pattern=SLUG, description="Unique name in the library, e.g. id-card-es")
    translation_key: str = Field(
        pattern=SLUG, description="Shared by an article and its translation, e.g. id-card"
    )
    language: KbLanguage = Field(description="Language the article is written in (en or es)")
    kind: ArticleKind = Field(description="What sort of article it is")
    line_of_business: LineOfBusiness | None = Field(
        default=None, description="The line of business it is for (none: every line)"
    )
    tags: list[str] = Field(
        default_factory=list, max_length=20, description="Free tags (each up to 48 characters)"
    )
    reasons: list[Reason] = Field(
        default_factory=list, description="Contact reasons it answers (suggested on the desktop)"
    )
    case_types: list[CaseType] = Field(default_factory=list, description="Case types it helps with")
    owner_id: DbId | None = Field(
        default=None, description="Staff account that owns it (default: its author)"
    )


class ReviewIn(BaseModel):
    """A reviewer's decision note."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str | None = Field(default=None, max_length=500, description="The reviewer's note")


class VerifyIn(BaseModel):
    """How a contact point was checked."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(
        min_length=1, max_length=300, description="How it was checked (e.g. called it, DHCS site)"
    )


class PointOut(BaseModel):
    """A contact point in a version and its verification."""

    id: int = Field(description="Internal id of the contact point")
    kind: PointKind = Field(description="Phone, e-mail, web address or street address")
    value: str = Field(description="As written in the article")
    verified_at: datetime | None = Field(description="When it was verified (none: not yet)")
    verified_by: str | None = Field(description="Who verified it")
    note: str | None = Field(description="How it was checked")


class VersionOut(BaseModel):
    """One version of an article."""

    id: int = Field(description="Internal id of the version")
    article_id: int = Field(description="Internal id of the article")
    number: int = Field(description="Version number within the article (1, 2, …)")
    title: str = Field(description="Title")
    body: str = Field(description="Markdown text")
    html: str = Field(description="The body rendered to safe HTML")
    state: VersionState = Field(description="Where it is in its lifecycle")
    effective_on: date = Field(description="First day it is told")
    expires_on: date | None = Field(description="Day it stops being told")
    change_note: str | None = Field(description="What changed")
    review_note: str | None = Field(description="The reviewer's note")
    created_at: datetime = Field(description="When it was written")
    author: str | None = Field(description="Who wrote it")
    approved_at: datetime | None = Field(description="When it was approved")
    approved_by: str | None = Field(description="Who approved it")
    published_at: datetime | None = Field(description="When it was published")
    retired_at: datetime | None = Field(description="When it was retired")
    regulatory: bool = Field(description="Written for a regulatory change (sign-off clock runs)")
    signoff_due_at: datetime | None = Field(
        description="Compliance sign-off due by (regulatory changes only)"
    )
    signoff_overdue_at: datetime | None = Field(
        description="When the worker flagged the sign-off overdue (none: not flagged)"
    )
    contact_points: list[PointOut] = Field(description="Contact points found in it")


class ArticleOut(BaseModel):
    """An article with its labels, translations and the version in force."""

    id: int = Field(description="Internal id of the article")
    slug: str = Field(description="Unique name in the library")
    translation_key: str = Field(description="Shared with its translation")
    language: KbLanguage = Field(description="Its language")
    kind: ArticleKind = Field(description="What sort of article")
    line_of_business: LineOfBusiness | None = Field(description="Line it is for (none: all)")
    owner: str | None = Field(description="Who owns it")
    tags: list[str] = Field(description="Tags")
    reasons: list[str] = Field(description="Contact reasons it answers")
    case_types: list[str] = Field(description="Case types it helps with")
    translations: dict[str, int] = Field(description="Language → id of its translation")
    in_force: VersionOut | None = Field(description="The version in force on the date asked")
    versions: list[int] = Field(description="Ids of all its versions, oldest first")


class HitOut(BaseModel):
    """A search result: an article and the version in force."""

    article_id: int = Field(description="Internal id of the article")
    version_id: int = Field(description="Internal id of the version in force")
    slug: str = Field(description="Unique name in the library")
    title: str = Field(description="Title of the version in force")
    kind: ArticleKind = Field(description="What sort of article")
    language: KbLanguage = Field(description="Its language")
    effective_on: date = Field(description="In force since")
    summary: str = Field(description="The opening words of the body, as plain text")
    verified_on: date | None = Field(
        description="Oldest verification date of its contact points (none: it has none)"
    )


class SearchPage(BaseModel):
    """One page of search results."""

    items: list[HitOut] = Field(description="The results on this page, best first")
    total: int = Field(description="How many articles in force match")
    limit: int = Field(description="Page size asked for")
    offset: int = Field(description="Results skipped")
    corrected: str | None = Field(
        description="When nothing matched the words as typed: the corrected words searched "
        "instead (none: searched as typed)"
    )


class DiffOut(BaseModel):
    """The difference between two versions of an article."""

    from_version: int = Field(description="Version number compared from")
    to_version: int = Field(description="Version number compared to")
    unified: str = Field(description="A unified diff of title and body")

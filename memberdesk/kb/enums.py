"""Vocabulary of the knowledge base: kinds, languages, lifecycle states, contact-point kinds."""

from __future__ import annotations

from enum import StrEnum


class ArticleKind(StrEnum):
    FAQ = "faq"
    PROCEDURE = "procedure"
    PHONE_SCRIPT = "phone_script"
    CHECKLIST = "checklist"
    LETTER_SNIPPET = "letter_snippet"


class KbLanguage(StrEnum):
    """The languages the library is written in (each article is one, linked to its translation)."""

    EN = "en"
    ES = "es"


class VersionState(StrEnum):
    """A version's lifecycle: draft → in review → approved → published → retired."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"


class PointKind(StrEnum):
    """What kind of contact point an article version gives members."""

    PHONE = "phone"
    EMAIL = "email"
    WEB = "web"
    ADDRESS = "address"


class FeedbackKind(StrEnum):
    """What an agent said about the library on a contact: an article helped, did not, or none
    of what was offered answered the member."""

    HELPFUL = "helpful"
    NOT_HELPFUL = "not_helpful"
    NONE_ANSWERED = "none_answered"


# The moves a version may make; anything else is refused with nothing changed.
TRANSITIONS: dict[VersionState, frozenset[VersionState]] = {
    VersionState.DRAFT: frozenset({VersionState.IN_REVIEW, VersionState.RETIRED}),
    VersionState.IN_REVIEW: frozenset(
        {VersionState.DRAFT, VersionState.APPROVED, VersionState.RETIRED}
    ),
    VersionState.APPROVED: frozenset(
        {VersionState.DRAFT, VersionState.PUBLISHED, VersionState.RETIRED}
    ),
    VersionState.PUBLISHED: frozenset({VersionState.RETIRED}),
    VersionState.RETIRED: frozenset(),
}

KIND_NAMES = {
    ArticleKind.FAQ: "FAQ answer",
    ArticleKind.PROCEDURE: "Procedure",
    ArticleKind.PHONE_SCRIPT: "Phone script",
    ArticleKind.CHECKLIST: "Checklist",
    ArticleKind.LETTER_SNIPPET: "Letter snippet",
}
LANGUAGE_NAMES = {KbLanguage.EN: "English", KbLanguage.ES: "Spanish"}
STATE_NAMES = {
    VersionState.DRAFT: "Draft",
    VersionState.IN_REVIEW: "In review",
    VersionState.APPROVED: "Approved",
    VersionState.PUBLISHED: "Published",
    VersionState.RETIRED: "Retired",
}
POINT_NAMES = {
    PointKind.PHONE: "Phone number",
    PointKind.EMAIL: "E-mail address",
    PointKind.WEB: "Web address",
    PointKind.ADDRESS: "Street address",
}
FEEDBACK_NAMES = {
    FeedbackKind.HELPFUL: "Helpful",
    FeedbackKind.NOT_HELPFUL: "Not helpful",
    FeedbackKind.NONE_ANSWERED: "No article answered",
}

"""What the knowledge base pages show, in plain words (no codes or enum values on screen)."""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from memberdesk.cases.enums import CaseType
from memberdesk.clock import now
from memberdesk.contacts.enums import Reason
from memberdesk.contacts.timewords import local_time
from memberdesk.kb import search, service, signoff
from memberdesk.kb.core import diff_lines, render_markdown
from memberdesk.kb.enums import (
    KIND_NAMES,
    LANGUAGE_NAMES,
    POINT_NAMES,
    STATE_NAMES,
    KbLanguage,
)
from memberdesk.kb.models import KbArticle, KbVersion
from memberdesk.kb.views import summary
from memberdesk.members import words
from memberdesk.members.enums import LineOfBusiness
from memberdesk.sla.packs import zone_of

LINE_NAMES = {
    LineOfBusiness.CALCHOICE: "CalChoice small-employer plans",
    LineOfBusiness.OREGON_MEDICAID: "Oregon Health Plan (Medicaid)",
    LineOfBusiness.ERISA_GROUP: "Self-funded employer plans (ERISA)",
}


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize().replace("Id card", "ID card")


def filter_options() -> dict[str, dict[str, str]]:
    """The filters' choices as value → words."""
    return {
        "kind": {"": "Any kind", **{k.value: v for k, v in KIND_NAMES.items()}},
        "language": {"": "Any language", **{k.value: v for k, v in LANGUAGE_NAMES.items()}},
        "line_of_business": {"": "Every line", **{k.value: v for k, v in LINE_NAMES.items()}},
        "reason": {"": "Any reason", **{r.value: _label(r.value) for r in Reason}},
        "case_type": {"": "Any case type", **{c.value: _label(c.value) for c in CaseType}},
    }


def _verified(version: KbVersion) -> str:
    days = [p.verified_at for p in version.points if p.verified_at]
    if not version.points:
        # Nothing to verify: what dates it is compliance's sign-off.
        signed = version.approved_at or version.published_at
        if signed is None:
            return "No phone numbers or addresses in it"
        return f"Signed off by compliance {words.day(signed.date())}; no contact details in it"
    if len(days) < len(version.points):
        return "Contact details not all verified"
    return f"Contact details verified {words.day(min(days).date())}"


def hit(article: KbArticle, version: KbVersion) -> dict[str, Any]:
    """A search result in words."""
    return {
        "id": article.id,
        "title": version.title,
        "lang": article.language.value,
        "kind": KIND_NAMES[article.kind],
        "language": LANGUAGE_NAMES[article.language],
        "since": words.day(version.effective_on),
        "summary": summary(version.body),
        "verified": _verified(version),
    }


def _points(session: Session, version: KbVersion) -> list[dict[str, Any]]:
    who = service.names(session, {p.verified_by_id for p in version.points})
    return [
        {
            "id": p.id,
            "kind": POINT_NAMES[p.kind],
            "value": p.value,
            "verified": words.day(p.verified_at.date()) if p.verified_at else None,
            "by": who.get(p.verified_by_id or 0, "—"),
            "note": p.verification_note,
        }
        for p in version.points
    ]


def _signoff(version: KbVersion) -> str | None:
    """A regulatory change's sign-off in words (None for an ordinary version)."""
    if version.signoff_due_at is None or version.signoff_pack is None:
        return None
    due = local_time(version.signoff_due_at, zone_of(version.signoff_pack), now())
    met = signoff.outcome(version)
    if met == "on_time":
        return f"Regulatory change, signed off on time (due {due})"
    if met == "late":
        return f"Regulatory change, signed off late (was due {due})"
    if version.retired_at is not None:
        return "Regulatory change, retired without sign-off"
    if version.signoff_due_at < now():
        return f"Regulatory change: compliance sign-off overdue since {due}"
    return f"Regulatory change: compliance sign-off due {due}"


def _version(session: Session, version: KbVersion) -> dict[str, Any]:
    who = service.names(session, {version.created_by_id, version.approved_by_id})
    return {
        "id": version.id,
        "number": version.number,
        "title": version.title,
        "state": STATE_NAMES[version.state],
        "draft": version.state.value == "draft",
        "effective": words.day(version.effective_on),
        "expires": words.day(version.expires_on) if version.expires_on else None,
        "author": who.get(version.created_by_id or 0, "Imported library"),
        "approved_by": who.get(version.approved_by_id or 0),
        "note": version.change_note,
        "review_note": version.review_note,
        # markdown-it with HTML off: any HTML typed in the article is shown as text.
        "html": Markup(render_markdown(version.body)),  # noqa: S704
        "points": _points(session, version),
        "signoff": _signoff(version),
    }


def article_page(session: Session, article: KbArticle, on: date | None) -> dict[str, Any]:
    """The article page: in force (now or on ``on``), translations, versions."""
    at = search.end_of(on) if on else now()
    current = service.version_in_force(session, article.id, at)
    versions = service.versions_of(session, article.id)
    translations = [
        {"id": t.id, "language": LANGUAGE_NAMES[t.language], "lang": t.language.value}
        for t in service.translations_of(session, article)
    ]
    return {
        "article": article,
        "kind": KIND_NAMES[article.kind],
        "language": LANGUAGE_NAMES[article.language],
        "lang_code": article.language.value,
        "line": LINE_NAMES.get(article.line_of_business, "Every line")
        if article.line_of_business
        else "Every line",
        "tags": service.labels(article, "tag"),
        "reasons": [_label(r) for r in service.labels(article, "reason")],
        "on": on.isoformat() if on else "",
        "on_words": words.day(on) if on else None,
        "current": _version(session, current) if current else None,
        "latest": _version(session, versions[-1]),
        "versions": [_version(session, v) for v in reversed(versions)],
        "translations": translations,
        "owner": service.names(session, {article.owner_id}).get(article.owner_id or 0, "Not set"),
    }


def review_queue(session: Session) -> list[dict[str, Any]]:
    """Versions waiting for sign-off, each with its diff against what is published."""
    out = []
    for version in service.review_queue(session):
        article = session.get(KbArticle, version.article_id)
        assert article is not None
        before = service.previous_published(session, version)
        old = f"# {before.title}\n\n{before.body}" if before else ""
        out.append(
            {
                **_version(session, version),
                "article_id": article.id,
                "language": LANGUAGE_NAMES[article.language],
                "lang": article.language.value,
                "in_review": version.state.value == "in_review",
                "approved": version.state.value == "approved",
                "against": before.number if before else None,
                "diff": diff_lines(old, f"# {version.title}\n\n{version.body}"),
                "unverified": sum(1 for p in version.points if p.verified_at is None),
            }
        )
    return out


__all__ = ["KbLanguage", "article_page", "filter_options", "hit", "review_queue"]

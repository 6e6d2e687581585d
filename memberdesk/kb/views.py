"""What the API and the pages show of articles and versions (names resolved, Markdown made
safe HTML, the oldest verification date an agent reads)."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy.orm import Session

from memberdesk.kb import service
from memberdesk.kb.core import render_markdown, unified_diff
from memberdesk.kb.models import KbArticle, KbVersion
from memberdesk.kb.schemas import ArticleOut, DiffOut, HitOut, PointOut, VersionOut

_MARKS = re.compile(r"[#*_`>\[\]]|^\s*[-+] \[[ x]\]|^\s*\d+\.\s", re.MULTILINE)


def summary(body: str, size: int = 180) -> str:
    """The opening words of a Markdown body as plain text."""
    flat = " ".join(_MARKS.sub("", body).split())
    return flat if len(flat) <= size else flat[: size - 1].rsplit(" ", 1)[0] + "…"


def verified_on(version: KbVersion) -> date | None:
    """The oldest verification date of a version's contact points (None when it has none)."""
    days = [p.verified_at.date() for p in version.points if p.verified_at]
    return min(days) if days else None


def version_out(session: Session, version: KbVersion) -> VersionOut:
    """A version with its people named and its body rendered."""
    who = service.names(
        session,
        {version.created_by_id, version.approved_by_id}
        | {p.verified_by_id for p in version.points},
    )
    return VersionOut(
        id=version.id,
        article_id=version.article_id,
        number=version.number,
        title=version.title,
        body=version.body,
        html=render_markdown(version.body),
        state=version.state,
        effective_on=version.effective_on,
        expires_on=version.expires_on,
        change_note=version.change_note,
        review_note=version.review_note,
        created_at=version.created_at,
        author=who.get(version.created_by_id or 0),
        approved_at=version.approved_at,
        approved_by=who.get(version.approved_by_id or 0),
        published_at=version.published_at,
        retired_at=version.retired_at,
        regulatory=version.regulatory,
        signoff_due_at=version.signoff_due_at,
        signoff_overdue_at=version.signoff_overdue_at,
        contact_points=[
            PointOut(
                id=p.id,
                kind=p.kind,
                value=p.value,
                verified_at=p.verified_at,
                verified_by=who.get(p.verified_by_id or 0),
                note=p.verification_note,
            )
            for p in version.points
        ],
    )


def article_out(session: Session, article: KbArticle, at: datetime) -> ArticleOut:
    """An article with its labels, translations and the version in force at ``at``."""
    current = service.version_in_force(session, article.id, at)
    owner = service.names(session, {article.owner_id}).get(article.owner_id or 0)
    return ArticleOut(
        id=article.id,
        slug=article.slug,
        translation_key=article.translation_key,
        language=article.language,
        kind=article.kind,
        line_of_business=article.line_of_business,
        owner=owner,
        tags=service.labels(article, "tag"),
        reasons=service.labels(article, "reason"),
        case_types=service.labels(article, "case_type"),
        translations={t.language.value: t.id for t in service.translations_of(session, article)},
        in_force=version_out(session, current) if current else None,
        versions=[v.id for v in service.versions_of(session, article.id)],
    )


def hit_out(article: KbArticle, version: KbVersion) -> HitOut:
    """A search result."""
    return HitOut(
        article_id=article.id,
        version_id=version.id,
        slug=article.slug,
        title=version.title,
        kind=article.kind,
        language=article.language,
        effective_on=version.effective_on,
        summary=summary(version.body),
        verified_on=verified_on(version),
    )


def diff_out(old: KbVersion, new: KbVersion) -> DiffOut:
    """The unified diff of two versions' title and body."""
    return DiffOut(
        from_version=old.number,
        to_version=new.number,
        unified=unified_diff(
            f"# {old.title}\n\n{old.body}",
            f"# {new.title}\n\n{new.body}",
            f"version {old.number}",
            f"version {new.number}",
        ),
    )

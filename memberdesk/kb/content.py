"""The library as Markdown files with front matter, so a plan can keep it in git: reading a
folder (every file checked before anything is written: all or nothing), importing it, and
exporting it back.

A file is ``---``, YAML front matter (slug, translation_key, language, kind, line_of_business,
tags, reasons, case_types, effective_on, expires_on, title), ``---``, then the Markdown body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.kb import service
from memberdesk.kb.enums import VersionState
from memberdesk.kb.models import KbArticle, KbLabel, KbVersion
from memberdesk.kb.schemas import ArticleIn, VersionIn

SHIPPED = Path(__file__).parent / "content"
FIELDS = (
    "slug",
    "translation_key",
    "language",
    "kind",
    "line_of_business",
    "tags",
    "reasons",
    "case_types",
    "effective_on",
    "expires_on",
    "title",
    "change_note",
    "regulatory",
)


class ImportRefused(Exception):
    """Some files are wrong: each named with its field and reason; nothing was imported."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse(text: str) -> tuple[dict[str, Any], str]:
    """Front matter and body of one file (ValueError when there is no front matter)."""
    if not text.startswith("---\n"):
        raise ValueError("the file must start with '---' and front matter")
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        raise ValueError("the front matter has no closing '---'")
    meta = yaml.safe_load(head)
    if not isinstance(meta, dict):
        raise ValueError("the front matter must be a mapping of fields")
    return meta, body.strip("\n") + "\n"


def read_dir(folder: Path) -> list[ArticleIn]:
    """Every ``*.md`` in ``folder`` (by name), checked; ImportRefused lists each bad one."""
    docs: list[ArticleIn] = []
    problems: list[str] = []
    files = sorted(folder.glob("*.md"))
    if not files:
        raise ImportRefused([f"{folder}: no .md files"])
    slugs: dict[str, str] = {}
    for path in files:
        try:
            meta, body = parse(path.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(f"{path.name}: {str(exc).splitlines()[0]}")
            continue
        unknown = sorted(set(meta) - set(FIELDS))
        if unknown:
            problems.append(f"{path.name}: {unknown[0]}: not a known field")
            continue
        try:
            doc = ArticleIn.model_validate({**meta, "body": body})
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "file"
                problems.append(f"{path.name}: {where}: {err['msg']}")
            continue
        if doc.slug in slugs:
            problems.append(f"{path.name}: slug: also used by {slugs[doc.slug]}")
            continue
        slugs[doc.slug] = path.name
        docs.append(doc)
    if problems:
        raise ImportRefused(problems)
    return docs


@dataclass
class Imported:
    """What an import did."""

    created: int = 0
    new_versions: int = 0
    unchanged: int = 0
    published: int = 0
    awaiting_verification: list[str] = field(default_factory=list)


def _same(version: KbVersion, doc: VersionIn) -> bool:
    return (version.title, version.body, version.effective_on, version.expires_on) == (
        doc.title,
        doc.body,
        doc.effective_on,
        doc.expires_on,
    )


def _relabel(article: KbArticle, doc: ArticleIn) -> None:
    wanted = dict.fromkeys(
        [("tag", t.strip().lower()) for t in doc.tags]
        + [("reason", r.value) for r in doc.reasons]
        + [("case_type", c.value) for c in doc.case_types]
    )
    have = {(lb.facet, lb.value): lb for lb in article.labels}
    for key, label in have.items():
        if key not in wanted:
            article.labels.remove(label)
    for facet, value in wanted:
        if (facet, value) not in have:
            article.labels.append(KbLabel(facet=facet, value=value))
    article.kind = doc.kind
    article.line_of_business = doc.line_of_business


def import_docs(
    session: Session,
    ctx: AuditContext,
    docs: list[ArticleIn],
    at: datetime,
    approver: AuditContext | None = None,
) -> Imported:
    """Create missing articles, add a version where the text changed, skip the rest. With an
    ``approver`` (a compliance approver, not the importer) new versions are sent for review,
    approved and published; one whose contact points are unverified stays approved, waiting for
    them to be checked. Conflicts (a slug in another language) raise before anything is kept
    by the caller, who rolls back."""
    done = Imported()
    for doc in docs:
        article = session.scalar(select(KbArticle).where(KbArticle.slug == doc.slug))
        if article is None:
            article, version = service.create_article(session, ctx, doc, at)
            done.created += 1
        else:
            if (article.language, article.translation_key) != (doc.language, doc.translation_key):
                raise ImportRefused(
                    [f"{doc.slug}: language/translation_key differ from the stored article"]
                )
            _relabel(article, doc)
            latest = service.versions_of(session, article.id)[-1]
            if _same(latest, doc):
                done.unchanged += 1
                continue
            version = service.add_version(session, ctx, article.id, doc, at)
            done.new_versions += 1
        if approver is not None:
            service.submit(session, ctx, version, at)
            service.approve(session, approver, version, "imported library", at)
            if all(p.verified_at for p in version.points):
                service.publish(session, approver, version, at)
                done.published += 1
            else:
                done.awaiting_verification.append(doc.slug)
    audit.record(
        session,
        ctx,
        AuditAction.KB_IMPORTED,
        object_type="kb_library",
        detail={
            "created": done.created,
            "new_versions": done.new_versions,
            "unchanged": done.unchanged,
            "published": done.published,
        },
    )
    return done


def render_file(article: KbArticle, version: KbVersion) -> str:
    """One article's latest version as a file (the format ``read_dir`` reads)."""
    meta: dict[str, Any] = {
        "slug": article.slug,
        "translation_key": article.translation_key,
        "language": article.language.value,
        "kind": article.kind.value,
    }
    if article.line_of_business:
        meta["line_of_business"] = article.line_of_business.value
    for facet, key in (("tag", "tags"), ("reason", "reasons"), ("case_type", "case_types")):
        values = service.labels(article, facet)
        if values:
            meta[key] = values
    meta["effective_on"] = version.effective_on
    if version.expires_on:
        meta["expires_on"] = version.expires_on
    meta["title"] = version.title
    if version.change_note:
        meta["change_note"] = version.change_note
    if version.regulatory:
        meta["regulatory"] = True
    head = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{head}---\n{version.body.rstrip()}\n"


def export_dir(session: Session, folder: Path) -> int:
    """Write every article's latest version (any state) to ``folder``; returns how many."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for article in session.scalars(select(KbArticle).order_by(KbArticle.slug)):
        versions = service.versions_of(session, article.id)
        latest = next(
            (v for v in reversed(versions) if v.state is not VersionState.RETIRED), versions[-1]
        )
        name = f"{article.translation_key}.{article.language.value}.md"
        (folder / name).write_text(render_file(article, latest), "utf-8")
        count += 1
    return count

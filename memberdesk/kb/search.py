"""Full-text search of what is in force, with one results contract on both engines.

SQLite: an FTS5 table whose rows are published versions, holding text folded and stemmed in
Python (``kb/core.py``), ranked by BM25 (titles weigh ten times the body). PostgreSQL: a
``tsvector`` per published version built with the article's language configuration
(``english`` / ``spanish``) from the same folded text, in a GIN index, ranked by
``ts_rank_cd`` (titles weight A). Accents are folded in Python before indexing and querying on
both, so a word typed without its accent finds it and both engines see identical input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    and_,
    exists,
    func,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.orm import Session, aliased

from memberdesk.db import insert_on_conflict, table_of
from memberdesk.kb.core import CONFIGS, QueryTerms, index_terms, query_terms, words
from memberdesk.kb.enums import ArticleKind, KbLanguage, VersionState
from memberdesk.kb.models import KbArticle, KbLabel, KbTerm, KbVersion
from memberdesk.members.enums import LineOfBusiness

WEIGHTS = (10.0, 1.0, 10.0, 1.0)  # en_title, en_body, es_title, es_body


def end_of(day: date) -> datetime:
    """The last instant of ``day`` (UTC): "what did we tell members on 3 March" means by its end."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def _shown_by(v: type[KbVersion], at: datetime, day: date) -> ColumnElement[bool]:
    """Published by ``at``, not retired by then, and taken effect by ``day``."""
    return and_(
        v.published_at.is_not(None),
        v.published_at <= at,
        or_(v.retired_at.is_(None), v.retired_at > at),
        v.effective_on <= day,
    )


def in_force(at: datetime, day: date | None = None) -> ColumnElement[bool]:
    """The condition on ``KbVersion`` for the version members were told at ``at``: shown, not
    expired, and no later version of the article has taken effect since (a later version
    supersedes it even once that one expires: then the article says nothing)."""
    day = day or at.date()
    later = aliased(KbVersion)
    newer = exists().where(
        later.article_id == KbVersion.article_id,
        later.id != KbVersion.id,
        _shown_by(later, at, day),  # type: ignore[arg-type]
        tuple_(later.effective_on, later.number) > tuple_(KbVersion.effective_on, KbVersion.number),
    )
    return and_(
        _shown_by(KbVersion, at, day),
        or_(KbVersion.expires_on.is_(None), KbVersion.expires_on > day),
        ~newer,
    )


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def index_version(session: Session, version: KbVersion, article: KbArticle) -> None:
    """Put a published version in the search index (replacing any earlier row of it)."""
    unindex_versions(session, [version.id])
    _remember_terms(session, version, article.language)
    if _is_pg(session):
        config = CONFIGS[article.language]
        session.execute(
            text(
                "INSERT INTO kb_search (version_id, config, tsv) VALUES (:id, :config, "
                "setweight(to_tsvector(CAST(:cfg AS regconfig), :title), 'A') || "
                "setweight(to_tsvector(CAST(:cfg AS regconfig), :body), 'B'))"
            ),
            {
                "id": version.id,
                "config": config,
                "cfg": config,
                "title": " ".join(words(version.title)),
                "body": " ".join(words(version.body)),
            },
        )
        return
    title = " ".join(index_terms(version.title, article.language))
    body = " ".join(index_terms(version.body, article.language))
    en = article.language is KbLanguage.EN
    session.execute(
        text(
            "INSERT INTO kb_fts (rowid, en_title, en_body, es_title, es_body) "
            "VALUES (:id, :a, :b, :c, :d)"
        ),
        {
            "id": version.id,
            "a": title if en else "",
            "b": body if en else "",
            "c": "" if en else title,
            "d": "" if en else body,
        },
    )


def _remember_terms(session: Session, version: KbVersion, language: KbLanguage) -> None:
    """Add the version's words to the vocabulary misspellings are corrected against."""
    terms = sorted({w for w in words(f"{version.title} {version.body}") if 2 < len(w) <= 64})
    if terms:
        stmt = insert_on_conflict(session)(table_of(KbTerm)).on_conflict_do_nothing()
        session.execute(stmt, [{"language": language.value, "term": t} for t in terms])


def unindex_versions(session: Session, version_ids: list[int]) -> None:
    """Take versions out of the search index (retired, or being re-indexed)."""
    if not version_ids:
        return
    if _is_pg(session):
        session.execute(
            text("DELETE FROM kb_search WHERE version_id = ANY(:ids)"), {"ids": version_ids}
        )
    else:
        for vid in version_ids:
            session.execute(text("DELETE FROM kb_fts WHERE rowid = :id"), {"id": vid})


def clear_index(session: Session) -> None:
    """Empty the index (before a rebuild)."""
    if _is_pg(session):
        session.execute(text("DELETE FROM kb_search"))
    else:
        session.execute(text("DELETE FROM kb_fts"))


def _fts_group(terms: QueryTerms) -> str:
    parts = [f'"{t}"' for t in terms.terms]
    if terms.last_is_prefix and parts:
        parts[-1] += " *"
    return " AND ".join(parts)


def _pg_query(query: str) -> str:
    """The folded words for ``to_tsquery``: PostgreSQL drops the stop words and stems them
    itself (stems given to it would be stemmed twice)."""
    parts = words(query)
    if parts and query == query.rstrip():
        parts[-1] += ":*"
    return " & ".join(parts)


def _matches(session: Session, query: str) -> Any:
    """The engine's matching versions as a subquery (version_id, score: lower is better)."""
    en, es = query_terms(query, KbLanguage.EN), query_terms(query, KbLanguage.ES)
    if not en.terms and not es.terms:
        return None
    if _is_pg(session):
        tq_en = "to_tsquery('english', :qen)"
        tq_es = "to_tsquery('spanish', :qes)"
        en_hit = f"(config = 'english' AND tsv @@ {tq_en})" if en.terms else "false"
        es_hit = f"(config = 'spanish' AND tsv @@ {tq_es})" if es.terms else "false"
        rank_q = f"CASE WHEN config = 'english' THEN {tq_en if en.terms else tq_es} ELSE " + (
            f"{tq_es if es.terms else tq_en} END"
        )
        stmt = text(
            # Only fixed fragments are formatted in; the user's words are bound parameters.
            f"SELECT version_id, -ts_rank_cd(tsv, {rank_q}) AS score FROM kb_search "  # noqa: S608
            f"WHERE {en_hit} OR {es_hit}"
        ).bindparams(
            **({"qen": _pg_query(query)} if en.terms else {}),
            **({"qes": _pg_query(query)} if es.terms else {}),
        )
    else:
        groups = []
        if en.terms:
            groups.append(f"{{en_title en_body}} : ({_fts_group(en)})")
        if es.terms:
            groups.append(f"{{es_title es_body}} : ({_fts_group(es)})")
        weights = ", ".join(str(w) for w in WEIGHTS)
        stmt = text(
            f"SELECT rowid AS version_id, bm25(kb_fts, {weights}) AS score FROM kb_fts "  # noqa: S608
            "WHERE kb_fts MATCH :q"
        ).bindparams(q=" OR ".join(groups))
    # Materialised: the engine runs the full-text match once, then joins its rows (SQLite
    # would otherwise run the FTS5 match again for every published version).
    return stmt.columns(version_id=Integer, score=Float).cte("m").prefix_with("MATERIALIZED")


@dataclass(frozen=True)
class Filters:
    """What an agent narrows a search to (None: any)."""

    kind: ArticleKind | None = None
    language: KbLanguage | None = None
    line_of_business: LineOfBusiness | None = None
    reason: str | None = None
    case_type: str | None = None


def _label(facet: str, value: str) -> ColumnElement[bool]:
    return exists().where(
        KbLabel.article_id == KbArticle.id, KbLabel.facet == facet, KbLabel.value == value
    )


def filter_clauses(filters: Filters) -> list[ColumnElement[bool]]:
    """The SQL conditions of ``filters`` on ``KbArticle``."""
    out: list[ColumnElement[bool]] = []
    if filters.kind:
        out.append(KbArticle.kind == filters.kind)
    if filters.language:
        out.append(KbArticle.language == filters.language)
    if filters.line_of_business:
        # An article for every line answers members of any line.
        out.append(
            or_(
                KbArticle.line_of_business.is_(None),
                KbArticle.line_of_business == filters.line_of_business,
            )
        )
    if filters.reason:
        out.append(_label("reason", filters.reason))
    if filters.case_type:
        out.append(_label("case_type", filters.case_type))
    return out


def search(
    session: Session,
    query: str,
    filters: Filters,
    *,
    at: datetime,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[tuple[KbArticle, KbVersion]], int]:
    """Articles in force at ``at`` matching ``query`` (best first; ties by title, then id) and
    how many match in all. A query of stop words or punctuation only matches nothing."""
    m = _matches(session, query)
    if m is None:
        return [], 0
    narrowing = filter_clauses(filters)
    # Ranked ids first (narrow rows: no article text is read for the matches not shown), then
    # the page's articles and versions.
    shown = (KbVersion.state == VersionState.PUBLISHED, in_force(at))
    version_id: Any  # a lateral's column or the model's attribute
    title: Any
    article_id: Any
    if _is_pg(session):
        # Each match's version by its primary key, in a LATERAL that OFFSET 0 keeps from being
        # flattened: PostgreSQL otherwise hashed every version's wide row (bodies inline) to
        # join a broad query's tenth of the library, half of the search's time.
        v = (
            select(KbVersion.id, KbVersion.title, KbVersion.article_id)
            .where(KbVersion.id == m.c.version_id, *shown)
            .offset(0)
            .lateral("v")
        )
        version_id, title, article_id = v.c.id, v.c.title, v.c.article_id
        base = select(version_id, func.count().over().label("total")).select_from(m).join(v, true())
    else:
        version_id, title, article_id = KbVersion.id, KbVersion.title, KbVersion.article_id
        base = (
            select(version_id, func.count().over().label("total"))
            .select_from(m)
            .join(KbVersion, m.c.version_id == KbVersion.id)
            .where(*shown)
        )
    if narrowing:
        # Articles are joined only to filter by them: a broad query then skips a look-up per
        # match (ties are broken by the version's article id, which is the article's id).
        base = base.join(KbArticle, article_id == KbArticle.id).where(*narrowing)
    ranked = session.execute(
        base.order_by(m.c.score, title, article_id).limit(limit).offset(offset)
    ).all()
    if not ranked:
        if offset == 0:
            return [], 0
        # Past the last page: the total still says how many there are.
        return [], int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    ids = [row[0] for row in ranked]
    loaded = {
        v.id: (a, v)
        for a, v in session.execute(
            select(KbArticle, KbVersion)
            .join(KbVersion, KbVersion.article_id == KbArticle.id)
            .where(KbVersion.id.in_(ids))
        ).all()
    }
    return [loaded[i] for i in ids], int(ranked[0][1])


def browse(
    session: Session, filters: Filters, *, at: datetime, limit: int = 20, offset: int = 0
) -> tuple[list[tuple[KbArticle, KbVersion]], int]:
    """Articles in force at ``at`` (no query): by title, for the empty search page and for
    suggestions by reason."""
    base = (
        select(KbArticle, KbVersion)
        .join(KbVersion, KbVersion.article_id == KbArticle.id)
        .where(KbVersion.state == VersionState.PUBLISHED, in_force(at), *filter_clauses(filters))
    )
    total = session.scalar(select(text("count(*)")).select_from(base.subquery())) or 0
    rows = session.execute(
        base.order_by(KbVersion.title, KbArticle.id).limit(limit).offset(offset)
    ).all()
    return [(a, v) for a, v in rows], int(total)


def correct(session: Session, query: str) -> str | None:
    """The query with each word no article uses replaced by the closest word one does (same
    first letter, length within two), or None when there is nothing to correct. A last word
    still being typed counts as known when an article word starts with it."""
    import difflib

    typed = words(query)
    prefix = query == query.rstrip()
    changed = False
    out: list[str] = []
    for i, word in enumerate(typed):
        last = prefix and i == len(typed) - 1
        known = select(KbTerm.term).where(
            KbTerm.term.startswith(word, autoescape=True) if last else KbTerm.term == word
        )
        if len(word) < 4 or word.isdigit() or session.scalar(known.limit(1)):
            out.append(word)
            continue
        near = session.scalars(
            select(KbTerm.term)
            .where(
                KbTerm.term.startswith(word[0], autoescape=True),
                func.length(KbTerm.term).between(len(word) - 2, len(word) + 2),
            )
            .distinct()
        ).all()
        best = difflib.get_close_matches(word, sorted(near), n=1, cutoff=0.75)
        out.append(best[0] if best else word)
        changed = changed or bool(best)
    return " ".join(out) if changed else None


def search_or_correct(
    session: Session,
    query: str,
    filters: Filters,
    *,
    at: datetime,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[tuple[KbArticle, KbVersion]], int, str | None]:
    """``search``; when nothing matches and a word looks misspelt, the search for the corrected
    words, with the corrected query (None when the words were used as typed)."""
    hits, total = search(session, query, filters, at=at, limit=limit, offset=offset)
    if total or offset:
        return hits, total, None
    fixed = correct(session, query)
    if fixed is None:
        return hits, total, None
    hits, total = search(session, fixed, filters, at=at, limit=limit, offset=offset)
    return hits, total, fixed if total else None

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
    Boolean,
    ColumnElement,
    Date,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
    tuple_,
)
from sqlalchemy.orm import Session, aliased

from memberdesk.db import UTCDateTime, insert_on_conflict, table_of
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


def _superseded(
    article_id: Any, version_id: Any, effective_on: Any, number: Any, at: datetime, day: date
) -> ColumnElement[bool]:
    """Another version of the article, shown at ``at``, has taken effect after this one."""
    later = aliased(KbVersion)
    return exists().where(
        later.article_id == article_id,
        later.id != version_id,
        _shown_by(later, at, day),  # type: ignore[arg-type]
        tuple_(later.effective_on, later.number) > tuple_(effective_on, number),
    )


def in_force(at: datetime, day: date | None = None) -> ColumnElement[bool]:
    """The condition on ``KbVersion`` for the version members were told at ``at``: shown, not
    expired, and no later version of the article has taken effect since (a later version
    supersedes it even once that one expires: then the article says nothing)."""
    day = day or at.date()
    v = KbVersion
    return and_(
        _shown_by(v, at, day),
        or_(v.expires_on.is_(None), v.expires_on > day),
        ~_superseded(v.article_id, v.id, v.effective_on, v.number, at, day),
    )


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def index_version(session: Session, version: KbVersion, article: KbArticle) -> None:
    """Put a published version in the search index (replacing any earlier row of it)."""
    unindex_versions(session, [version.id])
    _remember_terms(session, version, article.language)
    if _is_pg(session):
        _index_pg(session, version, article)
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


def _index_pg(session: Session, version: KbVersion, article: KbArticle) -> None:
    """The version's tsvector, and beside it what decides whether it is in force on a day (a
    published version never changes), so a search needs no look-up per match."""
    config = CONFIGS[article.language]
    # Two versions of one article published at once would each miss the other: the second
    # waits for the first's commit, then counts it.
    session.execute(select(KbArticle.id).where(KbArticle.id == article.id).with_for_update())
    # "alone": no other version of the article was ever published, so none can supersede this
    # one on any day. Publishing a second version clears it on the article's every row.
    others = session.scalar(
        select(func.count()).where(
            KbVersion.article_id == article.id,
            KbVersion.id != version.id,
            KbVersion.published_at.is_not(None),
        )
    )
    if others:
        session.execute(
            text("UPDATE kb_search SET alone = false WHERE article_id = :a AND alone"),
            {"a": article.id},
        )
    session.execute(
        text(
            "INSERT INTO kb_search (version_id, config, tsv, article_id, number, title, "
            "effective_on, expires_on, published_at, alone) VALUES (:id, :config, "
            "setweight(to_tsvector(CAST(:cfg AS regconfig), :title_words), 'A') || "
            "setweight(to_tsvector(CAST(:cfg AS regconfig), :body_words), 'B'), "
            ":article_id, :number, :title, :effective_on, :expires_on, :published_at, :alone)"
        ),
        {
            "id": version.id,
            "config": config,
            "cfg": config,
            "title_words": " ".join(words(version.title)),
            "body_words": " ".join(words(version.body)),
            "article_id": article.id,
            "number": version.number,
            "title": version.title,
            "effective_on": version.effective_on,
            "expires_on": version.expires_on,
            "published_at": version.published_at,
            "alone": not others,
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


def _fts_matches(query: str) -> Any:
    """SQLite: the FTS5 matches as a subquery (version_id, score: lower is better)."""
    en, es = query_terms(query, KbLanguage.EN), query_terms(query, KbLanguage.ES)
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
    # Materialised: SQLite runs the FTS5 match once, then joins its rows (it would otherwise
    # run the match again for every published version).
    return stmt.columns(version_id=Integer, score=Float).cte("m").prefix_with("MATERIALIZED")


# PostgreSQL's index table: each published version's tsvector beside what decides whether it is
# in force on a day (migration 0028; kept by ``_index_pg``).
KB_SEARCH = table(
    "kb_search",
    column("version_id", Integer),
    column("config", String),
    column("tsv"),
    column("article_id", Integer),
    column("number", Integer),
    column("title", String),
    column("effective_on", Date),
    column("expires_on", Date),
    column("published_at", UTCDateTime),
    column("alone", Boolean),
)
_TOTAL = func.count().over().label("total")


def _pg_ranked(
    query: str, at: datetime, narrowing: list[ColumnElement[bool]]
) -> tuple[Select[Any], tuple[Any, ...]]:
    """PostgreSQL: the matches in force at ``at`` (version id, total) and their order, from the
    index table alone: one scan of the GIN index's matches, no look-up per match except for
    articles that have had more than one published version."""
    s = KB_SEARCH.c
    day = at.date()
    words_ = _pg_query(query)
    # The tsqueries are parsed once, in a one-row subquery that OFFSET 0 keeps from being
    # flattened: inlined, a prepared (generic) plan parsed them again for every match ranked,
    # a third of a broad query's time.
    parsed: dict[str, Any] = {}
    for lang, config in (("en", "english"), ("es", "spanish")):
        if query_terms(query, KbLanguage(lang)).terms:
            # Only the fixed configuration name is formatted in; the words are bound.
            name: Any = literal_column(f"'{config}'")
            parsed[config] = func.to_tsquery(name, bindparam(f"q{lang}", words_)).label(config)
    q = select(*parsed.values()).offset(0).subquery("q")
    hits = [and_(s.config == config, s.tsv.op("@@")(q.c[config])) for config in parsed]
    english = q.c.get("english", q.c.get("spanish"))
    spanish = q.c.get("spanish", english)
    score = -func.ts_rank_cd(s.tsv, case((s.config == "english", english), else_=spanish))
    superseded = _superseded(s.article_id, s.version_id, s.effective_on, s.number, at, day)
    matches = (
        select(s.version_id, score.label("score"), s.title, s.article_id)
        .select_from(q)
        .join(KB_SEARCH, true())
        .where(
            or_(*hits),
            s.published_at <= at,
            s.effective_on <= day,
            or_(s.expires_on.is_(None), s.expires_on > day),
            or_(s.alone, ~superseded),
        )
    )
    if narrowing:
        matches = matches.join(KbArticle, KbArticle.id == s.article_id).where(*narrowing)
    # Ranked in the scan (OFFSET 0 again): flattened, PostgreSQL ranked above the count's
    # window, which then kept every match's tsvector and spilled them to disk.
    m = matches.offset(0).subquery("m")
    return select(m.c.version_id, _TOTAL), (m.c.score, m.c.title, m.c.article_id)


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
    if not query_terms(query, KbLanguage.EN).terms and not query_terms(query, KbLanguage.ES).terms:
        return [], 0
    narrowing = filter_clauses(filters)
    # Ranked ids first (narrow rows: no article text is read for the matches not shown), then
    # the page's articles and versions.
    base: Any
    if _is_pg(session):
        base, order = _pg_ranked(query, at, narrowing)
    else:
        m = _fts_matches(query)
        base = (
            select(KbVersion.id, _TOTAL)
            .select_from(m)
            .join(KbVersion, m.c.version_id == KbVersion.id)
            .where(KbVersion.state == VersionState.PUBLISHED, in_force(at))
        )
        if narrowing:
            # Articles are joined only to filter by them: a broad query then skips a look-up
            # per match (ties are broken by the version's article id, the article's id).
            base = base.join(KbArticle, KbVersion.article_id == KbArticle.id).where(*narrowing)
        order = (m.c.score, KbVersion.title, KbVersion.article_id)
    ranked = session.execute(base.order_by(*order).limit(limit).offset(offset)).all()
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

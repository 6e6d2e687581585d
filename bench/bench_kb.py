"""Knowledge-base search over 10,000 published articles (half English, half Spanish): median
and p95 of ``memberdesk.kb.search.search`` (the page of 20 best and the total) beside a plain
``LIKE '%word%'`` scan of titles and bodies measured in the same run, on SQLite (FTS5) and
PostgreSQL (tsvector, GIN). The goal is a p95 under 20 ms.

The articles are the shipped library's texts with words drawn from its own vocabulary mixed
in, so each is distinct and the words are real English and Spanish. The queries are what agents
type: whole words, the start of a word, Spanish without accents.

SQLite (temporary file) always; PostgreSQL (throwaway schema) when
MEMBERDESK_BENCH_DATABASE_URL is set. Usage:

    python bench/bench_kb.py [--articles 10000] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_cases import pg_schema  # the sibling script: a throwaway schema
from sqlalchemy import Engine, Float, Integer, func, insert, select, text
from sqlalchemy.orm import Session

from memberdesk.compliance.crypto import KeyRing, install_keyring
from memberdesk.config import Settings
from memberdesk.db import make_engine
from memberdesk.kb import content, search
from memberdesk.kb.core import words
from memberdesk.kb.enums import VersionState
from memberdesk.kb.models import KbArticle, KbVersion
from memberdesk.migrate import upgrade

QUERIES = [
    "tarjeta de identificacion",
    "identificacion",
    "tarj",
    "replacement card",
    "payroll deduc",
    "premium billing",
    "apelacion",
    "appeal packet",
    "evento de vida",
    "marriage",
    "anything else",
    "coverage dates",
    "reclamacion",
    "verify identity",
]


def load(engine: Engine, n: int, seed: int = 11) -> None:
    """``n`` published articles, indexed (half English, half Spanish)."""
    rng = random.Random(seed)
    docs = content.read_dir(content.SHIPPED)
    vocab = {lang: sorted({w for d in docs if d.language.value == lang for w in words(d.body)})
             for lang in ("en", "es")}  # fmt: skip
    at = datetime.now(UTC)
    with Session(engine) as session:
        articles, versions = [], []
        for i in range(n):
            doc = docs[i % len(docs)]
            extra = " ".join(rng.choices(vocab[doc.language.value], k=60))
            articles.append({
                "id": i + 1, "slug": f"a-{i}", "translation_key": f"t-{i}",
                "language": doc.language.value, "kind": doc.kind.value, "created_at": at,
            })  # fmt: skip
            versions.append({
                "id": i + 1, "article_id": i + 1, "number": 1,
                "title": f"{doc.title} {rng.choice(vocab[doc.language.value])}",
                "body": f"{doc.body}\n\n{extra}\n", "effective_on": date(2026, 1, 1),
                "state": VersionState.PUBLISHED.value, "created_at": at, "published_at": at,
            })  # fmt: skip
        session.execute(insert(KbArticle), articles)
        session.execute(insert(KbVersion), versions)
        for article, version in session.execute(
            select(KbArticle, KbVersion).join(KbVersion, KbVersion.article_id == KbArticle.id)
        ).all():
            search.index_version(session, version, article)
        session.commit()
        if engine.dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()


def like_scan(session: Session, query: str) -> tuple[list[int], int]:
    """The baseline: every word somewhere in the title or body (case-folded LIKE), in force."""
    conds = [
        func.lower(KbVersion.title + " " + KbVersion.body).like(f"%{w}%") for w in query.split()
    ]
    base = (
        select(KbVersion.id)
        .where(KbVersion.state == VersionState.PUBLISHED, search.in_force(datetime.now(UTC)))
        .where(*conds)
    )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = list(session.scalars(base.order_by(KbVersion.title).limit(20)))
    return rows, total


def matches_before(session: Session, query: str) -> Any:
    """The matches as the search read them before: (version_id, score) only, from the index."""
    if session.get_bind().dialect.name != "postgresql":
        return search._fts_matches(query)
    q = search._pg_query(query)
    tq_en, tq_es = "to_tsquery('english', :q)", "to_tsquery('spanish', :q)"
    stmt = text(
        f"SELECT version_id, -ts_rank_cd(tsv, CASE WHEN config = 'english' THEN {tq_en} "
        f"ELSE {tq_es} END) AS score FROM kb_search WHERE (config = 'english' AND tsv @@ "
        f"{tq_en}) OR (config = 'spanish' AND tsv @@ {tq_es})"
    ).bindparams(q=q)
    return stmt.columns(version_id=Integer, score=Float).cte("m").prefix_with("MATERIALIZED")


def search_before(session: Session, query: str, at: datetime) -> tuple[list[int], int]:
    """The search as it was before the index carried what decides whether a match is in force:
    every match joined to its version (and to its article, to break ties by the article's id)
    to check the in-force rule there. Kept as this run's before-figure and as a check that both
    answer the same; the page is loaded the same way as ``search.search`` does."""
    m = matches_before(session, query)
    base = (
        select(KbVersion.id, func.count().over().label("total"))
        .select_from(m)
        .join(KbVersion, m.c.version_id == KbVersion.id)
        .join(KbArticle, KbVersion.article_id == KbArticle.id)
        .where(KbVersion.state == VersionState.PUBLISHED, search.in_force(at))
    )
    ranked = session.execute(base.order_by(m.c.score, KbVersion.title, KbArticle.id).limit(20))
    rows = ranked.all()
    ids = [r[0] for r in rows]
    session.execute(
        select(KbArticle, KbVersion)
        .join(KbVersion, KbVersion.article_id == KbArticle.id)
        .where(KbVersion.id.in_(ids))
    ).all()
    return ids, int(rows[0][1]) if rows else 0


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run(name: str, settings: Settings, n: int, runs: int) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    t0 = time.perf_counter()
    load(engine, n)
    print(f"{name}: {n:,} articles loaded and indexed in {time.perf_counter() - t0:.1f} s")
    at = datetime.now(UTC)
    fts: list[float] = []
    before: list[float] = []
    like: list[float] = []
    with Session(engine) as session:
        for q in QUERIES:
            now_ids = [v.id for _, v in search.search(session, q, search.Filters(), at=at)[0]]
            assert search_before(session, q, at)[0] == now_ids, q  # same answers, same order
            # Interleaved, so both see the same load on a shared machine.
            for _ in range(runs):
                fts += timed(lambda q=q: search.search(session, q, search.Filters(), at=at), 1)
                before += timed(lambda q=q: search_before(session, q, at), 1)
            like_scan(session, q)
            like += timed(lambda q=q: like_scan(session, q), runs)
        hits = {q: search.search(session, q, search.Filters(), at=at)[1] for q in QUERIES[:4]}
    print(f"  matches of the first queries: {hits}")
    print(
        f"  full-text search: median {statistics.median(fts):.1f} ms, p95 {p95(fts):.1f} ms "
        f"({len(fts)} searches)"
    )
    print(
        f"  the same search before (each match joined to its version and article): median "
        f"{statistics.median(before):.1f} ms, p95 {p95(before):.1f} ms (same run, interleaved)"
    )
    print(
        f"  LIKE '%word%' scan: median {statistics.median(like):.1f} ms, p95 {p95(like):.1f} ms "
        f"(same queries, same run)"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000, help="articles to load")
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each query")
    args = parser.parse_args()
    install_keyring(KeyRing.generate())
    print(f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Settings(database_url=f"sqlite:///{tmp}/bench.db", var_dir=Path(tmp))
        run("sqlite", sqlite, args.articles, args.runs)
        pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
        if not pg:
            print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL")
            return
        with pg_schema(pg) as schema:
            settings = Settings(database_url=pg, database_schema=schema, var_dir=Path(tmp))
            run("postgresql", settings, args.articles, args.runs)


if __name__ == "__main__":
    main()

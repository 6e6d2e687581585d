"""The library as Markdown files: the shipped English and Spanish content, export then import
then export gives the same files, a re-import changes nothing, a changed file makes a new
version, and bad files are each named with their field while nothing is imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.audit import AuditContext
from memberdesk.kb import content
from memberdesk.kb.models import KbArticle, KbVersion

SYSTEM_CTX = AuditContext(actor_id=None, actor="test", role="system")


def test_shipped_library_has_every_article_in_both_languages() -> None:
    docs = content.read_dir(content.SHIPPED)
    keys: dict[str, set[str]] = {}
    for doc in docs:
        keys.setdefault(doc.translation_key, set()).add(doc.language.value)
    assert set(keys) == {
        "qualifying-life-events",
        "employer-contribution",
        "covered-services",
        "medi-cal-contacts",
        "eligibility-verification",
        "id-card-replacement",
        "premium-billing-correction",
        "claim-inquiry-script",
        "appeal-packet",
        "call-guide",
    }
    assert all(langs == {"en", "es"} for langs in keys.values())


def test_import_publishes_all_but_the_unverified_public_programme_contacts(
    db: Session, library: content.Imported
) -> None:
    assert library.created == 20 and library.published == 18
    assert library.awaiting_verification == ["medi-cal-contacts-en", "medi-cal-contacts-es"]
    medi = db.scalar(select(KbArticle).where(KbArticle.slug == "medi-cal-contacts-en"))
    assert medi is not None
    version = db.scalar(select(KbVersion).where(KbVersion.article_id == medi.id))
    assert version is not None and version.state.value == "approved"
    assert {p.normalized for p in version.points} == {
        "8005415555",
        "8004304263",
        "8004307077",
        "healthcareoptions.dhcs.ca.gov",
    }


def test_export_import_export_round_trip(db: Session, library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = tmp_path / "first"
    assert content.export_dir(db, first) == 20
    again = content.import_docs(db, SYSTEM_CTX, content.read_dir(first), now())
    assert (again.created, again.new_versions, again.unchanged) == (0, 0, 20)
    second = tmp_path / "second"
    content.export_dir(db, second)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_text("utf-8") == (second / name).read_text("utf-8")
    # The text survives word for word, accents included.
    es = (first / "id-card-replacement.es.md").read_text("utf-8")
    assert "title: Reposición de la tarjeta de identificación del miembro" in es
    # A changed file is a new version (a draft without an approver), the rest unchanged.
    edited = es.replace("7. Registre", "7. Anote la fecha.\n8. Registre")
    (first / "id-card-replacement.es.md").write_text(edited, "utf-8")
    third = content.import_docs(db, SYSTEM_CTX, content.read_dir(first), now())
    assert (third.new_versions, third.unchanged) == (1, 19)


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, "utf-8")


GOOD = (
    "---\nslug: a-en\ntranslation_key: a\nlanguage: en\nkind: faq\n"
    "effective_on: 2026-01-01\ntitle: A\n---\nBody.\n"
)


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("nofront.md", "Just text\n", "nofront.md: the file must start with '---'"),
        ("open.md", "---\nslug: x\n", "open.md: the front matter has no closing '---'"),
        ("lang.md", GOOD.replace("language: en", "language: fr"), "lang.md: language:"),
        ("body.md", GOOD.replace("Body.\n", "\n"), "body.md: body:"),
        ("field.md", GOOD.replace("kind: faq", "kind: faq\ncolour: red"), "field.md: colour:"),
        ("yaml.md", GOOD.replace("title: A", "title: [unclosed"), "yaml.md:"),
    ],
)
def test_bad_files_are_named_and_nothing_is_imported(
    db: Session, tmp_path: Path, name: str, text: str, problem: str
) -> None:
    folder = tmp_path / "lib"
    _write(folder, "good.md", GOOD)
    _write(folder, name, text)
    before = db.scalar(select(func.count()).select_from(KbArticle))
    with pytest.raises(content.ImportRefused) as refused:
        content.read_dir(folder)
    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith(problem), refused.value.problems
    assert db.scalar(select(func.count()).select_from(KbArticle)) == before


def test_two_files_with_one_slug_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    _write(folder, "a.md", GOOD)
    _write(folder, "b.md", GOOD)
    with pytest.raises(content.ImportRefused) as refused:
        content.read_dir(folder)
    assert refused.value.problems == ["b.md: slug: also used by a.md"]


def test_a_regulatory_change_in_a_file_starts_the_signoff_clock(
    db: Session, library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A plan keeping its library in git marks a change made for a rule in the file itself;
    the import starts the compliance sign-off clock as the editor's box does, and the export
    writes the mark back."""
    folder = tmp_path / "lib"
    content.export_dir(db, folder)
    path = folder / "appeal-packet.en.md"
    text = path.read_text("utf-8").replace(
        "\n---\n", "\nchange_note: New state deadline\nregulatory: true\n---\nAs of March.\n", 1
    )
    path.write_text(text, "utf-8")
    done = content.import_docs(db, SYSTEM_CTX, content.read_dir(folder), now())
    assert done.new_versions == 1
    article = db.scalars(select(KbArticle).where(KbArticle.slug == "appeal-packet-en")).one()
    latest = db.scalars(
        select(KbVersion)
        .where(KbVersion.article_id == article.id)
        .order_by(KbVersion.number.desc())
    ).first()
    assert latest is not None and latest.regulatory and latest.signoff_due_at is not None
    assert latest.change_note == "New state deadline"
    again = tmp_path / "again"
    content.export_dir(db, again)
    exported = (again / "appeal-packet.en.md").read_text("utf-8")
    assert "change_note: New state deadline\nregulatory: true\n---\nAs of March.\n" in exported

"""Templates render in English and Spanish for every pack; the PDF opens and holds the rights
notice, the due dates and the taglines; the sandbox refuses what it must (no database)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fontTools.ttLib import TTFont

from memberdesk.errors import InvalidInput
from memberdesk.letters import catalog, compose, contract, fonts, render, samples, words
from memberdesk.letters.enums import LetterKind
from memberdesk.letters.pdf import blocks, to_pdf
from memberdesk.sla.packs import zone_of
from tests.letters.helpers import pages_text, squeezed

PACKS = ("calchoice", "oregon-medicaid", "erisa-group")
TODAY = date(2026, 3, 16)
RIGHTS = {
    ("calchoice", "en"): "Independent Medical Review",
    ("calchoice", "es"): "Revisión Médica Independiente",
    ("oregon-medicaid", "en"): "state fair hearing",
    ("oregon-medicaid", "es"): "audiencia imparcial estatal",
    ("erisa-group", "en"): "external review",
    ("erisa-group", "es"): "revisión externa",
}


def _letter(pack: str, kind: LetterKind, language: str) -> tuple[compose.Composed, bytes, int]:
    zone = zone_of(pack)
    composed = compose.compose(
        kind,
        pack,
        samples.sample_context(kind, zone, TODAY),
        written_language=language,
        letter_date=TODAY,
        zone=zone,
    )
    data, pages = to_pdf(composed, samples.RECIPIENT)
    return composed, data, pages


@pytest.fixture(scope="module")
def letters() -> dict[tuple[str, LetterKind, str], tuple[compose.Composed, bytes, int]]:
    """Every kind, in both translations, for every pack: rendered once for the module."""
    return {
        (p, k, lang): _letter(p, k, lang)
        for p in PACKS
        for k in LetterKind
        for lang in ("en", "es")
    }


def _due_dates(kind: LetterKind, pack: str, language: str) -> list[str]:
    zone = zone_of(pack)
    ctx = samples.sample_context(kind, zone, TODAY)
    if kind is LetterKind.ACKNOWLEDGEMENT:
        return [words.day(ctx["resolution_due_at"], language)]
    if kind is LetterKind.EXTENSION:
        return [words.day(ctx["new_due_at"], language)]
    rights_by = compose.rights_deadline(compose.pack_info(pack), TODAY)
    shown = [words.day(rights_by, language)]
    if kind is LetterKind.DEEMED_EXHAUSTION:
        shown.append(words.when(ctx["missed_due_at"], language))
    return shown


def test_every_kind_renders_in_english_and_spanish_for_every_pack(letters) -> None:  # type: ignore[no-untyped-def]
    assert len(letters) == len(PACKS) * len(LetterKind) * 2
    for (pack, kind, language), (composed, data, pages) in letters.items():
        assert composed.language == language
        assert composed.body_template.name == f"{kind.value}/{language}/v1"
        assert composed.rights_template.name == f"rights/{pack}/{language}/v1"
        assert data.startswith(b"%PDF-")
        text = pages_text(data)
        assert len(text) == pages >= 2, (pack, kind, language)


def test_the_pdf_holds_the_rights_notice_and_the_due_dates(letters) -> None:  # type: ignore[no-untyped-def]
    for (pack, kind, language), (_, data, _) in letters.items():
        text = " ".join(pages_text(data))
        assert RIGHTS[(pack, language)] in text, (pack, kind, language)
        for due in _due_dates(kind, pack, language):
            assert due in text, (pack, kind, language, due)
        assert "A-SAMPLE-0001" in text


def test_oregon_resolution_names_the_hearing_deadline_120_days_out(letters) -> None:  # type: ignore[no-untyped-def]
    _, data, _ = letters[("oregon-medicaid", LetterKind.RESOLUTION, "en")]
    text = " ".join(pages_text(data))
    assert "within 120 days of the date of this notice: no later than July 14, 2026" in text
    _, data, _ = letters[("calchoice", LetterKind.RESOLUTION, "es")]
    assert "16 de septiembre de 2026" in " ".join(pages_text(data))  # IMR: 6 months


@pytest.mark.parametrize(
    ("language", "tagline"),
    [
        ("vi", "CHÚ Ý: Nếu bạn nói Tiếng Việt"),
        ("ru", "ВНИМАНИЕ: Если вы говорите на русском языке"),
        ("zh", "注意：如果您使用繁體中文，您可以免費獲得語言援助服務。"),
    ],
)
def test_a_language_without_a_translation_gets_english_and_its_tagline_first(
    language: str, tagline: str
) -> None:
    composed, data, _ = _letter("oregon-medicaid", LetterKind.ACKNOWLEDGEMENT, language)
    assert composed.language == "en"
    assert composed.taglines[0].language == language
    last = pages_text(data)[-1]
    assert "Language assistance" in last
    assert squeezed(tagline) in squeezed(last)
    # The member's own language comes straight after the English line, before Spanish.
    assert squeezed(last).index(squeezed(tagline)) < squeezed(last).index("ATENCIÓN")


def test_every_tagline_can_be_drawn_by_the_embedded_fonts() -> None:
    with TTFont(fonts.cjk(), lazy=True) as cjk:
        cjk_points = set(cjk.getBestCmap())
    for pack in PACKS:
        for tag in compose.taglines(pack, "en", compose.pack_info(pack).contacts):
            text = tag.name + tag.text
            missing = {
                ch
                for ch in text
                if not fonts.drawable(ch) and ord(ch) not in cjk_points and not ch.isspace()
            }
            assert not missing, (tag.language, missing)
            assert "{" not in tag.text  # numbers filled in


def test_each_book_carries_at_least_its_top_languages() -> None:
    codes = {t.language for t in compose.taglines("calchoice", "en", {})}
    assert {"es", "zh", "vi", "tl", "ko", "hy", "fa", "ru", "ar", "ja"} <= codes
    codes = {t.language for t in compose.taglines("oregon-medicaid", "en", {})}
    assert {"es", "ru", "vi", "zh", "ar", "so", "uk", "chk"} <= codes


# --------------------------------------------------------------------------- the sandbox

ALLOWED = contract.placeholders(LetterKind.ACKNOWLEDGEMENT)


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("{{ member_name.__class__ }}", "__class__"),
        ("{{ member_name.__class__.__mro__[1].__subclasses__() }}", "__"),
        ("{{ received_at['__class__'] }}", "__class__"),
        ("{{ plan_name.upper.__globals__ }}", "__globals__"),
        ("{{ __builtins__ }}", "__builtins__"),
    ],
)
def test_reaching_for_python_internals_is_refused(source: str, named: str) -> None:
    with pytest.raises(render.TemplateRefused) as err:
        render.check_template("acknowledgement/en/v9", source, ALLOWED)
    assert "acknowledgement/en/v9" in err.value.message
    assert "internals" in err.value.message and named in err.value.message


def test_the_sandbox_stops_internals_the_check_cannot_see() -> None:
    # The attr filter takes the attribute name as a string: only the sandbox sees it.
    source = '{{ member_name|attr("__class__") }}'
    with pytest.raises(render.TemplateRefused, match="internals"):
        render.render_source("acknowledgement/en/v9", source, {"member_name": "Alex Sample"})


def test_an_unknown_placeholder_is_refused_by_name() -> None:
    with pytest.raises(render.TemplateRefused) as err:
        render.check_template("resolution/es/v2", "Hola {{ member_name }} {{ ssn }}", ALLOWED)
    assert err.value.message == "template resolution/es/v2: unknown placeholder ssn"
    assert err.value.detail()["loc"] == ["template"]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ('{% include "rights/calchoice/en/v1.txt" %}', "may not load other templates"),
        ("{{ member_name|shout }}", "shout"),
        ("{% if member_name %}unclosed", "syntax error on line 1"),
    ],
)
def test_other_unsafe_or_broken_templates_are_refused(source: str, reason: str) -> None:
    with pytest.raises(render.TemplateRefused) as err:
        render.check_template("extension/en/v3", source, ALLOWED)
    assert "template extension/en/v3" in err.value.message and reason in err.value.message


def test_a_render_error_names_the_template_never_the_value() -> None:
    with pytest.raises(render.TemplateRefused) as err:
        render.render_source("x/en/v1", "{{ member_name.nothing }}", {"member_name": "Zyxwv"})
    assert "Zyxwv" not in str(err.value) and err.value.__cause__ is None


def test_values_are_data_not_layout() -> None:
    out = render.render_source("x/en/v1", "{{ rationale }}", {"rationale": "# not\n- a title"})
    assert [b.kind for b in blocks(out)] == ["para"]


def test_every_shipped_template_passes_the_check_and_released_ones_are_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = catalog.every_template()
    assert len(shipped) >= (len(LetterKind) + len(PACKS)) * 2
    for template in shipped:
        catalog.check(template)
        assert catalog.status(template) == "released"
    assert set(render.released()) == {t.name for t in shipped}
    # Wording changed after release: refused until it becomes a new version.
    lock = tmp_path / "released.toml"
    lock.write_text('[released]\n"acknowledgement/en/v1" = "' + "0" * 64 + '"\n')
    monkeypatch.setattr(render, "RELEASED_FILE", lock)
    render.released.cache_clear()
    try:
        with pytest.raises(render.TemplateRefused, match="changed after its release"):
            render.load("acknowledgement", "en")
    finally:
        monkeypatch.undo()
        render.released.cache_clear()


# --------------------------------------------------------------------------- the contract


def test_a_missing_field_is_named() -> None:
    ctx = samples.sample_context(LetterKind.RESOLUTION, ZoneInfo("America/Los_Angeles"), TODAY)
    del ctx["rationale"]
    with pytest.raises(InvalidInput) as err:
        contract.check_context(LetterKind.RESOLUTION, ctx)
    assert err.value.field == "context.rationale" and "required" in err.value.message


def test_unknown_fields_naive_times_and_bad_choices_are_refused() -> None:
    zone = ZoneInfo("America/Los_Angeles")
    base = samples.sample_context(LetterKind.EXTENSION, zone, TODAY)
    cases = [
        ({**base, "ssn": "x"}, "context.ssn"),
        ({**base, "new_due_at": datetime(2026, 4, 1, 17, 0)}, "context.new_due_at"),
        ({**base, "case_kind": "lawsuit"}, "context.case_kind"),
        ({**base, "member_name": "  "}, "context.member_name"),
    ]
    for ctx, field in cases:
        with pytest.raises(InvalidInput) as err:
            contract.check_context(LetterKind.EXTENSION, ctx)
        assert err.value.field == field
        assert "Alex Sample" not in err.value.message

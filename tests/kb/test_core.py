"""The pure core: contact points found in text, the version diff, safe Markdown, and the folding
and stemming both search engines index."""

from __future__ import annotations

import pytest

from memberdesk.kb.core import (
    diff_lines,
    find_contact_points,
    fold,
    index_terms,
    query_terms,
    render_markdown,
)
from memberdesk.kb.enums import KbLanguage, PointKind

P, E, W, A = PointKind.PHONE, PointKind.EMAIL, PointKind.WEB, PointKind.ADDRESS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call 1-800-541-5555 today.", [(P, "1-800-541-5555", "8005415555")]),
        (
            "at (800) 430-4263 (TTY: (800) 430-7077).",
            [(P, "(800) 430-4263", "8004304263"), (P, "(800) 430-7077", "8004307077")],
        ),
        ("Llame al 800.430.4263, por favor", [(P, "800.430.4263", "8004304263")]),
        ("Dial +1 916 555 0100.", [(P, "+1 916 555 0100", "9165550100")]),
        (
            "Write to Help.Desk@CalChoice.example.org.",
            [(E, "Help.Desk@CalChoice.example.org", "help.desk@calchoice.example.org")],
        ),
        (
            "Enroll at www.healthcareoptions.dhcs.ca.gov.",
            [(W, "www.healthcareoptions.dhcs.ca.gov", "healthcareoptions.dhcs.ca.gov")],
        ),
        (
            "See https://www.dhcs.ca.gov/services/Pages/x.aspx).",
            [
                (
                    W,
                    "https://www.dhcs.ca.gov/services/Pages/x.aspx",
                    "dhcs.ca.gov/services/pages/x.aspx",
                )
            ],
        ),
        (
            "Mail it to 1501 Capitol Avenue, Sacramento, CA 95814.",
            [
                (
                    A,
                    "1501 Capitol Avenue, Sacramento, CA 95814",
                    "1501 capitol avenue, sacramento, ca 95814",
                )
            ],
        ),
        ("Send to P.O. Box 997413 in Sacramento.", [(A, "P.O. Box 997413", "p.o. box 997413")]),
        (
            "Office: 500 NE Multnomah St, Suite 100, Portland, OR 97232",
            [
                (
                    A,
                    "500 NE Multnomah St, Suite 100, Portland, OR 97232",
                    "500 ne multnomah st, suite 100, portland, or 97232",
                )
            ],
        ),
    ],
)
def test_contact_points_found_in_their_usual_forms(text: str, expected: list) -> None:  # type: ignore[type-arg]
    got = [(p.kind, p.text, p.normalized) for p in find_contact_points(text)]
    assert got == expected


@pytest.mark.parametrize(
    "text",
    [
        "Member ID 123456789-01 and claim 2026-03-03-0001.",
        "Preventive care is covered at 100% within 30 days.",
        "Answer 80% of calls within 20 seconds; 5 business days.",
        "The version 1.2.3 of the form.",
        "Dates like 03/03/2026 are not phones.",
        "",
    ],
)
def test_no_contact_points_in_numbers_that_are_not_contacts(text: str) -> None:
    assert find_contact_points(text) == []


def test_each_point_once_and_an_email_domain_is_not_also_a_web_address() -> None:
    text = "Call 1-800-541-5555 or (800) 541-5555; write to help@dhcs.ca.gov."
    got = [(p.kind, p.normalized) for p in find_contact_points(text)]
    assert got == [(P, "8005415555"), (E, "help@dhcs.ca.gov")]


def test_diff_marks_added_removed_and_kept_lines() -> None:
    lines = diff_lines("a\nb\nc", "a\nB\nc\nd")
    assert [(d.op, d.text) for d in lines] == [
        ("same", "a"),
        ("removed", "b"),
        ("added", "B"),
        ("same", "c"),
        ("added", "d"),
    ]
    assert diff_lines("same", "same")[0].op == "same"


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="javascript:alert(1)">x</a>',
    ],
)
def test_markdown_never_lets_html_or_script_links_through(evil: str) -> None:
    html = render_markdown(f"# Title\n\n{evil}\n\n- item **bold**")
    assert "<script" not in html and "<img" not in html and '<a href="javascript' not in html
    assert 'href="javascript' not in html.lower() and 'src="data' not in html.lower()
    assert "<strong>bold</strong>" in html and "<h1>Title</h1>" in html


def test_folding_and_stemming_match_postgresql_snowball() -> None:
    assert fold("Identificación ÑANDÚ") == "identificacion nandu"
    # The stems PostgreSQL's english / spanish configurations give the folded words.
    assert index_terms("La tarjeta de identificación", KbLanguage.ES) == ["tarjet", "identif"]
    assert index_terms("Replacing the cards", KbLanguage.EN) == ["replac", "card"]
    typed = query_terms("tarjeta identificacion", KbLanguage.ES)
    assert typed.terms == ("tarjet", "identif") and typed.last_is_prefix
    assert not query_terms("tarj ", KbLanguage.ES).last_is_prefix
    assert query_terms("de la", KbLanguage.ES).terms == ()

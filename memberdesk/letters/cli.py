"""``memberdesk letters``: preview a letter from synthetic data, check every template.

Both work on the package's own templates and never touch the database, so compliance can
review a template (``--draft`` for a version not yet released) before it is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

letters_app = typer.Typer(
    help="Letters: preview templates with synthetic data, check every template.",
    no_args_is_help=True,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@letters_app.command("preview")
def preview(
    kind: Annotated[str, typer.Option("--kind", help="acknowledgement, extension, …")],
    pack: Annotated[str, typer.Option("--pack", help="calchoice, oregon-medicaid, erisa-group")],
    out: Annotated[Path, typer.Option("--out", help="PDF file to write")],
    language: Annotated[
        str, typer.Option("--language", help="The member's written language (ISO 639)")
    ] = "en",
    draft: Annotated[
        bool, typer.Option("--draft", help="Use the newest version, released or not")
    ] = False,
) -> None:
    """Render a sample letter with synthetic data to a PDF file."""
    from memberdesk.clock import now
    from memberdesk.errors import MemberdeskError
    from memberdesk.letters import compose, samples
    from memberdesk.letters.enums import LetterKind
    from memberdesk.letters.pdf import to_pdf
    from memberdesk.sla.packs import zone_of

    try:
        letter_kind = LetterKind(kind)
    except ValueError:
        raise _fail(f"--kind must be one of {', '.join(k.value for k in LetterKind)}") from None
    if pack not in compose.pack_names():
        raise _fail(f"--pack must be one of {', '.join(compose.pack_names())}")
    zone = zone_of(pack)
    today = now().astimezone(zone).date()
    try:
        composed = compose.compose(
            letter_kind,
            pack,
            samples.sample_context(letter_kind, zone, today),
            written_language=language,
            letter_date=today,
            zone=zone,
            drafts=draft,
        )
    except MemberdeskError as exc:
        raise _fail(exc.message) from None
    data, pages = to_pdf(composed, samples.RECIPIENT)
    out.write_bytes(data)
    if not compose.pack_info(pack).verified:
        typer.echo(
            f"note: the {pack} phone numbers and addresses (letters/packs.toml) are not yet "
            "verified for publication",
            err=True,
        )
    typer.echo(
        f"{composed.body_template.name} + {composed.rights_template.name} in "
        f"{composed.language}: {pages} pages"
    )
    typer.echo(str(out))


@letters_app.command("check")
def check() -> None:
    """Check every template version in the package (placeholders, sandbox rules, syntax)."""
    from memberdesk.errors import MemberdeskError
    from memberdesk.letters import catalog

    problems = 0
    for template in catalog.every_template():
        try:
            catalog.check(template)
        except MemberdeskError as exc:
            problems += 1
            typer.echo(f"refused: {exc.message}")
        else:
            typer.echo(f"ok: {template.name} ({catalog.status(template)})")
    if problems:
        raise typer.Exit(1)

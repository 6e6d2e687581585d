"""The fonts letters embed, all from installed Python packages (no system fonts needed).

- DejaVu Sans (shipped inside matplotlib, a dependency already): Latin with Vietnamese,
  Cyrillic, Greek, Armenian, Arabic and Persian.
- Noto Sans CJK (the ``cvttf-NotoSansCJK-Regular`` package): Chinese, Japanese and Korean.
  It is 16 MB; the taglines page embeds a subset cut once per process to the characters of
  the taglines, so a letter costs milliseconds, not the half second the whole font takes.
"""

from __future__ import annotations

import importlib.util
import io
import string
import tempfile
from functools import lru_cache
from pathlib import Path

DEJAVU = "DejaVuSans.ttf"
DEJAVU_BOLD = "DejaVuSans-Bold.ttf"
CJK_PACKAGE = "cvttf_NotoSansCJK_Regular"
# Formatting characters the layout uses and no font draws: zero-width space, line separator,
# bidi isolates.
INVISIBLE = frozenset({0x200B, 0x2028, 0x2066, 0x2069})


class FontMissing(RuntimeError):
    """A font package is not installed (``pip install -e .`` installs them)."""


def _package_dir(name: str) -> Path:
    # find_spec locates the package without importing it (matplotlib's import is slow).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise FontMissing(f"the Python package {name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def dejavu(bold: bool = False) -> Path:
    """DejaVu Sans (regular or bold) as matplotlib ships it."""
    path = _package_dir("matplotlib") / "mpl-data" / "fonts" / "ttf"
    return path / (DEJAVU_BOLD if bold else DEJAVU)


def cjk() -> Path:
    """The whole Noto Sans CJK font (OpenType, CFF outlines)."""
    found = sorted(_package_dir(CJK_PACKAGE).glob("*.otf"))
    if not found:
        raise FontMissing(f"no font file in the package {CJK_PACKAGE}")
    return found[0]


@lru_cache(maxsize=1)
def dejavu_codepoints() -> frozenset[int]:
    """Characters DejaVu Sans can draw."""
    from fontTools.ttLib import TTFont

    with TTFont(dejavu(), lazy=True) as font:
        return frozenset(font.getBestCmap())


def drawable(text: str) -> bool:
    """True when DejaVu Sans draws every character of ``text``."""
    points = dejavu_codepoints()
    return all(ord(ch) in points or ch.isspace() or ord(ch) in INVISIBLE for ch in text)


@lru_cache(maxsize=4)
def cjk_subset(characters: str) -> Path:
    """Noto Sans CJK cut down to ``characters`` (plus ASCII), written once per process to a
    private temporary file (fpdf2 loads fonts from files)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = TTFont(cjk(), lazy=True)
    cutter = subset.Subsetter(options)
    cutter.populate(text="".join(sorted(set(characters + string.printable))))
    cutter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    folder = Path(tempfile.mkdtemp(prefix="memberdesk-fonts-"))
    path = folder / "NotoSansCJK-taglines.otf"
    path.write_bytes(buf.getvalue())
    return path

"""Line breaking for prose in three languages (no Textual here).

Textual and Rich break lines at spaces and fold a longer "word" cell by cell. Chinese has no
spaces: a sentence is one long word to them, so it is cut anywhere, an amount such as ¥87,617.63
can be split in two, and a line can start with 。 or ，. :func:`wrap_lines` breaks the way Chinese
typography does (a simplified UAX #14):

* between two Chinese characters, and between a Chinese character and a Latin word or number;
* at spaces (dropped at the ends of lines);
* never inside a run of Latin letters, digits and signs (``CN¥87,617.63``, ``HK$3,060``, ``MPF``);
* never before closing punctuation (``，。、；：！？）」』】》%`` ...: it stays at the end of the line
  before) and never after opening punctuation (``（「『【《`` ...: it moves to the next line);
* a word longer than the whole line is folded by characters (nothing else fits).

:class:`Prose` is a Rich renderable that wraps its text this way at the width it is given, so a
Textual ``Static`` showing it wraps correctly at every terminal width and on every resize.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

#: closing punctuation and signs that must not start a line
CLOSING = set("，。、；：！？）」』】》〉〕］｝…‥’”％·・ー〜,.;:!?)]}%")
#: opening punctuation that must not end a line
OPENING = set("（「『【《〈〔［｛‘“([{")


def is_wide(ch: str) -> bool:
    """A character that takes two cells and can be broken around (CJK ideographs, kana, fullwidth forms)."""
    return unicodedata.east_asian_width(ch) in "WF"


_TOKEN = re.compile(r"\s+|.", re.S)


def _atoms(text: str) -> list[tuple[str, bool]]:
    """The text as unbreakable pieces: (piece, is_space). A break may fall between any two pieces."""
    atoms: list[list] = []        # [text, is_space]
    prefix = ""                   # opening punctuation waiting for what follows it
    word = False                  # the last atom is a run of narrow characters (a word can grow)
    for tok in _TOKEN.findall(text):
        if tok.isspace():
            if prefix:
                atoms.append([prefix, False])
                prefix = ""
            atoms.append([tok, True])
            word = False
        elif tok in CLOSING and atoms and not atoms[-1][1] and not prefix:
            atoms[-1][0] += tok                       # stays with what it closes
            word = not is_wide(tok)
        elif tok in OPENING:
            prefix += tok
            word = False
        elif is_wide(tok):
            atoms.append([prefix + tok, False])
            prefix, word = "", False
        elif word and not prefix:
            atoms[-1][0] += tok                       # a Latin word, a number, an amount
        else:
            atoms.append([prefix + tok, False])
            prefix, word = "", True
    if prefix:
        atoms.append([prefix, False])
    return [(a, s) for a, s in atoms]


def _fold(piece: str, width: int) -> list[str]:
    """A piece wider than a line, cut by characters."""
    out, line, used = [], "", 0
    for ch in piece:
        w = cell_len(ch)
        if used + w > width and line:
            out.append(line)
            line, used = "", 0
        line += ch
        used += w
    out.append(line)
    return out


def wrap_paragraph(text: str, width: int) -> list[str]:
    """One paragraph (no line breaks in it) as lines of at most ``width`` cells; a leading indent
    is kept on every line."""
    width = max(width, 1)
    indent = text[: len(text) - len(text.lstrip(" "))]
    if cell_len(indent) * 2 >= width:
        indent = ""
    room = width - cell_len(indent)
    lines: list[str] = []
    line, used = "", 0
    for piece, space in _atoms(text.strip(" ")):
        if space:
            if line:
                line += " "
                used += 1
            continue
        w = cell_len(piece)
        if used + w <= room:
            line += piece
            used += w
            continue
        if line.strip():
            lines.append(line.rstrip())
        if w <= room:
            line, used = piece, w
        else:                                   # longer than a whole line: fold it
            parts = _fold(piece, room)
            lines += parts[:-1]
            line, used = parts[-1], cell_len(parts[-1])
    lines.append(line.rstrip())
    return [indent + line for line in lines]


def wrap_lines(text: str, width: int) -> list[str]:
    """The text as lines of at most ``width`` cells (its own line breaks kept)."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        out += wrap_paragraph(paragraph, width) if paragraph.strip() else [""]
    return out


class Prose:
    """Text that wraps as :func:`wrap_lines` does, at the width it is rendered at. ``str()`` is the
    text itself (the tests read it). ``styles``: a style for some lines, by paragraph index."""

    def __init__(self, text: str, style: str = "", styles: dict[int, str] | None = None):
        self.text = text
        self.style = style
        self.styles = styles or {}

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other) -> bool:
        return isinstance(other, Prose) and (other.text, other.style, other.styles) == (self.text, self.style, self.styles)

    def __hash__(self) -> int:
        return hash(self.text)

    def _paragraphs(self) -> Iterable[tuple[str, str]]:
        for k, p in enumerate(self.text.split("\n")):
            yield p, self.styles.get(k, self.style)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        for paragraph, style in self._paragraphs():
            lines = wrap_paragraph(paragraph, width) if paragraph.strip() else [""]
            for line in lines:
                yield Text(line, style=style, no_wrap=True, overflow="ignore", end="\n")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(p) for p in self.text.split("\n")), default=0)
        longest_piece = max((cell_len(a) for a, s in _atoms(self.text) if not s), default=0)
        return Measurement(min(longest_piece, options.max_width), min(widest, options.max_width))

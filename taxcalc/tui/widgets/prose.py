"""Text that wraps the way each language does (taxcalc.tui.wrap), as a Textual Visual: a Static
showing it measures and paints with the same line breaks at every width and on every resize.
``str()`` is the text itself (tests read what a widget shows with ``str(widget.render())``)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

from ..wrap import _atoms, wrap_paragraph


class Wrapped(Visual):
    """``text`` wrapped with :func:`taxcalc.tui.wrap.wrap_paragraph`; ``styles``: a style for some
    paragraphs (by index), ``style`` for the others."""

    def __init__(self, text: str, style: str = "", styles: dict[int, str] | None = None):
        self.text = text
        self.style = style
        self.styles = styles or {}
        self._cache: tuple[int, Content] | None = None

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other) -> bool:
        return isinstance(other, Wrapped) and (self.text, self.style, self.styles) == (other.text, other.style, other.styles)

    __hash__ = None  # type: ignore[assignment]

    def _content(self, width: int) -> Content:
        if self._cache is not None and self._cache[0] == width:
            return self._cache[1]
        parts: list[Content] = []
        for k, paragraph in enumerate(self.text.split("\n")):
            lines = wrap_paragraph(paragraph, width) if paragraph.strip() else [""]
            piece = Content("\n".join(lines))
            style = self.styles.get(k, self.style)
            parts.append(piece.stylize(style) if style else piece)
        content = Content("\n").join(parts)
        self._cache = (width, content)
        return content

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self._content(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((cell_len(p) for p in self.text.split("\n")), default=0)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return max((cell_len(a) for a, space in _atoms(self.text) if not space), default=1)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self._content(width).plain.split("\n"))


class Prose(Static):
    """A Static of wrapped text; :meth:`say` updates it only when the text changes."""

    def __init__(self, text: str = "", *, style: str = "", styles: dict[int, str] | None = None, **kw):
        super().__init__(Wrapped(text, style, styles), **kw)
        self._said = (text, style, tuple(sorted((styles or {}).items())))

    @property
    def text(self) -> str:
        return self._said[0]

    def say(self, text: str, *, style: str = "", styles: dict[int, str] | None = None) -> None:
        key = (text, style, tuple(sorted((styles or {}).items())))
        if key != self._said:
            self._said = key
            self.update(Wrapped(text, style, styles))


class Rows(Visual):
    """Label and value rows: the value right-aligned in bold and never wrapped, the label wrapped the
    language's way in the room left (a light table: laid out once per width)."""

    def __init__(self, rows: list[tuple[str, str]]):
        self.rows = rows
        self._cache: tuple[int, Content] | None = None

    def __str__(self) -> str:
        return "\n".join(f"{label} {value}" for label, value in self.rows)

    def _content(self, width: int) -> Content:
        if self._cache is not None and self._cache[0] == width:
            return self._cache[1]
        lines: list[Content] = []
        for label, value in self.rows:
            vw = cell_len(value)
            room = max(width - vw - 1, 8)
            wrapped = wrap_paragraph(label, room) or [""]
            for k, text in enumerate(wrapped):
                if k == len(wrapped) - 1:
                    pad = max(width - cell_len(text) - vw, 1)
                    lines.append(Content.assemble(text, " " * pad, (value, "bold")))
                else:
                    lines.append(Content(text))
        content = Content("\n").join(lines)
        self._cache = (width, content)
        return content

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self._content(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((cell_len(label) + 1 + cell_len(value) for label, value in self.rows), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self._content(width).plain.split("\n")) if self.rows else 0


class Sections(Visual):
    """The results' sections in one visual: for each, its title (bold, in the accent colour), a rule,
    and its rows as :class:`Rows` lays them out; a blank line between sections."""

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]):
        self.sections = [(title, rows) for title, rows in sections if rows]
        self._cache: tuple[int, Content] | None = None

    def __str__(self) -> str:
        return "\n\n".join(title + "\n" + str(Rows(rows)) for title, rows in self.sections)

    def _content(self, width: int) -> Content:
        if self._cache is not None and self._cache[0] == width:
            return self._cache[1]
        parts: list[Content] = []
        for k, (title, rows) in enumerate(self.sections):
            if k:
                parts.append(Content(""))
            for line in wrap_paragraph(title, width):
                parts.append(Content(line).stylize("bold $accent"))
            parts.append(Content("─" * width).stylize("$accent 50%"))
            parts.append(Rows(rows)._content(width))
        content = Content("\n").join(parts)
        self._cache = (width, content)
        return content

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self._content(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((Rows(rows).get_optimal_width(rules, container_width) for _t, rows in self.sections), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self._content(width).plain.split("\n")) if self.sections else 0

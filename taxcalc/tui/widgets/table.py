"""A table of figures whose columns scroll whole: the first scrolled column is never cut by the
fixed label column, so that no amount shows without its sign or its currency."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from ..wrap import wrap_paragraph

#: the widest a value cell is before its words wrap (a policy's name); amounts are narrower
CELL_WIDTH = 22


def label_width(width: int) -> int:
    """The label column's width: narrow terminals keep room for two or three columns beside it."""
    return 24 if width < 100 else 30 if width < 140 else 36


def wrapped(text: str, *args, **kw) -> Text:
    """A cell's text wrapped the language's way to ``width`` columns (the last argument); a style
    may come before it."""
    *style, width = args
    return Text("\n".join(wrap_paragraph(text, width) or [""]), *style, **kw)


class ColumnTable(DataTable):
    """A DataTable that, after the cursor moves across, scrolls to a column's start (Textual
    scrolls by the least amount, which can leave ``−CN¥26,505.89`` showing as ``CN¥26,505.89``)."""

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        super()._scroll_cursor_into_view(animate=False)
        if self.cursor_type == "row" or self.cursor_column < self.fixed_columns:
            return
        widths = [c.get_render_width(self) for c in self.ordered_columns]
        fixed = sum(widths[: self.fixed_columns])
        starts, x = [], fixed
        for w in widths[self.fixed_columns:]:
            starts.append(x - fixed)          # scroll_x that puts this column right after the fixed ones
            x += w
        after = [s for s in starts if s >= self.scroll_x]
        if after and after[0] != self.scroll_x:
            self.scroll_to(x=after[0], animate=False, force=True)

"""A table of figures whose columns scroll whole: the first scrolled column is never cut by the
fixed label column, so that no amount shows without its sign or its currency."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widgets import DataTable

from ..wrap import wrap_paragraph

#: the widest a value cell is before its words wrap (a policy's name); amounts are narrower
CELL_WIDTH = 22


def label_width(width: int, narrow: int = 24) -> int:
    """The label column's width: narrow terminals keep room for two or three columns beside it
    (the packages' labels take 22 below 100 columns, so that two packages show whole at 80)."""
    return narrow if width < 100 else 30 if width < 140 else 36


def wrapped(text: str, *args, **kw) -> Text:
    """A cell's text wrapped the language's way to ``width`` columns (the last argument); a style
    may come before it."""
    *style, width = args
    return Text("\n".join(wrap_paragraph(text, width) or [""]), *style, **kw)


class ColumnTable(DataTable):
    """A DataTable that, after the cursor moves across, scrolls to a column's start (Textual
    scrolls by the least amount, which can leave ``−CN¥26,505.89`` showing as ``CN¥26,505.89``),
    and that shows no column in part: a column cut by the right edge (``CN¥1,000,000.0``) or, at the
    end of the scroll, by the fixed labels (``nt`` of ``Hong Kong resident``) is left blank until
    the columns scroll to it."""

    def _cut_spans(self) -> list[tuple[int, int]]:
        """The screen columns of the columns shown in part (only those that fit the view whole)."""
        widths = [c.get_render_width(self) for c in self.ordered_columns]
        fixed = sum(widths[: self.fixed_columns])
        view = self.scrollable_content_region.width
        spans, x = [], fixed - round(self.scroll_x)
        for w in widths[self.fixed_columns:]:
            start, end = x, x + w
            x = end
            if w > view - fixed or end <= fixed or start >= view:
                continue                       # too wide to show whole anyway, or not shown at all
            if start < fixed or end > view:
                spans.append((max(start, fixed), min(end, view)))
        return spans

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        for start, end in self._cut_spans():
            cut = strip.crop(start, end)
            blank = Strip([Segment(" " * seg.cell_length, Style(bgcolor=seg.style.bgcolor) if seg.style else None)
                           for seg in cut], cut.cell_length)
            strip = Strip.join([strip.crop(0, start), blank, strip.crop(end, strip.cell_length)])
        return strip

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

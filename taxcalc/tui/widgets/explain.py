"""The explanation: the core's trace as a tree, each step with its formula, values and citation,
every label, formula and note rendered from its code in the UI language."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, VerticalScroll
from textual.widgets import Tree

from ...explain import Step
from ...i18n import _
from .. import report
from .prose import Prose

_MARK = "\x00"


def _label(step: Step) -> Text:
    """The step's line, its value in bold (the template decides where the value goes)."""
    label, value = report.step_parts(step)
    if value:
        before, _sep, after = report.step_line(step, value=_MARK).partition(_MARK)
        t = Text.assemble(before, (value, "bold"), after)
    else:
        t = Text(label)
    if step.citation is not None:
        t.append(" §", style="dim")
    return t


class ExplainTree(Tree):
    """Enter or space opens a step; the step's formula and source show in the detail beside.

    Nodes carry their :class:`Step` as data; formulas and notes also appear as leaves."""

    def __init__(self, step: Step | None, **kw):
        super().__init__(_("Explanation"), **kw)
        self.guide_depth = 3
        if step is not None:
            self.show_step(step)

    def render_label(self, node, base_style, style) -> Text:
        """A step's line as wide as the tree: a long label is shortened (…) before its value, so that
        the value is never cut at the edge (``HK$1,089,`` of ``HK$1,089,149.97`` at 80 columns)."""
        text = super().render_label(node, base_style, style)
        depth, parent = 0, node.parent
        while parent is not None:
            depth, parent = depth + 1, parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth - 1
        value = next((span for span in node._label.spans if span.style == "bold"), None)
        if value is None or text.cell_len <= room:
            return text
        # the line is the prefix, the label, the template's separator (``: ``, ``：``), the value and the rest
        start = len(text.plain) - len(node._label.plain)
        label = report.step_parts(node.data)[0] if isinstance(node.data, Step) else ""
        at = text.plain.find(label, start, start + value.start) if label else -1
        cut = at + len(label) if at >= 0 else start + value.start
        head, tail = text[:cut], text[cut:]
        if room - tail.cell_len < 12:          # too little room for any label: the line scrolls as it is
            return text
        head.truncate(room - tail.cell_len, overflow="ellipsis")
        return head.append_text(tail)

    def on_resize(self) -> None:
        self._invalidate()                     # the lines' widths depend on the tree's

    def show_step(self, step: Step) -> None:
        self.clear()
        self.root.set_label(_label(step))
        self.root.data = step
        self._add(self.root, step)
        self.root.expand()
        for child in self.root.children:
            child.expand()

    def _add(self, node, step: Step) -> None:
        if step.formula is not None:
            node.add_leaf(Text(report.formula_line(step), style="italic"), data=step)
        if step.note is not None:
            node.add_leaf(Text(report.note_line(step), style="dim"), data=step)
        for child in step.children:
            if child.children or child.formula is not None or child.note is not None:
                self._add(node.add(_label(child), data=child), child)
            else:
                node.add_leaf(_label(child), data=child)


class ExplainView(Container):
    def __init__(self, step: Step | None, **kw):
        super().__init__(**kw)
        self.step = step

    def compose(self) -> ComposeResult:
        yield ExplainTree(self.step, id="explain-tree")
        with VerticalScroll(id="explain-detail-box"):
            yield Prose(_("Move through the steps: the formula and the source of the highlighted step show here."),
                        id="explain-detail")

    def show_step(self, step: Step) -> None:
        self.step = step
        self.query_one(ExplainTree).show_step(step)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data is not None:
            self.query_one("#explain-detail", Prose).say(report.step_detail(event.node.data))

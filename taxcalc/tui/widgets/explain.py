"""The explanation: the core's trace as a tree, each step with its formula, values and citation."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, VerticalScroll
from textual.widgets import Static, Tree

from ...explain import Step
from ...i18n import _
from ..explain_labels import step_label


def _label(step: Step) -> Text:
    t = Text(step_label(step.label))
    if step.value:
        t.append(": ")
        t.append(step.value, style="bold")
    if step.citation is not None:
        t.append(" §", style="dim")
    return t


def step_detail(step: Step) -> str:
    lines = [step_label(step.label) + (f": {step.value}" if step.value else "")]
    if step.formula:
        lines.append("= " + step.formula)
    if step.note:
        lines.append(_("note") + ": " + step.note)
    if step.citation is not None:
        c = step.citation
        lines.append("§ " + _("source") + ": " + c.short())
        if c.url:
            lines.append("  " + c.url)
    return "\n".join(lines)


class ExplainTree(Tree):
    """Enter or space opens a step; the step's formula and source show in the detail below.

    Nodes carry their :class:`Step` as data; formulas also appear as leaves (=)."""

    def __init__(self, step: Step | None, **kw):
        super().__init__(_("Explanation"), **kw)
        self.guide_depth = 3
        if step is not None:
            self.show_step(step)

    def show_step(self, step: Step) -> None:
        self.clear()
        self.root.set_label(_label(step))
        self.root.data = step
        self._add(self.root, step)
        self.root.expand()
        for child in self.root.children:
            child.expand()

    def _add(self, node, step: Step) -> None:
        if step.formula:
            node.add_leaf(Text("= " + step.formula, style="italic"), data=step)
        if step.note:
            node.add_leaf(Text(_("note") + ": " + step.note, style="dim"), data=step)
        for child in step.children:
            if child.children or child.formula or child.note:
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
            yield Static(_("Move through the steps: the formula and the source of the highlighted step show here."),
                         id="explain-detail", markup=False)

    def show_step(self, step: Step) -> None:
        self.step = step
        self.query_one(ExplainTree).show_step(step)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data is not None:
            self.query_one("#explain-detail", Static).update(step_detail(event.node.data))

"""The terminal UI formats figures; it never computes or rounds one (docs/tui.md, ARCHITECTURE.md).

An AST scan of ``taxcalc/tui/**/*.py`` fails on:

* arithmetic (``+ - * / // % **``, unary minus, augmented assignment, ``abs``, ``round``, ``sum``)
  with an operand that is a registry figure (``r.iit``, ``iit``, ``row["iit"]``,
  ``getattr(r, "iit")``, also through ``float()``, ``int()`` or ``Decimal()``), or an input read
  from a scenario (``s.wages + s.bonus`` is the engine's ``gross_income``);
* ``.quantize(`` anywhere (a face does no rounding of its own);
* ``Decimal(...)`` applied to a figure.

Layout arithmetic (widths, positions, counts, tick steps) is allowed: its operands are not figures.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from taxcalc.figures import NAMES
from taxcalc.scenario import FIELDS

TUI = Path(__file__).resolve().parents[2] / "taxcalc" / "tui"
FIGURES = frozenset(NAMES)
INPUTS = frozenset(FIELDS) - {"id"}
WRAPPERS = ("float", "int", "Decimal", "abs", "round")


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def is_figure(node: ast.AST) -> bool:
    """An expression that reads a registry figure (directly or through a numeric conversion)."""
    if isinstance(node, ast.Attribute):
        return node.attr in FIGURES or node.attr in INPUTS
    if isinstance(node, ast.Name):
        return node.id in FIGURES
    if isinstance(node, ast.Subscript):
        key = node.slice
        return isinstance(key, ast.Constant) and key.value in FIGURES
    if isinstance(node, ast.Call):
        name = _call_name(node)
        if name == "getattr" and len(node.args) >= 2:
            key = node.args[1]
            return isinstance(key, ast.Constant) and key.value in FIGURES
        if name in WRAPPERS and node.args:
            return is_figure(node.args[0])
    return False


def mentions_figure(node: ast.AST) -> bool:
    return any(is_figure(n) for n in ast.walk(node))


def problems(source: str, filename: str = "<string>") -> list[str]:
    out = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        binop = isinstance(node, ast.BinOp) and (is_figure(node.left) or is_figure(node.right))
        unary = (isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd))
                 and is_figure(node.operand))
        augmented = isinstance(node, ast.AugAssign) and (is_figure(node.target) or is_figure(node.value))
        if binop or unary or augmented:
            out.append(f"{where}: arithmetic on a figure: {ast.unparse(node)}")
        elif isinstance(node, ast.Call):
            name = _call_name(node)
            if name == "quantize":
                out.append(f"{where}: rounding of its own: {ast.unparse(node)}")
            elif name == "Decimal" and any(mentions_figure(a) for a in node.args):
                out.append(f"{where}: Decimal() on a figure: {ast.unparse(node)}")
            elif name in ("abs", "round", "sum") and any(mentions_figure(a) for a in node.args):
                out.append(f"{where}: arithmetic on a figure: {ast.unparse(node)}")
    return out


FILES = sorted(TUI.rglob("*.py"))


def test_the_scan_sees_the_ui():
    assert len(FILES) >= 15


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(TUI)))
def test_no_figure_arithmetic(path):
    found = problems(path.read_text(encoding="utf-8"), str(path.relative_to(TUI.parent.parent)))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("bad", [
    "gap_hkd = (gap / r.cny_per_hkd_used)",
    "x = r.iit / r.gross_income * 100",
    "before = float(r.iit) * 100",
    "net = -r.burden_gap_cny",
    "total += r.relief",
    "v = Decimal(r.iit)",
    "v = Decimal(str(r.hk_tax))",
    "v = value.quantize(Decimal('0.01'))",
    "m = abs(r.burden_gap_cny)",
    "t = sum(getattr(r, 'iit') for r in rs)",
    "g = row['gross_income'] - row['iit_net']",
    "g = gross_income * 2",
    "gross = (r.hk_income * r.cny_per_hkd)",
    "gross = s.wages + s.bonus",
])
def test_the_scan_finds_figure_arithmetic(bad):
    assert problems(bad)


@pytest.mark.parametrize("fine", [
    "width = len(label) + 2",
    "n = k + 1",
    "ticks = [step * k for k in range(int(span // step) + 1)]",
    "top = max(values) * 1.1",
    "xs = [float(p.gross_income) for p in points]",
    "text = figure_text(r.burden_gap_cny, f, signed=True)",
    "more = r.burden_gap_cny > 0",
])
def test_the_scan_allows_layout_and_formatting(fine):
    assert not problems(fine)

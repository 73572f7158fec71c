"""Golden cases kept as data files in tests/golden/: published examples and hand checks.

Every ``tests/golden/*.toml`` except ``withholding.toml`` holds ``[[case]]`` entries run through
:func:`taxcalc.calculate`: ``name``, ``source`` (the document the figures come from), ``worked``
(the arithmetic, where the figures are worked out rather than published), ``input``, optional
``options`` and ``expect`` (exact strings). ``expect.reliefs`` maps zone policies to the amount the
policy gives, or the reason it does not apply (``Result.reliefs``). A case with ``xfail`` documents
a table value that disagrees with the case's source: it is expected to fail until the table is
corrected (strict, so a corrected table makes the mark itself fail and get removed).
"""

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from taxcalc import Options, calculate, withholding

GOLDEN = Path(__file__).parent / "golden"
CALC_FILES = sorted(p.name for p in GOLDEN.glob("*.toml") if p.name != "withholding.toml")


def load_cases(name):
    with open(GOLDEN / name, "rb") as fh:
        return tomllib.load(fh, parse_float=Decimal)["case"]


def _cases(name):
    out = []
    for c in load_cases(name):
        marks = [pytest.mark.xfail(reason=c["xfail"], strict=True)] if "xfail" in c else []
        out.append(pytest.param(c, id=f"{name[:-5]}: {c['name'][:90]}", marks=marks))
    return out


def as_text(v):
    if isinstance(v, bool):
        return str(v).lower()
    return str(v)


def reliefs_text(result) -> dict[str, str]:
    """Each zone policy: the amount when it applies, else why not."""
    return {o.policy: (str(o.amount) if o.reason == "applies" else o.reason) for o in result.reliefs}


def figures(result, expect: dict) -> dict:
    """The figures of ``result`` named in ``expect``, as text."""
    got = {}
    for k, v in expect.items():
        if k == "reliefs":
            r = reliefs_text(result)
            got[k] = {p: r.get(p, "(no such policy)") for p in v}
        else:
            got[k] = as_text(getattr(result, k))
    return got


def wanted(expect: dict) -> dict:
    return {k: ({p: as_text(x) for p, x in v.items()} if k == "reliefs" else as_text(v)) for k, v in expect.items()}


def test_every_case_has_a_source():
    for name in CALC_FILES:
        for c in load_cases(name):
            assert c.get("source"), f"{name}: {c['name']} has no source"


@pytest.mark.parametrize("case", [p for name in CALC_FILES for p in _cases(name)])
def test_golden(case, tables):
    options = Options(**case.get("options", {}))
    result = calculate(case["input"], tables=tables, options=options)
    assert figures(result, case["expect"]) == wanted(case["expect"]), case.get("source", "")


@pytest.mark.parametrize("case", _cases("withholding.toml"))
def test_withholding_golden(case, tables):
    w = withholding(case["input"], tables=tables)
    assert [str(m.withheld) for m in w.months] == case["withheld"]
    assert str(w.annual_tax) == case["annual"]
    assert w.withheld_total == w.annual_tax
    assert w.settlement == 0

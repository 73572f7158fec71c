"""Golden cases kept as data files in tests/golden/: published examples and hand checks."""

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from taxcalc import Options, calculate, withholding

GOLDEN = Path(__file__).parent / "golden"


def _cases(name):
    with open(GOLDEN / name, "rb") as fh:
        data = tomllib.load(fh, parse_float=Decimal)
    return [pytest.param(c, id=c["name"][:70]) for c in data["case"]]


def _as_text(v):
    if isinstance(v, bool):
        return str(v).lower()
    return str(v)


@pytest.mark.parametrize("case", _cases("mainland.toml") + _cases("hongkong.toml") + _cases("zones.toml"))
def test_golden(case, tables):
    options = Options(**case.get("options", {}))
    result = calculate(case["input"], tables=tables, options=options)
    got = {k: _as_text(getattr(result, k)) for k in case["expect"]}
    want = {k: _as_text(v) for k, v in case["expect"].items()}
    assert got == want, case.get("source", "")


@pytest.mark.parametrize("case", _cases("withholding.toml"))
def test_withholding_golden(case, tables):
    w = withholding(case["input"], tables=tables)
    assert [str(m.withheld) for m in w.months] == case["withheld"]
    assert str(w.annual_tax) == case["annual"]
    assert w.withheld_total == w.annual_tax
    assert w.settlement == 0

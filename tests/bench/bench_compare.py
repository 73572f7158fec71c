"""HR tool benchmarks (run apart: pytest tests/bench/bench_compare.py --benchmark-only -p no:randomly).

Target from issue 5: a break-even solve under 50 ms.
"""

from decimal import Decimal
from pathlib import Path

import pytest

from taxcalc.compare import breakeven_hk_income, breakeven_wages, compare, load_packages

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tables():
    from taxcalc.tables import load_tables

    return load_tables()


def test_breakeven_wages(benchmark, tables):
    case = {"tax_year": 2025, "identity": "hk", "zone": "hetao", "talent": True, "hk_income": 1_200_000,
            "cny_per_hkd": "0.92"}
    b = benchmark(breakeven_wages, case, tables=tables)
    assert b.result.income_gap_cny in (Decimal(0), Decimal("0.01"))
    assert benchmark.stats.stats.median < 0.050


def test_breakeven_hk_income(benchmark, tables):
    case = {"tax_year": 2025, "identity": "hk", "zone": "qianhai", "wages": 800_000, "cny_per_hkd": "0.92"}
    b = benchmark(breakeven_hk_income, case, tables=tables)
    assert b.result.income_gap_cny <= 0
    assert benchmark.stats.stats.median < 0.050


def test_compare_three_packages(benchmark, tables):
    labels, packages = load_packages([str(ROOT / "examples" / f"batch-offer-{n}.json")
                                      for n in ("shenzhen", "hetao", "guangzhou")])
    c = benchmark(compare, packages, labels, tables=tables)
    assert len(c.results) == 3

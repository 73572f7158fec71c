"""Core benchmarks (run apart: pytest tests/bench --benchmark-only).

Targets: one scenario through ``calculate`` with its explanation, median under 1 ms (issue 2);
the kernels at least 5,000,000 scenarios a second on one core (issue 13; issue 2 asked for
2,000,000): ``compute`` on a million rows of one year, figures only (``trace=False``, as the batch
runs them), and a million rows of mixed years and residencies (a batch chunk's shape). The
traced run (every intermediate column kept, for explanations) is measured apart.
"""

import numpy as np
import pytest

from taxcalc import calculate
from taxcalc.columns import DTYPES
from taxcalc.engine import compute
from taxcalc.scenario import FIELDS, field_kind
from taxcalc.tables import load_tables

N = 1_000_000


@pytest.fixture(scope="module")
def tables():
    return load_tables()


def test_one_scenario_with_explanation(benchmark, tables):
    s = {"tax_year": 2025, "identity": "hk", "zone": "hetao", "talent": True, "wages": 900000, "bonus": 100000,
         "social_insurance": 40000, "sad_children": 1, "hk_married": True, "hk_children": 1}
    r = benchmark(calculate, s, tables=tables, explain=True)
    assert r.explanation is not None


def _columns(n, seed=0):
    rng = np.random.default_rng(seed)
    cols = {}
    for name in FIELDS:
        kind = field_kind(name)
        if kind == "text":
            continue
        cols[name] = np.zeros(n, dtype=DTYPES[kind])
    for opt in ("hk_income", "hk_mpf", "cny_per_hkd", "cny_per_mop", "work_days", "sad_elderly_share"):
        cols[opt][:] = -1
    cols["tax_year"][:] = 2025
    cols["wages"][:] = (rng.lognormal(12.5, 0.8, n) * 100).astype(np.int64)
    cols["bonus"][:] = (rng.lognormal(10.5, 1.0, n) * 100).astype(np.int64)
    cols["social_insurance"][:] = cols["wages"] // 10
    cols["identity"][:] = rng.integers(0, 5, n)
    cols["zone"][:] = rng.integers(0, 6, n)
    cols["talent"][:] = rng.random(n) < 0.3
    return cols


def _mixed(n):
    cols = _columns(n, seed=1)
    rng = np.random.default_rng(1)
    cols["tax_year"] = rng.integers(2019, 2028, n).astype(cols["tax_year"].dtype)
    cols["residency"] = (rng.random(n) < 0.25).astype(cols["residency"].dtype)
    return cols


@pytest.mark.parametrize("shape", ["one-year", "mixed-years"])
def test_kernels_one_million(benchmark, tables, shape):
    cols = _columns(N) if shape == "one-year" else _mixed(N)
    compute(cols, tables, trace=False)  # warm the table caches
    r = benchmark.pedantic(compute, args=(cols, tables), kwargs={"trace": False}, rounds=7, iterations=1)
    assert len(r.figures["iit"]) == N
    rate = N / benchmark.stats.stats.median
    benchmark.extra_info["scenarios_per_second"] = rate
    print(f"\nkernels, {shape}, figures only: median {benchmark.stats.stats.median:.3f} s, {rate:,.0f} scenarios/s")


def test_kernels_one_million_traced(benchmark, tables):
    cols = _columns(N)
    r = benchmark.pedantic(compute, args=(cols, tables), rounds=3, iterations=1)
    assert len(r.figures["iit"]) == N and r.columns
    benchmark.extra_info["scenarios_per_second"] = N / benchmark.stats.stats.median

"""The figures-only path (compute(trace=False): blocks, broadcast columns, the household shortcut,
the bracket search by comparisons) gives the traced path's figures, row for row."""

from __future__ import annotations

import numpy as np
import pytest

from taxcalc import engine
from taxcalc.columns import DTYPES
from taxcalc.engine import compute
from taxcalc.money import count_edges
from taxcalc.scenario import FIELDS, field_kind


def _columns(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    cols = {}
    for name in FIELDS:
        kind = field_kind(name)
        if kind != "text":
            cols[name] = np.zeros(n, dtype=DTYPES[kind])
    for opt in ("hk_income", "hk_mpf", "cny_per_hkd", "cny_per_mop", "work_days", "sad_elderly_share",
                "hk_spouse_mpf"):
        cols[opt][:] = -1
    cols["tax_year"][:] = rng.integers(2019, 2028, n)
    cols["residency"][:] = rng.random(n) < 0.2
    cols["wages"][:] = (rng.lognormal(12.5, 1.2, n) * 100).astype(np.int64)
    cols["bonus"][:] = np.where(rng.random(n) < 0.5, (rng.lognormal(10.5, 1.0, n) * 100).astype(np.int64), 0)
    cols["identity"][:] = rng.integers(0, 5, n)
    cols["zone"][:] = rng.integers(0, 6, n)
    cols["talent"][:] = rng.random(n) < 0.3
    married = rng.random(n) < 0.4
    cols["hk_married"][:] = married
    # a spouse with income in some blocks only: the shortcut runs where no one has one
    spouse = married & (rng.random(n) < 0.5) & (np.arange(n) % 400 < 150)
    cols["hk_spouse_income"][:] = np.where(spouse, (rng.lognormal(12, 1, n) * 100).astype(np.int64), 0)
    cols["hk_children"][:] = rng.integers(0, 3, n)
    cols["hk_assessment"][:] = np.where(spouse, rng.integers(0, 3, n), 0)
    cols["hk_income"][:] = np.where(rng.random(n) < 0.3, (rng.lognormal(13, 1, n) * 100).astype(np.int64), -1)
    cols["cny_per_hkd"][:] = np.where(rng.random(n) < 0.01, 1, -1)        # a tiny rate: the wide (Python int) rows
    return cols


@pytest.mark.parametrize("block", [100, 4096])
def test_figures_only_equal_the_traced_figures(tables, monkeypatch, block):
    cols = _columns(3000, seed=block)
    traced = compute(cols, tables, trace=True).figures
    monkeypatch.setattr(engine, "BLOCK_ROWS", block)
    plain = compute(cols, tables, trace=False).figures
    broadcast = {k: (np.broadcast_to(v[:1], v.shape) if (v == v[0]).all() else v) for k, v in cols.items()}
    from_views = compute(broadcast, tables, trace=False).figures
    for name, want in traced.items():
        assert (plain[name] == want).all(), name
        assert (from_views[name] == want).all(), name
        assert plain[name].dtype == want.dtype == from_views[name].dtype, name


def test_count_edges_is_searchsorted():
    rng = np.random.default_rng(1)
    edges = np.array([0, 5, 5, 17, 1000], dtype=np.int64)
    x = rng.integers(-3, 1200, 5000)
    for inclusive, side in ((True, "right"), (False, "left")):
        assert (count_edges(edges, x, inclusive) == np.searchsorted(edges, x, side=side)).all()
        wide = x.astype(object) * 10**12
        assert (count_edges(edges * 10**12, wide, inclusive) == np.searchsorted(edges * 10**12, wide, side=side)).all()

"""Write a synthetic batch file of N rows, for trying and benchmarking ``taxcalc batch``.

    python examples/batch-generate.py 1000000 /tmp/batch-1m.csv          # CSV
    python examples/batch-generate.py 100000 /tmp/batch.parquet --seed 7 # Parquet (or .jsonl)

The rows mix every kind of batch column the issue lists: years 2019-2027, residents and
non-residents, every identity and zone, talent flags, bonuses taxed by each method, deductions,
explicit and default exchange rates and HK incomes, and about one cell in six left empty (the
default). Every row is valid, so the whole file is computed. Deterministic for a seed.
"""

from __future__ import annotations

import sys

import numpy as np
import polars as pl

CHOICES = {
    "residency": ["resident", "resident", "resident", "nonresident"],
    "identity": ["mainland", "hk", "macao", "taiwan", "foreign"],
    "zone": ["none", "gba", "hetao", "qianhai", "nansha", "hengqin"],
    "bonus_method": ["", "best", "separate", "combined"],
}


def _money(rng, n, high, empty=0.2, cents=True):
    v = rng.integers(0, high * 100, n) if cents else rng.integers(0, high, n) * 100
    text = [f"{x // 100}.{x % 100:02d}" for x in v.tolist()] if cents else [str(x // 100) for x in v.tolist()]
    return np.where(rng.random(n) < empty, "", np.array(text, dtype=object))


def frame(n: int, seed: int = 1) -> pl.DataFrame:
    """The synthetic rows as a frame of text columns."""
    rng = np.random.default_rng(seed)
    pick = lambda name: np.array(CHOICES[name], dtype=object)[rng.integers(0, len(CHOICES[name]), n)]
    blank = lambda arr, p: np.where(rng.random(n) < p, "", arr)
    wages = rng.lognormal(12.6, 0.8, n).clip(0, 50_000_000)
    data = {
        "id": np.array([f"P{k:08d}" for k in range(1, n + 1)], dtype=object),
        "tax_year": rng.integers(2019, 2028, n).astype(str),
        "residency": blank(pick("residency"), 0.3),
        "identity": pick("identity"),
        "zone": pick("zone"),
        "talent": blank(np.where(rng.random(n) < 0.4, "true", "false"), 0.3),
        "wages": np.array([f"{w:.2f}" for w in wages.tolist()], dtype=object),
        "bonus": _money(rng, n, 300_000, empty=0.4, cents=False),
        "labour": _money(rng, n, 80_000, empty=0.8),
        "author": _money(rng, n, 20_000, empty=0.95),
        "royalty": _money(rng, n, 20_000, empty=0.95),
        "social_insurance": _money(rng, n, 40_000, empty=0.3),
        "additional_deductions": _money(rng, n, 48_000, empty=0.5, cents=False),
        "other_deductions": _money(rng, n, 5_000, empty=0.9),
        "bonus_method": pick("bonus_method"),
        "cny_per_hkd": blank(np.array([f"{x:.4f}" for x in rng.uniform(0.85, 0.95, n).tolist()], dtype=object), 0.6),
        "hk_income": _money(rng, n, 2_000_000, empty=0.7, cents=False),
        "hk_mpf": np.where(rng.random(n) < 0.9, "", "18000"),
        "hk_deductions": _money(rng, n, 30_000, empty=0.8, cents=False),
        "hk_married": blank(np.where(rng.random(n) < 0.5, "true", "false"), 0.3),
        "hk_children": blank(rng.integers(0, 4, n).astype(str).astype(object), 0.5),
        "note": np.where(rng.random(n) < 0.05, "=HYPERLINK(\"x\")", "ok"),
    }
    df = pl.DataFrame({k: pl.Series(k, v, dtype=pl.String) for k, v in data.items()})
    return df.with_columns(pl.all().replace("", None))  # empty cells, not ""


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit(__doc__)
    n, path = int(argv[0]), argv[1]
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 1
    step = 250_000
    parts = [frame(min(step, n - k), seed + k) for k in range(0, n, step)] or [frame(0, seed)]
    df = pl.concat(parts)
    if n > step:
        df = df.with_columns(pl.format("P{}", pl.int_range(1, n + 1).cast(pl.String).str.zfill(8)).alias("id"))
    if path.endswith(".parquet"):
        df.write_parquet(path)
    elif path.endswith((".jsonl", ".ndjson")):
        df.write_ndjson(path)
    else:
        df.write_csv(path)


if __name__ == "__main__":
    main(sys.argv[1:])

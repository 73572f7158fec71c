"""Batch benchmarks (run apart: pytest tests/bench/bench_batch.py --benchmark-only -p no:randomly).

Target from issue 5: a 1,000,000-row CSV of the batch columns, end to end, within 2x the time
polars takes to read that input and write a CSV the size of the output. The two are benchmarked
side by side (``test_batch_csv_end_to_end`` and ``test_polars_baseline``); the ratio and the rows
per second are printed and kept in the benchmark's extra_info. BATCH_BENCH_ROWS changes the size.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import polars as pl
import pytest

from taxcalc import batch
from taxcalc.engine import Options

ROOT = Path(__file__).resolve().parents[2]
ROWS = int(os.environ.get("BATCH_BENCH_ROWS", "1000000"))
TIMES: dict[str, float] = {}


@pytest.fixture(scope="module")
def files(tmp_path_factory, tables):
    """The input (synthetic rows from examples/batch-generate.py) and, once, the output it gives."""
    spec = importlib.util.spec_from_file_location("gen", ROOT / "examples" / "batch-generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    d = tmp_path_factory.mktemp("batch-bench")
    src, out = d / "in.csv", d / "out.csv"
    gen.main([str(ROWS), str(src)])
    batch.run(str(src), str(out), tables=tables, quiet=True)
    return src, out


@pytest.fixture(scope="module")
def tables():
    from taxcalc.tables import load_tables

    return load_tables()


def test_batch_csv_end_to_end(benchmark, files, tables):
    src, out = files
    summary = benchmark.pedantic(batch.run, args=(str(src), str(out)), kwargs={"tables": tables, "quiet": True},
                                 rounds=3, iterations=1)
    assert summary.rows == ROWS and summary.rejected == 0
    TIMES["taxcalc"] = benchmark.stats.stats.median
    benchmark.extra_info["rows_per_second"] = round(ROWS / TIMES["taxcalc"])
    _report(benchmark)


def test_polars_baseline(benchmark, files):
    """polars reads the input (every column as text) and writes a CSV of the output's size."""
    src, out = files
    frame = pl.read_csv(out, infer_schema=False)      # the output's content, read before timing
    sink = out.with_name("baseline.csv")

    def baseline():
        pl.read_csv(src, infer_schema=False)
        frame.write_csv(sink)

    benchmark.pedantic(baseline, rounds=3, iterations=1)
    TIMES["polars"] = benchmark.stats.stats.median
    _report(benchmark)


def _report(benchmark) -> None:
    if len(TIMES) == 2:
        ratio = TIMES["taxcalc"] / TIMES["polars"]
        benchmark.extra_info["ratio_to_polars"] = round(ratio, 2)
        print(f"\n{ROWS:,} rows: taxcalc batch {TIMES['taxcalc']:.2f} s ({ROWS / TIMES['taxcalc']:,.0f} rows/s), "
              f"polars read + write {TIMES['polars']:.2f} s, ratio {ratio:.2f} (target 2)")


def test_parse_and_compute_one_chunk(benchmark, files, tables):
    """The per-chunk work without any file: parse 200,000 rows of text, compute, format."""
    src, _ = files
    df = pl.read_csv(src, infer_schema=False, n_rows=min(ROWS, 200_000))
    out, errors, bad = benchmark(batch.process_chunk, df, 1, tables, Options())
    assert out.height == df.height and not bad.any()


def test_startup_help_is_fast(benchmark):
    """`taxcalc --help` answers within 0.5 s (imports stay lazy), interpreter start included."""
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("taxcalc")
    benchmark.pedantic(subprocess.run, args=([str(exe), "--help"],), kwargs={"capture_output": True, "check": True},
                       rounds=5, iterations=1)
    print(f"\ntaxcalc --help: median {benchmark.stats.stats.median * 1000:.0f} ms")
    assert benchmark.stats.stats.median < 0.5

"""Batch benchmarks (run apart: pytest tests/bench/bench_batch.py --benchmark-only -p no:randomly -s).

Target from issue 13: a 1,000,000-row CSV of the batch columns, CSV to CSV, within 1.5x of the IO
floor -- polars reading that input (every column as text) and writing a frame of the output's
shape (the output's own cells, as text) to CSV. The machine is shared and noisy, so the two are
measured in ONE test, interleaved round by round (floor, batch, floor, batch, ...), and the ratio
is of the two medians of that run: both saw the same load. ``BATCH_BENCH_ROWS`` changes the size,
``BATCH_BENCH_ROUNDS`` the rounds (default 5). The result is printed and kept in the benchmark's
``extra_info`` (``--benchmark-json FILE`` records it).

The same measurement from the shell: ``python tests/bench/bench_batch.py FILE.csv [ROUNDS]``.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = int(os.environ.get("BATCH_BENCH_ROWS", "1000000"))
ROUNDS = int(os.environ.get("BATCH_BENCH_ROUNDS", "5"))
TARGET = 1.5


def measure(src: Path, workdir: Path, rounds: int = ROUNDS, tables=None) -> dict:
    """Interleaved rounds of the IO floor and of ``taxcalc.batch.run``, CSV to CSV; the medians,
    the ratio of the medians, and every round's times."""
    from taxcalc import batch
    from taxcalc.tables import load_tables

    tables = tables or load_tables()
    out, sink = workdir / "out.csv", workdir / "floor.csv"
    batch.run(str(src), str(out), tables=tables)          # warm up; gives the output's shape
    frame = pl.read_csv(out, infer_schema=False)                      # the output's cells, read before timing
    rows = frame.height

    def floor() -> None:
        pl.read_csv(src, infer_schema=False)
        frame.write_csv(sink)

    def taxcalc() -> None:
        batch.run(str(src), str(out), tables=tables)

    times: dict[str, list[float]] = {"floor": [], "taxcalc": []}
    for _ in range(rounds):
        for name, fn in (("floor", floor), ("taxcalc", taxcalc)):
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    med = {k: statistics.median(v) for k, v in times.items()}
    sink.unlink(missing_ok=True)
    return {"rows": rows, "columns": frame.width, "floor": med["floor"], "taxcalc": med["taxcalc"],
            "ratio": med["taxcalc"] / med["floor"], "rows_per_second": rows / med["taxcalc"], "rounds": times}


def report(r: dict) -> str:
    rounds = " ".join(f"{f:.2f}/{t:.2f}" for f, t in zip(r["rounds"]["floor"], r["rounds"]["taxcalc"]))
    return (f"{r['rows']:,} rows x {r['columns']} columns, CSV to CSV, median of {len(r['rounds']['floor'])} "
            f"interleaved rounds: taxcalc batch {r['taxcalc']:.2f} s ({r['rows_per_second']:,.0f} rows/s), "
            f"IO floor {r['floor']:.2f} s, ratio {r['ratio']:.2f} (target {TARGET}); rounds floor/batch: {rounds}")


def _generate(path: Path, rows: int) -> None:
    spec = importlib.util.spec_from_file_location("gen", ROOT / "examples" / "batch-generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.main([str(rows), str(path)])


@pytest.fixture(scope="module")
def src(tmp_path_factory):
    path = tmp_path_factory.mktemp("batch-bench") / "in.csv"
    _generate(path, ROWS)
    return path


@pytest.fixture(scope="module")
def tables():
    from taxcalc.tables import load_tables

    return load_tables()


def test_batch_csv_against_the_io_floor(benchmark, src, tables):
    """taxcalc batch and the IO floor in the same run; the ratio of their medians."""
    result = {}

    def once():
        result.update(measure(src, src.parent, ROUNDS, tables))

    benchmark.pedantic(once, rounds=1, iterations=1)
    print("\n" + report(result))
    benchmark.extra_info.update({k: (round(v, 4) if isinstance(v, float) else v) for k, v in result.items()})
    assert result["rows"] == ROWS


def test_parse_and_compute_one_chunk(benchmark, src, tables):
    """The per-chunk work without any file: parse 200,000 rows of text, compute, build the output frame."""
    from taxcalc import batch
    from taxcalc.engine import Options

    df = pl.read_csv(src, infer_schema=False, n_rows=min(ROWS, 200_000))
    out, errors, bad = benchmark(batch.process_chunk, df, 1, tables, Options())
    assert out.height == df.height and not bad.any()


def test_startup_help_is_fast(benchmark):
    """`taxcalc --help` answers within 0.5 s (imports stay lazy), interpreter start included."""
    import subprocess

    exe = Path(sys.executable).with_name("taxcalc")
    benchmark.pedantic(subprocess.run, args=([str(exe), "--help"],), kwargs={"capture_output": True, "check": True},
                       rounds=5, iterations=1)
    print(f"\ntaxcalc --help: median {benchmark.stats.stats.median * 1000:.0f} ms")
    assert benchmark.stats.stats.median < 0.5


if __name__ == "__main__":
    import tempfile

    if len(sys.argv) < 2:
        sys.exit("usage: python tests/bench/bench_batch.py FILE.csv [ROUNDS]")
    with tempfile.TemporaryDirectory(prefix="taxcalc-bench-") as d:
        print(report(measure(Path(sys.argv[1]), Path(d), int(sys.argv[2]) if len(sys.argv) > 2 else ROUNDS)))

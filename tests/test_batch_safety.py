"""Batch files in and out (issue 8 section 3): hostile files never reach a traceback and never
destroy anything; every stop has one line on standard error, a documented exit status and no
temporary file left behind; output and errors file always come as a pair."""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from taxcalc import batch
from taxcalc.cli import main
from taxcalc.engine import Options

ROOT = Path(__file__).resolve().parent.parent
TAXCALC = [sys.executable, "-c", "import sys; from taxcalc.cli import main; sys.argv[0] = 'taxcalc'; main()"]


def _cli(*args, input=None):
    return CliRunner().invoke(main, ["batch", *map(str, args)], input=input)


def _leftovers(d: Path) -> list[str]:
    """Temporary and lock files a run may have left in ``d``."""
    return sorted(p.name for p in d.iterdir() if p.name.startswith(".") and p.name.endswith((".tmp", ".lock")))


def _rows_file(path: Path, n: int, header: str = "id,tax_year,wages,note") -> Path:
    with open(path, "w") as f:
        f.write(header + "\n")
        for k in range(n):
            f.write(f"p{k},2024,{100000 + k},n{k}\n")
    return path


# -- 1. an output or errors path that is the input, or the output itself, is refused


@pytest.mark.parametrize("how", ["errors-is-input", "output-is-input", "symlink", "hard-link", "errors-is-output",
                                 "errors-is-output-through-a-symlink", "default-errors-is-input"])
def test_a_path_that_would_replace_the_input_is_refused(tmp_path, monkeypatch, how):
    src = _rows_file(tmp_path / "s.csv", 2)
    before = src.read_bytes()
    (tmp_path / "o.csv").write_text("old output")
    monkeypatch.chdir(tmp_path)
    args = {
        "errors-is-input": ["s.csv", "-o", "new.csv", "--errors", "s.csv"],
        "output-is-input": ["s.csv", "-o", "./s.csv"],
        "symlink": ["s.csv", "-o", "link.csv"],
        "hard-link": ["s.csv", "-o", "new.csv", "--errors", "hard.csv"],
        "errors-is-output": ["s.csv", "-o", "o.csv", "--errors", "o.csv"],
        "errors-is-output-through-a-symlink": ["s.csv", "-o", "o.csv", "--errors", "olink.csv"],
        "default-errors-is-input": ["new.errors.csv", "-o", "new.csv"],
    }[how]
    (tmp_path / "link.csv").symlink_to("s.csv")
    (tmp_path / "olink.csv").symlink_to("o.csv")
    os.link(src, tmp_path / "hard.csv")
    if how == "default-errors-is-input":
        src.rename(tmp_path / "new.errors.csv")
        src = tmp_path / "new.errors.csv"
    r = _cli(*args)
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error: ") and r.output.count("\n") == 1, r.output
    assert "input file" in r.output or "must differ from the output" in r.output
    assert src.read_bytes() == before and (tmp_path / "link.csv").is_symlink() and (tmp_path / "olink.csv").is_symlink()
    assert (tmp_path / "o.csv").read_text() == "old output"
    assert not (tmp_path / "new.csv").exists() and _leftovers(tmp_path) == []


# -- 2. formula text in header names


def test_formula_text_in_header_names_is_neutralised(tmp_path, tables):
    src = tmp_path / "in.csv"
    src.write_text("id,tax_year,wages,\"=cmd|' /C calc'!A0\",@SUM(1),+x,-5,plain\n1,2024,100,a,b,c,d,e\n")
    batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    names = pl.read_csv(tmp_path / "out.csv", infer_schema=False).columns
    assert names[3:8] == ["'=cmd|' /C calc'!A0", "'@SUM(1)", "'+x", "-5", "plain"]   # a number stays a number
    assert (tmp_path / "out.errors.csv").read_text().splitlines()[0] == "row,column,value,message"
    # the same header through standard output
    r = _cli(src, "-o", "-", "--quiet")
    assert r.stdout.splitlines()[0].startswith("id,tax_year,wages,'=cmd|' /C calc'!A0,'@SUM(1),'+x,-5,plain,")


# -- 3. Parquet columns of any type


def test_parquet_nested_duration_and_binary_columns_pass_through_as_text(tmp_path, tables):
    t = pa.table({
        "tax_year": pa.array([2024, 2024, 2024]),
        "wages": pa.array([[1, 2], None, [3]]),                                   # a known column as a list
        "lst": pa.array([[1, 2], [], None]),
        "mp": pa.array([[("a", 1)], [("b", 2)], None], type=pa.map_(pa.string(), pa.int64())),
        "st": pa.array([{"x": 1, "y": "z"}, {"x": 2, "y": None}, None]),
        "dur": pa.array([dt.timedelta(days=1), dt.timedelta(microseconds=-1), None], type=pa.duration("us")),
        "bin": pa.array([b"\xff\xfe", b"ok", None]),
        "nested": pa.array([{"deep": {"deeper": [1, 2]}}, None, None]),
    })
    pq.write_table(t, tmp_path / "in.parquet")
    r = _cli(tmp_path / "in.parquet", "-o", tmp_path / "out.csv", "--quiet")
    assert r.exit_code == 3, r.output                            # rows 1 and 3: wages is a list
    errors = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)
    assert errors["row"].to_list() == ["1", "3"] and set(errors["column"]) == {"wages"}
    assert errors["value"].to_list() == ["[1, 2]", "[3]"] and errors["message"][0].startswith("not a number; expected an amount")
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False).row(0, named=True)
    assert out["id"] == "2" and out["lst"] == "[]" and out["mp"] == '{"b": 2}' and out["st"] == '{"x": 2, "y": null}'
    assert out["dur"] == "'-PT0.000001S" and out["bin"] == "ok"          # a leading - is neutralised in CSV
    for fmt in ("jsonl", "parquet"):
        batch.run(str(tmp_path / "in.parquet"), str(tmp_path / f"out.{fmt}"), tables=tables)
    t2 = pa.table({"tax_year": [2024], "lst": pa.array([[1, 2]]), "bin": pa.array([b"\xff\xfe"]),
                   "nested": pa.array([{"deep": {"deeper": [1, 2]}}])})
    pq.write_table(t2, tmp_path / "in2.parquet")
    batch.run(str(tmp_path / "in2.parquet"), str(tmp_path / "out2.jsonl"), tables=tables)
    line = json.loads((tmp_path / "out2.jsonl").read_text())
    assert json.loads(line["nested"]) == {"deep": {"deeper": [1, 2]}}
    assert line["lst"] == "[1, 2]" and line["bin"] == "base64://4="


# -- 4. disk full, closed or broken standard output, a directory as output, an unreachable scheduler


class _FullAfter(io.RawIOBase):
    """A file that takes ``room`` bytes, then fails with ENOSPC, as a full disk does."""

    def __init__(self, path: str, room: int):
        self.f, self.room = open(path, "wb"), room  # noqa: SIM115  (closed by close(): it lives as long as this object)

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        if len(b) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(b)
        return self.f.write(b)

    def close(self) -> None:
        self.f.close()
        super().close()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("room", [0, 5_000])
def test_disk_full_while_writing_leaves_nothing(tmp_path, monkeypatch, fmt, room):
    src = _rows_file(tmp_path / "in.csv", 3000)
    (tmp_path / f"out.{fmt}").write_text("the previous output")
    (tmp_path / "out.errors.csv").write_text("the previous errors")
    real_open = open

    def full_disk_open(path, mode="r", *args, **kwargs):        # batch's temporary files land on a full disk
        if "w" in mode and str(path).endswith(".tmp"):
            return io.BufferedWriter(_FullAfter(str(path), room), 1024)
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(batch.writers.files, "open", full_disk_open, raising=False)
    r = _cli(src, "-o", tmp_path / f"out.{fmt}", "--quiet")
    assert r.exit_code == 4, r.output                               # batch.EXIT_WRITE_FAILED
    assert r.output.count("\n") == 1 and "No space left on device" in r.output and "Traceback" not in r.output
    assert "nothing renamed into place" in r.output
    assert (tmp_path / f"out.{fmt}").read_text() == "the previous output"
    assert (tmp_path / "out.errors.csv").read_text() == "the previous errors"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["batch", "plan", "compare"])
def test_disk_full_while_an_xlsx_is_written_leaves_nothing(tmp_path, monkeypatch, command):
    """XlsxWriter writes the workbook as it closes and wraps the OSError of a full disk in its own
    FileCreateError: that was a traceback (exit 1) in batch, plan FILE and compare --format xlsx.
    Exit 4 for each (compare said 2, the status of a bad input)."""
    import zipfile

    import xlsxwriter.workbook

    class FullZip(zipfile.ZipFile):
        def write(self, *args, **kwargs):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        writestr = write

    monkeypatch.setattr(xlsxwriter.workbook, "ZipFile", FullZip)
    src = _rows_file(tmp_path / "in.csv", 30)
    out = tmp_path / "out.xlsx"
    out.write_text("the previous output")
    args = {"batch": ["batch", src, "-o", out, "--quiet"],
            "plan": ["plan", src, "--years", "2024-2025", "-o", out, "--quiet"],
            "compare": ["compare", src, "--format", "xlsx", "-o", out]}[command]
    r = CliRunner().invoke(main, list(map(str, args)))
    assert r.exit_code == 4, (r.exit_code, r.output)                 # a failed write, for every command
    assert "No space left on device" in r.output and r.output.startswith("error: ") and r.output.count("\n") == 1, r.output
    if command != "compare":            # plan FILE said only "cannot write out.xlsx: No space left on device"
        assert f"nothing renamed into place ({out} and {tmp_path / 'out.errors.csv'} not replaced" in r.output, r.output
    assert out.read_text() == "the previous output"
    assert _leftovers(tmp_path) == []


def test_a_full_standard_output_and_a_closed_one(tmp_path):
    src = _rows_file(tmp_path / "in.csv", 3000)
    with open("/dev/full", "wb") as full:
        p = subprocess.run([*TAXCALC, "batch", str(src), "-o", "-", "--quiet"], stdout=full, stderr=subprocess.PIPE)
    err = p.stderr.decode()
    assert p.returncode == 4 and err.count("\n") == 1 and "No space left on device" in err, err
    p = subprocess.run(" ".join(map(str, [*TAXCALC[:2], repr(TAXCALC[2]), "batch", src, "-o", "-", ">&-"])),
                       shell=True, stderr=subprocess.PIPE)
    err = p.stderr.decode()
    assert p.returncode == 2 and err == "error: -: standard output is closed; give an output file with -o\n", err


def test_a_broken_pipe_is_quiet_and_exits_141(tmp_path):
    src = _rows_file(tmp_path / "in.csv", 50_000)
    p = subprocess.Popen([*TAXCALC, "batch", str(src), "-o", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout.readline().startswith(b"id,tax_year,wages,note,")
    p.stdout.close()                                         # `| head -1`
    err = p.stderr.read().decode()
    assert p.wait() == 141 and err == "", err                      # batch.EXIT_BROKEN_PIPE
    assert _leftovers(tmp_path) == []


def test_an_output_that_is_a_directory_is_refused(tmp_path):
    src = _rows_file(tmp_path / "in.csv", 2)
    (tmp_path / "out.csv").mkdir()
    for args in (["-o", tmp_path / "out.csv"], ["-o", tmp_path / "o.csv", "--errors", tmp_path / "out.csv"],
                 ["-o", tmp_path / "nodir" / "o.csv"]):
        r = _cli(src, *args)
        assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
        assert "is a directory" in r.output or "does not exist" in r.output
    assert list((tmp_path / "out.csv").iterdir()) == [] and _leftovers(tmp_path) == []


@pytest.mark.parametrize("engine", ["local", "dask"])
@pytest.mark.parametrize("output", ["", ".", "/"])
def test_an_output_with_no_name_is_refused_with_a_message(tmp_path, monkeypatch, engine, output):
    """-o '' (an empty variable), -o . or -o /: a ValueError traceback from the default errors
    path's Path.with_name / with_suffix."""
    if engine == "dask":
        pytest.importorskip("dask.dataframe")
    src = tmp_path / ("in.parquet" if engine == "dask" else "in.csv")
    if engine == "local":
        src.write_text("tax_year,wages\n2024,1\n")
    else:
        pl.DataFrame({"tax_year": ["2024"], "wages": ["1"]}).write_parquet(src)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["batch", str(src), "-o", output, "--engine", engine])
    assert r.exit_code == 2 and r.output.startswith("error: ") and r.output.count("\n") == 1, r.output
    assert "Traceback" not in r.output and _leftovers(tmp_path) == []


def test_an_unreachable_dask_scheduler_fails_fast_and_leaves_nothing(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    from taxcalc import dask_engine

    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", 1)
    pl.DataFrame({"tax_year": ["2024"], "wages": ["1"]}).write_parquet(tmp_path / "in.parquet")
    started = time.perf_counter()
    r = _cli(tmp_path / "in.parquet", "-o", tmp_path / "out", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1")
    assert time.perf_counter() - started < 10
    assert r.exit_code == 2 and "cannot reach the dask scheduler" in r.output and r.output.count("\n") == 1, r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"]


@pytest.mark.filterwarnings("ignore:The inplace keyword")      # inside dask's Parquet reader
def test_dask_output_never_replaces_the_input_or_other_files(tmp_path):
    pytest.importorskip("dask.dataframe")
    (tmp_path / "ds").mkdir()
    pl.DataFrame({"tax_year": ["2024"], "wages": ["1"]}).write_parquet(tmp_path / "ds" / "a.parquet")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    for out in ("ds", "mine"):
        r = _cli(tmp_path / "ds", "-o", tmp_path / out, "--engine", "dask", "--quiet")
        assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["a.parquet"]
    r = _cli(tmp_path / "ds", "-o", tmp_path / "out", "--engine", "dask", "--quiet")
    assert r.exit_code == 0 and sorted(p.name for p in (tmp_path / "out").iterdir()) == ["part-00000.parquet"]
    r = _cli(tmp_path / "ds", "-o", tmp_path / "out", "--engine", "dask", "--quiet")      # a previous output: replaced
    assert r.exit_code == 0 and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# -- 5. signals


def _wait_for(predicate, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize("sig, code, word", [(signal.SIGTERM, 143, "stopped by SIGTERM"),
                                             (signal.SIGINT, 130, "interrupted")])
def test_a_signal_removes_the_temporary_files(tmp_path, sig, code, word):
    src = _rows_file(tmp_path / "in.csv", 1_500_000)
    (tmp_path / "out.csv").write_text("old")
    p = subprocess.Popen([*TAXCALC, "batch", str(src), "-o", str(tmp_path / "out.csv"), "--quiet"],
                         stderr=subprocess.PIPE, start_new_session=True)
    assert _wait_for(lambda: any(f.name.startswith(".out.csv.") and f.stat().st_size > 0
                                 for f in tmp_path.iterdir() if f.name.endswith(".tmp")) or p.poll() is not None)
    p.send_signal(sig)
    err = p.stderr.read().decode()
    assert p.wait() == code, err
    assert err.startswith(word + ": nothing renamed into place") and err.count("\n") == 1, err
    assert (tmp_path / "out.csv").read_text() == "old" and not (tmp_path / "out.errors.csv").exists()
    assert _leftovers(tmp_path) == []


def test_a_signal_with_standard_output_says_how_many_rows_went_out(tmp_path):
    src = _rows_file(tmp_path / "in.csv", 1_500_000)
    out = tmp_path / "stdout.csv"
    with open(out, "wb") as f:
        p = subprocess.Popen([*TAXCALC, "batch", str(src), "-o", "-", "--errors", str(tmp_path / "e.csv"), "--quiet"],
                             stdout=f, stderr=subprocess.PIPE, start_new_session=True)
        assert _wait_for(lambda: out.stat().st_size > 1_000_000 or p.poll() is not None)
        p.send_signal(signal.SIGTERM)
        err = p.stderr.read().decode()
        assert p.wait() == 143, err
    lines = out.read_bytes().count(b"\n") - 1
    assert f"stopped by SIGTERM: {lines:,} rows had been written to standard output (incomplete)" in err, (lines, err)
    assert "e.csv not replaced" in err and not (tmp_path / "e.csv").exists() and _leftovers(tmp_path) == []


def test_a_signal_while_the_files_are_renamed_waits_for_both(tmp_path, tables, monkeypatch):
    src = _rows_file(tmp_path / "in.csv", 3)
    real = batch.writers.AtomicTarget.commit

    def commit_under_fire(self):
        os.kill(os.getpid(), signal.SIGTERM)              # arrives between the two renames
        real(self)

    monkeypatch.setattr(batch.writers.AtomicTarget, "commit", commit_under_fire)
    with pytest.raises(batch.BatchInterrupted) as caught:
        batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    assert caught.value.committed and caught.value.signum == signal.SIGTERM
    assert "as the run finished" in str(caught.value) and "complete" in str(caught.value)
    assert pl.read_csv(tmp_path / "out.csv").height == 3 and (tmp_path / "out.errors.csv").exists()
    assert _leftovers(tmp_path) == [] and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


# -- 6. two runs to the same paths


def test_a_second_run_to_the_same_paths_stops_at_once(tmp_path):
    slow = subprocess.Popen([*TAXCALC, "batch", "-", "-o", str(tmp_path / "out.csv"), "--quiet"],
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    slow.stdin.write(b"id,tax_year,wages\nfirst,2024,1\n")
    slow.stdin.flush()                                      # the first run now waits for more rows
    assert _wait_for(lambda: (tmp_path / ".out.csv.lock").exists())
    src = _rows_file(tmp_path / "in.csv", 3)
    started = time.perf_counter()
    for args in (["-o", tmp_path / "out.csv"], ["-o", tmp_path / "other.csv", "--errors", tmp_path / "out.errors.csv"]):
        r = subprocess.run([*TAXCALC, "batch", str(src), *map(str, args)], capture_output=True)
        err = r.stderr.decode()
        assert r.returncode == 2 and "another taxcalc batch (pid" in err and err.count("\n") == 1, err
    assert time.perf_counter() - started < 30
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.csv").exists()
    slow.stdin.write(b"second,2024,2\n")
    slow.stdin.close()
    assert slow.wait() == 0, slow.stderr.read()
    assert pl.read_csv(tmp_path / "out.csv", infer_schema=False)["id"].to_list() == ["first", "second"]
    assert (tmp_path / "out.errors.csv").read_text() == "row,column,value,message\n"
    assert _leftovers(tmp_path) == []
    r = _cli(src, "-o", tmp_path / "out.csv", "--quiet")      # the lock is gone with the run
    assert r.exit_code == 0 and _leftovers(tmp_path) == []


def test_a_killed_run_leaves_a_lock_the_next_run_takes_over(tmp_path, tables):
    src = _rows_file(tmp_path / "in.csv", 3)
    (tmp_path / ".out.csv.lock").write_text("999999999\n")            # not locked: its run is gone
    (tmp_path / ".out.csv.999999999.tmp").write_text("half")          # a temporary file of a killed run
    batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    assert _leftovers(tmp_path) == []


# -- 7. empty rows are counted


def test_rows_of_only_separators_are_counted_as_skipped(tmp_path, tables):
    src = tmp_path / "in.csv"
    src.write_text("id,tax_year,wages\n,,\n1,2024,5\n,,\n2,2024,x\n\"\",\"\",\"\"\n")
    s = batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    assert (s.rows, s.computed, s.rejected, s.skipped) == (5, 1, 1, 3)
    assert s.rows == s.computed + s.rejected + s.skipped
    assert pl.read_csv(tmp_path / "out.csv", infer_schema=False)["id"].to_list() == ["1"]
    assert pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)["row"].to_list() == ["4"]
    r = _cli(src, "-o", tmp_path / "o2.csv")
    assert "5 rows: 1 computed, 1 rejected" in r.output and "3 skipped (empty)" in r.output
    r = _cli("-", "-o", "-", input=src.read_text())                   # standard input: the same
    assert "5 rows: 1 computed, 1 rejected" in r.stderr and "3 skipped (empty)" in r.stderr
    (tmp_path / "in.jsonl").write_text('{"tax_year": 2024}\n{}\n{"tax_year": null, "wages": null}\n')
    s = batch.run(str(tmp_path / "in.jsonl"), str(tmp_path / "j.csv"), tables=tables)
    assert (s.rows, s.computed, s.rejected, s.skipped) == (3, 1, 0, 2)


# -- 8. JSON Lines: every key, any value, a BOM, a cut last line


def test_jsonl_keys_first_seen_late_are_read(tmp_path, tables, monkeypatch):
    from taxcalc.batch.readers import jsonl

    monkeypatch.setattr(jsonl, "LINE_LIMIT", 4096)            # the first block was the only one looked at
    monkeypatch.setattr(jsonl, "JSONL_BLOCK_BYTES", 4096)
    monkeypatch.setattr(jsonl, "JSONL_KEY_PIECE", 1024)
    lines = [json.dumps({"id": f"p{k}", "tax_year": 2024}) for k in range(400)]
    lines.append(json.dumps({"id": "late", "tax_year": 2024, "wages": 500000, "zone": "hetao", "extra": "x"}))
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    s = batch.run(str(tmp_path / "in.jsonl"), str(tmp_path / "out.csv"), tables=tables)
    assert (s.rows, s.computed) == (401, 401)
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert out.columns[:5] == ["id", "tax_year", "wages", "zone", "extra"]
    late = out.row(400, named=True)
    assert (late["wages"], late["zone"], late["extra"]) == ("500000", "hetao", "x") and float(late["iit"]) > 0


def test_jsonl_bools_and_objects_in_known_columns_are_row_errors(tmp_path, tables):
    rows = [{"tax_year": 2024, "wages": 100000, "x": {"deep": {"deeper": [1, 2]}}},
            {"tax_year": 2024, "wages": True},
            {"tax_year": 2024, "wages": {"a": 1}, "talent": [1]},
            {"tax_year": 2024, "wages": 1e400 if False else 5, "y": [1, "a", None]}]
    text = "\n".join(json.dumps(r) for r in rows) + "\n" + '{"tax_year": 2024, "wages": 1e400}\n'
    (tmp_path / "in.jsonl").write_text(text)
    r = _cli(tmp_path / "in.jsonl", "-o", tmp_path / "out.jsonl", "--quiet")
    assert r.exit_code == 3, r.output
    errors = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)
    assert [(e["row"], e["column"], e["value"]) for e in errors.iter_rows(named=True)] == [
        ("2", "wages", "true"), ("3", "wages", '{"a": 1}'), ("3", "talent", "[1]"), ("5", "wages", "1e400")]
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [o["id"] for o in out] == ["1", "4"]
    assert json.loads(out[0]["x"]) == {"deep": {"deeper": [1, 2]}}                 # keys kept
    assert json.loads(out[1]["y"]) == [1, "a", None]


def test_jsonl_byte_order_mark_and_cut_last_line(tmp_path, tables):
    (tmp_path / "bom.jsonl").write_bytes(b'\xef\xbb\xbf{"tax_year": 2024, "wages": 1}\n{"tax_year": 2025}\n')
    s = batch.run(str(tmp_path / "bom.jsonl"), str(tmp_path / "o.csv"), tables=tables)
    assert (s.rows, s.computed) == (2, 2)
    assert pl.read_csv(tmp_path / "o.csv", infer_schema=False).columns[:3] == ["id", "tax_year", "wages"]
    (tmp_path / "cut.jsonl").write_bytes(b'{"tax_year": 2024}\n{"tax_year": 2024, "wag')
    r = _cli(tmp_path / "cut.jsonl", "-o", tmp_path / "c.csv")
    assert r.exit_code == 2 and "the last line (2) is cut short" in r.output and "truncated" in r.output, r.output
    (tmp_path / "mid.jsonl").write_bytes(b'{"tax_year": 2024}\n{"tax_year": }\n{"tax_year": 2024}\n')
    r = _cli(tmp_path / "mid.jsonl", "-o", tmp_path / "c.csv")
    assert r.exit_code == 2 and "line 2 is not valid JSON" in r.output and "Tape" not in r.output, r.output
    (tmp_path / "list.jsonl").write_bytes(b'{"tax_year": 2024}\n[1, 2]\n')
    r = _cli(tmp_path / "list.jsonl", "-o", tmp_path / "c.csv")
    assert r.exit_code == 2 and "line 2 is a list; expected one JSON object per line" in r.output, r.output
    assert _leftovers(tmp_path) == [] and not (tmp_path / "c.csv").exists()


def test_csv_byte_order_mark_is_harmless(tmp_path, tables):
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfid,tax_year,wages\n1,2024,5\n")
    s = batch.run(str(tmp_path / "bom.csv"), str(tmp_path / "o.csv"), tables=tables)
    assert s.computed == 1 and pl.read_csv(tmp_path / "o.csv").columns[:3] == ["id", "tax_year", "wages"]
    r = _cli("-", "-o", "-", "--quiet", input=(tmp_path / "bom.csv").read_bytes())
    assert r.exit_code == 0 and r.stdout.startswith("id,tax_year,wages,")


# -- 9. a bound on the number of columns


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_hundred_thousand_columns_are_refused_at_once(tmp_path, fmt):
    names = ["tax_year"] + [f"c{k}" for k in range(100_000)]
    src = tmp_path / f"wide.{fmt}"
    if fmt == "csv":
        src.write_text(",".join(names) + "\n" + ",".join(["2024"] + ["1"] * 100_000) + "\n")
    elif fmt == "jsonl":
        src.write_text(json.dumps(dict.fromkeys(names, 1)) + "\n")
    else:
        pq.write_table(pa.table({n: [1] for n in names[:1500]}), src)
    started = time.perf_counter()
    r = _cli(src, "-o", tmp_path / "out.csv")
    assert time.perf_counter() - started < 15
    assert r.exit_code == 2 and "a batch file has at most 1,000" in r.output, r.output
    assert not (tmp_path / "out.csv").exists()


def test_many_distinct_jsonl_keys_are_refused_quickly(tmp_path):
    with open(tmp_path / "many.jsonl", "w") as f:
        for k in range(100_000):
            f.write(json.dumps({"tax_year": 2024, f"k{k}": 1}) + "\n")
    started = time.perf_counter()
    r = _cli(tmp_path / "many.jsonl", "-o", tmp_path / "out.csv")
    assert time.perf_counter() - started < 30
    assert r.exit_code == 2 and "a batch file has at most 1,000" in r.output, r.output


# -- 10. a row whose year has no table under the options


def test_hk_burden_year_previous_for_2019_is_that_rows_error(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,tax_year,wages,identity,zone\na,2024,500000,hk,qianhai\nb,2019,500000,hk,qianhai\n"
                   "c,2020,400000,hk,qianhai\n")
    r = _cli(src, "-o", tmp_path / "out.csv", "--hk-burden-year", "previous", "--quiet")
    assert r.exit_code == 3, r.output
    assert pl.read_csv(tmp_path / "out.csv", infer_schema=False)["id"].to_list() == ["a", "c"]
    err = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False).row(0, named=True)
    assert (err["row"], err["column"], err["value"]) == ("2", "tax_year", "2019")
    assert err["message"].startswith("no Hong Kong table for the year of assessment 2018/19") and "2018/19" in err["message"]
    out, errors, bad = batch.process_chunk(pl.DataFrame({"tax_year": ["2019", "2024"]}), 1, batch.load_tables(),
                                           Options(hk_burden_year="previous"))
    assert bad.tolist() == [True, False] and out.height == 1 and errors["row"].to_list() == [1]


# -- 11. random files: only the documented outcomes, and every row accounted for

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KNOWN_NAMES = ["id", "tax_year", "wages", "bonus", "zone", "identity", "residency", "talent", "hk_children",
                "hk_newborns", "cny_per_hkd", "work_days", "sad_child_share", "sad_housing", "hk_income"]
_HOSTILE = ["", " ", "2024", "2019", "2031", "1e400", "-5", "-0", "+1.5e3", "=cmd|' /C calc'!A0", "@SUM(1)", "+x",
            "\t=1", "99999999999999999999", "1" * 400, ",", ",,,", '"', '""', "\n", "\r\n", "\r", "hk", " HETAO ",
            "true", "Yes", "\ufeff", "\ufeff2024", "é", "中文", "1,000", " 12 ", "NaN", "inf", "null", "{}", "[1]",
            "\x00", "\u202e", "0x10", "1_000", "١٢٣"]
_cell = st.one_of(st.sampled_from(_HOSTILE), st.text(max_size=10),
                  st.integers(-10 ** 25, 10 ** 25).map(str),
                  st.decimals(allow_nan=True, allow_infinity=True).map(str))
_unknown_name = st.one_of(st.sampled_from(["note", "=HYPERLINK(\"x\")", "@x", "+y", "-z", "", "中文", "a b", "a\rb",
                                           "a\nb", '"q"']),
                          st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8))


_VALID = {"tax_year": "2024", "wages": "300000", "bonus": "5000", "zone": "hetao", "identity": "hk",
          "residency": "resident", "talent": "true", "hk_children": "1", "hk_newborns": "0", "cny_per_hkd": "0.9",
          "work_days": "100", "sad_child_share": "50", "sad_housing": "loan", "hk_income": "100000"}


@st.composite
def _csv_files(draw):
    """(header, rows): a header of known and unknown names (tax_year mostly there), rows of
    hostile cells, valid rows, empty rows and rows of only separators among them."""
    names = draw(st.lists(st.sampled_from(_KNOWN_NAMES), unique=True, max_size=8))
    if draw(st.integers(0, 9)) > 0 and "tax_year" not in names:
        names.append("tax_year")
    unknown = draw(st.lists(_unknown_name, max_size=3, unique=True))
    if draw(st.integers(0, 9)) > 0:                        # now and then a repeated name
        unknown = [u for u in unknown if u not in names]
    names = draw(st.permutations(names + unknown))
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            rows.append([""] * len(names))                  # only separators
        elif kind <= 4:                                     # valid, a hostile cell now and then
            rows.append([_VALID.get(n, draw(_cell)) if draw(st.integers(0, 5)) else draw(_cell) for n in names])
        else:
            rows.append([draw(_cell) for _ in names])
    return list(names), rows, draw(st.sampled_from(["\n", "\n", "\r\n", "\r"])), draw(st.sampled_from(["", "", "\ufeff"]))


def _write(path: Path, names: list[str], rows: list[list[str]], eol: str = "\n", bom: str = "") -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8", errors="surrogatepass") as f:
        f.write(bom)
        w = csv.writer(f, lineterminator=eol)
        w.writerow(names)
        w.writerows(rows)


def _check_outcome(tmp_path: Path, src: Path, out: Path, run, records: int | None) -> None:
    """The run ends with a summary whose rows add up, or a documented file error leaving nothing."""
    for p in (out, out.with_name("out.errors.csv")):
        if p.exists():
            p.unlink()
    try:
        s = run()
    except batch.BatchFileError as exc:
        assert str(exc) and "\n" not in str(exc)
        assert not out.exists() and _leftovers(tmp_path) == []
        return
    assert s.rows == s.computed + s.rejected + s.skipped
    if records is not None:
        assert s.rows == records                              # every data row of the file
    if out.suffix == ".jsonl":
        height = len(out.read_bytes().splitlines())
    else:
        height = (pl.read_csv(out, infer_schema=False) if out.suffix == ".csv" else pl.read_parquet(out)).height
    errors = pl.read_csv(out.with_name("out.errors.csv"), infer_schema=False)
    assert height == s.computed
    assert errors["row"].n_unique() == s.rejected
    assert _leftovers(tmp_path) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_csv_files(), st.sampled_from(["csv", "parquet"]))
def test_random_csv_files_end_in_a_documented_way(tmp_path, tables, data, out_fmt):
    names, rows, eol, bom = data
    src, out = tmp_path / "in.csv", tmp_path / f"out.{out_fmt}"
    try:
        _write(src, names, rows, eol, bom)
    except UnicodeEncodeError:
        return
    _check_outcome(tmp_path, src, out, lambda: batch.run(str(src), str(out), tables=tables),
                   len(rows) if eol != "\r" else None)
    # the same rows as JSON Lines (values as text) and as Parquet
    try:
        frame = pl.DataFrame({f"c{k}": [r[k] for r in rows] for k in range(len(names))},
                             schema={f"c{k}": pl.String for k in range(len(names))})
        frame.columns = names
    except (pl.exceptions.PolarsError, ValueError):
        return                                               # a repeated name: CSV's case covers it
    for fmt in ("jsonl", "parquet"):
        other = tmp_path / f"in.{fmt}"
        frame.write_ndjson(other) if fmt == "jsonl" else frame.write_parquet(other)
        _check_outcome(tmp_path, other, out, lambda other=other: batch.run(str(other), str(out), tables=tables),
                       len(rows))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_csv_files())
def test_random_csv_files_through_the_command(tmp_path, data):
    names, rows, eol, bom = data
    src = tmp_path / "in.csv"
    try:
        _write(src, names, rows, eol, bom)
    except UnicodeEncodeError:
        return
    p = subprocess.run([*TAXCALC, "batch", str(src), "-o", str(tmp_path / "out.csv")], capture_output=True)
    err = p.stderr.decode(errors="replace")
    assert p.returncode in (0, 2, 3), err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert _leftovers(tmp_path) == []


_GOOD = {
    "csv": b'id,tax_year,wages,zone,note\n1,2024,100,hetao,a\n2,2025,"5,0",gba,"x\ny"\n3,2024,7,,\n',
    "jsonl": b'{"id": 1, "tax_year": 2024, "wages": 100, "x": {"a": [1, 2]}}\n{"tax_year": "2025", "wages": null}\n',
}


def _good_parquet() -> bytes:
    buf = io.BytesIO()
    pl.DataFrame({"tax_year": ["2024"] * 20, "wages": [str(k) for k in range(20)], "note": ["x" * 20] * 20}
                 ).write_parquet(buf)
    return buf.getvalue()


@st.composite
def _damaged_files(draw):
    """A good file with a few bytes deleted, inserted or overwritten (quotes, separators, line
    ends, NUL, bytes that are not UTF-8, a BOM, braces), or cut short."""
    fmt = draw(st.sampled_from(["csv", "jsonl", "parquet"]))
    data = bytearray(_GOOD[fmt] if fmt != "parquet" else _good_parquet())
    for _ in range(draw(st.integers(1, 6))):
        if len(data) < 2:
            break
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.integers(0, 3))
        if op == 0:
            del data[pos]
        elif op == 1:
            data[pos:pos] = draw(st.sampled_from([b'"', b",", b"\n", b"\r", b"\x00", b"\xff", b"{", b"}", b"[", b":",
                                                  b"\xef\xbb\xbf", b"1e400", b"\\", b"true"]))
        elif op == 2:
            data[pos] = draw(st.integers(0, 255))
        else:
            data = data[:pos] or data
    return fmt, bytes(data)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_damaged_files(), st.sampled_from(["csv", "jsonl", "parquet"]))
def test_damaged_files_end_in_a_documented_way(tmp_path, tables, damaged, out_fmt):
    fmt, data = damaged
    src, out = tmp_path / f"in.{fmt}", tmp_path / f"out.{out_fmt}"
    src.write_bytes(data)
    _check_outcome(tmp_path, src, out, lambda: batch.run(str(src), str(out), tables=tables), None)


def test_a_risky_relief_label_is_neutralised_and_safe_labels_are_not_checked(tmp_path, tables):
    """The CSV writer checks a label column (relief_policy) on its labels, not cell by cell: a
    label that begins like a formula (a policy id cannot, but the check must not rely on it) gets
    the quote; with the shipped labels the cells are written as they are."""
    from dataclasses import replace

    from taxcalc.batch.frames import compute_chunk, free_text_columns
    from taxcalc.batch.writers.tabular import CsvWriter

    df = pl.DataFrame({"tax_year": ["2024", "2024"], "identity": ["hk", "foreign"], "zone": ["qianhai", "none"],
                       "wages": ["900000", "100"]})
    chunk = compute_chunk(df, 1, tables, Options())
    vocab = dict(chunk.comp.vocab)
    vocab["relief_policy"] = tuple("=" + w for w in vocab["relief_policy"])
    risky = replace(chunk, comp=replace(chunk.comp, vocab=vocab))
    for name, c in (("plain.csv", chunk), ("risky.csv", risky)):
        w = CsvWriter(str(tmp_path / name), df.columns)
        w.write_chunk(c, free_text_columns(df.columns))
        w.finish()
        w.commit()
    plain = pl.read_csv(tmp_path / "plain.csv", infer_schema=False)["relief_policy"].to_list()
    quoted = pl.read_csv(tmp_path / "risky.csv", infer_schema=False)["relief_policy"].to_list()
    assert plain[0] != "none" and plain[1] == "none"
    assert quoted == ["'=" + p for p in plain]

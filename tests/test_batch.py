"""The batch path: same figures as calculate(), nothing lost, clear errors, safe CSV, exit codes."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from taxcalc import batch
from taxcalc.api import calculate_many
from taxcalc.cli import batch_summary_line, main
from taxcalc.figures import NAMES as RESULT_NAMES
from taxcalc.scenario import FIELDS
from taxcalc.tables import SHIPPED_TABLES, Tables

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("batch_generate", ROOT / "examples" / "batch-generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# rows that exercise the fields the generator leaves out: detailed deductions, work days,
# exempt allowances, Macao rate, HK allowances, capital letters and spaces in words
HAND_ROWS = [
    {"id": "pwc", "tax_year": "2024", "wages": "420000", "labour": "50000", "social_insurance": "60000",
     "additional_deductions": "24000"},
    {"id": "details", "tax_year": "2023", "wages": "300000", "sad_children": "2", "sad_infants": "1",
     "sad_child_share": "50", "sad_elderly": "shared", "sad_elderly_share": "1000", "sad_housing": "rent_tier1",
     "sad_continuing_education": "both", "sad_medical_costs": "90000", "private_pension": "20000",
     "health_insurance": "3000"},
    {"id": "hengqin", "tax_year": "2025", "identity": "macao", "zone": "hengqin", "work_days": "183.5",
     "wages": "800000", "cny_per_mop": "0.88", "bonus": "100000", "bonus_method": "Separate"},
    {"id": "foreigner", "tax_year": "2021", "identity": "foreign", "residency": " nonresident ", "zone": "qianhai",
     "talent": "YES", "wages": "600000.5", "exempt_allowances": "100000", "bonus": "36001"},
    {"id": "hkfamily", "tax_year": "2026", "identity": "hk", "zone": "hetao", "wages": "1200000",
     "hk_married": "true", "hk_children": "2", "hk_newborns": "1", "hk_parents_60": "2",
     "hk_parents_60_living_with": "1", "hk_parents_55": "1", "hk_disability": "true", "hk_siblings": "1",
     "hk_disabled_dependants": "1", "hk_deductions": "10000", "hk_mpf": "0"},
    {"id": "single", "tax_year": "2019", "identity": "taiwan", "zone": "gba", "talent": "1", "wages": "2e5",
     "hk_children": "1", "hk_single_parent": "true", "cny_per_hkd": "0.912345"},
    {"id": "", "tax_year": "2027", "wages": "", "bonus": "36000.00"},
]


def _write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    pl.DataFrame({c: [r.get(c) for r in rows] for c in columns}, schema=dict.fromkeys(columns, pl.String)).write_csv(path)
    return path


def _expected(rows: list[dict]):
    scenarios = [{k: v.strip() for k, v in r.items() if k in FIELDS and v not in (None, "") and k != "id"}
                 for r in rows]
    for s in scenarios:
        for k, v in list(s.items()):
            if k in ("residency", "identity", "zone", "bonus_method", "sad_elderly", "sad_housing",
                     "sad_continuing_education"):
                s[k] = v.lower()
            if k in ("talent", "hk_married", "hk_single_parent", "hk_disability"):
                s[k] = v.lower() in ("true", "yes", "1")
            if k == "sad_child_share":                   # the model takes the number, not its text
                s[k] = int(v)
    return calculate_many(scenarios)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.fixture(scope="module")
def mixed_rows():
    gen = _generator().frame(400, seed=11).drop("note")
    rows = [{k: v for k, v in r.items() if v is not None} for r in gen.iter_rows(named=True)]
    return rows + HAND_ROWS


def test_every_row_equals_calculate(tmp_path, mixed_rows, tables):
    src = _write_csv(tmp_path / "in.csv", mixed_rows)
    summary = batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    assert (summary.rows, summary.computed, summary.rejected) == (len(mixed_rows), len(mixed_rows), 0)
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    expected = _expected(mixed_rows)
    assert out.columns[-len(RESULT_NAMES):] == list(RESULT_NAMES)
    for k, (want, got) in enumerate(zip(expected, out.iter_rows(named=True))):
        for c in RESULT_NAMES:
            assert _text(getattr(want, c)) == (got[c] or ""), (k, mixed_rows[k].get("id"), c)


def test_jsonl_and_parquet_carry_the_same_figures(tmp_path, mixed_rows, tables):
    src = _write_csv(tmp_path / "in.csv", mixed_rows)
    batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    batch.run(str(src), str(tmp_path / "out.jsonl"), tables=tables)
    batch.run(str(src), str(tmp_path / "out.parquet"), tables=tables)
    csv_out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    pq = pl.read_parquet(tmp_path / "out.parquet")
    assert len(lines) == pq.height == csv_out.height
    assert str(pq.schema["iit"]).startswith("Decimal") and pq.schema["hk_tax"] == pl.Int64
    for k in (0, 7, len(lines) - 1):
        for c in ("iit", "relief", "iit_net", "effective_rate_hk", "burden_gap_cny", "hk_tax", "relief_policy"):
            assert _text(lines[k][c]) == csv_out[c][k] == _text(pq[c][k])
    # JSON Lines in gives the same as CSV in
    pl.read_csv(src, infer_schema=False).write_ndjson(tmp_path / "in.jsonl")
    batch.run(str(tmp_path / "in.jsonl"), str(tmp_path / "again.csv"), tables=tables)
    again = pl.read_csv(tmp_path / "again.csv", infer_schema=False)
    assert again.columns == csv_out.columns
    assert again.fill_null("").equals(csv_out.fill_null(""))    # JSON "" is written as "", CSV empty as empty
    # Parquet in, too
    pl.read_csv(src, infer_schema=False).write_parquet(tmp_path / "in.parquet")
    batch.run(str(tmp_path / "in.parquet"), str(tmp_path / "again2.csv"), tables=tables)
    assert pl.read_csv(tmp_path / "again2.csv", infer_schema=False).fill_null("").equals(csv_out.fill_null(""))


BAD_ROWS = [
    {"id": "ok1", "tax_year": "2024", "wages": "100000", "extra": "keep me"},
    {"id": "neg", "tax_year": "2024", "wages": "-5000", "extra": "a"},
    {"id": "who", "tax_year": "2024", "identity": "martian", "wages": "1"},
    {"id": "text", "tax_year": "2024", "wages": "lots", "bonus": "12.345"},
    {"id": "year", "tax_year": "2031"},
    {"id": "noyear", "tax_year": ""},
    {"id": "cross", "tax_year": "2024", "hk_children": "1", "hk_newborns": "2"},
    {"id": "ok2", "tax_year": "2019", "wages": "+250000.10", "extra": "=cmd|' /C calc'!A0"},
]


def test_errors_file_names_row_column_value_and_expectation(tmp_path, tables):
    src = _write_csv(tmp_path / "in.csv", BAD_ROWS)
    summary = batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    assert (summary.rows, summary.computed, summary.rejected) == (8, 2, 6)
    errors = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)
    assert errors.columns == ["row", "column", "value", "message"]
    got = [(int(r["row"]), r["column"], r["value"] or "") for r in errors.iter_rows(named=True)]
    assert got == [(2, "wages", "-5000"), (3, "identity", "martian"), (4, "wages", "lots"), (4, "bonus", "12.345"),
                   (5, "tax_year", "2031"), (6, "tax_year", ""), (7, "hk_newborns", "2")]
    msg = {(int(r["row"]), r["column"]): r["message"] for r in errors.iter_rows(named=True)}
    assert "must not be negative" in msg[2, "wages"] and "1234.56" in msg[2, "wages"]
    assert "mainland, hk, macao, taiwan, foreign" in msg[3, "identity"]
    assert msg[4, "wages"].startswith("not a number; expected an amount")
    assert "too many decimals" in msg[4, "bonus"]
    assert "no tables for this year; tables exist for 2019-2027" in msg[5, "tax_year"]
    assert msg[6, "tax_year"].startswith("required: a year")
    assert "cannot exceed hk_children" in msg[7, "hk_newborns"]
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert out["id"].to_list() == ["ok1", "ok2"]
    assert out["extra"].to_list() == ["keep me", "'=cmd|' /C calc'!A0"]


def test_year_without_tables_is_a_row_error(tmp_path):
    shutil.copytree(SHIPPED_TABLES, tmp_path / "t")
    (tmp_path / "t" / "mainland" / "2027.toml").unlink()
    tables = Tables((tmp_path / "t",))
    src = _write_csv(tmp_path / "in.csv", [{"tax_year": "2026", "wages": "1"}, {"tax_year": "2027", "wages": "1"}])
    summary = batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    assert summary.rejected == 1
    err = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False).row(0, named=True)
    assert (err["row"], err["column"], err["value"]) == ("2", "tax_year", "2027")
    assert err["message"].startswith("no tables for this year") and "2026" in err["message"]


def test_integrity_order_ids_and_passthrough(tmp_path, tables):
    rng = np.random.default_rng(3)
    rows = []
    for k in range(1, 301):
        bad = rng.random() < 0.2
        rows.append({"note": f"n{k}", "tax_year": "2024" if not bad else "20x4", "wages": str(k * 1000),
                     "zone": "gba", "other": str(k)})
    src = _write_csv(tmp_path / "in.csv", rows, ["note", "tax_year", "wages", "zone", "other"])
    summary = batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    errors = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)
    assert out.columns[:6] == ["id", "note", "tax_year", "wages", "zone", "other"]
    ids = [int(i) for i in out["id"]]
    assert ids == sorted(ids)                                          # order kept
    assert sorted(ids + [int(r) for r in errors["row"]]) == list(range(1, 301))   # nothing lost
    assert out["note"].to_list() == [f"n{i}" for i in ids] and out["other"].to_list() == [str(i) for i in ids]
    assert summary.computed == out.height and summary.rejected == errors.height


def test_small_chunks_give_the_same_files(tmp_path, tables, monkeypatch):
    from taxcalc.batch.readers import csvfile

    gen = _generator().frame(3000, seed=5)
    gen = gen.with_columns(pl.when(pl.int_range(0, 3000) % 97 == 0).then(pl.lit("oops")).otherwise(pl.col("wages"))
                           .alias("wages"))
    gen.write_csv(tmp_path / "in.csv")
    one = batch.run(str(tmp_path / "in.csv"), str(tmp_path / "one.csv"), tables=tables)
    monkeypatch.setattr(csvfile, "FILE_BLOCK_BYTES", 40_000)     # about 400 rows
    many = batch.run(str(tmp_path / "in.csv"), str(tmp_path / "many.csv"), tables=tables)
    assert (one.rows, one.rejected) == (many.rows, many.rejected) == (3000, 31)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "many.csv").read_bytes()
    assert (tmp_path / "one.errors.csv").read_bytes() == (tmp_path / "many.errors.csv").read_bytes()
    rows = pl.read_csv(tmp_path / "one.errors.csv")["row"].to_list()
    assert rows == [k for k in range(1, 3001) if (k - 1) % 97 == 0]


@pytest.mark.parametrize("block", [1, 7, 64, 1000])
def test_record_blocks_never_cut_a_quoted_cell(tmp_path, tables, monkeypatch, block):
    """CSV files are read in blocks that end after a record: a line feed inside quotes (a cell
    holding a newline, a comma, a doubled quote) never ends a block, whatever the block size."""
    from taxcalc.batch.readers import csvfile

    lines = ["id,tax_year,wages,note"]
    for k in range(60):
        note = ['"a\nb"', '"x,""y""\n\nz"', "plain", '""', '"\n"'][k % 5]
        lines.append(f"p{k},2024,{1000 + k},{note}" if k % 7 else "")          # blank lines are rows too
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n")
    whole = batch.run(str(tmp_path / "in.csv"), str(tmp_path / "whole.csv"), tables=tables)
    monkeypatch.setattr(csvfile, "FILE_BLOCK_BYTES", block)
    small = batch.run(str(tmp_path / "in.csv"), str(tmp_path / "small.csv"), tables=tables)
    assert (whole.rows, whole.computed, whole.skipped) == (small.rows, small.computed, small.skipped) == (60, 51, 9)
    assert (tmp_path / "whole.csv").read_bytes() == (tmp_path / "small.csv").read_bytes()
    notes = pl.read_csv(tmp_path / "small.csv", infer_schema=False)["note"].to_list()
    assert notes[:4] == ["x,\"y\"\n\nz", "plain", "", "\n"]


# -- robustness: a clear message, exit 2, no traceback, no output left behind


@pytest.mark.parametrize("content, words", [
    (bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8)), ["not UTF-8", "no known column"]),
    (b"id;tax_year;wages\n1;2024;100\n", ["semicolon-separated", "id,tax_year"]),
    (b"", ["empty file"]),
    (b"\n\n", ["empty file"]),
    (b"id,wages\n1,100\n", ["tax_year is missing"]),
    (b"id,tax_year,tax_year\n1,2024,2024\n", ["appears twice"]),
    (b"id,tax_year,wages\n1,2024,100\n2,2024,5,6\n", ["more fields than the header"]),
    (b"tax_year,wages\n2024,1\n2024,\xff\xfe\n", ["not valid UTF-8"]),
    (b"x" * (2 << 20), ["first line is longer"]),
    (b"tax_year,WAGES\n2024,900000\n", ["'WAGES' is written differently from the batch column wages"]),
    (b"Tax-Year,wages\n2024,900000\n", ["'Tax-Year' is written differently from the batch column tax_year"]),
    (b"tax_year,Wages,wages\n2024,1,2\n", ["'Wages' is written differently"]),
    ("tax_year,\ufeffwages,\u200bbonus\n2024,1,2\n".encode(), ["'\\ufeffwages' is written differently"]),
    (b"tax_year,wages\n2024,100,5\n", ["a row has more fields than the header's 2"]),
], ids=["random-bytes", "semicolons", "empty", "blank-lines", "no-tax_year", "duplicate-column", "short-row",
        "bad-utf8-cell", "enormous-header", "known-column-in-capitals", "known-column-with-dash",
        "known-column-twice-by-case", "known-column-with-a-bom", "first-row-too-long"])
def test_bad_files_give_one_clear_message(tmp_path, content, words):
    src = tmp_path / "in.csv"
    src.write_bytes(content)
    result = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "out.csv"), "--quiet"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and "Traceback" not in result.output
    assert any(w in result.output for w in words), result.output
    assert "schema" not in result.output and "extra_columns" not in result.output     # no library internals
    assert not (tmp_path / "out.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]      # no temporary file left


def test_a_known_key_written_differently_in_json_lines_is_refused(tmp_path):
    """{" wages": 5} or {"Wages": 5} would pass through as unknown and compute an income of 0."""
    for key in (" wages", "Wages", "WAGES"):
        src = tmp_path / "in.jsonl"
        src.write_text(json.dumps({"tax_year": 2024, key: 900000}) + "\n")
        result = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "out.csv"), "--quiet"])
        assert result.exit_code == 2 and "is written differently from the batch column wages" in result.output
        assert not (tmp_path / "out.csv").exists()


def test_enormous_line_in_the_data(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(b"id,tax_year,wages\n" + b"x" * (1 << 22) + b",2024,1\n2,2024,5\n")
    result = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "out.csv"), "--quiet"])
    assert result.exit_code == 3 and "Traceback" not in result.output
    err = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False).row(0, named=True)
    assert (err["row"], err["column"]) == ("1", "id") and "at most 200 characters" in err["message"]
    assert len(err["value"]) <= 201                       # the cell is cut in the errors file
    assert pl.read_csv(tmp_path / "out.csv", infer_schema=False)["id"].to_list() == ["2"]


def test_blank_lines_and_rows_of_separators_are_skipped_and_counted(tmp_path, tables):
    src = tmp_path / "in.csv"
    src.write_text("tax_year,wages\n2024,1\n\n2024,x\n,\n2024,3\n\n")
    summary = batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    assert (summary.rows, summary.computed, summary.rejected, summary.skipped) == (6, 2, 1, 3)
    assert "3 skipped (empty)" in batch_summary_line(summary)
    assert pl.read_csv(tmp_path / "out.csv", infer_schema=False)["id"].to_list() == ["1", "5"]
    assert pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)["row"].to_list() == ["3"]


def test_other_formats_fail_clearly(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"tax_year": 2024}\n{"tax_year": \n')
    (tmp_path / "bad.parquet").write_text("not parquet")
    (tmp_path / "in.xlsx").write_text("x")
    (tmp_path / "in.ods").write_text("x")
    for name, word in (("bad.jsonl", "not valid JSON Lines"), ("bad.parquet", "not a Parquet file"),
                       ("in.xlsx", "not an Excel workbook"), ("in.ods", "unknown file type"),
                       ("missing.csv", "no such file")):
        result = CliRunner().invoke(main, ["batch", str(tmp_path / name), "-o", str(tmp_path / "o.csv")])
        assert result.exit_code == 2 and word in result.output, (name, result.output)


def test_header_only_writes_the_header(tmp_path, tables):
    src = tmp_path / "in.csv"
    src.write_text("id,tax_year,wages,extra\n\n")
    for out in ("out.csv", "out.jsonl", "out.parquet"):
        summary = batch.run(str(src), str(tmp_path / out), tables=tables)
        assert summary.rows == 0
    assert (tmp_path / "out.csv").read_text().strip() == ",".join(["id", "tax_year", "wages", "extra", *RESULT_NAMES])
    assert (tmp_path / "out.jsonl").read_text() == ""
    assert pl.read_parquet(tmp_path / "out.parquet").columns[-1] == RESULT_NAMES[-1]
    assert (tmp_path / "out.errors.csv").read_text().strip() == "row,column,value,message"


def test_csv_injection_is_neutralised_numbers_untouched(tmp_path, tables):
    rows = [{"id": "=1+1", "tax_year": "2024", "wages": "+5000", "note": "@SUM(A1)", "hk_income": "5000000"},
            {"id": "-2", "tax_year": "2024", "wages": "1", "note": "+cmd"},
            {"id": "x", "tax_year": "2024", "wages": "-1", "note": "-1.5e3"}]
    src = _write_csv(tmp_path / "in.csv", rows)
    batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert out["id"].to_list() == ["'=1+1", "-2"]
    assert out["note"].to_list() == ["'@SUM(A1)", "'+cmd"]
    assert out["wages"].to_list() == ["+5000", "1"]
    assert float(out["burden_gap_cny"][0]) < 0 and not out["burden_gap_cny"][0].startswith("'")
    errors = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)
    assert errors["value"].to_list() == ["-1"]          # a number, left alone


def test_exit_codes_strict_and_stdin(tmp_path):
    runner = CliRunner()
    good = _write_csv(tmp_path / "good.csv", [{"tax_year": "2024", "wages": "1"}])
    bad = _write_csv(tmp_path / "bad.csv", BAD_ROWS)
    r = runner.invoke(main, ["batch", str(good), "-o", str(tmp_path / "g.csv")])
    assert r.exit_code == 0 and "1 row: 1 computed, 0 rejected" in r.output
    r = runner.invoke(main, ["batch", str(bad), "-o", str(tmp_path / "b.csv"), "--quiet"])
    assert r.exit_code == 3 and r.output == ""
    r = runner.invoke(main, ["batch", str(bad), "-o", str(tmp_path / "s.csv"), "--strict", "--quiet"])
    assert r.exit_code == 2
    assert "row 2: wages: must not be negative" in r.output and "--strict" in r.output
    assert pl.read_csv(tmp_path / "s.csv")["id"].to_list() == ["ok1"]
    assert pl.read_csv(tmp_path / "s.errors.csv")["row"].to_list() == [2]
    r = runner.invoke(main, ["batch", "-", "-o", "-", "--quiet"], input=good.read_text())
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].startswith("id,tax_year,wages,gross_income,iit_taxable") and lines[1].startswith("1,2024,1,")


def test_column_parsers_match_the_model():
    s = pl.Series("wages", ["1e3", " 5", "+5", "5.", ".5", "1.2300", "-0", "15e-1", "1,000", "９００", "", None, "  ",
                            "1,5", "-5", "1.234", "1.00000000001", "1e-400", "inf", "12345678901234567"])
    value, code = batch.parse_decimal(s, 2)
    assert value[:10].tolist() == [100000, 500, 500, 500, 50, 123, 0, 150, 100000, 90000]
    assert code.tolist() == [batch.OK] * 10 + [batch.EMPTY] * 3 + [batch.NOT_VALID, batch.NEGATIVE,
                                                                    batch.TOO_PRECISE, batch.TOO_PRECISE,
                                                                    batch.TOO_PRECISE, batch.NOT_VALID, batch.TOO_LARGE]
    words = {"true": 1, "false": 0, "yes": 1, "no": 0}
    value, code = batch.parse_words(pl.Series("b", ["true", "Yes", " FALSE", None, "", "maybe", "ｙｅｓ"]), words)
    assert value[:3].tolist() == [1, 1, 0] and code.tolist() == [0, 0, 0, 1, 1, 2, 0] and value[6] == 1


@pytest.mark.filterwarnings("ignore:The inplace keyword")      # inside dask's Parquet reader
def test_dask_engine_on_a_local_cluster_matches_the_local_path(tmp_path, tables):
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("dask.distributed")
    from taxcalc import dask_engine

    gen = _generator().frame(600, seed=9).with_columns(
        pl.when(pl.int_range(0, 600) % 50 == 7).then(pl.lit("-1")).otherwise(pl.col("wages")).alias("wages"),
        pl.when(pl.int_range(0, 600) % 3 == 0).then(None).otherwise(pl.col("id")).alias("id"))
    (tmp_path / "ds").mkdir()
    for k in range(3):
        gen.slice(k * 200, 200).write_parquet(tmp_path / "ds" / f"part-{k}.parquet")
    gen.write_parquet(tmp_path / "all.parquet")
    local = batch.run(str(tmp_path / "all.parquet"), str(tmp_path / "local.parquet"), tables=tables)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        summary = dask_engine.run(str(tmp_path / "ds"), str(tmp_path / "out"), tables=tables)
    assert (summary.rows, summary.rejected) == (local.rows, local.rejected) == (600, 12)
    got = pl.read_parquet(tmp_path / "out" / "*.parquet")
    assert got.equals(pl.read_parquet(tmp_path / "local.parquet"))
    assert (tmp_path / "out.errors.csv").read_text() == (tmp_path / "local.errors.csv").read_text()


def test_dask_engine_says_what_it_needs(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name == "dask" or name.startswith("dask."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    r = CliRunner().invoke(main, ["batch", str(tmp_path), "-o", str(tmp_path / "o"), "--engine", "dask"])
    assert r.exit_code == 2 and "needs dask" in r.output


# the whole-column number parser against the Scenario model, cell by cell
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_digits = st.text(alphabet="0123456789", min_size=0, max_size=13)
_number_text = st.one_of(
    st.builds(lambda sign, i, dot, f, exp: f"{sign}{i}{dot}{f}{exp}",
              st.sampled_from(["", "+", "-"]), _digits, st.sampled_from(["", "."]), _digits,
              st.sampled_from(["", "", "", "e2", "e-3", "E+1"])),
    st.decimals(min_value=0, max_value=10 ** 9, places=2, allow_nan=False).map(str),
    st.text(max_size=6),
)


@pytest.mark.parametrize("name", ["wages", "cny_per_hkd", "work_days", "hk_children"])
@settings(max_examples=100, deadline=None)
@given(texts=st.lists(_number_text, min_size=1, max_size=30))
def test_number_cells_are_read_as_the_model_reads_them(name, texts):
    from decimal import Decimal

    from pydantic import ValidationError

    from taxcalc.scenario import Scenario

    kind = batch.field_kind(name)
    scale = batch.SCALE[kind]
    raw, code = batch.parse_decimal(pl.Series(name, texts), scale)
    code, value = batch._check_range(name, kind, raw, code)       # the field's limits
    for text, v, c in zip(texts, value.tolist(), code.tolist()):  # alone, a plain cell takes the decimal cast
        one_raw, one_code = batch.parse_decimal(pl.Series(name, [text]), scale)
        one_code, one_value = batch._check_range(name, kind, one_raw, one_code)
        assert (one_code.tolist(), one_value.tolist()) == ([c], [v]), (name, text)
    for text, v, c in zip(texts, value.tolist(), code.tolist()):
        if "_" in text or not text.isascii():
            continue                    # the model also takes 1_000 and other scripts' digits; batch does not
        if text.strip() == "":
            assert c == batch.EMPTY
            continue
        try:
            want = getattr(Scenario(tax_year=2024, **{name: text}), name)
        except ValidationError:
            want = None
        if want is None:
            assert c != batch.OK, (text, v)
        else:
            assert c == batch.OK and Decimal(v) / 10 ** scale == want, (text, v, c, want)


def _cell_strategy(name):
    """Valid values of a field, as the Scenario model takes them and as a CSV cell shows them."""
    from decimal import Decimal

    from taxcalc.scenario import field_choices, field_kind

    kind = field_kind(name)
    ge, gt, le = batch._limits(name)
    if kind == "money":
        return st.decimals(min_value=0, max_value=Decimal(le), places=2, allow_nan=False).map(str)
    if kind == "count":
        return st.integers(0, le).map(str)
    if kind == "bool":
        return st.sampled_from(["true", "false", "yes", "no", "1", "0", "TRUE"])
    if kind in ("choice", "choice_int"):
        return st.sampled_from([str(c) for c in field_choices(name)])
    if kind == "rate":
        return st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(le), places=6, allow_nan=False).map(str)
    if kind == "days":
        return st.decimals(min_value=0, max_value=Decimal(le), places=1, allow_nan=False).map(str)
    return st.just("x")


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_columns_from_text_equal_columns_from_the_model(data):
    """For any valid scenario, whole-column parsing gives the very columns from_scenarios gives."""
    from taxcalc import columns as colmod
    from taxcalc.scenario import Scenario

    names = [n for n in FIELDS if n not in ("id", "tax_year")]
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=12))
    rows = [{"tax_year": str(data.draw(st.integers(2019, 2027))),
             **{n: data.draw(_cell_strategy(n)) for n in chosen}} for _ in range(3)]
    df = pl.DataFrame({c: [r[c] for r in rows] for c in ["tax_year", *chosen]})
    parsed = batch.parse_chunk(df, 1, batch.load_tables())
    model = []
    for r in rows:
        values = {k: (int(v) if batch.field_kind(k) == "choice_int" else
                      v.lower() in ("true", "yes", "1") if batch.field_kind(k) == "bool" else v) for k, v in r.items()}
        model.append(Scenario(**values))
    want = colmod.from_scenarios(model)
    bad_cross = np.zeros(3, dtype=bool)
    for mask, _, _ in colmod.cross_field_errors(want):
        bad_cross |= mask
    assert (parsed.bad == bad_cross).all()
    for k, v in want.items():
        assert (parsed.cols[k] == v).all(), k


def test_progress_goes_to_a_callback_and_the_core_prints_nothing(tmp_path, tables, monkeypatch, capsys):
    from taxcalc.batch.readers import csvfile

    monkeypatch.setattr(csvfile, "FILE_BLOCK_BYTES", 20_000)
    _generator().frame(1000, seed=3).write_csv(tmp_path / "in.csv")
    seen = []
    summary = batch.run(str(tmp_path / "in.csv"), str(tmp_path / "out.csv"), tables=tables, progress=seen.append)
    assert len(seen) > 3 and [p.rows for p in seen] == sorted(p.rows for p in seen) and seen[-1].rows == summary.rows
    total = (tmp_path / "in.csv").stat().st_size
    assert all(p.total == total and 0 < p.done <= total for p in seen) and seen[-1].done == total
    assert all(p.rows_per_second >= 0 for p in seen)
    assert capsys.readouterr() == ("", "")
    from taxcalc.cli import _ProgressBar

    bar = _ProgressBar()                       # the command line's bar takes the same reports
    for p in seen:
        bar(p)
    bar.stop()


def test_a_key_repeated_in_a_json_line_reads_the_same_whichever_way_its_block_is_read(tmp_path):
    """polars keeps the first of a repeated key; the line-by-line reading (taken when another line
    of the block holds, say, 1e400) kept the last: the same line gave wages 100 or 900000."""
    line = '{"id": "dup", "tax_year": 2026, "wages": 100, "wages": 900000}\n'
    plain, mixed = tmp_path / "plain.jsonl", tmp_path / "mixed.jsonl"
    plain.write_text(line)
    mixed.write_text(line + '{"id": "huge", "tax_year": 2026, "wages": 1e400}\n')
    for src in (plain, mixed):
        CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / f"{src.stem}.csv"), "--quiet"])
        row = pl.read_csv(tmp_path / f"{src.stem}.csv", infer_schema=False).row(0, named=True)
        assert (row["id"], row["wages"], row["gross_income"]) == ("dup", "100", "100.00"), src.name


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet"])
def test_a_batch_output_fed_back_as_input_is_refused_with_a_message(tmp_path, ext):
    """Its result columns (gross_income, iit, ...) would be the output's twice: a polars
    DuplicateError traceback, exit 1."""
    src = tmp_path / "in.csv"
    src.write_text("id,tax_year,wages\na,2024,100000\n")
    assert CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / f"out.{ext}"), "--quiet"]).exit_code == 0
    r = CliRunner().invoke(main, ["batch", str(tmp_path / f"out.{ext}"), "-o", str(tmp_path / "again.csv"), "--quiet"])
    assert r.exit_code == 2 and r.output.startswith("error: ") and "Traceback" not in r.output, r.output
    assert "gross_income, iit_taxable, iit" in r.output and "result columns of taxcalc batch" in r.output
    assert not (tmp_path / "again.csv").exists()
    (tmp_path / "one.csv").write_text("tax_year,wages,iit\n2024,100000,5\n")
    r = CliRunner().invoke(main, ["batch", str(tmp_path / "one.csv"), "-o", str(tmp_path / "again.csv"), "--quiet"])
    assert r.exit_code == 2 and "error: " in r.output and "iit: result column" in r.output


@pytest.mark.parametrize("name", ["in.csv", "in.jsonl", "in.parquet", "in.xlsx"])
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_an_input_that_is_not_a_regular_file_is_refused(tmp_path, name, kind):
    """A named pipe: JSON Lines (read twice) raised io.UnsupportedOperation, CSV blocked for ever;
    /dev/zero as .xlsx filled the memory until the process was killed."""
    src = tmp_path / name
    if kind == "fifo":
        os.mkfifo(src)
    else:
        src.symlink_to("/dev/zero")
    r = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "out.csv"), "--quiet"])
    assert r.exit_code == 2 and r.output == f"error: {src}: not a regular file (a device or a pipe?); give a file, " \
        "or - to read CSV from standard input\n", r.output
    assert not (tmp_path / "out.csv").exists()


def test_a_long_number_is_not_cast_round_to_a_wrong_value(tmp_path, tables):
    """Arrow's decimal cast wraps some texts of more than 38 digits round without an error: a wages
    cell of "1" and 300 zeros (also JSON Lines' 1e300, which polars writes out in digits) was read
    as 0 and the row computed, IIT 0, exit 0. Every such cell is that row's error, "too large", as
    calc says; long cells that are valid (zeros around a small value) keep their value."""
    cells = ["1" + "0" * n for n in (38, 39, 40, 47, 55, 100, 300)] + ["9" * 40, "123456789" * 5]
    padded = "0" * 60 + "100.5" + "0" * 40
    src = tmp_path / "in.csv"
    src.write_text("id,tax_year,wages\n" + "".join(f"r{k},2024,{c}\n" for k, c in enumerate(cells))
                   + f"ok,2024,1000\npad,2024,{padded}\n")
    summary = batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    assert (summary.computed, summary.rejected) == (2, len(cells))
    errors = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)
    assert errors["row"].to_list() == [str(k) for k in range(1, len(cells) + 1)]
    assert all(m.startswith("too large") for m in errors["message"].to_list())
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert out["gross_income"].to_list() == ["1000.00", "100.50"]
    (tmp_path / "in.jsonl").write_text('{"tax_year": 2024, "wages": 1e300}\n')
    summary = batch.run(str(tmp_path / "in.jsonl"), str(tmp_path / "out2.csv"), tables=tables)
    assert (summary.computed, summary.rejected) == (0, 1)


@pytest.mark.parametrize("big", ["12345678901234567", "1" + "0" * 300, "0" * 40 + "1.5", "99999999999999999.99"])
def test_a_cell_past_the_decimal_cast_gets_the_grammars_answer(big):
    """The whole-column decimal cast (decimal64, 18 digits) refuses or may wrap a cell of many
    digits: that cell gets the grammar's value or message, the column's other cells their values."""
    from taxcalc.batch.parse import OK, TOO_LARGE, parse_decimal
    from taxcalc.validate import FieldError, parse_number

    values, codes = parse_decimal(pl.Series("wages", ["1.50", big, None, "7"]), 2)
    try:
        want = (OK, int(parse_number("wages", big, "money") * 100))
    except FieldError:
        want = (TOO_LARGE, 0)
    assert (int(codes[1]), int(values[1])) == want
    assert values[[0, 3]].tolist() == [150, 700] and codes[[0, 3]].tolist() == [OK, OK]

"""Excel in and out (issue 12 section 5): an .xlsx round trip gives the CSV results; numbers are
numbers in their unit's format; text is never a formula; hostile workbooks end in one line or a
row error, never a traceback."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from click.testing import CliRunner

from taxcalc import batch
from taxcalc.cli import main
from taxcalc.figures import FIGURES

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args):
    return CliRunner().invoke(main, [*map(str, args)])


def _leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.name.startswith(".") and p.name.endswith((".tmp", ".lock")))


def _sheet_cells(path: Path, sheet: str = "xl/worksheets/sheet1.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(sheet).decode()


def _workbook(path: Path, rows: list[list], sheet: str = "Sheet1", formats: dict | None = None) -> Path:
    book = xlsxwriter.Workbook(path)
    ws = book.add_worksheet(sheet)
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, dt.datetime):
                ws.write_datetime(r, c, v, date)
            elif isinstance(v, str) and v.startswith("="):
                ws.write_formula(r, c, v, None, (formats or {}).get((r, c), 0))
            elif v is not None:
                ws.write(r, c, v)
    book.close()
    return path


def _values(df: pl.DataFrame) -> list[list]:
    """Cells as comparable values: numbers as Decimals (an amount read back from a workbook is a
    float that prints its shortest form), empty as None, the rest as text (CSV's ' before formula
    text taken off: a workbook stores such text as text, with Excel's quote prefix)."""
    out = []
    for row in df.iter_rows():
        cells = []
        for v in row:
            if v is None or v == "":
                cells.append(None)
                continue
            text = str(v)
            if text.startswith(("'=", "'+", "'-", "'@")):
                text = text[1:]
            try:
                cells.append(Decimal(text).normalize() if text.lower() not in ("true", "false", "nan", "inf") else text)
            except ArithmeticError:
                cells.append(text)
        out.append(cells)
    return out


@pytest.mark.parametrize("source", ["batch-sample.csv", "cases.csv", "batch-offers.csv"])
def test_an_xlsx_round_trip_equals_the_csv_results(tmp_path, tables, source):
    """The same rows as an .xlsx in (text cells, as polars writes them) and .xlsx out carry the
    values of the CSV run, and the same errors file."""
    src = ROOT / "examples" / source
    pl.read_csv(src, infer_schema=False).write_excel(tmp_path / "in.xlsx")
    csv_run = batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    csv_errors = (tmp_path / "out.errors.csv").read_bytes()
    xlsx_run = batch.run(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx"), tables=tables)
    assert (csv_run.rows, csv_run.computed, csv_run.rejected) == (xlsx_run.rows, xlsx_run.computed, xlsx_run.rejected)
    assert (tmp_path / "out.errors.csv").read_bytes() == csv_errors
    got = pl.read_excel(tmp_path / "out.xlsx", infer_schema_length=0)
    want = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert got.columns == want.columns
    assert _values(got) == _values(want)
    assert _leftovers(tmp_path) == []


def test_numbers_in_the_input_cells_are_read_as_excel_shows_them(tmp_path, tables):
    """Number cells (not text) in the known columns: 2024.0 is 2024, 999999999.99 is itself (not
    the double's 999999999.990000009...), 0.1 + 0.2 is 0.3; the same rows as CSV give the same."""
    rows = [["id", "tax_year", "wages", "bonus", "hk_children", "talent", "note"],
            ["a", 2024.0, 999999999.99, 0.1 + 0.2, 2, True, 12345],
            ["b", 2025, 420000, None, None, False, "x"]]
    _workbook(tmp_path / "in.xlsx", rows)
    (tmp_path / "in.csv").write_text("id,tax_year,wages,bonus,hk_children,talent,note\n"
                                     "a,2024,999999999.99,0.3,2,true,12345\nb,2025,420000,,,false,x\n")
    batch.run(str(tmp_path / "in.xlsx"), str(tmp_path / "x.csv"), tables=tables)
    batch.run(str(tmp_path / "in.csv"), str(tmp_path / "c.csv"), tables=tables)
    assert (tmp_path / "x.csv").read_text() == (tmp_path / "c.csv").read_text()


def test_the_output_workbook_keeps_numbers_as_numbers_and_text_as_text(tmp_path, tables):
    rows = [{"id": "=HYPERLINK(\"http://x\")", "tax_year": "2024", "wages": "420000", "note": "@SUM(A1)",
             "identity": "hk", "zone": "qianhai"},
            {"id": "-2", "tax_year": "2024", "wages": "+5000", "note": "+cmd", "identity": "mainland", "zone": "none"}]
    src = tmp_path / "in.csv"
    pl.DataFrame(rows).write_csv(src)
    r = _cli("batch", src, "-o", tmp_path / "out.xlsx", "--quiet")
    assert r.exit_code == 0, r.output
    xml = _sheet_cells(tmp_path / "out.xlsx")
    assert "<f>" not in xml                                   # no formula anywhere
    got = pl.read_excel(tmp_path / "out.xlsx", infer_schema_length=0)
    assert got["id"].to_list() == ["=HYPERLINK(\"http://x\")", "-2"]    # the text as given, stored as text
    assert got["note"].to_list() == ["@SUM(A1)", "+cmd"]
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        styles = z.read("xl/styles.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else xml
    assert 'quotePrefix="1"' in styles and "=HYPERLINK" in strings
    assert '<pane ySplit="1"' in xml and 'state="frozen"' in xml         # the header row stays in view
    for fmt in ("#,##0.00", "#,##0", "0.00%", "0.000000"):
        assert f'formatCode="{fmt}"' in styles
    typed = pl.read_excel(tmp_path / "out.xlsx")                          # types as the workbook stores them
    numbers = (pl.Float64, pl.Int64)                                       # polars reads whole numbers as Int64
    assert typed.schema["iit"] in numbers and typed.schema["hk_tax"] in numbers
    assert typed.schema["wages"] in numbers and typed["wages"].to_list() == [420000, 5000]
    assert typed.schema["bonus_cliff"] == pl.Boolean and typed.schema["relief_policy"] == pl.String
    csv = batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    want = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert csv.computed == 2
    assert [Decimal(str(v)) for v in typed["iit"]] == [Decimal(v) for v in want["iit"]]
    assert [round(Decimal(str(v)), 6) for v in typed["effective_rate_hk"]] == [Decimal(v) for v in want["effective_rate_hk"]]


def test_number_formats_follow_the_figure_registry():
    from taxcalc.batch.writers.xlsx import figure_format

    by_name = {f.name: figure_format(f.unit, f.decimals) for f in FIGURES}
    assert by_name["iit"] == "#,##0.00" and by_name["hk_tax"] == "#,##0" and by_name["macao_tax"] == "#,##0"
    assert by_name["effective_rate_mainland"] == "0.00%" and by_name["cny_per_hkd_used"] == "0.000000"
    assert by_name["relief_paid_in"] == "0" and by_name["relief_policy"] is None and by_name["bonus_cliff"] is None


def test_a_sheet_by_name_and_the_first_by_default(tmp_path, tables):
    book = xlsxwriter.Workbook(tmp_path / "in.xlsx")
    book.add_worksheet("notes").write_row(0, 0, ["this", "is", "not", "a", "batch"])
    people = book.add_worksheet("people")
    people.write_row(0, 0, ["id", "tax_year", "wages"])
    people.write_row(1, 0, ["p1", 2024, 300000])
    book.close()
    r = _cli("batch", tmp_path / "in.xlsx", "-o", tmp_path / "out.csv", "--quiet")
    assert r.exit_code == 2 and "no known column" in r.output and "first row of the sheet 'notes'" in r.output, r.output
    r = _cli("batch", tmp_path / "in.xlsx", "--sheet", "people", "-o", tmp_path / "out.csv", "--quiet")
    assert r.exit_code == 0, r.output
    assert pl.read_csv(tmp_path / "out.csv", infer_schema=False)["id"].to_list() == ["p1"]
    r = _cli("batch", tmp_path / "in.xlsx", "--sheet", "staff", "-o", tmp_path / "out.csv", "--quiet")
    assert r.exit_code == 2 and "no sheet named 'staff'" in r.output and "'people'" in r.output, r.output
    r = _cli("batch", tmp_path / "out.csv", "--sheet", "people", "-o", tmp_path / "o2.csv", "--quiet")
    assert r.exit_code == 2 and "--sheet" in r.output


def _bomb(path: Path, rows: int) -> Path:
    """A workbook whose one sheet unpacks to far more than it packs (a zip bomb-ish sheet): a
    small workbook with its sheet replaced by rows of the same long text."""
    small = io.BytesIO()
    book = xlsxwriter.Workbook(small, {"in_memory": True})
    book.add_worksheet().write_row(0, 0, ["tax_year", "wages"])
    book.close()
    cell = '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{pad}</t></is></c></row>'
    with zipfile.ZipFile(io.BytesIO(small.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                z.writestr(item, src.read(item.filename))
                continue
            with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
                f.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><sheetData>')
                for start in range(1, rows, 1000):
                    f.write("".join(cell.format(r=r, pad="x" * 200) for r in range(start, start + 1000)).encode())
                f.write(b"</sheetData></worksheet>")
    return path


@pytest.mark.parametrize("case", ["not-a-zip", "a-zip-not-a-workbook", "truncated", "bomb", "empty-workbook",
                                  "no-tax_year", "old-xls"])
def test_hostile_workbooks_give_one_line(tmp_path, case):
    path = tmp_path / ("in.xls" if case == "old-xls" else "in.xlsx")
    if case in ("not-a-zip", "old-xls"):
        path.write_bytes(b"\xd0\xcf\x11\xe0 this is not a zip")
        words = "unknown file type" if case == "old-xls" else "not an Excel workbook"
    elif case == "a-zip-not-a-workbook":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "hi")
        words = "not a readable Excel workbook"
    elif case == "truncated":
        good = io.BytesIO()
        pl.DataFrame({"tax_year": ["2024"] * 50, "wages": ["1"] * 50}).write_excel(good)
        path.write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
        words = "Excel workbook"
    elif case == "bomb":
        _bomb(path, 2_400_000)
        words = "unpacks to"
    elif case == "empty-workbook":
        book = xlsxwriter.Workbook(path)
        book.add_worksheet()
        book.close()
        words = "is empty"
    else:
        _workbook(path, [["id", "wages"], ["a", 1]])
        words = "tax_year is missing"
    (tmp_path / "out.csv").write_text("previous")
    r = _cli("batch", path, "-o", tmp_path / "out.csv")
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error: ") and r.output.count("\n") == 1 and "Traceback" not in r.output, r.output
    assert words in r.output, r.output
    assert (tmp_path / "out.csv").read_text() == "previous" and _leftovers(tmp_path) == []


def test_formulas_dates_booleans_and_merged_cells_are_cells_not_tracebacks(tmp_path, tables):
    book = xlsxwriter.Workbook(tmp_path / "in.xlsx")
    ws = book.add_worksheet()
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["id", "tax_year", "wages", "bonus", "note", "zone"])
    ws.write_row(1, 0, ["formula", 2024])
    ws.write_formula(1, 2, "=100000*3", None, 300000)              # the value saved with the formula
    ws.write_formula(1, 4, '=HYPERLINK("http://x")', None, "x")
    ws.write_row(2, 0, ["date", 2024])
    ws.write_datetime(2, 2, dt.datetime(2024, 1, 2), date)          # a date in an amount column: the row's error
    ws.write_datetime(2, 4, dt.datetime(2024, 1, 2), date)
    ws.write_row(3, 0, ["bool", 2024, True])                        # a flag in an amount column: the row's error
    ws.merge_range(4, 0, 4, 1, "merged")                            # id merged over tax_year: tax_year empty
    ws.write_row(5, 0, ["ok", 2024, 250000, None, None, "hetao"])
    ws.write_formula(6, 0, "=1/0", None, "#DIV/0!")                 # an error value as the id: the row number
    ws.write_row(6, 1, [2024, 1000])
    book.close()
    r = _cli("batch", tmp_path / "in.xlsx", "-o", tmp_path / "out.xlsx", "--quiet")
    assert r.exit_code == 3 and "Traceback" not in r.output, r.output
    errors = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)
    assert [(e["row"], e["column"]) for e in errors.iter_rows(named=True)] == [
        ("2", "wages"), ("3", "wages"), ("4", "tax_year")]
    assert errors["value"].to_list()[:2] == ["2024-01-02 00:00:00", "true"]
    out = pl.read_excel(tmp_path / "out.xlsx", infer_schema_length=0)
    assert out["id"].to_list() == ["formula", "ok", "6"]
    assert out["wages"].to_list()[:2] == ["300000", "250000"]
    assert "<f>" not in _sheet_cells(tmp_path / "out.xlsx")


def test_compare_writes_a_workbook_to_a_file(tmp_path):
    offers = sorted(str(p) for p in (ROOT / "examples").glob("batch-offer-*.json"))
    r = _cli("compare", *offers, "--format", "xlsx")
    assert r.exit_code == 2 and "-o FILE.xlsx" in r.output, r.output
    r = _cli("compare", *offers, "--format", "xlsx", "-o", tmp_path / "cmp.xlsx")
    assert r.exit_code == 0, r.output
    r = _cli("compare", *offers, "--format", "csv", "-o", tmp_path / "cmp.csv")
    assert r.exit_code == 0 and r.output == ""
    got = pl.read_excel(tmp_path / "cmp.xlsx", infer_schema_length=0)
    want = pl.read_csv(tmp_path / "cmp.csv", infer_schema=False)
    assert got.columns == want.columns and got["figure"].to_list() == want["figure"].to_list()
    assert _values(got) == _values(want)
    typed = pl.read_excel(tmp_path / "cmp.xlsx")
    assert typed.schema[typed.columns[2]] in (pl.Float64, pl.String)       # a column mixes numbers and labels
    xml = _sheet_cells(tmp_path / "cmp.xlsx")
    assert "<f>" not in xml and 'state="frozen"' in xml
    # packages from a workbook, too
    pl.read_csv(ROOT / "examples" / "batch-offers.csv", infer_schema=False).write_excel(tmp_path / "offers.xlsx")
    r1 = _cli("compare", tmp_path / "offers.xlsx", "--format", "csv")
    r2 = _cli("compare", ROOT / "examples" / "batch-offers.csv", "--format", "csv")
    assert r1.exit_code == 0 and r1.output == r2.output


@pytest.mark.parametrize("where", ["cell", "header"])
def test_text_longer_than_an_excel_cell_is_refused_not_cut(tmp_path, where):
    """XlsxWriter cuts a string at 32,767 characters and says nothing: a pass-through note of
    40,000 characters came out cut with exit 0. Refused, nothing renamed into place, no temporary
    file left (the header's failure left one)."""
    long = "x" * 40_000
    src = tmp_path / "in.csv"
    src.write_text(f"tax_year,wages,note\n2024,5,{long}\n" if where == "cell" else f"tax_year,wages,{long}\n2024,5,a\n")
    r = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "out.xlsx"), "--quiet"])
    assert r.exit_code == 2 and r.output.startswith("error: ") and r.output.count("\n") == 1, r.output
    assert "a cell of 40,000 characters; an Excel cell holds at most 32,767" in r.output
    assert ("row 1 of the output, column 'note'" if where == "cell" else "the header") in r.output
    assert not (tmp_path / "out.xlsx").exists() and _leftovers(tmp_path) == []


def test_a_figure_past_what_a_float_holds_to_the_cent_is_exact_text(tmp_path, tables):
    """A number cell is a float: 142,857,142,855,714.29 HK$ (wages near the largest amount at an
    exchange rate of 0.000007, both valid) was stored as 142857142855714.3 -- a cent off the CSV.
    A figure a float cannot hold exactly is written as its exact text; the others stay numbers."""
    src = tmp_path / "big.csv"
    src.write_text("tax_year,wages,cny_per_hkd\n2025,999999999.99,0.000007\n2025,420000,\n", encoding="utf-8")
    batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    batch.run(str(src), str(tmp_path / "out.xlsx"), tables=tables)
    want = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    got = pl.read_excel(tmp_path / "out.xlsx", infer_schema_length=0)
    for name in ("hk_assessable_income", "hk_income_after_tax", "hk_take_home", "hk_employer_cost", "iit"):
        assert [Decimal(v) for v in got[name]] == [Decimal(v) for v in want[name]], name
    typed = pl.read_excel(tmp_path / "out.xlsx")
    assert typed.schema["iit"] in (pl.Float64, pl.Int64)                  # small figures are still numbers


def test_compare_writes_a_figure_past_what_a_float_holds_as_exact_text(tmp_path):
    a = tmp_path / "a.json"
    a.write_text('{"tax_year": 2025, "wages": "999999999.99", "cny_per_hkd": "0.000007"}', encoding="utf-8")
    r = _cli("compare", a, "--format", "xlsx", "-o", tmp_path / "c.xlsx")
    assert r.exit_code == 0, r.output
    csv = _cli("compare", a, "--format", "csv")
    want = {row["figure"]: row for row in csv_rows(csv.output)}
    got = pl.read_excel(tmp_path / "c.xlsx", infer_schema_length=0)
    value = got.columns[2]
    row = got.filter(pl.col("figure") == "hk_assessable_income")
    assert Decimal(row[value][0]) == Decimal(want["hk_assessable_income"][value]) == Decimal("142857142855714.29")


def csv_rows(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))

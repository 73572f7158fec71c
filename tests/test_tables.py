"""Tables: every shipped file validates, every value is cited, broken tables fail clearly."""

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from taxcalc import calculate
from taxcalc.errors import TableError
from taxcalc.tables import SHIPPED_TABLES, Tables, _walk_cited, load_file


def test_shipped_tables_cover_the_years(tables):
    assert tables.mainland_years() == list(range(2019, 2028))
    assert sorted(tables.hongkong) == list(range(2019, 2027))
    assert sorted(tables.macao) == list(range(2019, 2028))
    assert set(tables.policies) == {"gba_subsidy", "hengqin_15", "hetao_hk_cap", "qianhai_hk_cap", "nansha_hk_cap",
                                    "nansha_macao_cap", "hengqin_macao_cap"}


@pytest.mark.parametrize("path", sorted(SHIPPED_TABLES.rglob("*.toml")), ids=lambda p: str(p.relative_to(SHIPPED_TABLES)))
def test_every_value_cites_a_known_source(path):
    table = load_file(path)
    cited = list(_walk_cited(table))
    assert cited, "a table with nothing cited"
    for key, value in cited:
        assert value.source in table.sources, key


def test_unenacted_values_are_marked_proposed(tables):
    assert tables.hongkong[2026].allowances.basic.status == "proposed"
    assert tables.hongkong[2025].reduction.cap.status == "proposed"
    assert tables.hongkong[2024].reduction.cap.status == "enacted"


def _copy_tables(tmp_path) -> Path:
    d = tmp_path / "tables"
    shutil.copytree(SHIPPED_TABLES, d)
    return d


def test_broken_table_names_file_key_and_problem(tmp_path):
    d = _copy_tables(tmp_path)
    f = d / "mainland" / "2024.toml"
    f.write_text(f.read_text().replace("basic_annual = { value = 60000", "basic_annual = { value = \"lots\""))
    with pytest.raises(TableError) as exc:
        Tables((d,))
    assert "2024.toml" in exc.value.file and "basic_annual" in exc.value.key
    assert "decimal" in exc.value.problem.lower()


def test_unknown_source_is_rejected(tmp_path):
    d = _copy_tables(tmp_path)
    f = d / "hongkong" / "2024-25.toml"
    f.write_text(f.read_text().replace('basic = { value = 132000, source = "allowances7"',
                                       'basic = { value = 132000, source = "nowhere"'))
    with pytest.raises(TableError) as exc:
        Tables((d,))
    assert "nowhere" in str(exc.value)


def test_inconsistent_quick_deduction_is_rejected(tmp_path):
    d = _copy_tables(tmp_path)
    f = d / "mainland" / "2020.toml"
    f.write_text(f.read_text().replace("quick_deduction = 2520", "quick_deduction = 2500", 1))
    with pytest.raises(TableError) as exc:
        Tables((d,))
    assert "annual_table" in exc.value.key and "36000" in exc.value.problem


def test_syntax_error_names_the_file(tmp_path):
    d = _copy_tables(tmp_path)
    (d / "macao" / "2023.toml").write_text("schema = 1\njurisdiction = \"macao\"\nyear = [\n")
    with pytest.raises(TableError) as exc:
        Tables((d,))
    assert exc.value.key == "(syntax)" and "2023.toml" in exc.value.file


def test_user_directory_adds_a_year_without_code(tmp_path, monkeypatch):
    """A 2019/20 file with the 2017/18 bands and a 75% reduction reproduces DIPN 18 Example 2
    (NCI 86,000 -> 3,770 -> 942.50 shown as 942), and shows the user's directory wins."""
    user = tmp_path / "mine"
    (user / "hongkong").mkdir(parents=True)
    text = (SHIPPED_TABLES / "hongkong" / "2019-20.toml").read_text()
    text = text.replace("""bands = [
  { width = 50000, rate = 0.02 },
  { width = 50000, rate = 0.06 },
  { width = 50000, rate = 0.10 },
  { width = 50000, rate = 0.14 },
  { rate = 0.17 },
]""", """bands = [
  { width = 45000, rate = 0.02 },
  { width = 45000, rate = 0.07 },
  { width = 45000, rate = 0.12 },
  { rate = 0.17 },
]""").replace("rate = { value = 1.0,", "rate = { value = 0.75,").replace("cap = { value = 20000", "cap = { value = 30000")
    (user / "hongkong" / "2019-20.toml").write_text(text)
    monkeypatch.setenv("TAXCALC_TABLES", str(user))
    from taxcalc.tables import load_tables

    t = load_tables()
    r = calculate({"tax_year": 2019, "hk_income": 350000, "hk_mpf": 0, "hk_married": True}, tables=t)
    assert (r.hk_tax, r.hk_tax_reduction) == (942, 2828)


@pytest.mark.parametrize(("monthly", "months", "tax"), [(7500, 12, 0), (10000, 14, 700), (15000, 12, 3000)],
                         ids=["MO-1(a)", "MO-1(b)", "MO-1(c)"])
def test_macao_old_regime_with_a_user_table(tmp_path, monthly, months, tax):
    """tax-schedules.md E3 MO-1 (FAOM, the old regime: exemption 95,000, no 30% reduction, the same
    table shape): the shipped tables start at 2021 (144,000 and 30%), so a user's 2021 file with the
    old parameters reproduces (a) 90,000 -> T 67,500 -> 0; (b) 140,000 -> T 105,000 -> 10,000 x 7%
    = 700; (c) 180,000 -> T 135,000 -> 20,000 x 7% + 20,000 x 8% = 3,000."""
    user = tmp_path / "mine"
    (user / "macao").mkdir(parents=True)
    text = (SHIPPED_TABLES / "macao" / "2021.toml").read_text()
    old = text.replace("exemption = { value = 144000,", "exemption = { value = 95000,")
    old = old.replace("reduction = { value = 0.3,", "reduction = { value = 0,")
    assert old.count("95000") == 1 and "reduction = { value = 0," in old
    (user / "macao" / "2021.toml").write_text(old)
    r = calculate({"tax_year": 2021, "wages": monthly * months, "cny_per_mop": 1}, tables=Tables((SHIPPED_TABLES, user)))
    assert r.macao_tax == tax


def test_missing_year_is_a_clear_input_error(tmp_path):
    d = _copy_tables(tmp_path)
    (d / "mainland" / "2027.toml").unlink()
    from taxcalc.errors import InputErrors

    with pytest.raises(InputErrors) as exc:
        calculate({"tax_year": 2027, "wages": 1}, tables=Tables((d,)))
    assert exc.value.errors[0].field == "tax_year" and "2026" in str(exc.value.errors[0].message)


def test_a_new_year_is_a_new_file(tmp_path):
    """A 2028 mainland table in the user's directory is all it takes to compute 2028."""
    user = tmp_path / "mine"
    (user / "mainland").mkdir(parents=True)
    text = (SHIPPED_TABLES / "mainland" / "2027.toml").read_text().replace("year = 2027", "year = 2028")
    text = text.replace("basic_annual = { value = 60000", "basic_annual = { value = 72000")
    (user / "mainland" / "2028.toml").write_text(text)
    t = Tables((SHIPPED_TABLES, user))
    r = calculate({"tax_year": 2028, "wages": 108000}, tables=t)
    assert r.iit == Decimal("1080.00")          # (108,000 - 72,000) x 3%
    assert r.hk_year_of_assessment == "2026/27"
    assert any("2026/27 was used" in str(n) for n in r.notes)


# ---------------------------------------------------------------- range rules: one clear TableError

_LEAKS = ("Input should", "Decimal(", "errors.pydantic.dev", "Traceback", "Value error", "type=", "PydanticCustomError",
          "[<class", "validation error", "Extra inputs are not permitted", "Field required")


def _replace(rel: str, old: str, new: str):
    def edit(d: Path) -> None:
        f = d / rel
        text = f.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        f.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def _new_year(rel: str, src: str, old: str, new: str):
    def edit(d: Path) -> None:
        text = (d / src).read_text(encoding="utf-8")
        assert old in text
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def _copy(src: str, rel: str):
    def edit(d: Path) -> None:
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(d / src, d / rel)
    return edit


def _delete(*rels: str):
    def edit(d: Path) -> None:
        for rel in rels:
            p = d / rel
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    return edit


def _append(rel: str, text: str):
    def edit(d: Path) -> None:
        with open(d / rel, "a", encoding="utf-8") as fh:
            fh.write(text)
    return edit


def _latin1(d: Path) -> None:
    f = d / "mainland" / "2024.toml"
    text = f.read_text(encoding="utf-8").replace('title = "Mainland', 'title = "Mainland (café)')
    f.write_bytes(text.encode("latin-1", errors="replace"))


def _directory(d: Path) -> None:
    (d / "mainland" / "2030.toml").mkdir()


def _dangling(d: Path) -> None:
    (d / "mainland" / "2030.toml").symlink_to(d / "nowhere.toml")


def _device(d: Path) -> None:
    """/dev/zero never ends: reading it filled the memory until the process was killed."""
    (d / "mainland" / "2030.toml").symlink_to("/dev/zero")


def _fifo(d: Path) -> None:
    """A named pipe nobody writes to: reading it blocked for ever."""
    os.mkfifo(d / "mainland" / "2030.toml")


def _huge(d: Path) -> None:
    with (d / "mainland" / "2030.toml").open("wb") as fh:
        fh.write(b"# " + b"x" * (2 << 20) + b"\n")


ML, HK, MO, FX, GBA = "mainland/2024.toml", "hongkong/2024-25.toml", "macao/2024.toml", "fx.toml", "zones/gba.toml"
BASIC = "basic_annual = { value = 60000"

# id, edit, the file the error names, its key, a phrase of the problem
BAD = [
    ("fx-zero", _replace(FX, "2024 = { value = 0.92604", "2024 = { value = 0"), FX, "cny_per_hkd.2024.value", "more than 0"),
    ("fx-negative", _replace(FX, "2024 = { value = 0.92604", "2024 = { value = -1"), FX, "cny_per_hkd.2024.value", "more than 0"),
    ("fx-huge", _replace(FX, "2024 = { value = 0.92604", "2024 = { value = 1e9"), FX, "cny_per_hkd.2024.value", "at most 100"),
    ("fx-10-decimals", _replace(FX, "2024 = { value = 0.92604", "2024 = { value = 0.9260400001"), FX, "cny_per_hkd.2024.value",
     "at most 6 decimal places"),
    ("fx-year-key", _replace(FX, "2019 = { value", "20x9 = { value"), FX, "cny_per_hkd.20x9", "year from 2019 to 2100"),
    ("mop-zero", _replace(FX, "value = 1.03", "value = 0"), FX, "mop_per_hkd.value", "more than 0"),
    ("mop-tiny", _replace(FX, "value = 1.03", "value = 0.000001"), FX, "mop_per_hkd.value", "CNY per MOP"),
    ("basic-negative", _replace(ML, BASIC, "basic_annual = { value = -60000"), ML, "deductions.basic_annual.value", "0 or more"),
    ("basic-1e30", _replace(ML, BASIC, "basic_annual = { value = 1e30"), ML, "deductions.basic_annual.value",
     "must be at most 1,000,000,000 (got 1E+30)"),
    ("basic-5-decimals", _replace(ML, BASIC, "basic_annual = { value = 60000.00001"), ML, "deductions.basic_annual.value",
     "at most 4 decimal places"),
    ("basic-as-text", _replace(ML, BASIC, 'basic_annual = { value = "60000"'), ML, "deductions.basic_annual.value",
     "decimal number"),
    ("basic-nan", _replace(ML, BASIC, "basic_annual = { value = nan"), ML, "deductions.basic_annual.value", "finite"),
    ("basic-exponent-out-of-range", _replace(ML, BASIC, "basic_annual = { value = 1e9999999999999999999"), ML, "(syntax)",
     "out of range"),
    ("basic-5000-digits", _replace(ML, BASIC, "basic_annual = { value = 1" + "0" * 5000), ML, "(syntax)", "too long"),
    ("hk-basic-1e15", _replace(HK, "basic = { value = 132000", "basic = { value = 1e15"), HK, "allowances.basic.value",
     "at most 1,000,000,000"),
    ("hk-reduction-rate-2", _replace(HK, "rate = { value = 1.0,", "rate = { value = 2.0,"), HK, "reduction.rate.value",
     "at most 1"),
    ("hk-mpf-rate", _replace(HK, "employee_rate = { value = 0.05", "employee_rate = { value = 1.05"), HK,
     "mpf.employee_rate.value", "at most 1"),
    ("hk-band-width-1e30", _replace(HK, "{ width = 5000000, rate = 0.15 }", "{ width = 1e30, rate = 0.15 }"), HK,
     "standard_rate.bands[0].width", "at most 1,000,000,000"),
    ("hk-band-width-0", _replace(HK, "{ width = 5000000, rate = 0.15 }", "{ width = 0, rate = 0.15 }"), HK,
     "standard_rate.bands[0].width", "more than 0"),
    ("macao-fixed-deduction-2", _replace(MO, "fixed_deduction = { value = 0.25", "fixed_deduction = { value = 2"), MO,
     "professional_tax.fixed_deduction.value", "at most 1"),
    ("macao-reduction-negative", _replace(MO, "reduction = { value = 0.3", "reduction = { value = -5"), MO,
     "professional_tax.reduction.value", "0 or more"),
    ("macao-band-widths-add-up", _replace(MO, "{ width = 120000, rate = 0.11 }", "{ width = 999999999, rate = 0.11 }"), MO,
     "bands.bands", "add up to"),
    ("bracket-rate-1.5", _replace(ML, "{ rate = 0.45, quick_deduction = 181920 }", "{ rate = 1.5, quick_deduction = 181920 }"),
     ML, "annual_table.brackets[6].rate", "at most 1"),
    ("bracket-first-quick-deduction", _replace(ML, "{ upto = 36000, rate = 0.03, quick_deduction = 0 }",
                                               "{ upto = 36000, rate = 0.03, quick_deduction = 1 }"),
     ML, "annual_table.brackets[0].quick_deduction", "must be 0"),
    ("income-ratio-not-a-whole-percent", _replace(ML, "labour = { value = 0.8,", "labour = { value = 0.805,"), ML,
     "income_ratios.labour.value", "a ratio is a whole percent"),
    ("nonresident-months-13", _replace(ML, "nonresident_months = { value = 6,", "nonresident_months = { value = 13,"), ML,
     "bonus.nonresident_months.value", "from 1 to 12"),
    ("nonresident-months-6.5", _replace(ML, "nonresident_months = { value = 6,", "nonresident_months = { value = 6.5,"), ML,
     "bonus.nonresident_months.value", "an integer"),
    ("bool-as-text", _replace(ML, "separate_allowed = { value = true", 'separate_allowed = { value = "true"'), ML,
     "bonus.separate_allowed.value", "true or false"),
    ("bool-as-number", _replace(ML, "separate_allowed = { value = true", "separate_allowed = { value = 1"), ML,
     "bonus.separate_allowed.value", "true or false"),
    ("schema-true", _replace(ML, "schema = 1", "schema = true"), ML, "schema", "must be 1 (the table format version"),
    ("unknown-key", _replace(ML, "[deductions]\n", "[deductions]\nbasic_anual = 1\n"), ML, "deductions.basic_anual",
     "not a key"),
    ("jurisdiction-unknown", _replace(ML, 'jurisdiction = "mainland"', 'jurisdiction = "mars"'), ML, "jurisdiction",
     'got "mars"'),
    ("paid-in-offset-1e12", _replace(GBA, "paid_in_offset = { value = 1,", "paid_in_offset = { value = 1e12,"), GBA,
     "policies[0].paid_in_offset.value", "from 0 to 2"),
    ("paid-in-offset-10**12", _replace(GBA, "paid_in_offset = { value = 1,", "paid_in_offset = { value = 1000000000000,"),
     GBA, "policies[0].paid_in_offset.value", "from 0 to 2"),
    ("policy-cap-negative", _replace(GBA, "cap = { value = 5000000", "cap = { value = -1"), GBA, "policies[0].cap.value",
     "0 or more"),
    ("work-days-400", _replace(GBA, "work_days_more_than = { value = 90,", "work_days_more_than = { value = 400,"), GBA,
     "policies[0].work_days_more_than.value", "at most 366"),
    ("work-days-90.25", _replace(GBA, "work_days_more_than = { value = 90,", "work_days_more_than = { value = 90.25,"), GBA,
     "policies[0].work_days_more_than.value", "1 decimal place"),
    ("last-year-2027.5", _replace(GBA, "last_year = { value = 2027,", "last_year = { value = 2027.5,"), GBA,
     "policies[0].last_year.value", "year from 2019 to 2100"),
    ("first-year-1900", _replace(GBA, "first_year = 2019", "first_year = 1900"), GBA, "policies[0].first_year",
     "year from 2019 to 2100"),
    ("talent-required-text", _replace(GBA, "talent_required = true", 'talent_required = "yes"'), GBA,
     "policies[0].talent_required", "true or false"),
    ("policy-id-not-a-name", _replace(GBA, 'id = "gba_subsidy"', 'id = "GBA subsidy"'), GBA, "policies[0].id",
     "lower-case"),
    ("policy-order-missing", _replace(GBA, "order = 70", "# order = 70"), GBA, "policies[0].order", "required"),
    ("policy-order-taken", _replace("zones/hengqin.toml", "order = 60", "order = 70"), "zones/hengqin.toml",
     "policies[0].order", "also the order of policy gba_subsidy"),
    ("policy-id-taken", _replace("zones/nansha.toml", 'id = "nansha_macao_cap"', 'id = "nansha_hk_cap"'), "zones/nansha.toml",
     "policies[1].id", "also defined"),
    ("mainland-9999", _new_year("mainland/9999.toml", "mainland/2027.toml", "year = 2027", "year = 9999"),
     "mainland/9999.toml", "year", "year from 2019 to 2100"),
    ("mainland-2018", _new_year("mainland/2018.toml", "mainland/2019.toml", "year = 2019", "year = 2018"),
     "mainland/2018.toml", "year", "year from 2019 to 2100"),
    ("mainland-year-not-its-name", _replace(ML, "year = 2024\n", "year = 2023\n"), ML, "year", "2023.toml"),
    ("hk-year-not-its-name", _replace(HK, "year = 2024\n", "year = 2023\n"), HK, "year", "2023-24.toml"),
    ("hk-year-of-assessment", _replace(HK, 'year_of_assessment = "2024/25"', 'year_of_assessment = "2023/24"'), HK,
     "year_of_assessment", '"2024/25"'),
    ("two-files-one-year", _copy(ML, "mainland/old/2024.toml"), "mainland/old/2024.toml", "year", "also in"),
    ("two-files-one-zone", _copy(GBA, "zones/gba2.toml"), "zones/gba2.toml", "zone", "also in"),
    ("no-hk-table-for-2019", _delete("hongkong/2019-20.toml"), "mainland/2019.toml", "year", "no Hong Kong table for 2019/20"),
    ("no-fx-rate-for-2019", _replace(FX, "2019 = {", "# 2019 = {"), "mainland/2019.toml", "year", "no default exchange rate"),
    ("no-macao-table", _delete("macao"), "mainland/2019.toml", "year", "no Macao table"),
    ("deep-nesting", _append(ML, "\ndeep = " + "[" * 100_000 + "]" * 100_000 + "\n"), ML, "(syntax)", "nested too deeply"),
    ("latin-1", _latin1, ML, "(encoding)", "must be UTF-8"),
    ("directory-named-toml", _directory, "mainland/2030.toml", "(file)", "is a directory"),
    ("dangling-symlink", _dangling, "mainland/2030.toml", "(file)", "cannot be read"),
    ("device", _device, "mainland/2030.toml", "(file)", "not a regular file"),
    ("named-pipe", _fifo, "mainland/2030.toml", "(file)", "not a regular file"),
    ("huge-file", _huge, "mainland/2030.toml", "(file)", "larger than 1,048,576 bytes"),
    ("escape-sequence-in-a-title", _replace(ML, 'title = "', 'title = "\\u001b]0;pwned\\u0007'), ML, "title",
     "control character"),
    ("c1-control-in-a-ref", _replace(ML, 'ref = "Art. 6(1)(1)', 'ref = "\\u009b2J'), ML,
     "deductions.basic_annual.ref", "control character"),
]


def _assert_clean(exc: TableError) -> None:
    text = str(exc)
    assert text.startswith(f"table {exc.file}: {exc.key}: ")
    assert "\n" not in text
    for leak in _LEAKS:
        assert leak not in text, text


@pytest.mark.parametrize("edit, rel, key, phrase", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_a_bad_table_is_one_clear_error(tmp_path, edit, rel, key, phrase):
    d = _copy_tables(tmp_path)
    edit(d)
    with pytest.raises(TableError) as exc:
        Tables((d,))
    assert (exc.value.file, exc.value.key) == (str(d / rel), key), str(exc.value)
    assert phrase in exc.value.problem, exc.value.problem
    _assert_clean(exc.value)


def test_several_problems_in_one_file_are_one_error(tmp_path):
    d = _copy_tables(tmp_path)
    _replace(ML, BASIC, "basic_annual = { value = -1")(d)
    _replace(ML, "labour = { value = 0.8,", "labour = { value = 0.805,")(d)
    with pytest.raises(TableError) as exc:
        Tables((d,))
    assert exc.value.key == "deductions.basic_annual.value"
    assert "also income_ratios.labour.value: must have at most 2 decimal places" in exc.value.problem
    _assert_clean(exc.value)


def test_one_file_per_year_in_a_directory_but_a_user_directory_replaces(tmp_path):
    """Two files of one year in one directory are an error; across directories the later wins."""
    user = tmp_path / "mine"
    (user / "mainland" / "old").mkdir(parents=True)
    text = (SHIPPED_TABLES / ML).read_text(encoding="utf-8").replace(BASIC, "basic_annual = { value = 72000")
    (user / ML).write_text(text, encoding="utf-8")
    (user / "mainland" / "old" / "2024.toml").write_text(text, encoding="utf-8")
    with pytest.raises(TableError) as exc:
        Tables((SHIPPED_TABLES, user))
    assert (exc.value.file, exc.value.key) == (str(user / "mainland" / "old" / "2024.toml"), "year")
    assert str(user / ML) in exc.value.problem
    (user / "mainland" / "old" / "2024.toml").unlink()
    t = Tables((SHIPPED_TABLES, user))
    assert t.mainland[2024].deductions.basic_annual.value == 72000
    assert t.files[("mainland", 2024)] == user / ML


@pytest.mark.parametrize("edit", [None, *(case[1] for case in BAD if case[0] in
                                        {"mainland-9999", "no-hk-table-for-2019", "no-fx-rate-for-2019", "no-macao-table"})])
def test_every_listed_year_computes(tmp_path, edit):
    """What `taxcalc tables` lists, `taxcalc calc` computes (with the default exchange rate):
    a directory either fails to load or computes every mainland year it has."""
    d = _copy_tables(tmp_path)
    if edit:
        edit(d)
    try:
        t = Tables((d,))
    except TableError as exc:
        assert exc.key == "year" and "mainland" in exc.file
        return
    for year in [int(row["year"]) for row in t.listing() if row["jurisdiction"] == "mainland"]:
        r = calculate({"tax_year": year, "wages": 300000, "identity": "hk", "zone": "hetao"}, tables=t)
        assert r.iit > 0


def test_policy_order_comes_from_the_tables(tmp_path, tables):
    from taxcalc.zones import compiled_policies

    shipped = [cp.policy.id for cp in compiled_policies(tables)]
    assert shipped == ["hetao_hk_cap", "qianhai_hk_cap", "nansha_hk_cap", "nansha_macao_cap", "hengqin_macao_cap",
                       "hengqin_15", "gba_subsidy"]
    user = tmp_path / "mine"
    (user / "zones").mkdir(parents=True)
    (user / GBA).write_text((SHIPPED_TABLES / GBA).read_text(encoding="utf-8").replace("order = 70", "order = 5"),
                            encoding="utf-8")
    mine = [cp.policy.id for cp in compiled_policies(Tables((SHIPPED_TABLES, user)))]
    assert mine == ["gba_subsidy", *shipped[:-1]]


# ---------------------------------------------------------------- the command line: exit 2, one line

_COVERAGE = {"no-hk-table-for-2019", "no-fx-rate-for-2019", "no-macao-table"}   # the shipped files fill these gaps
CLI_CASES = [case for case in BAD if case[0] not in _COVERAGE]


@pytest.mark.parametrize("command", [["tables"], ["calc", "--tax-year", "2025", "--wages", "300000"]], ids=["tables", "calc"])
@pytest.mark.parametrize("edit, rel, key, phrase", [case[1:] for case in CLI_CASES], ids=[case[0] for case in CLI_CASES])
def test_a_bad_user_table_exits_2_with_one_error_line(tmp_path, command, edit, rel, key, phrase):
    from click.testing import CliRunner

    from taxcalc.cli import main

    d = _copy_tables(tmp_path)
    edit(d)
    r = CliRunner().invoke(main, ["--tables", str(d), *command], catch_exceptions=False)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: table {d / rel}: {key}: ") and phrase in lines[0], r.stderr
    assert not any(leak in r.stderr for leak in _LEAKS), r.stderr


def test_a_bad_table_in_a_real_process_has_no_traceback(tmp_path):
    import subprocess
    import sys

    user = tmp_path / "mine"
    user.mkdir()
    shipped = (SHIPPED_TABLES / FX).read_text(encoding="utf-8")
    (user / FX).write_text(shipped.replace("2025 = { value = 0.90322", "2025 = { value = 0"), encoding="utf-8")
    for args in (["tables"], ["calc", "--tax-year", "2025", "--wages", "300000"]):
        p = subprocess.run([sys.executable, "-m", "taxcalc.cli", "--tables", str(user), *args], capture_output=True, text=True)
        assert p.returncode == 2 and p.stdout == "", p.stdout + p.stderr
        assert p.stderr == f"error: table {user / FX}: cny_per_hkd.2025.value: must be more than 0 (got 0)\n"


# ---------------------------------------------------------------- random bad values: load or TableError, nothing else

import json  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SCALAR = re.compile(r'(?m)(?:^|(?<=[{,\[] ))[A-Za-z0-9_]+ = (?P<value>"(?:[^"\\\n]|\\.)*"|[A-Za-z0-9_.+:-]+)')
_TARGETS = [(str(path.relative_to(SHIPPED_TABLES)), m.start("value"), m.end("value"))
            for path in sorted(SHIPPED_TABLES.rglob("*.toml"))
            for m in _SCALAR.finditer(path.read_text(encoding="utf-8"))]
_BAD_VALUES = st.one_of(
    st.sampled_from(["-1", "0", "-0.0", "1", "2", "13", "366.5", "2.0", "1e9", "1e15", "1e30", "1e-30", "1000000000.0001",
                     "0.123456789", "0.0000001", "nan", "inf", "-inf", "true", "false", '"1"', '""', '"true"', "[]",
                     "[1, 2]", "{}", "{ value = 1 }", "1979-05-27", "07:32:00", "2018", "2101", "9999", "1e12",
                     "99999999999999999999", "1" + "0" * 5000, "1e9999999999999999999", "[" * 3000 + "]" * 3000]),
    st.integers(min_value=-10**25, max_value=10**25).map(str),
    st.integers(0, 12).flatmap(lambda p: st.decimals(min_value=-10**12, max_value=10**12, places=p, allow_nan=False,
                                                     allow_infinity=False)).map(str),
    st.text(max_size=8).map(json.dumps),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(_TARGETS), value=_BAD_VALUES)
def test_random_bad_values_load_or_fail_with_a_table_error(target, value):
    from taxcalc.params import year_params
    from taxcalc.zones import compiled_policies

    rel, start, end = target
    text = (SHIPPED_TABLES / rel).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        user = Path(tmp)
        (user / rel).parent.mkdir(parents=True, exist_ok=True)
        (user / rel).write_text(text[:start] + value + text[end:], encoding="utf-8")
        try:
            t = Tables((SHIPPED_TABLES, user))
        except TableError as exc:
            _assert_clean(exc)
            return
    # accepted: every year compiles to the engine's integers and computes
    for year in t.mainland_years():
        year_params(t, year)
        calculate({"tax_year": year, "wages": 300000, "bonus": 50000, "identity": "hk", "zone": "hetao"}, tables=t)
    compiled_policies(t)

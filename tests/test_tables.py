"""Tables: every shipped file validates, every value is cited, broken tables fail clearly."""

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
    assert sorted(tables.macao) == list(range(2021, 2028))
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
    f.write_text(f.read_text().replace('basic = { value = 132000, source = "allowances7"', 'basic = { value = 132000, source = "nowhere"'))
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

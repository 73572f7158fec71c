"""One grammar for every way a case comes in (docs/input.md), and the registry's docs in sync."""

from decimal import Decimal as D
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxcalc import batch, calculate
from taxcalc.errors import InputErrors
from taxcalc.figures import NAMES, markdown_table
from taxcalc.scenario import FIELDS, field_kind
from taxcalc.validate import FieldError, parse_field

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text, value", [
    ("900000", D(900000)), ("900,000", D(900000)), ("1,234,567.89", D("1234567.89")), ("９００，０００", D(900000)),
    (" 2E+05 ", D(200000)), ("+5", D(5)), (".5", D("0.5")), ("5.", D(5)), ("1.50", D("1.5")), ("-0", D(0)),
    ("", None), ("  ", None),
])
def test_amounts(text, value):
    assert parse_field("wages", text) == value


@pytest.mark.parametrize("text, code", [
    ("1,5", "field.not_number"), ("1_000", "field.not_number"), ("0x10", "field.not_number"), ("٣", "field.not_number"),
    ("12,00,000", "field.not_number"), ("abc", "field.not_number"), ("inf", "field.not_number"),
    ("-5", "field.negative"), ("1.234", "field.decimals"), ("1e-400", "field.decimals"),
    ("1e99", "field.too_large"), ("1000000000.01", "field.too_large"),
])
def test_amount_mistakes(text, code):
    with pytest.raises(FieldError) as exc:
        parse_field("wages", text)
    assert exc.value.code == code


def test_words_flags_and_json_values():
    assert parse_field("zone", "Hetao") == "hetao" and parse_field("identity", " HK ") == "hk"
    assert parse_field("sad_elderly", "only-child") == "only_child"
    assert parse_field("talent", "Yes") is True and parse_field("talent", 0) is False
    assert parse_field("sad_child_share", "50") == 50 and parse_field("hk_children", 2.0) == 2
    for name, raw, code in (("wages", True, "field.not_number"), ("wages", {"a": 1}, "field.wrong_type"),
                            ("zone", "mars", "field.not_choice"), ("talent", "maybe", "field.not_bool"),
                            ("hk_children", 2.5, "field.not_whole"), ("talent", [1], "field.wrong_type"),
                            ("sad_child_share", 30, "field.not_choice"), ("id", "x" * 201, "field.too_long")):
        with pytest.raises(FieldError) as exc:
            parse_field(name, raw)
        assert exc.value.code == code, (name, raw)


def test_the_same_mistake_gets_the_same_message_on_every_way_in(tmp_path, tables):
    """The API (flags and JSON files go through it) and a batch file's errors file."""
    with pytest.raises(InputErrors) as exc:
        calculate({"tax_year": 2024, "wages": "12,34"}, tables=tables)
    api_message = str(exc.value.errors[0].message)
    src = tmp_path / "in.csv"
    src.write_text('tax_year,wages\n2024,"12,34"\n')
    batch.run(str(src), str(tmp_path / "out.csv"), tables=tables)
    errors = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)
    assert errors["message"][0] == api_message


NUMERIC = [n for n in FIELDS if field_kind(n) in ("money", "rate", "days", "count", "year", "choice_int")]
CELL = st.text(alphabet="0123456789.,+-eE ９，_", max_size=14)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(NUMERIC), texts=st.lists(CELL, min_size=1, max_size=20))
def test_batch_cells_read_as_the_grammar_reads_them(name, texts):
    kind = field_kind(name)
    scale = batch.SCALE[kind]
    raw, code = batch.parse_decimal(pl.Series(name, texts), scale)
    code, value = batch._check_range(name, kind, raw, code)
    # each cell alone too: a column of one plain cell takes the whole-column decimal cast
    for text, v, c in zip(texts, value.tolist(), code.tolist()):
        one_raw, one_code = batch.parse_decimal(pl.Series(name, [text]), scale)
        one_code, one_value = batch._check_range(name, kind, one_raw, one_code)
        assert (one_code.tolist(), one_value.tolist()) == ([c], [v]), (name, text)
    for text, v, c in zip(texts, value.tolist(), code.tolist()):
        try:
            want = parse_field(name, text)
        except FieldError:
            assert c not in (batch.OK, batch.EMPTY), (name, text)
            continue
        if want is None:
            assert c == batch.EMPTY, (name, text)
        elif kind == "choice_int":
            assert c == batch.OK and batch.ENUMS[name][v] == want, (name, text, v, want)
        else:
            assert c == batch.OK and v == int(D(want).scaleb(scale)), (name, text, v, want)


def test_figure_names_never_collide_with_input_columns():
    assert not set(NAMES) & set(FIELDS)


def test_docs_figures_is_the_registry():
    assert markdown_table().strip() in (ROOT / "docs" / "figures.md").read_text()


def test_numpy_numbers_read_as_the_python_numbers_they_hold():
    """A pandas row gives numpy scalars: np.float64(2026.0) raised decimal.InvalidOperation (its
    repr is 'np.float64(2026.0)'), np.int64(900000) was 'not a number (given: 900000)'."""
    import numpy as np

    given = {"tax_year": np.float64(2026.0), "wages": np.int64(900000), "talent": np.int64(1),
             "hk_children": np.int32(2), "cny_per_hkd": np.float64(0.9), "identity": "hk", "zone": "hetao"}
    plain = {"tax_year": 2026, "wages": 900000, "talent": True, "hk_children": 2, "cny_per_hkd": 0.9,
             "identity": "hk", "zone": "hetao"}
    assert calculate(given, explain=False).outputs() == calculate(plain, explain=False).outputs()
    with pytest.raises(InputErrors, match="wages: not a number"):
        calculate({"tax_year": 2026, "wages": np.float64("nan")})
    # a float32 reads as it shows (0.1), as a Parquet float column does in a batch
    assert calculate({"tax_year": 2026, "wages": np.float32(123456.78)}, explain=False).gross_income == D("123456.78")


def test_numpy_booleans_read_as_the_flags_they_hold():
    """A pandas row of a boolean column gives np.bool_: talent=np.True_ was refused with
    "not true or false ... (given: True)", a message that contradicts itself."""
    import numpy as np

    given = {"tax_year": 2026, "wages": 900000, "talent": np.True_, "hk_married": np.False_,
             "identity": "foreign", "zone": "gba", "id": np.True_}
    plain = {**given, "talent": True, "hk_married": False, "id": True}
    assert calculate(given, explain=False).outputs() == calculate(plain, explain=False).outputs()
    assert calculate(given, explain=False).scenario == calculate(plain, explain=False).scenario
    with pytest.raises(InputErrors, match="wages: not a number"):     # as a Python bool is
        calculate({"tax_year": 2026, "wages": np.True_})


@pytest.mark.parametrize("update, line", [
    ({"wages": D("-100")}, "wages: must not be negative"),
    ({"wages": D("0.001")}, "wages: too many decimals"),
    ({"wages": D("1E+17")}, "wages: too large"),
    ({"sad_children": -3}, "sad_children: must not be negative"),
    ({"zone": "mars"}, "zone: not one of the choices"),
    ({"tax_year": 2025.5}, "tax_year: not a whole number"),
    ({"cny_per_hkd": D(0)}, "cny_per_hkd: too small"),
    ({"wages": D("NaN")}, "wages: not a number"),
])
def test_a_scenario_made_without_validation_is_validated_before_it_is_computed(update, line):
    """``Scenario.model_copy(update=...)`` and ``model_construct`` skip pydantic's validation: the
    API computed such a scenario as it was -- -100 of wages gave a gross income of -100.00, -3
    children raised the tax, 0.001 was dropped, talent="no" counted as a talent -- or failed deep
    inside (ValueError, OverflowError)."""
    from taxcalc.scenario import Scenario

    s = Scenario(tax_year=2025, wages=900000)
    for bad in (s.model_copy(update=update), Scenario.model_construct(**{**dict(s), **update})):
        with pytest.raises(InputErrors) as exc:
            calculate(bad, explain=False)
        assert str(exc.value).startswith(line), str(exc.value)


def test_a_scenario_made_without_validation_but_with_values_the_grammar_reads_is_computed_as_read():
    from taxcalc.scenario import Scenario

    s = Scenario(tax_year=2025, wages=900000, identity="foreign", zone="gba")
    r = calculate(s.model_copy(update={"talent": "no", "wages": 900000, "hk_children": "2"}), explain=False)
    assert r.scenario.talent is False and r.scenario.hk_children == 2
    assert r.outputs() == calculate({**dict(s), "hk_children": 2}, explain=False).outputs()
    assert calculate(s, explain=False).scenario is s          # a validated scenario is used as it is


def test_options_read_their_flags_by_the_grammar_and_refuse_what_is_not_a_flag():
    """Options(macao_refund="false") was truthy text: the refund was netted, a silently different
    figure; Options(assume_extended="no") applied the expired policies."""
    import numpy as np

    from taxcalc import Options
    from taxcalc.errors import InputError

    case = {"tax_year": 2025, "identity": "macao", "zone": "hengqin", "wages": 900000}
    off = calculate(case, options=Options(macao_refund=False), explain=False).outputs()
    for value in ("false", "No", np.False_, 0):
        o = Options(macao_refund=value)
        assert o.macao_refund is False and calculate(case, options=o, explain=False).outputs() == off
    assert Options(assume_extended="yes").assume_extended is True and Options(hk_burden_reduction=1).hk_burden_reduction
    for bad in ("maybe", 2, None, 0.5):
        with pytest.raises(InputError) as exc:          # the option named, as for hk_burden_year
            Options(assume_extended=bad)
        assert str(exc.value).startswith("assume_extended: not true or false"), str(exc.value)


def test_api_arguments_of_the_wrong_kind_are_a_clear_type_error():
    """calculate(case, tables="/my/tables") was an AttributeError from deep inside validate.py,
    options={"assume_extended": True} another; calculate_many(one_case) reported each of the
    case's keys as a row that is not an object."""
    from taxcalc import calculate_many, withholding

    case = {"tax_year": 2025, "wages": 1}
    for call, phrase in ((lambda: calculate(case, tables="/my/tables"), "tables: expected the tables of taxcalc.load_tables"),
                         (lambda: calculate(case, options={"assume_extended": True}), "options: expected a taxcalc.Options"),
                         (lambda: calculate_many([case], options=None), "options: expected a taxcalc.Options"),
                         (lambda: withholding(case, tables=5), "tables: expected the tables"),
                         (lambda: calculate_many(case), "calculate_many takes a list of cases"),
                         (lambda: calculate_many("tax_year=2025"), "calculate_many takes a list of cases")):
        with pytest.raises(TypeError, match=phrase):
            call()


def test_an_unknown_key_is_named_as_a_value_is_shown_cut_and_without_control_characters():
    """An unknown key of a case (a JSON file holds up to 1 MB) was repeated whole in its error,
    control characters included: one error line of a megabyte, or an escape sequence."""
    with pytest.raises(InputErrors) as exc:
        calculate({"tax_year": 2025, "k" * 100_000: 1, "wa\x1b]0;x\x07ges": 2})
    fields = sorted(e.field for e in exc.value.errors)
    assert fields == ["k" * 60 + "…", "wa?]0;x?ges"], fields
    assert all(e.code == "field.unknown" for e in exc.value.errors)


@pytest.mark.parametrize("setup", ["prec=7", "prec=6", "prec=3", "round_down", "inexact_trap"])
def test_the_callers_decimal_context_changes_no_figure(setup):
    """The API did its Decimal arithmetic in the caller's context: a precision of 6 (as a library
    may set) was an InvalidOperation traceback from validate.py; with 4 a plan's growth was
    rounded twice (to 4 digits, then to the fen), a silently wrong amount; the Inexact trap (a
    ledger's guard) stopped the explanation. Each face now computes in its own context."""
    import decimal

    from taxcalc import calculate_many, withholding
    from taxcalc.compare import breakeven_wages
    from taxcalc.plan import plan
    from taxcalc.scenario import Scenario

    case = {"tax_year": 2025, "wages": "900000.55", "identity": "hk", "zone": "hetao", "hk_income": "1234567.89"}

    def faces():
        p = plan(case, range(2025, 2028), growth=D("0.0333"))
        return (calculate(case).outputs(), str(calculate(case).explanation), calculate_many([case, case])[1].outputs(),
                withholding(case).settlement, [y.result.scenario.wages for y in p.years], [c.cash for c in p.cash],
                breakeven_wages(case).amount)

    expected = faces()
    with decimal.localcontext() as ctx:         # 1.11 x 1.0045 = 1.114995: 1.11 to the fen, 1.115 then 1.12 at 4 digits
        ctx.prec = 4
        assert plan({"tax_year": 2025, "wages": "1.11"}, range(2025, 2027), growth=D("0.0045")).years[1].result.scenario.wages \
            == D("1.11")
    with decimal.localcontext() as ctx:
        if setup.startswith("prec="):
            ctx.prec = int(setup[5:])
        elif setup == "round_down":
            ctx.rounding = decimal.ROUND_DOWN
        else:
            ctx.traps[decimal.Inexact] = True
        assert faces() == expected
        # the model itself, built directly: the grammar in its own context too
        assert Scenario(tax_year=2025, wages="900000.55", cny_per_hkd="0.901234").wages == D("900000.55")
        assert decimal.getcontext() is ctx and (ctx.prec, ctx.rounding) == (decimal.getcontext().prec, ctx.rounding)


def test_an_integer_of_thousands_of_digits_is_too_large_not_a_traceback():
    """str() of an int past 4,300 digits raises ValueError: in the message's (given: ...), and in
    json.loads of a case file."""
    from taxcalc.validate import read_json_text

    with pytest.raises(InputErrors, match=r"wages: too large.*\(given: 1\.000000E\+5000\)"):
        calculate({"tax_year": 2026, "wages": 10 ** 5000})
    case = read_json_text(b'{"tax_year": 2026, "wages": ' + b"9" * 5000 + b"}", "case.json")
    with pytest.raises(InputErrors, match="wages: too large"):
        calculate(case)

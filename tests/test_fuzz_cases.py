"""Hostile case files and values: a result or a message naming the field, never another exception."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taxcalc import calculate
from taxcalc.errors import InputErrors, TaxcalcError
from taxcalc.i18n import error_lines
from taxcalc.scenario import FIELDS
from taxcalc.validate import read_case_file

KEYS = st.sampled_from([*FIELDS, "unknown", "", "tax year", "WAGES"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=30), st.sampled_from(["2024", "900,000", "hk", "Hetao", "１２", "1e-400", "-0",
                                                           "true", "1,5", "nan", "2E+05", "=cmd|' /C calc'!A0"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                      max_leaves=8)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(case=st.dictionaries(KEYS, VALUES, max_size=8), year=st.one_of(st.none(), st.integers(2019, 2027)))
def test_any_json_case_gives_a_result_or_messages(tables, case, year):
    if year is not None:
        case = {**case, "tax_year": year}
    try:
        r = calculate(case, tables=tables, explain=True)
    except InputErrors as exc:
        lines = error_lines(exc)
        assert lines and all(line and "Decimal(" not in line and "Traceback" not in line for line in lines)
        for e in exc.errors:
            assert e.field in FIELDS or e.field in case or e.field == "(case)"
        return
    assert r.iit >= 0 and 0 <= r.relief <= r.iit


@SETTINGS
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8")),
                      st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
                      .map(lambda v: json.dumps(v, default=str).encode())))
def test_any_file_reads_as_a_case_or_a_message(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("case") / "case.json"
    path.write_bytes(data)
    try:
        case = read_case_file(path)
    except TaxcalcError as exc:
        assert exc.message is not None and str(path) in str(exc)
        return
    assert isinstance(case, dict)


def test_hostile_files(tmp_path):
    cases = {
        "deep.json": b"[" * 100_000,
        "binary.json": bytes(range(256)) * 4,
        "latin1.json": '{"id": "caf\xe9"}'.encode("latin-1"),
        "list.json": b"[1, 2]",
        "huge.json": b" " * (2 << 20),
        "bad.json": b'{"wages": ',
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    for name in [*cases, "missing.json", "."]:
        try:
            read_case_file(tmp_path / name if name != "." else tmp_path)
        except TaxcalcError as exc:
            assert exc.message is not None and exc.message.code.startswith("file."), name
        else:
            raise AssertionError(f"{name} was read as a case")
    (tmp_path / "bom.json").write_bytes(b'\xef\xbb\xbf{"tax_year": 2024}')
    assert read_case_file(tmp_path / "bom.json") == {"tax_year": 2024}

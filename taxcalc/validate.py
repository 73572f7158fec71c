"""One grammar and one set of rules for every way a case comes in.

Command-line flags, JSON case files, batch cells, the terminal UI's fields, compare and
break-even all read a value through :func:`parse_field`, so the same text means the same value,
and the same mistake gets the same message (a code from :mod:`taxcalc.messages`) everywhere.
The batch reader parses whole columns at once for speed; its fast path accepts only plain
numbers and exact words, and sends every other cell here (docs/input.md).

The grammar:

* text is read after Unicode NFKC normalisation (full-width ``９００，０００`` is ``900,000``) and
  with surrounding spaces removed; an empty text is "not given" (the field's default);
* numbers: digits with an optional decimal point, an optional ``+``, thousands separators only in
  groups of three (``900,000.50``; ``1,5`` is not a number), an optional exponent (``2E+05``, as
  spreadsheets write); the value must have no more decimals than the field keeps (money 2, rates
  6, days 1, counts and years 0; ``1.50`` is fine) and lie in the field's range; a minus sign is
  "must not be negative";
* words (identity, zone, ...) and flags are case-insensitive, ``-`` and spaces read as ``_``;
  flags are true/false, yes/no, y/n, t/f, on/off, 1/0;
* JSON values: numbers for numeric fields (not true/false), true/false for flags, strings for
  anything; a list or an object is never a value.
"""

from __future__ import annotations

import functools
import numbers
import os
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError, shown_value
from .messages import Msg, Number, Term, msg
from .money import DECIMAL_CONTEXT, Column

if TYPE_CHECKING:
    from .columns import Columns
    from .engine import Options
    from .tables import Tables

TRUE_WORDS = ("true", "t", "yes", "y", "on", "1")
FALSE_WORDS = ("false", "f", "no", "n", "off", "0")
BOOL_WORDS = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}

NUMBER = re.compile(r"(?P<sign>[+-]?)(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.(?P<frac>[0-9]*))?"
                    r"(?:[eE](?P<exp>[+-]?[0-9]{1,4}))?")
#: the digits each numeric kind keeps after the point
DECIMALS = {"money": 2, "rate": 6, "days": 1, "count": 0, "year": 0, "choice_int": 0}


class FieldError(ValueError):
    """A value a field cannot take: a message code and its parameters."""

    def __init__(self, code: str, **params: Any):
        self.code, self.params = code, params
        super().__init__(code)


def normalize_text(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def normalize_word(raw: str) -> str:
    return re.sub(r"[\s\-]+", "_", normalize_text(raw).casefold())


def expected(name: str) -> Msg:
    """What a field accepts, as a message (for errors and docs)."""
    from .scenario import field_choices, field_kind, field_unit, limits

    kind = field_kind(name)
    ge, gt, le = limits(name)
    if kind in ("money", "rate", "days"):
        assert le is not None, f"{name} has a largest value"
        if kind == "money":
            return msg("expect.money", unit=Term("unit", field_unit(name)), max=Number(le))
        if kind == "rate":
            return msg("expect.rate", max=Number(le))
        return msg("expect.days", max=Number(le))
    if kind == "count":
        return msg("expect.count", min=ge, max=le)
    if kind == "year":
        return msg("expect.year", min=ge, max=le)
    if kind == "bool":
        return msg("expect.bool")
    if kind in ("choice", "choice_int"):
        return msg("expect.choice", choices=", ".join(str(c) for c in field_choices(name)))
    return msg("expect.text", max=_max_length(name))


def _max_length(name: str) -> int:
    """The most characters a text field takes."""
    from .scenario import FIELDS

    return int(FIELDS[name].metadata[0].max_length)


def _fail(name: str, code: str) -> FieldError:
    return FieldError(code, expected=expected(name))


def parse_number(name: str, raw: Any, kind: str) -> Decimal | int | None:
    """A numeric field's value from text or a JSON number; None when not given."""
    from .scenario import limits

    if raw is None:
        return None
    if isinstance(raw, (bool, np.bool_)):
        raise _fail(name, "field.not_number")
    if isinstance(raw, (list, dict, tuple, set)):
        raise _fail(name, "field.wrong_type")
    if isinstance(raw, numbers.Integral):        # int, and numpy's integers (a pandas row)
        value = Decimal(int(raw))
    elif isinstance(raw, numbers.Real):          # float, numpy's floats: repr(np.float64(2.0)) is not a number
        f = float(raw)
        if f != f or f in (float("inf"), float("-inf")):
            raise _fail(name, "field.not_number")
        try:                                     # np.float32(0.1) is "0.1", as a Parquet float column reads
            value = Decimal(repr(f) if isinstance(raw, float) else str(raw))
        except InvalidOperation:                 # a Fraction's "1/3"
            value = Decimal(repr(f))
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise _fail(name, "field.not_number")
        value = raw
    elif isinstance(raw, str):
        text = normalize_text(raw)
        if text == "":
            return None
        m = NUMBER.fullmatch(text)
        if m is None or not (m["int"] or m["frac"]):
            raise _fail(name, "field.not_number")
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise _fail(name, "field.not_number") from None
    else:
        raise _fail(name, "field.not_number")
    ge, gt, le = limits(name)
    if value < 0 and not (ge is not None and ge < 0):
        raise _fail(name, "field.negative")
    if (le is not None and value > le) or value.adjusted() > 15:    # past every field's range
        raise _fail(name, "field.too_large")
    digits = DECIMALS[kind]
    last = Decimal(1).scaleb(-digits)
    ctx = DECIMAL_CONTEXT                # not the caller's: a precision of 6 would refuse 900000.55
    if value != value.quantize(last, context=ctx):
        raise _fail(name, "field.not_whole" if digits == 0 else "field.decimals")
    if (ge is not None and value < ge) or (gt is not None and value <= gt):
        raise _fail(name, "field.too_small")
    if digits == 0:
        return int(value)
    if not value:
        return Decimal(0)
    value = value.quantize(last, context=ctx).normalize(ctx)
    return value if int(value.as_tuple().exponent) <= 0 else value.quantize(Decimal(1), context=ctx)   # 900000, not 9E+5


def read_flag(raw: Any) -> bool | None:
    """A flag's value by the grammar: a bool (numpy's too: a pandas row), 0 or 1, or a word of
    :data:`BOOL_WORDS` in any case; None for anything else (empty text included)."""
    if isinstance(raw, (bool, np.bool_)):
        return bool(raw)
    if isinstance(raw, numbers.Integral) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        return BOOL_WORDS.get(normalize_word(raw))
    return None


def parse_field(name: str, raw: Any) -> Decimal | int | bool | str | None:
    """The value of field ``name`` from what was given (text, a JSON value, a Python value), or
    None when nothing was given; raises :class:`FieldError`."""
    from .scenario import field_choices, field_kind

    kind = field_kind(name)
    if kind in DECIMALS:
        value = parse_number(name, raw, kind)
        if kind == "choice_int" and value is not None and value not in field_choices(name):
            raise _fail(name, "field.not_choice")
        return value
    if raw is None:
        return None
    if isinstance(raw, (list, dict, tuple, set)):
        raise _fail(name, "field.wrong_type")
    if kind == "bool":
        flag = read_flag(raw)
        if flag is None and not (isinstance(raw, str) and normalize_word(raw) == ""):
            raise _fail(name, "field.not_bool")
        return flag
    if kind == "choice":
        if isinstance(raw, str):
            word = normalize_word(raw)
            if word == "":
                return None
            if word in field_choices(name):
                return word
        raise _fail(name, "field.not_choice")
    # text
    if isinstance(raw, (bool, np.bool_)):
        raw = "true" if raw else "false"
    text = str(raw) if not isinstance(raw, str) else raw
    if text.strip() == "":
        return None
    if len(text) > _max_length(name):
        raise _fail(name, "field.too_long")
    return text


@functools.cache
def _domains() -> list[tuple[str, str, Any, Any, Any, bool, frozenset[Any] | None, int]]:
    """Each field's (name, kind, ge, gt, le, optional, choices, the exponent of its last decimal or
    its most characters): what a validated scenario holds, for :func:`in_domain`."""
    from .scenario import FIELDS, field_choices, field_kind, limits

    out = []
    for name in FIELDS:
        kind = field_kind(name)
        ge, gt, le = limits(name)
        choices = frozenset(field_choices(name)) if kind in ("choice", "choice_int") else None
        last = _max_length(name) if kind == "text" else -DECIMALS.get(kind, 0)
        out.append((name, kind, ge, gt, le, FIELDS[name].default is None, choices, last))
    return out


def in_domain(scenario: Any) -> bool:
    """Whether every value of a :class:`~taxcalc.scenario.Scenario` is one the grammar gives: of the
    field's type, in its range, with no more decimals than it keeps. A scenario pydantic validated
    always is; one made by ``model_copy(update=...)`` or ``model_construct`` (which skip validation)
    may not be, and is then validated as a mapping (:func:`taxcalc.api.to_scenario`). About 25 us."""
    values = scenario.__dict__
    for name, kind, ge, gt, le, optional, choices, last in _domains():
        v = values.get(name)
        if v is None:
            if optional:
                continue
            return False
        if choices is not None:
            if type(v) is bool or v not in choices:
                return False
        elif kind == "bool":
            if type(v) is not bool:
                return False
        elif kind in ("count", "year"):
            if type(v) is not int or v < ge or v > le:
                return False
        elif kind == "text":
            if type(v) is not str or len(v) > last:
                return False
        else:                               # money, rates, days: exact decimals
            if type(v) is not Decimal or not v.is_finite():
                return False
            if (ge is not None and v < ge) or (gt is not None and v <= gt) or (le is not None and v > le):
                return False
            if int(v.as_tuple().exponent) < last and v != v.quantize(Decimal(1).scaleb(last)):
                return False
    return True


def field_error(name: str, exc: FieldError, value: Any = None, row: int | None = None) -> InputError:
    return InputError(name, exc.code, value, row, params=exc.params)


# ---------------------------------------------------------------------------------------------
# rules that need the tables


def table_errors(cols: Columns, tables: Tables, options: Options | None = None) -> list[tuple[Column, str, Msg]]:
    """Rows whose tax year cannot be computed with the tables: (rows, field, message)."""
    out: list[tuple[Column, str, Msg]] = []
    years = cols["tax_year"]
    known = tables.mainland_years()
    missing = ~np.isin(years, known)
    if missing.any():
        out.append((missing, "tax_year", msg("field.no_tables", years=_year_span(known))))
    offset = options.hk_burden_offset if options is not None else 0
    if offset:
        first_hk = min(tables.hongkong) if tables.hongkong else None
        no_hk = ~missing & ((years + offset < first_hk) if first_hk is not None else True)
        if np.any(no_hk):
            y = int(years[np.flatnonzero(no_hk)[0]]) + offset
            out.append((np.asarray(no_hk), "tax_year", msg("field.no_hk_table", ya=f"{y}/{(y + 1) % 100:02d}")))
    if "social_insurance_auto" in cols:
        from .social import table_errors as social_errors

        out += social_errors(cols, tables)
    return out


def _year_span(years: list[int]) -> str:
    """2019-2027, or 2019, 2021-2022 when there are gaps."""
    parts, start = [], None
    for k, y in enumerate(years):
        if start is None:
            start = y
        if k + 1 == len(years) or years[k + 1] != y + 1:
            parts.append(str(start) if start == y else f"{start}-{y}")
            start = None
    return ", ".join(parts)


# ---------------------------------------------------------------------------------------------
# case files

MAX_CASE_BYTES = 1 << 20      # a case file is a few hundred bytes; a package list a few hundred KB


def read_json_file(path: str | os.PathLike[str]) -> Any:
    """A JSON case file (or list of packages), read safely: a missing, unreadable, binary, huge
    or too deeply nested file is a :class:`~taxcalc.errors.TaxcalcError` with a message code."""
    from pathlib import Path

    from .errors import TaxcalcError

    name = "".join(ch if ch.isprintable() else "?" for ch in str(path))
    try:
        p = Path(path).expanduser()
        exists, is_dir, is_file = p.exists(), p.is_dir(), p.is_file()
    except (OSError, ValueError):          # a NUL byte in the path, a name too long
        raise TaxcalcError.coded("file.unreadable", path=name, reason="not a valid path") from None
    if not exists:
        raise TaxcalcError.coded("file.missing", path=name)
    if is_dir:
        raise TaxcalcError.coded("file.is_directory", path=name)
    if not is_file:                        # a FIFO or a device would block or never end
        raise TaxcalcError.coded("file.not_regular", path=name)
    try:
        if p.stat().st_size > MAX_CASE_BYTES:
            raise TaxcalcError.coded("file.too_large", path=name, max=Number(MAX_CASE_BYTES))
        with p.open("rb") as fh:
            data = fh.read(MAX_CASE_BYTES + 1)
    except OSError as exc:
        raise TaxcalcError.coded("file.unreadable", path=name, reason=exc.strerror or type(exc).__name__) from None
    if len(data) > MAX_CASE_BYTES:
        raise TaxcalcError.coded("file.too_large", path=name, max=Number(MAX_CASE_BYTES))
    return read_json_text(data, name)


#: Python's JSON reader's reasons, as message codes (a message shows no English in another language)
JSON_REASONS = {
    "Expecting value": "json.expecting_value",
    "Expecting property name enclosed in double quotes": "json.expecting_key",
    "Expecting ':' delimiter": "json.expecting_colon",
    "Expecting ',' delimiter": "json.expecting_comma",
    "Unterminated string starting at": "json.unterminated_string",
    "Invalid control character at": "json.control_character",
    "Extra data": "json.extra_data",
    "Invalid \\escape": "json.invalid_escape",
    "Invalid \\uXXXX escape": "json.invalid_unicode_escape",
}


def read_json_text(data: bytes | str, name: str) -> Any:
    import json

    from .errors import TaxcalcError

    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TaxcalcError.coded("file.not_utf8", path=name) from None
    try:
        return json.loads(data, object_pairs_hook=_object_once, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        code = JSON_REASONS.get(exc.msg)
        reason = msg(code) if code else exc.msg     # a reason Python may add later: as it gives it
        raise TaxcalcError.coded("file.not_json", path=name, reason=reason, line=exc.lineno) from None
    except RecursionError:
        raise TaxcalcError.coded("file.too_deep", path=name) from None
    except _DuplicateKey as exc:
        raise TaxcalcError.coded("file.duplicate_key", path=name, key=shown_value(exc.key)) from None


def _json_int(text: str) -> int | Decimal:
    """A JSON integer; past Python's 4,300 digits for int() (a ValueError, not a JSON error) as a
    Decimal, which the field then refuses as too large."""
    return int(text) if len(text) <= 4000 else Decimal(text)


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _object_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different: ``{"wages": 1, "wages": 2}`` is ambiguous (JSON
    says nothing of which one counts), so it is refused rather than read as either."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def read_case_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """One case (a JSON object with the batch column keys) from a file."""
    from .errors import TaxcalcError

    data = read_json_file(path)
    if not isinstance(data, dict):
        raise TaxcalcError.coded("file.not_object", path=str(path))
    return data

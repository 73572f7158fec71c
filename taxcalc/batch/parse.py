"""Parsing whole text columns into the kernels' columns, by the one grammar of :mod:`taxcalc.validate`.

:func:`parse_chunk` turns each known column of a chunk into the kernels' integer columns
(:data:`taxcalc.columns.Columns`) with vectorised rules derived from the field kinds of
:class:`~taxcalc.scenario.Scenario`, then runs the cross-field rules
(:func:`taxcalc.columns.cross_field_errors`) and the tables' rules
(:func:`taxcalc.validate.table_errors`). Every problem is an error row (row, column, value,
message); a row with any problem is rejected, the others go on.

The contract with the grammar: a fast path reads plain cells a whole column at a time; every
other cell goes through :func:`taxcalc.validate.parse_number` (numbers) or
:func:`taxcalc.validate.normalize_word` (words), so a cell gets the same value, or the same
message, as anywhere else (tests/test_batch.py and tests/test_validate.py check it cell by cell).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from .. import columns as colmod
from ..engine import Options
from ..messages import msg
from ..money import Column
from ..scenario import ENUMS, FIELDS, FIRST_YEAR, Scenario, field_choices, field_kind
from ..scenario import limits as _limits
from ..tables import Tables
from ..validate import BOOL_WORDS, DECIMALS, FieldError, normalize_word, parse_number, table_errors
from ..validate import expected as expected_msg

MAX_SHOWN_VALUE = 200         # longer cell values are cut in the errors file

#: decimal scale (digits after the point) of each numeric kind, as the kernels store it
SCALE = {"money": 2, "rate": 6, "days": 1, "count": 0, "year": 0, "choice_int": 0}

OK, EMPTY, NOT_VALID, NEGATIVE, TOO_PRECISE, TOO_LARGE, TOO_SMALL, NOT_ALLOWED, REQUIRED, NO_TABLES = range(10)

#: the one grammar's message codes (taxcalc.validate) and the cell codes here, both ways
_FROM_FIELD_CODE = {"field.not_number": NOT_VALID, "field.wrong_type": NOT_VALID, "field.negative": NEGATIVE,
                    "field.decimals": TOO_PRECISE, "field.not_whole": TOO_PRECISE, "field.too_large": TOO_LARGE,
                    "field.too_small": TOO_SMALL, "field.not_choice": NOT_ALLOWED, "field.not_bool": NOT_VALID,
                    "field.too_long": TOO_LARGE}


def _message(name: str, code: int) -> str:
    """The same message :func:`taxcalc.validate.parse_field` gives for the same mistake."""
    kind = field_kind(name)
    if code == NOT_VALID:
        key = {"bool": "field.not_bool", "choice": "field.not_choice"}.get(kind, "field.not_number")
    elif code == TOO_PRECISE:
        key = "field.not_whole" if DECIMALS.get(kind) == 0 else "field.decimals"
    elif code == TOO_LARGE:
        key = "field.too_long" if kind == "text" else "field.too_large"
    else:
        key = {NEGATIVE: "field.negative", TOO_SMALL: "field.too_small", NOT_ALLOWED: "field.not_choice",
               REQUIRED: "field.required"}[code]
    return str(msg(key, expected=expected_msg(name)))


#: the largest value, in units of a field's scale, that the fast paths take; every field's limit lies
#: below it (at most 1,000,000,000 with 6 decimals), so a larger value is that field's error
_FAST_LIMIT = 10 ** 15
#: the longest text whose Arrow decimal cast is trusted; every valid cell is shorter unless padded
#: with zeros (a value past 18 digits fails the cast: the column then takes the general path)
_CAST_MAX_BYTES = 30


def cast_decimal(series: pl.Series, scale: int) -> tuple[Column, NDArray[np.int8]] | None:
    """The first fast path of :func:`parse_decimal`: the whole column through pyarrow's exact
    cast to ``decimal64(18, scale)`` (whose values are the int64 the kernels read), or None when
    the column needs the general path.

    Arrow's decimal parser is stricter than the grammar: it takes ``[+-]digits[.digits]``
    (``5.``, ``.5``, ``007``) and an exponent, and fails the whole column on anything else --
    spaces, separators, other scripts' digits, an empty text -- and on a digit past the scale
    (``1.234`` as an amount; ``1.2300`` is fine, as for the grammar). Columns with an exponent
    anywhere (``e`` or ``E`` in the text; rare) take the general path, since the grammar bounds
    the exponent's digits. On the texts the cast takes, it gives the grammar's value exactly; its
    cells that the grammar refuses or bounds -- a negative, a value past every field's limit --
    are classified one by one by :func:`taxcalc.validate.parse_number`. Empty cells are EMPTY."""
    arr = series.to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=n + 1, offset=8 * arr.offset)
    data = arr.buffers()[2]
    if data is not None and offsets[-1] > offsets[0]:
        text = memoryview(data)[offsets[0]:offsets[-1]].tobytes()
        if b"e" in text or b"E" in text:
            return None
    try:
        dec = pc.cast(arr, pa.decimal64(18, scale))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    value = np.frombuffer(dec.buffers()[1], dtype=np.int64, count=n, offset=8 * dec.offset).copy()
    # a negative value is a huge unsigned one; a long text may have been cast wrongly: Arrow
    # wraps some texts of many digits round without an error ("1" and 300 zeros gives 0), so
    # such cells go through the grammar
    odd = (value.view(np.uint64) > _FAST_LIMIT) | (np.diff(offsets) > _CAST_MAX_BYTES)
    if dec.null_count:
        empty = dec.is_null().to_numpy(zero_copy_only=False)
        value[empty] = 0
        odd &= ~empty
        code = np.where(empty, EMPTY, OK).astype(np.int8)
    else:
        code = np.zeros(n, dtype=np.int8)                   # OK
    odd_rows = np.nonzero(odd)[0]
    if len(odd_rows):
        texts = series.gather(pl.Series(odd_rows, dtype=pl.UInt32)).to_list()
        for k, t in zip(odd_rows.tolist(), texts):
            code[k], value[k] = _classify_decimal(series.name, t, scale)
    value[code != OK] = 0
    return value, code


#: the second fast path's texts: plain digits with an optional point (anything else goes through the grammar)
_PLAIN_NUMBER = r"^\+?[0-9]{1,15}(\.[0-9]*)?$"


def _decimal_exprs(name: str, scale: int) -> list[pl.Expr]:
    """The whole-column part of :func:`parse_decimal`, as expressions (so that one ``select``
    reads every numeric column of a chunk): the text as a float times 10**scale, its length in
    bytes, and for whole-number fields whether it is written as the model reads an int.
    :func:`_fast_exprs` then combines them (in a second ``select``: polars would repeat a shared
    sub-expression)."""
    s = pl.col(name).cast(pl.String)
    return [(s.cast(pl.Float64, strict=False) * float(10 ** scale)).alias(name + "#x"),
            s.str.len_bytes().fill_null(0).alias(name + "#len"),
            s.str.contains(_PLAIN_NUMBER).fill_null(False).alias(name + "#plain")]


def _fast_exprs(name: str) -> list[pl.Expr]:
    x, length = pl.col(name + "#x"), pl.col(name + "#len")
    whole = x.round(0)
    fast = (pl.col(name + "#plain") & x.is_finite() & (x < 1e15) & (length <= 15)
            & ((x - whole).abs() <= x.abs() * 1e-15))
    return [pl.when(fast).then(whole).otherwise(0).cast(pl.Int64, strict=False).alias(name + "#v"),
            fast.fill_null(False).alias(name + "#fast"), (length == 0).alias(name + "#empty")]


def _pre_parse(df: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """The fast-path columns of :func:`parse_decimal` for several numeric columns at once."""
    first = df.select([e for n in names for e in _decimal_exprs(n, SCALE[field_kind(n)])])
    return first.select([e for n in names for e in _fast_exprs(n)])


def parse_decimal(series: pl.Series, scale: int, pre: pl.DataFrame | None = None
                  ) -> tuple[Column, NDArray[np.int8]]:
    """A text column as integers in 10**-scale, with a code per cell (OK, EMPTY, NOT_VALID,
    NEGATIVE, TOO_PRECISE, TOO_LARGE); the value is 0 where the code is not OK.

    The grammar is :func:`taxcalc.validate.parse_number`'s (docs/input.md). First, the whole
    column through Arrow's exact decimal cast (:func:`cast_decimal`); a column it does not take
    (a cell with a mistake, spaces, separators, an exponent, ...) comes here. Second fast path, on
    whole columns, for plain texts only (digits, an optional point and +, at most 15 bytes): the text
    read as a float (correctly rounded) and scaled by 10**scale lies within 1e-15 (relative) of a
    whole number exactly when the text has no digit past the scale: such a text has at most 15
    significant digits, so such a digit moves the value by more than that, while the float's own
    error stays below 3e-16; that whole number is then the exact value. Every other cell
    (spaces, separators, exponents, full-width digits, negatives, mistakes) goes through
    :func:`taxcalc.validate.parse_number`, so it gets the same value or the same message as
    anywhere else.
    """
    name = series.name
    if pre is None or name + "#v" not in pre.columns:
        cast = cast_decimal(series, scale)
        if cast is not None:
            return cast
        first = pl.DataFrame([series]).select(_decimal_exprs(name, scale))
        pre = first.select(_fast_exprs(name))
    value = pre[name + "#v"].to_numpy().copy()
    fast = pre[name + "#fast"].to_numpy()
    empty = pre[name + "#empty"].to_numpy()
    code = np.where(empty, EMPTY, OK).astype(np.int8)
    slow = np.nonzero(~fast & ~empty)[0]
    if len(slow):
        texts = series.cast(pl.String).gather(pl.Series(slow, dtype=pl.UInt32)).to_list()
        for k, text in zip(slow.tolist(), texts):
            code[k], value[k] = _classify_decimal(name, text, scale)
    value[code != OK] = 0
    return value, code


def _classify_decimal(name: str, text: str, scale: int) -> tuple[int, int]:
    """(code, value in 10**-scale) for one cell, by the one grammar (range included)."""
    try:
        value = parse_number(name, text, field_kind(name))
    except FieldError as exc:
        return _FROM_FIELD_CODE[exc.code], 0
    if value is None:
        return EMPTY, 0
    return OK, int(Decimal(value).scaleb(scale))


def _word_vocab(words: dict[str, int]) -> list[str]:
    """The first spelling of each code, in code order (codes are 0, 1, 2, ...)."""
    first: dict[int, str] = {}
    for w, k in words.items():
        first.setdefault(k, w)
    return [first[k] for k in sorted(first)]


def _word_expr(name: str, words: dict[str, int]) -> pl.Expr:
    """Exact spellings as codes through an enum cast; -1 for anything else (and empty)."""
    return (pl.col(name).cast(pl.String).cast(pl.Enum(_word_vocab(words)), strict=False).to_physical()
            .cast(pl.Int64).fill_null(-1).alias(name + "#w"))


def parse_words(series: pl.Series, words: dict[str, int], pre: pl.DataFrame | None = None
                ) -> tuple[Column, NDArray[np.int8]]:
    """A column of words (a choice or a flag) as codes, with a code per cell (OK, EMPTY,
    NOT_VALID). Exact spellings go through a whole-column enum cast (:func:`_word_expr`; ``pre``
    holds it when computed for many columns at once); other texts (capitals, spaces, synonyms
    such as yes/no) are looked up once per distinct text, trimmed and case-folded."""
    name = series.name
    if pre is None:
        pre = pl.DataFrame([series]).select(_word_expr(name, words))
    value = pre[name + "#w"].to_numpy().copy()
    empty = series.is_null().to_numpy()
    code = np.where(empty, EMPTY, OK).astype(np.int8)
    value[empty] = 0
    missed = np.nonzero(value < 0)[0]
    if len(missed):
        texts = series.cast(pl.String).gather(pl.Series(missed, dtype=pl.UInt32)).fill_null("")
        uniq = texts.unique().to_list()
        lookup: dict[str, int] = {}
        for u in uniq:
            t = normalize_word(u)
            lookup[u] = -2 if t == "" else words.get(t, -1)
        got = texts.replace_strict(uniq, [lookup[u] for u in uniq], return_dtype=pl.Int64).to_numpy()
        value[missed] = np.where(got >= 0, got, 0)
        code[missed] = np.where(got == -2, EMPTY, np.where(got == -1, NOT_VALID, OK))
    return value, code


def _words_of(name: str) -> dict[str, int]:
    if field_kind(name) == "bool":
        return {"false": 0, "true": 1, **{w: int(v) for w, v in BOOL_WORDS.items()}}
    return {str(c): k for k, c in enumerate(field_choices(name))}    # a choice's choices are words


@lru_cache(maxsize=1)
def _defaults() -> dict[str, int]:
    """Every field's default as the kernels store it, from :func:`~taxcalc.columns.from_scenarios`
    on a scenario that gives nothing but the (required) year."""
    cols = colmod.from_scenarios([Scenario(tax_year=FIRST_YEAR)])
    return {k: v[0].item() for k, v in cols.items()}


def _default_code(name: str) -> int:
    return _defaults()[name]


@dataclass
class ParsedChunk:
    """The kernels' columns for every row of a chunk (bad cells hold the default), which rows are
    bad, and the error rows (row, column, value, message) in row order."""

    cols: colmod.Columns
    bad: NDArray[np.bool_]
    errors: pl.DataFrame
    ids: pl.Series | None


def _constant(n: int, value: int, dtype: type[np.generic]) -> Column:
    """A read-only column of ``n`` equal values that takes no memory (a broadcast view, stride 0):
    a column the file lacks holds its default in every row (the engine never copies it)."""
    return np.broadcast_to(np.array(value, dtype=dtype), (n,))


def parse_chunk(df: pl.DataFrame, rows: int | Column, tables: Tables, options: Options = Options()) -> ParsedChunk:
    """Parse a chunk of text columns. ``rows``: the 1-based data row number of each row, or of the
    first row (the others follow)."""
    rows = np.arange(int(rows), int(rows) + df.height, dtype=np.int64) if np.ndim(rows) == 0 else np.asarray(rows)
    n = df.height
    present = [c for c in df.columns if c in FIELDS]
    cols: colmod.Columns = {}
    codes: dict[str, NDArray[np.int8]] = {}
    numeric = [name for name in present if field_kind(name) in SCALE]
    cast = {name: cast_decimal(df[name], SCALE[field_kind(name)]) for name in numeric}
    pre = _pre_parse(df, [name for name in numeric if cast[name] is None])
    wordy = [name for name in present if field_kind(name) in ("bool", "choice")]
    pre_words = df.select([_word_expr(n, _words_of(n)) for n in wordy])
    for name in FIELDS:
        kind = field_kind(name)
        if name not in present:
            if kind not in ("text", "year"):
                cols[name] = _constant(n, _default_code(name), colmod.DTYPES[kind])
            continue
        if kind == "text":
            limit = FIELDS[name].metadata[0].max_length
            lengths = df[name].str.len_chars().fill_null(0).to_numpy()
            codes[name] = np.where(lengths > limit, TOO_LARGE, OK).astype(np.int8)
            continue
        if kind in SCALE:
            raw, code = cast[name] or parse_decimal(df[name], SCALE[kind], pre)
            code, value = check_range(name, kind, raw, code)
        else:
            value, code = parse_words(df[name], _words_of(name), pre_words)
        bad_or_empty = code != OK
        if bad_or_empty.any() and kind != "year":
            value[bad_or_empty] = _default_code(name)
        cols[name] = value.astype(colmod.DTYPES[kind], copy=False)
        codes[name] = code

    # the tax year is required
    year_code = codes["tax_year"]
    year_code[year_code == EMPTY] = REQUIRED

    bad = np.zeros(n, dtype=bool)
    for c in codes.values():
        bad |= (c != OK) & (c != EMPTY)
    # the rules across fields and the tables' rules, on the rows whose cells all parsed
    cross: list[tuple[Column, str, str]] = []
    checked = {k: np.where(bad, FIRST_YEAR, v) if k == "tax_year" else v for k, v in cols.items()}
    for mask, fname, message in colmod.cross_field_errors(checked) + table_errors(checked, tables, options):
        mask = mask & ~bad
        if mask.any():
            cross.append((mask, fname, str(message)))
    for mask, _, _ in cross:
        bad |= mask
    errors = _error_frame(df, rows, codes, cross) if bad.any() else empty_errors()
    return ParsedChunk(cols=cols, bad=bad, errors=errors, ids=df["id"] if "id" in df.columns else None)


def check_range(name: str, kind: str, raw: Column, code: NDArray[np.int8]) -> tuple[NDArray[np.int8], Column]:
    """Apply the field's ge/gt/le (and the allowed values of choice_int) to parsed integers."""
    scale = SCALE[kind]
    ge, gt, le = _limits(name)
    ok = code == OK
    if kind == "choice_int":
        choices = ENUMS[name]
        value = np.full(len(raw), _default_code(name), dtype=np.int64)
        for k, c in enumerate(choices):
            value[ok & (raw == int(c) * 10 ** scale)] = k
        code[ok & ~np.isin(raw, [int(c) for c in choices])] = NOT_ALLOWED
        return code, value
    f = 10 ** scale
    if ge is not None:
        code[ok & (raw < int(ge * f))] = TOO_SMALL
    if gt is not None:
        code[ok & (raw <= int(gt * f))] = TOO_SMALL
    if le is not None:
        code[ok & (raw > int(le * f))] = TOO_LARGE
    value = raw.copy()
    value[(code != OK) & (code != EMPTY)] = -1 if kind == "year" else _default_code(name)
    return code, value


def empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema={"row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String})


def _error_frame(df: pl.DataFrame, rows: Column, codes: dict[str, NDArray[np.int8]],
                 cross: list[tuple[Column, str, str]]) -> pl.DataFrame:
    """One error row per bad cell and per broken cross-field rule, ordered by row then column."""
    parts = []
    order = {c: k for k, c in enumerate(df.columns)}
    for name, code in codes.items():
        for c in np.unique(code):
            c = int(c)
            if c in (OK, EMPTY):
                continue
            idx = np.nonzero(code == c)[0]
            parts.append(_errors_at(df, idx, name, _message(name, c), rows, order.get(name, 0)))
    for k, (mask, fname, message) in enumerate(cross):
        parts.append(_errors_at(df, np.nonzero(mask)[0], fname, message, rows, len(order) + k))
    out = pl.concat(parts).sort(["row", "#pos"], maintain_order=True).drop("#pos")
    return out


def _errors_at(df: pl.DataFrame, idx: Column, name: str, msg: str, rows: Column, pos: int) -> pl.DataFrame:
    idx_s = pl.Series(idx, dtype=pl.UInt32)
    if name in df.columns:
        value = df[name].gather(idx_s).fill_null("")
        value = pl.select(pl.when(value.str.len_chars() > MAX_SHOWN_VALUE)
                          .then(value.str.slice(0, MAX_SHOWN_VALUE) + "…").otherwise(value)).to_series()
    else:
        value = pl.Series([""] * len(idx), dtype=pl.String)
    return pl.DataFrame({"row": rows[idx], "column": [name] * len(idx),
                         "value": value, "message": [msg] * len(idx), "#pos": [pos] * len(idx)})

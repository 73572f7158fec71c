"""Load, validate and look up the cited parameter tables in ``tables/``.

Tables are TOML files read without executing code. Each numeric value is a ``Cited`` entry:
the value, the key of a source in the file's ``[sources]`` block, the article or line it comes
from, and a confidence mark and legislative status where the references call it uncertain.

Values are checked by shape and by range (``docs/tables.md`` lists the ranges): each kind of
value is one constrained type below (:data:`Amount`, :data:`Rate`, :data:`FxRate`, ...), so a
table the loader accepts compiles to the engine's integers exactly and without overflow.

A broken table fails at load with one :class:`TableError` naming the file, the key and the
problem, in words (no validator internals). A user's own directory (``--tables DIR`` or
``TAXCALC_TABLES``) is read after the shipped one and its files replace shipped files of the
same jurisdiction and year, so a new year needs no code. Every mainland year loaded can be
computed: the load fails if it lacks a Hong Kong table, a Macao table or a default exchange rate.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import sys
import tomllib
import unicodedata
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from .errors import TableError, shown_value
from .money import MAX_AMOUNT
from .scenario import FIRST_YEAR, LAST_YEAR, Identity, ZoneChoice


def _shipped_tables() -> Path:
    """The checkout's tables/ (editable install), else the copy a wheel installs under the prefix."""
    here = Path(__file__).resolve().parent.parent / "tables"
    if here.is_dir():
        return here
    return Path(sys.prefix) / "share" / "gba-taxcalc" / "tables"


SHIPPED_TABLES = _shipped_tables()
ENV_VAR = "TAXCALC_TABLES"

Confidence = Literal["verified", "adviser", "inferred", "uncertain", "placeholder"]
Status = Literal["enacted", "proposed"]


# ---------------------------------------------------------------- value types
#
# Each check raises ``_problem``: a pydantic error whose text is the whole message, so the
# loader can report it as written. ``key`` (optional) names the part of the model that is wrong,
# relative to where the validator runs.


def _problem(message: str, key: str | None = None) -> PydanticCustomError:
    ctx = {"problem": message}
    if key:
        ctx["key"] = key
    return PydanticCustomError("table", "{problem}", ctx)


def _show(v: object) -> str:
    """A value as the table's author wrote it (TOML-like), never a Python repr."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, Decimal)):
        text = str(v)
    elif isinstance(v, str):
        text = json.dumps(v, ensure_ascii=False)
    elif isinstance(v, dict):
        return "a table"
    elif isinstance(v, list):
        return "an array"
    elif isinstance(v, (datetime.date, datetime.time)):
        text = v.isoformat()
    else:
        return "a value of another kind"
    return text if len(text) <= 60 else text[:57] + "..."


def _got(v: object) -> str:
    return f" (got {_show(v)})"


def _places(d: Decimal) -> int:
    """Decimal places of a finite value, exactly (trailing zeros do not count)."""
    _, shown, exp = d.as_tuple()
    assert isinstance(exp, int), "a finite value"     # 'n', 'N' and 'F' mark NaN and infinity
    digits = list(shown)
    while exp < 0 and digits and digits[-1] == 0:
        digits.pop()
        exp += 1
    return -exp if digits and exp < 0 else 0


def _number(v: object) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
        raise _problem(f"must be a decimal number{_got(v)}")
    d = Decimal(v)
    if not d.is_finite():
        raise _problem(f"must be a finite number{_got(v)}")
    return d


def _decimal(low: Decimal | int, high: Decimal | int, places: int, why: str, *,
             above_low: bool = False) -> Callable[[object], Decimal]:
    """A check for a number from ``low`` (excluded if ``above_low``) to ``high``, with at most
    ``places`` decimals (``why``: what the engine keeps, said when there are more)."""

    def check(v: object) -> Decimal:
        d = _number(v)
        if above_low and d <= low:
            raise _problem(f"must be more than {low}{_got(v)}")
        if d < low:
            raise _problem(f"must be {low} or more{_got(v)}")
        if d > high:
            raise _problem(f"must be at most {high:,}{_got(v)}")
        if _places(d) > places:
            raise _problem(f"must have at most {places} decimal place{'s' if places != 1 else ''}: {why}{_got(v)}")
        return abs(d) if d == 0 else d     # -0.0 is 0

    return check


def _integer(low: int, high: int, what: str = "an integer") -> Callable[[object], int]:
    expected = f"must be {low} ({what})" if low == high else f"must be {what} from {low} to {high}"

    def check(v: object) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            raise _problem(f"{expected}{_got(v)}")
        return v

    return check


def _boolean(v: object) -> bool:
    if not isinstance(v, bool):
        raise _problem(f"must be true or false{_got(v)}")
    return v


def _year_key(v: object) -> int:
    """A year written as a TOML key ("2024") or an integer."""
    if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 4:
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or not FIRST_YEAR <= v <= LAST_YEAR:
        raise _problem(f"the key must be a year from {FIRST_YEAR} to {LAST_YEAR}{_got(v)}")
    return v


#: money: allowances, deductions, caps, thresholds, exemptions (units of 1/10,000)
Amount = Annotated[Decimal, PlainValidator(_decimal(0, MAX_AMOUNT, 4, "money is kept to 1/10,000"))]
#: band widths and bracket uppers
PositiveAmount = Annotated[Decimal, PlainValidator(
    _decimal(0, MAX_AMOUNT, 4, "money is kept to 1/10,000", above_low=True))]
#: tax rates, ratios, reductions, fixed deductions, refund rates (basis points)
Rate = Annotated[Decimal, PlainValidator(_decimal(0, 1, 4, "rates are kept in basis points"))]
#: the statute's income ratios (80%, 56%): whole percents
Percent = Annotated[Decimal, PlainValidator(_decimal(0, 1, 2, "a ratio is a whole percent, as 0.56"))]
#: exchange rates (millionths)
FxRate = Annotated[Decimal, PlainValidator(
    _decimal(0, 100, 6, "exchange rates are kept in millionths", above_low=True))]
#: days worked in a year (halves count)
Days = Annotated[Decimal, PlainValidator(_decimal(0, 366, 1, "days are kept to tenths"))]
#: a tax year (the scenario's range)
Year = Annotated[int, PlainValidator(_integer(FIRST_YEAR, LAST_YEAR, "a year"))]
YearKey = Annotated[int, PlainValidator(_year_key)]
#: years after the tax year in which a relief is paid
YearOffset = Annotated[int, PlainValidator(_integer(0, 2))]
Months = Annotated[int, PlainValidator(_integer(1, 12))]
#: a policy's place in the tie-break order
Order = Annotated[int, PlainValidator(_integer(0, 1_000_000))]
Boolean = Annotated[bool, PlainValidator(_boolean)]
SchemaVersion = Annotated[int, PlainValidator(_integer(1, 1, "the table format version, an integer"))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Source(_Strict):
    title: str
    url: str | None = None


class Cited(_Strict):
    """A value with its citation; the subclasses fix what kind of value it is."""

    source: str
    ref: str = ""
    confidence: Confidence = "verified"
    status: Status = "enacted"
    note: str = ""


class CitedAmount(Cited):
    value: Amount


class CitedRate(Cited):
    value: Rate


class CitedPercent(Cited):
    value: Percent


class CitedFx(Cited):
    value: FxRate


class CitedDays(Cited):
    value: Days


class CitedYear(Cited):
    value: Year


class CitedYearOffset(Cited):
    value: YearOffset


class CitedMonths(Cited):
    value: Months


class CitedBool(Cited):
    """A yes/no rule with its citation."""

    value: Boolean


class Citation(BaseModel):
    """What the explanation shows for a value: where it comes from."""

    model_config = ConfigDict(frozen=True)
    table: str
    key: str
    source: str
    title: str
    url: str | None = None
    ref: str = ""
    confidence: Confidence = "verified"
    status: Status = "enacted"
    note: str = ""

    def short(self) -> str:
        marks: list[str] = []
        if self.confidence != "verified":
            marks.append(self.confidence)
        if self.status != "enacted":
            marks.append(self.status)
        mark = f" [{', '.join(marks)}]" if marks else ""
        ref = f", {self.ref}" if self.ref else ""
        return f"{self.title}{ref}{mark}"


class Bracket(_Strict):
    upto: PositiveAmount | None = None
    rate: Rate
    quick_deduction: Amount


class Band(_Strict):
    width: PositiveAmount | None = None
    rate: Rate


class BracketTable(_Strict):
    source: str
    ref: str = ""
    brackets: list[Bracket] = Field(min_length=1)

    def uppers(self) -> list[Decimal]:
        """The upper limits of every bracket but the last (the validator has checked they are set)."""
        return [b.upto for b in self.brackets[:-1] if b.upto is not None]

    @model_validator(mode="after")
    def _ordered(self) -> BracketTable:
        last = len(self.brackets) - 1
        for i, b in enumerate(self.brackets[:-1]):
            if b.upto is None:
                raise _problem("every bracket but the last needs 'upto'", f"brackets[{i}].upto")
        if self.brackets[-1].upto is not None:
            raise _problem("the last bracket must be open (no 'upto')", f"brackets[{last}].upto")
        uppers = self.uppers()
        for i in range(1, last):
            if uppers[i] <= uppers[i - 1]:
                raise _problem(f"'upto' must increase from bracket to bracket ({uppers[i]} "
                               f"follows {uppers[i - 1]})", f"brackets[{i}].upto")
        if self.brackets[0].quick_deduction != 0:
            raise _problem(f"the first bracket's quick deduction must be 0 (got {self.brackets[0].quick_deduction})",
                           "brackets[0].quick_deduction")
        # the quick-deduction form must equal the banded tax: continuity at each threshold
        for i, (t, lo, hi) in enumerate(zip(uppers, self.brackets[:-1], self.brackets[1:])):
            if t * lo.rate - lo.quick_deduction != t * hi.rate - hi.quick_deduction:
                raise _problem(f"quick deductions are inconsistent at {t}: the tax jumps there",
                               f"brackets[{i + 1}].quick_deduction")
        return self


class BandTable(_Strict):
    source: str
    ref: str = ""
    bands: list[Band] = Field(min_length=1)

    def widths(self) -> list[Decimal]:
        """The widths of every band but the last (the validator has checked they are set)."""
        return [b.width for b in self.bands[:-1] if b.width is not None]

    @model_validator(mode="after")
    def _open_last(self) -> BandTable:
        last = len(self.bands) - 1
        for i, b in enumerate(self.bands[:-1]):
            if b.width is None:
                raise _problem("every band but the last needs 'width'", f"bands[{i}].width")
        if self.bands[-1].width is not None:
            raise _problem("the last band must be open (no 'width')", f"bands[{last}].width")
        total = sum(self.widths(), Decimal(0))
        if total > MAX_AMOUNT:
            raise _problem(f"the band widths add up to {total}, more than {MAX_AMOUNT:,}", "bands")
        return self


class _TableFile(_Strict):
    schema_: SchemaVersion = Field(alias="schema")
    title: str
    sources: dict[str, Source]

    @model_validator(mode="after")
    def _sources_exist(self) -> _TableFile:
        for key, cited in _walk_cited(self):
            if cited.source not in self.sources:
                raise _problem(f"source '{shown_value(cited.source)}' is not in [sources]", f"{key}.source")
        return self


def _walk_cited(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Cited | BracketTable | BandTable]]:
    for name in type(model).model_fields:
        val = getattr(model, name)
        key = f"{prefix}{name}"
        if isinstance(val, (Cited, BracketTable, BandTable)):
            yield key, val
        elif isinstance(val, BaseModel):
            yield from _walk_cited(val, key + ".")
        elif isinstance(val, dict):
            for k, v in val.items():
                if isinstance(v, Cited):
                    yield f"{key}.{k}", v
        elif isinstance(val, list):
            for i, v in enumerate(val):
                if isinstance(v, BaseModel):
                    yield from _walk_cited(v, f"{key}[{i}].")


# ---------------------------------------------------------------- mainland


class MainlandDeductions(_Strict):
    basic_annual: CitedAmount
    basic_monthly_nonresident: CitedAmount


class IncomeRatios(_Strict):
    labour: CitedPercent
    author: CitedPercent
    royalty: CitedPercent


class MainlandBonus(_Strict):
    separate_allowed: CitedBool
    nonresident_months: CitedMonths


class ForeignAllowances(_Strict):
    exempt: CitedBool


class SpecialAdditional(_Strict):
    children_education_monthly: CitedAmount
    infant_care_monthly: CitedAmount
    elderly_only_child_monthly: CitedAmount
    elderly_shared_cap_monthly: CitedAmount
    housing_loan_monthly: CitedAmount
    rent_tier1_monthly: CitedAmount
    rent_tier2_monthly: CitedAmount
    rent_tier3_monthly: CitedAmount
    continuing_education_degree_monthly: CitedAmount
    continuing_education_certificate: CitedAmount
    serious_illness_threshold: CitedAmount
    serious_illness_cap: CitedAmount


class OtherCaps(_Strict):
    private_pension: CitedAmount
    health_insurance: CitedAmount


class PensionPilot(_Strict):
    """Whether the private-pension deduction applies to a person working in each zone's city while
    it was a pilot (2022-2023: 36 pilot cities and regions); absent: nationwide."""

    none: CitedBool
    gba: CitedBool
    hetao: CitedBool
    qianhai: CitedBool
    nansha: CitedBool
    hengqin: CitedBool


class MainlandTable(_TableFile):
    jurisdiction: Literal["mainland"]
    year: Year
    deductions: MainlandDeductions
    income_ratios: IncomeRatios
    annual_table: BracketTable
    monthly_table: BracketTable
    bonus: MainlandBonus
    foreign_allowances: ForeignAllowances
    special_additional: SpecialAdditional
    other_caps: OtherCaps
    private_pension_pilot: PensionPilot | None = None


# ---------------------------------------------------------------- Hong Kong


class HKAllowances(_Strict):
    basic: CitedAmount
    married: CitedAmount
    child: CitedAmount
    child_newborn_additional: CitedAmount
    dependent_parent_60: CitedAmount
    dependent_parent_60_additional: CitedAmount
    dependent_parent_55: CitedAmount
    dependent_parent_55_additional: CitedAmount
    single_parent: CitedAmount
    disabled_dependant: CitedAmount
    personal_disability: CitedAmount
    dependent_sibling: CitedAmount
    #: the additional child allowance also in the year of assessment after the year of birth
    #: (2025 Policy Address, proposed from 2026/27 for children under two at the end of the year)
    child_newborn_second_year: CitedBool


class HKDeductions(_Strict):
    """Concessionary deductions and their caps for the year (IRO s. 12(1)(e), s. 26C-26J, s. 16D)."""

    self_education: CitedAmount
    home_loan_interest: CitedAmount
    domestic_rent: CitedAmount | None = None              # from 2022/23; absent: not deductible
    home_loan_and_rent: CitedAmount | None = None         # one ceiling for both claims in one year
    newborn_home_additional: CitedAmount | None = None    # from 2024/25: living with a child born on/after 25 Oct 2023
    elderly_residential_care: CitedAmount                 # per parent or grandparent
    vhis_per_insured: CitedAmount
    annuity_and_tvc: CitedAmount                          # deferred annuity premiums and MPF TVC together
    donations_rate: CitedRate                             # of assessable income less outgoings and expenses
    donations_minimum: CitedAmount                        # the aggregate must reach this to count


class MPF(_Strict):
    employee_rate: CitedRate
    min_monthly_income: CitedAmount
    max_monthly_contribution: CitedAmount
    deduction_cap: CitedAmount
    employer_rate: CitedRate


class HKReduction(_Strict):
    rate: CitedRate
    cap: CitedAmount


class HongKongTable(_TableFile):
    jurisdiction: Literal["hongkong"]
    year: Year
    year_of_assessment: str
    progressive: BandTable
    standard_rate: BandTable
    allowances: HKAllowances
    deductions: HKDeductions
    mpf: MPF
    reduction: HKReduction


def year_of_assessment(year: int, sep: str = "/") -> str:
    """The Hong Kong year of assessment beginning in ``year``: 2024/25 (or 2024-25)."""
    return f"{year}{sep}{(year + 1) % 100:02d}"


# ---------------------------------------------------------------- Macao


#: a Macao budget law refunds the professional tax of the year two years before it
REFUND_LAG = 2


class ProfessionalTax(_Strict):
    fixed_deduction: CitedRate
    exemption: CitedAmount
    reduction: CitedRate
    refund_rate: CitedRate
    refund_cap: CitedAmount


class MacaoTable(_TableFile):
    jurisdiction: Literal["macao"]
    year: Year
    professional_tax: ProfessionalTax
    bands: BandTable


# ---------------------------------------------------------------- exchange rates


class FxTable(_TableFile):
    jurisdiction: Literal["fx"]
    mop_per_hkd: CitedFx
    cny_per_hkd: dict[YearKey, CitedFx]

    @model_validator(mode="after")
    def _mop_default_in_range(self) -> FxTable:
        """The engine's default CNY per MOP (cny_per_hkd / mop_per_hkd, in millionths, half up)
        must be a rate a scenario could give: more than 0, at most 100."""
        mop = int(self.mop_per_hkd.value * 1_000_000)
        for year, rate in self.cny_per_hkd.items():
            derived = (int(rate.value * 1_000_000) * 1_000_000 + mop // 2) // mop     # as engine.py does
            if not 0 < derived <= 100_000_000:
                raise _problem(f"cny_per_hkd.{year} / mop_per_hkd is {Decimal(derived) / 1_000_000} CNY per MOP, "
                               "outside (0, 100]: check the two rates", "mop_per_hkd.value")
        return self


# ---------------------------------------------------------------- zones

Zone = ZoneChoice        # the scenario's choices: one list of identities and zones
_POLICY_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")


class Policy(_Strict):
    id: str
    order: Order
    name: str
    kind: Literal["exemption", "subsidy"]
    formula: Literal["rate_cap", "hk_burden", "macao_burden"]
    rate: CitedRate | None = None
    cap: CitedAmount | None = None
    identities: list[Identity]
    talent_required: Boolean
    zones: list[Zone]
    first_year: Year
    last_year: CitedYear
    paid_in_offset: CitedYearOffset
    tax_free: CitedBool | None = None
    basis: CitedBool | None = None
    work_days_more_than: CitedDays | None = None
    work_days_zones: list[Zone] = []

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if not _POLICY_ID.fullmatch(self.id) or self.id == "none":
            raise _problem("must be lower-case letters, digits and underscores (at most 40, starting with a letter; "
                           f"not 'none'){_got(self.id)}", "id")
        if self.formula == "rate_cap" and self.rate is None:
            raise _problem(f"policy {self.id}: formula rate_cap needs 'rate'", "rate")
        if self.last_year.value < self.first_year:
            raise _problem(f"policy {self.id}: last_year {self.last_year.value} is before first_year {self.first_year}",
                           "last_year.value")
        return self


class ZoneTable(_TableFile):
    jurisdiction: Literal["zone"]
    zone: Zone
    policies: list[Policy] = Field(min_length=1)


# ---------------------------------------------------------------- mainland social insurance (by city)

City = Literal["shenzhen", "guangzhou", "zhuhai"]
#: the contribution schemes of a city's table, in order (maternity only where it is paid apart)
SCHEMES = ("pension", "medical", "unemployment", "work_injury", "maternity")


class Scheme(_Strict):
    """One social insurance scheme: the monthly contribution base's floor and ceiling (CNY; no
    ceiling: the whole wage) and the employee's and the employer's rates."""

    floor: CitedAmount
    ceiling: CitedAmount | None = None
    employee_rate: CitedRate
    employer_rate: CitedRate

    @model_validator(mode="after")
    def _ordered(self) -> Scheme:
        if self.ceiling is not None and self.ceiling.value < self.floor.value:
            raise _problem(f"the ceiling {self.ceiling.value} is below the floor {self.floor.value}", "ceiling.value")
        return self


class HousingFund(_Strict):
    """住房公积金: the monthly base's floor and ceiling, and the rates an employer may choose (the
    employee pays the same rate)."""

    floor: CitedAmount
    ceiling: CitedAmount
    min_rate: CitedRate
    max_rate: CitedRate
    default_rate: CitedRate

    @model_validator(mode="after")
    def _ordered(self) -> HousingFund:
        if self.ceiling.value < self.floor.value:
            raise _problem(f"the ceiling {self.ceiling.value} is below the floor {self.floor.value}", "ceiling.value")
        if not self.min_rate.value <= self.default_rate.value <= self.max_rate.value:
            raise _problem(f"default_rate {self.default_rate.value} must lie from min_rate {self.min_rate.value} to "
                           f"max_rate {self.max_rate.value}", "default_rate.value")
        return self


class SocialTable(_TableFile):
    """A city's social insurance and housing fund for one contribution year, 1 July ``year`` to
    30 June ``year + 1`` (file ``social/<city>/<year>-<yy>.toml``)."""

    jurisdiction: Literal["social"]
    city: City
    year: Year
    pension: Scheme
    medical: Scheme
    unemployment: Scheme
    work_injury: Scheme
    maternity: Scheme | None = None
    housing_fund: HousingFund


#: a table file of any kind, as loaded
Table = MainlandTable | HongKongTable | MacaoTable | FxTable | ZoneTable | SocialTable
#: what a file stands for (see _identity): ("fx", None), ("zone", zone), ("social", (city, year)) or (jurisdiction, year)
TableId = tuple[str, object]

_MODELS: dict[str, type[Table]] = {"mainland": MainlandTable, "hongkong": HongKongTable, "macao": MacaoTable,
                                        "fx": FxTable, "zone": ZoneTable, "social": SocialTable}


# ---------------------------------------------------------------- loading


MAX_TABLE_BYTES = 1 << 20     # the shipped tables are under 10 KB


class _BadNumber(Exception):
    """A TOML float the decimal module cannot hold (an exponent out of range)."""


def _parse_float(text: str) -> Decimal:
    try:
        return Decimal(text)
    except ArithmeticError:
        raise _BadNumber(text) from None


def _read(path: Path) -> dict[str, Any]:
    """The TOML file as a dict (floats as exact decimals); a TableError for anything else."""
    where = str(path)
    if path.is_dir():
        raise TableError(where, "(file)", "is a directory, not a table file")
    if path.exists() and not path.is_file():     # a pipe would block for ever, /dev/zero never end
        raise TableError(where, "(file)", "not a regular file (a device or a pipe?); a table is a TOML file")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_TABLE_BYTES + 1)
    except OSError as exc:
        raise TableError(where, "(file)", f"cannot be read: {exc.strerror or type(exc).__name__}") from None
    if len(data) > MAX_TABLE_BYTES:
        raise TableError(where, "(file)", f"larger than {MAX_TABLE_BYTES:,} bytes; a table file is a few kilobytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TableError(where, "(encoding)", f"the file must be UTF-8 (byte 0x{data[exc.start]:02x} on line {line} "
                                              "is not): save it as UTF-8") from None
    try:
        table = tomllib.loads(text.removeprefix("\ufeff"), parse_float=_parse_float)
        _check_text(where, table)
        return table
    except tomllib.TOMLDecodeError as exc:
        raise TableError(where, "(syntax)", str(exc)) from None
    except RecursionError:
        raise TableError(where, "(syntax)", "nested too deeply (arrays or tables inside one another)") from None
    except _BadNumber as exc:
        shown = str(exc) if len(str(exc)) <= 40 else str(exc)[:37] + "..."
        raise TableError(where, "(syntax)", f"the number {shown} is out of range") from None
    except ValueError:   # an integer literal longer than Python converts (4,300 digits)
        raise TableError(where, "(syntax)", "an integer is too long to read") from None


def _check_text(where: str, value: object, key: str = "") -> None:
    """No control character in a table's text ("\\u001b]0;...\\u0007" in a title would drive the
    terminal that prints taxcalc tables --sources or an explanation); tab and newline are fine."""
    if isinstance(value, dict):
        for k, v in value.items():
            _check_text(where, k, key)
            _check_text(where, v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_text(where, v, f"{key}[{i}]")
    elif isinstance(value, str) and any(unicodedata.category(ch) == "Cc" and ch not in "\t\n" for ch in value):
        raise TableError(where, key or "(key)", "holds a control character (an escape sequence?); "
                                                "expected plain text")


def _key(loc: tuple[int | str, ...], extra: str | None = None) -> str:
    """A pydantic error location as a table key: deductions.basic_annual.value, policies[0].rate."""
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif part != "[key]":
            key += ("." if key else "") + str(part)
    if extra:
        key += extra if extra.startswith("[") or not key else "." + extra
    return key or "(top level)"


_MESSAGES = {
    "missing": "required",
    "extra_forbidden": "not a key of this table (misspelt, or in the wrong block?)",
    "string_type": "must be text in quotes",
    "int_type": "must be an integer",
    "bool_type": "must be true or false",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "list_type": "must be an array",
}


def _message(e: ErrorDetails) -> str:
    kind, ctx = e["type"], e.get("ctx") or {}
    if kind == "table":
        return str(ctx["problem"])
    got = "" if kind in ("missing", "extra_forbidden") else _got(e.get("input"))
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the allowed words')}{got}"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"must have at least {n} entr{'y' if n == 1 else 'ies'}{got}"
    return _MESSAGES.get(kind, "is not valid here") + got


def _table_error(path: Path, exc: ValidationError) -> TableError:
    """All of a file's problems as one error: the first names the key, the others follow."""
    found = []
    for e in exc.errors(include_url=False):
        found.append((_key(e["loc"], (e.get("ctx") or {}).get("key")), _message(e)))
    key, problem = found[0]
    if len(found) > 1:
        shown = "; ".join(f"{k}: {m}" for k, m in found[1:5])
        more = f"; and {len(found) - 5} more" if len(found) > 5 else ""
        problem += f"; also {shown}{more}"
    return TableError(str(path), key, problem)


def _check_name(path: Path, t: Table) -> None:
    """A year's file is named after its year, and a Hong Kong file's year of assessment agrees."""
    if isinstance(t, (HongKongTable, SocialTable)):
        expected = year_of_assessment(t.year, "-")
    elif isinstance(t, (MainlandTable, MacaoTable)):
        expected = str(t.year)
    else:
        return
    if path.stem != expected:
        raise TableError(str(path), "year", f"year = {t.year} belongs in a file named {expected}.toml, "
                                            f"not {path.name}")
    if isinstance(t, HongKongTable) and t.year_of_assessment != year_of_assessment(t.year):
        raise TableError(str(path), "year_of_assessment",
                         f"must be \"{year_of_assessment(t.year)}\" for year = {t.year}{_got(t.year_of_assessment)}")


def load_file(path: Path) -> Table:
    """Read and validate one table file."""
    raw = _read(path)
    kind = raw.get("jurisdiction")
    if kind is None:
        raise TableError(str(path), "jurisdiction", "missing; expected mainland, hongkong, macao, fx, zone or social")
    if not isinstance(kind, str) or kind not in _MODELS:
        raise TableError(str(path), "jurisdiction", f"must be mainland, hongkong, macao, fx, zone or social{_got(kind)}")
    try:
        table = _MODELS[kind].model_validate(raw)
    except ValidationError as exc:
        raise _table_error(path, exc) from None
    except RecursionError:
        raise TableError(str(path), "(syntax)", "nested too deeply (arrays or tables inside one another)") from None
    _check_name(path, table)
    return table


def _identity(t: Table) -> TableId:
    """What a file stands for: a later directory's file with the same identity replaces it."""
    if isinstance(t, FxTable):
        return ("fx", None)
    if isinstance(t, ZoneTable):
        return ("zone", t.zone)
    if isinstance(t, SocialTable):
        return ("social", (t.city, t.year))
    return (t.jurisdiction, t.year)


def _describe(t: Table) -> tuple[str, str]:
    """The key that makes a file what it is, and how to say which one it is."""
    if isinstance(t, FxTable):
        return "jurisdiction", "the exchange rates (fx)"
    if isinstance(t, ZoneTable):
        return "zone", f"zone {t.zone}"
    if isinstance(t, HongKongTable):
        return "year", f"Hong Kong {year_of_assessment(t.year)}"
    if isinstance(t, SocialTable):
        return "year", f"social insurance {t.city} {year_of_assessment(t.year)}"
    jur, which = _identity(t)
    return "year", f"{'mainland' if jur == 'mainland' else 'Macao'} {which}"


class Tables:
    """All tables from one or more directories, looked up by jurisdiction and year."""

    def __init__(self, dirs: tuple[Path, ...]):
        self.dirs = dirs
        self.mainland: dict[int, MainlandTable] = {}
        self.hongkong: dict[int, HongKongTable] = {}
        self.macao: dict[int, MacaoTable] = {}
        self._fx: FxTable | None = None      # the exchange rates while loading
        self.zones: dict[str, ZoneTable] = {}
        self.social: dict[tuple[str, int], SocialTable] = {}
        self.files: dict[TableId, Path] = {}
        self._citations: dict[tuple[int, str], Citation] = {}
        for d in dirs:
            if not d.is_dir():
                raise TableError(str(d), "(directory)", "not a directory")
            here: dict[TableId, Path] = {}
            for path in sorted(d.rglob("*.toml")):
                t = load_file(path)
                ident = _identity(t)
                if ident in here:
                    key, what = _describe(t)
                    raise TableError(str(path), key, f"{what} is also in {here[ident]}: one file for each "
                                                     "jurisdiction and year (or zone) in a directory")
                here[ident] = path
                self._add(path, t)
        if self._fx is None:
            raise TableError(str(dirs[0]), "fx.toml", "missing: default exchange rates are required")
        self.fx: FxTable = self._fx
        self.policies: dict[str, tuple[ZoneTable, Policy]] = self._collect_policies()
        self._check_years()

    def _add(self, path: Path, t: Table) -> None:
        if isinstance(t, MainlandTable):
            self.mainland[t.year] = t
        elif isinstance(t, HongKongTable):
            self.hongkong[t.year] = t
        elif isinstance(t, MacaoTable):
            self.macao[t.year] = t
        elif isinstance(t, FxTable):
            self._fx = t
        elif isinstance(t, ZoneTable):
            self.zones[t.zone] = t
        elif isinstance(t, SocialTable):
            self.social[(t.city, t.year)] = t
        self.files[_identity(t)] = path

    def _collect_policies(self) -> dict[str, tuple[ZoneTable, Policy]]:
        """Every policy by id, in their ``order``; ids and orders unique across the zone files."""
        ids: dict[str, Path] = {}
        orders: dict[int, tuple[str, Path]] = {}
        for zone in sorted(self.zones):
            path = self.files[("zone", zone)]
            for i, p in enumerate(self.zones[zone].policies):
                if p.id in ids:
                    raise TableError(str(path), f"policies[{i}].id", f"policy {p.id} is also defined in {ids[p.id]}")
                if p.order in orders:
                    other, where = orders[p.order]
                    raise TableError(str(path), f"policies[{i}].order",
                                     f"{p.order} is also the order of policy {other} ({where}): each policy needs "
                                     "its own place in the tie-break order")
                ids[p.id] = path
                orders[p.order] = (p.id, path)
        found = [(z, p) for z in self.zones.values() for p in z.policies]
        return {p.id: (z, p) for z, p in sorted(found, key=lambda zp: zp[1].order)}

    def _check_years(self) -> None:
        """Every mainland year can be computed: it has a Hong Kong table at or before it, a Macao
        table (the nearest is used) and a default exchange rate at or before it."""
        for year in sorted(self.mainland):
            where = str(self.files[("mainland", year)])
            for look_up, missing in (
                (self.hk_year_for, f"no Hong Kong table for {year_of_assessment(year)} or an earlier year of "
                                   f"assessment (add hongkong/{year_of_assessment(year, '-')}.toml)"),
                (self.macao_year_for, f"no Macao table (add macao/{year}.toml)"),
                (self.cny_per_hkd, f"no default exchange rate for {year} or an earlier year "
                                   f"(add cny_per_hkd.{year} to {self.files[('fx', None)]})"),
            ):
                try:
                    look_up(year)
                except TableError:
                    raise TableError(where, "year", f"tax year {year} cannot be computed: {missing}") from None


    # -- look-ups ---------------------------------------------------------

    def mainland_years(self) -> list[int]:
        return sorted(self.mainland)

    def hk_year_for(self, tax_year: int) -> tuple[int, bool]:
        """The HK year of assessment starting in ``tax_year``, or the latest tabled (flagged)."""
        if tax_year in self.hongkong:
            return tax_year, False
        earlier = [y for y in self.hongkong if y <= tax_year]
        if not earlier:
            raise TableError("hongkong", str(tax_year), f"no Hong Kong table for {year_of_assessment(tax_year)} or earlier")
        return max(earlier), True

    def macao_year_for(self, tax_year: int) -> tuple[int, bool]:
        if tax_year in self.macao:
            return tax_year, False
        earlier = [y for y in self.macao if y <= tax_year]
        if earlier:
            return max(earlier), True
        later = [y for y in self.macao if y > tax_year]
        if not later:
            raise TableError("macao", str(tax_year), "no Macao tables")
        return min(later), True

    def macao_refund_year_for(self, tax_year: int) -> tuple[int, bool]:
        """The Macao table whose refund applies to ``tax_year``'s tax: the budget law of the year
        two years later refunds it (Lei n.º 25/2024 Art. 20, the 2025 budget, refunds 2023 tax);
        without that table, the nearest one (flagged)."""
        wanted = tax_year + REFUND_LAG
        if wanted in self.macao:
            return wanted, False
        if not self.macao:
            raise TableError("macao", str(tax_year), "no Macao tables")
        earlier = [y for y in self.macao if y <= wanted]
        return (max(earlier) if earlier else min(self.macao)), True

    def cny_per_hkd(self, tax_year: int) -> CitedFx:
        """The year's default rate, or the latest earlier year's (its citation says which)."""
        rates = self.fx.cny_per_hkd
        if tax_year not in rates:
            earlier = [y for y in rates if y <= tax_year]
            if not earlier:
                raise TableError(str(self.files[("fx", None)]), f"cny_per_hkd.{tax_year}",
                                 "no default rate for this year or before")
            return rates[max(earlier)]
        return rates[tax_year]

    def social_year_for(self, city: str, year: int) -> tuple[int, bool] | None:
        """The city's contribution year beginning in July of ``year``: that one, else the nearest
        tabled (an earlier one first), flagged; None when the city has no tables."""
        years = [y for c, y in self.social if c == city]
        if not years:
            return None
        if year in years:
            return year, False
        earlier = [y for y in years if y < year]
        return (max(earlier) if earlier else min(years)), True

    def citation(self, table: Table, key: str, cited: Cited | BracketTable | BandTable) -> Citation:
        """The citation of one value of a table (cached: tables do not change once loaded)."""
        memo = (id(table), key)
        found = self._citations.get(memo)
        if found is None:
            src = table.sources[cited.source]
            found = Citation(table=_table_name(table), key=key, source=cited.source, title=src.title, url=src.url,
                             ref=cited.ref, confidence=getattr(cited, "confidence", "verified"),
                             status=getattr(cited, "status", "enacted"), note=getattr(cited, "note", ""))
            self._citations[memo] = found
        return found

    def listing(self) -> list[TableListing]:
        """One row per table file: jurisdiction, year, title, sources."""
        loaded: list[Table] = [*self.mainland.values(), *self.hongkong.values(), *self.macao.values(), self.fx,
                               *self.zones.values(), *self.social.values()]
        rows: list[TableListing] = []
        for table in sorted(loaded, key=lambda t: (_identity(t)[0], str(_identity(t)[1]))):
            jur, which = _identity(table)
            label = str(which) if which is not None else ""
            if isinstance(table, HongKongTable):
                label = table.year_of_assessment
            elif isinstance(table, SocialTable):
                label = f"{table.city} {year_of_assessment(table.year)}"
            rows.append({"jurisdiction": jur, "year": label, "title": table.title, "file": str(self.files[(jur, which)]),
                         "sources": [s.title + (f" <{s.url}>" if s.url else "") for s in table.sources.values()]})
        return rows


class TableListing(TypedDict):
    """A row of :meth:`Tables.listing`."""

    jurisdiction: str
    year: str
    title: str
    file: str
    sources: list[str]


def _table_name(table: Table) -> str:
    if isinstance(table, HongKongTable):
        return f"hongkong/{year_of_assessment(table.year, '-')}"
    if isinstance(table, ZoneTable):
        return f"zones/{table.zone}"
    if isinstance(table, FxTable):
        return "fx"
    if isinstance(table, SocialTable):
        return f"social/{table.city}/{year_of_assessment(table.year, '-')}"
    return f"{table.jurisdiction}/{table.year}"


def table_dirs(extra: str | os.PathLike[str] | None = None) -> tuple[Path, ...]:
    dirs = [SHIPPED_TABLES]
    env = os.environ.get(ENV_VAR)
    if env:
        dirs.extend(Path(p) for p in env.split(os.pathsep) if p)
    if extra:
        dirs.append(Path(extra))
    return tuple(dirs)


@lru_cache(maxsize=8)
def _load(dirs: tuple[Path, ...]) -> Tables:
    return Tables(dirs)


def load_tables(extra: str | os.PathLike[str] | None = None) -> Tables:
    """The shipped tables, plus ``TAXCALC_TABLES`` and ``extra`` directories (later ones win)."""
    return _load(table_dirs(extra))

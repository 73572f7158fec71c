"""Load, validate and look up the cited parameter tables in ``tables/``.

Tables are TOML files read without executing code. Each numeric value is a ``Cited`` entry:
the value, the key of a source in the file's ``[sources]`` block, the article or line it comes
from, and a confidence mark and legislative status where the references call it uncertain.

A broken table fails at load with a :class:`TableError` naming the file, the key and the problem.
A user's own directory (``--tables DIR`` or ``TAXCALC_TABLES``) is read after the shipped one and
its files replace shipped files of the same jurisdiction and year, so a new year needs no code.
"""

from __future__ import annotations

import os
import sys
import tomllib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import TableError

def _shipped_tables() -> Path:
    """The checkout's tables/ (editable install), else the copy a wheel installs under the prefix."""
    here = Path(__file__).resolve().parent.parent / "tables"
    if here.is_dir():
        return here
    return Path(sys.prefix) / "share" / "gba-taxcalc" / "tables"


SHIPPED_TABLES = _shipped_tables()
ENV_VAR = "TAXCALC_TABLES"

Confidence = Literal["verified", "adviser", "inferred", "uncertain"]
Status = Literal["enacted", "proposed"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    title: str
    url: str | None = None


class _CitedBase(_Strict):
    source: str
    ref: str = ""
    confidence: Confidence = "verified"
    status: Status = "enacted"
    note: str = ""


class Cited(_CitedBase):
    """A number with its citation."""

    value: Decimal


class CitedBool(_CitedBase):
    """A yes/no rule with its citation."""

    value: bool


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
        marks = []
        if self.confidence != "verified":
            marks.append(self.confidence)
        if self.status != "enacted":
            marks.append(self.status)
        mark = f" [{', '.join(marks)}]" if marks else ""
        ref = f", {self.ref}" if self.ref else ""
        return f"{self.title}{ref}{mark}"


class Bracket(_Strict):
    upto: Decimal | None = None
    rate: Decimal = Field(ge=0, le=1)
    quick_deduction: Decimal = Field(ge=0)


class Band(_Strict):
    width: Decimal | None = Field(default=None, gt=0)
    rate: Decimal = Field(ge=0, le=1)


class BracketTable(_Strict):
    source: str
    ref: str = ""
    brackets: list[Bracket] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> "BracketTable":
        uppers = [b.upto for b in self.brackets[:-1]]
        if any(u is None for u in uppers):
            raise ValueError("every bracket but the last needs 'upto'")
        if self.brackets[-1].upto is not None:
            raise ValueError("the last bracket must be open (no 'upto')")
        if any(b >= a for a, b in zip(uppers[1:], uppers[:-1])):
            raise ValueError("'upto' must increase from bracket to bracket")
        # the quick-deduction form must equal the banded tax: continuity at each threshold
        for lo, hi in zip(self.brackets[:-1], self.brackets[1:]):
            t = lo.upto
            if t * lo.rate - lo.quick_deduction != t * hi.rate - hi.quick_deduction:
                raise ValueError(f"quick deductions are inconsistent at {t}: the tax jumps there")
        return self


class BandTable(_Strict):
    source: str
    ref: str = ""
    bands: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _open_last(self) -> "BandTable":
        if any(b.width is None for b in self.bands[:-1]):
            raise ValueError("every band but the last needs 'width'")
        if self.bands[-1].width is not None:
            raise ValueError("the last band must be open (no 'width')")
        return self


class _TableFile(_Strict):
    schema_: Literal[1] = Field(alias="schema")
    title: str
    sources: dict[str, Source]

    @model_validator(mode="after")
    def _sources_exist(self) -> "_TableFile":
        for key, cited in _walk_cited(self):
            if cited.source not in self.sources:
                raise ValueError(f"{key}: source '{cited.source}' is not in [sources]")
        return self


def _walk_cited(model: BaseModel, prefix: str = ""):
    for name in type(model).model_fields:
        val = getattr(model, name)
        key = f"{prefix}{name}"
        if isinstance(val, (Cited, CitedBool, BracketTable, BandTable)):
            yield key, val
        elif isinstance(val, BaseModel):
            yield from _walk_cited(val, key + ".")
        elif isinstance(val, dict):
            for k, v in val.items():
                if isinstance(v, (Cited, CitedBool)):
                    yield f"{key}.{k}", v
        elif isinstance(val, list):
            for i, v in enumerate(val):
                if isinstance(v, BaseModel):
                    yield from _walk_cited(v, f"{key}[{i}].")


# ---------------------------------------------------------------- mainland


class MainlandDeductions(_Strict):
    basic_annual: Cited
    basic_monthly_nonresident: Cited


class IncomeRatios(_Strict):
    labour: Cited
    author: Cited
    royalty: Cited


class MainlandBonus(_Strict):
    separate_allowed: CitedBool
    nonresident_months: Cited


class ForeignAllowances(_Strict):
    exempt: CitedBool


class SpecialAdditional(_Strict):
    children_education_monthly: Cited
    infant_care_monthly: Cited
    elderly_only_child_monthly: Cited
    elderly_shared_cap_monthly: Cited
    housing_loan_monthly: Cited
    rent_tier1_monthly: Cited
    rent_tier2_monthly: Cited
    rent_tier3_monthly: Cited
    continuing_education_degree_monthly: Cited
    continuing_education_certificate: Cited
    serious_illness_threshold: Cited
    serious_illness_cap: Cited


class OtherCaps(_Strict):
    private_pension: Cited
    health_insurance: Cited


class MainlandTable(_TableFile):
    jurisdiction: Literal["mainland"]
    year: int
    deductions: MainlandDeductions
    income_ratios: IncomeRatios
    annual_table: BracketTable
    monthly_table: BracketTable
    bonus: MainlandBonus
    foreign_allowances: ForeignAllowances
    special_additional: SpecialAdditional
    other_caps: OtherCaps


# ---------------------------------------------------------------- Hong Kong


class HKAllowances(_Strict):
    basic: Cited
    married: Cited
    child: Cited
    child_newborn_additional: Cited
    dependent_parent_60: Cited
    dependent_parent_60_additional: Cited
    dependent_parent_55: Cited
    dependent_parent_55_additional: Cited
    single_parent: Cited
    disabled_dependant: Cited
    personal_disability: Cited
    dependent_sibling: Cited


class MPF(_Strict):
    employee_rate: Cited
    min_monthly_income: Cited
    max_monthly_contribution: Cited
    deduction_cap: Cited


class HKReduction(_Strict):
    rate: Cited
    cap: Cited


class HongKongTable(_TableFile):
    jurisdiction: Literal["hongkong"]
    year: int
    year_of_assessment: str
    progressive: BandTable
    standard_rate: BandTable
    allowances: HKAllowances
    mpf: MPF
    reduction: HKReduction


# ---------------------------------------------------------------- Macao


class ProfessionalTax(_Strict):
    fixed_deduction: Cited
    exemption: Cited
    reduction: Cited
    refund_rate: Cited
    refund_cap: Cited


class MacaoTable(_TableFile):
    jurisdiction: Literal["macao"]
    year: int
    professional_tax: ProfessionalTax
    bands: BandTable


# ---------------------------------------------------------------- exchange rates


class FxTable(_TableFile):
    jurisdiction: Literal["fx"]
    mop_per_hkd: Cited
    cny_per_hkd: dict[int, Cited]


# ---------------------------------------------------------------- zones

Identity = Literal["mainland", "hk", "macao", "taiwan", "foreign"]
Zone = Literal["none", "gba", "hetao", "qianhai", "nansha", "hengqin"]


class Policy(_Strict):
    id: str
    name: str
    kind: Literal["exemption", "subsidy"]
    formula: Literal["rate_cap", "hk_burden", "macao_burden"]
    rate: Cited | None = None
    cap: Cited | None = None
    identities: list[Identity]
    talent_required: bool
    zones: list[Zone]
    first_year: int
    last_year: Cited
    paid_in_offset: Cited
    tax_free: CitedBool | None = None
    basis: CitedBool | None = None
    work_days_more_than: Cited | None = None
    work_days_zones: list[Zone] = []

    @model_validator(mode="after")
    def _formula_needs_rate(self) -> "Policy":
        if self.formula == "rate_cap" and self.rate is None:
            raise ValueError(f"policy {self.id}: formula rate_cap needs 'rate'")
        if int(self.last_year.value) < self.first_year:
            raise ValueError(f"policy {self.id}: last_year before first_year")
        return self


class ZoneTable(_TableFile):
    jurisdiction: Literal["zone"]
    zone: Zone
    policies: list[Policy] = Field(min_length=1)


TableModel = Annotated[
    Union[MainlandTable, HongKongTable, MacaoTable, FxTable, ZoneTable],
    Field(discriminator="jurisdiction"),
]


class _AnyTable(BaseModel):
    table: TableModel


# ---------------------------------------------------------------- loading


def _location(loc) -> str:
    """A pydantic error location as a table key (without the jurisdiction tag it adds first)."""
    parts = [str(p) for p in loc[1:]]
    if parts and parts[0] in ("mainland", "hongkong", "macao", "fx", "zone"):
        parts = parts[1:]
    return ".".join(parts) or "(top level)"


def load_file(path: Path):
    """Read and validate one table file."""
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise TableError(str(path), "(syntax)", str(exc)) from None
    except OSError as exc:
        raise TableError(str(path), "(file)", exc.strerror or str(exc)) from None
    if "jurisdiction" not in raw:
        raise TableError(str(path), "jurisdiction", "missing; expected mainland, hongkong, macao, fx or zone")
    try:
        return _AnyTable(table=raw).table
    except ValidationError as exc:
        errors = exc.errors()
        problems = "; ".join(f"{_location(e['loc'])}: {e['msg']}" for e in errors)
        raise TableError(str(path), _location(errors[0]["loc"]), problems) from None


class Tables:
    """All tables from one or more directories, looked up by jurisdiction and year."""

    def __init__(self, dirs: tuple[Path, ...]):
        self.dirs = dirs
        self.mainland: dict[int, MainlandTable] = {}
        self.hongkong: dict[int, HongKongTable] = {}
        self.macao: dict[int, MacaoTable] = {}
        self.fx: FxTable | None = None
        self.zones: dict[str, ZoneTable] = {}
        self.files: dict[tuple[str, object], Path] = {}
        self._citations: dict[tuple[int, str], Citation] = {}
        for d in dirs:
            if not d.is_dir():
                raise TableError(str(d), "(directory)", "not a directory")
            for path in sorted(d.rglob("*.toml")):
                self._add(path, load_file(path))
        if self.fx is None:
            raise TableError(str(dirs[0]), "fx.toml", "missing: default exchange rates are required")
        self.policies = {p.id: (z, p) for z in self.zones.values() for p in z.policies}

    def _add(self, path: Path, t) -> None:
        if isinstance(t, MainlandTable):
            self.mainland[t.year] = t
            self.files[("mainland", t.year)] = path
        elif isinstance(t, HongKongTable):
            self.hongkong[t.year] = t
            self.files[("hongkong", t.year)] = path
        elif isinstance(t, MacaoTable):
            self.macao[t.year] = t
            self.files[("macao", t.year)] = path
        elif isinstance(t, FxTable):
            self.fx = t
            self.files[("fx", None)] = path
        elif isinstance(t, ZoneTable):
            self.zones[t.zone] = t
            self.files[("zone", t.zone)] = path

    # -- look-ups ---------------------------------------------------------

    def mainland_years(self) -> list[int]:
        return sorted(self.mainland)

    def hk_year_for(self, tax_year: int) -> tuple[int, bool]:
        """The HK year of assessment starting in ``tax_year``, or the latest tabled (flagged)."""
        if tax_year in self.hongkong:
            return tax_year, False
        earlier = [y for y in self.hongkong if y <= tax_year]
        if not earlier:
            raise TableError("hongkong", str(tax_year), f"no Hong Kong table for {tax_year}/{(tax_year + 1) % 100:02d} or earlier")
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

    def cny_per_hkd(self, tax_year: int) -> Cited:
        """The year's default rate, or the latest earlier year's (its citation says which)."""
        assert self.fx is not None
        rates = self.fx.cny_per_hkd
        if tax_year not in rates:
            earlier = [y for y in rates if y <= tax_year]
            if not earlier:
                raise TableError(str(self.files[("fx", None)]), f"cny_per_hkd.{tax_year}", "no default rate for this year or before")
            return rates[max(earlier)]
        return rates[tax_year]

    def citation(self, table, key: str, cited) -> Citation:
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

    def listing(self) -> list[dict]:
        """One row per table file: jurisdiction, year, title, sources."""
        rows = []
        for (jur, year), path in sorted(self.files.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
            t = {"mainland": self.mainland, "hongkong": self.hongkong, "macao": self.macao}.get(jur)
            table = t[year] if t is not None else (self.fx if jur == "fx" else self.zones[year])
            label = str(year) if year is not None else ""
            if jur == "hongkong":
                label = table.year_of_assessment
            rows.append({"jurisdiction": jur, "year": label, "title": table.title, "file": str(path),
                         "sources": [s.title + (f" <{s.url}>" if s.url else "") for s in table.sources.values()]})
        return rows


def _table_name(table) -> str:
    if isinstance(table, HongKongTable):
        return f"hongkong/{table.year}-{(table.year + 1) % 100:02d}"
    if isinstance(table, ZoneTable):
        return f"zones/{table.zone}"
    if isinstance(table, FxTable):
        return "fx"
    return f"{table.jurisdiction}/{table.year}"


def table_dirs(extra: str | os.PathLike | None = None) -> tuple[Path, ...]:
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


def load_tables(extra: str | os.PathLike | None = None) -> Tables:
    """The shipped tables, plus ``TAXCALC_TABLES`` and ``extra`` directories (later ones win)."""
    return _load(table_dirs(extra))

"""Table sensitivity (mutation) test: a typo in any value of any table must change a golden figure.

The golden cases (tests/golden/*.toml) are worked from the law, not from ``tables/``; the reference
in tests/reference.py reads the same tables as the engine, so it cannot notice a wrong value. This
test changes one value at a time in an in-memory copy of the loaded tables, recomputes the golden
cases that concern that table (one :func:`taxcalc.calculate_many` call per group) and asserts
that at least one figure a case expects comes out different.

The typo made for each kind of value:

* an amount (allowance, deduction, cap, quick deduction, exemption): x 1.1, kept to its own
  decimals (0 becomes 1);
* a threshold (a bracket's upper limit, a band's width, the work-days rule): + 1;
* a rate or ratio: + 0.01 (- 0.01 when that would pass 100%);
* a count (the non-resident bonus months, the payment-year offset): + 1;
* a year of a policy window: - 1 and + 1 (only where the year it reaches has tables);
* an exchange rate: + 1 in its last decimal;
* a yes/no rule: flipped; a policy's identities and zones: each one added or removed; talent
  required: flipped.

A few values cannot change any figure by construction; they are listed in ``UNOBSERVABLE`` with the
reason, and the test checks that the reason still holds (the mutation really changes nothing).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from pydantic import BaseModel

from taxcalc import Options, calculate_many
from taxcalc.api import to_scenario
from taxcalc.tables import BandTable, BracketTable, Cited, CitedBool, Tables, ZoneTable

from .test_golden import CALC_FILES, figures, load_cases

IDENTITIES = ("mainland", "hk", "macao", "taiwan", "foreign")
ZONES = ("none", "gba", "hetao", "qianhai", "nansha", "hengqin")

RATE_NAMES = {"labour", "author", "royalty", "employee_rate", "rate", "fixed_deduction", "reduction", "refund_rate",
              "donations_rate",
              "employer_rate", "min_rate", "max_rate", "default_rate"}
COUNT_NAMES = {"nonresident_months", "paid_in_offset"}
THRESHOLD_NAMES = {"work_days_more_than"}

# typos other than the default for their kind, where the default cannot show by construction
SPECIAL = {
    # 12 x 7,100 = 85,200 is below the basic allowance (132,000), so below the minimum there is no
    # tax to change: a slip of +1 or x 1.1 is invisible in every figure; an extra zero is not.
    "mpf.min_monthly_income": (lambda v: v * 10, "x 10 (an extra zero)"),
    # the deduction cap (18,000) equals 12 x 1,500, so any increase is capped away; a decrease shows.
    "mpf.max_monthly_contribution": (lambda v: (v * Decimal("0.9")).quantize(v), "x 0.9"),
    # from 2022/23 the common ceiling of home loan interest and rent equals each ceiling, so an
    # increase of one ceiling alone is capped away by the other; a decrease shows.
    "deductions.home_loan_interest": (lambda v: (v * Decimal("0.9")).quantize(v), "x 0.9"),
    "deductions.domestic_rent": (lambda v: (v * Decimal("0.9")).quantize(v), "x 0.9"),
    # a higher top housing fund rate accepts more and computes nothing differently; a lower one
    # refuses the golden case at 12%.
    "housing_fund.max_rate": (lambda v: v - Decimal("0.01"), "- 0.01"),
}

# (table, key): why no golden figure can show a change of this value alone
UNOBSERVABLE = {
    ("hongkong/2026-27", "reduction.rate"): "the cap is 0, so the rate alone changes nothing (the pair: test_hk_reduction_pair)",
    ("hongkong/2026-27", "reduction.cap"): "the rate is 0, so the cap alone changes nothing (the pair: test_hk_reduction_pair)",
    # a budget law refunds the tax of two years before: these refund 2017 and 2018 tax, before the first tax year (2019)
    ("macao/2019", "professional_tax.refund_rate"): "refunds 2017 tax, a year no scenario takes",
    ("macao/2019", "professional_tax.refund_cap"): "refunds 2017 tax, a year no scenario takes",
    ("macao/2020", "professional_tax.refund_rate"): "refunds 2018 tax, a year no scenario takes",
    ("macao/2020", "professional_tax.refund_cap"): "refunds 2018 tax, a year no scenario takes",
}
DESCRIPTIVE = {"tax_free", "basis"}   # policy flags read only by the explanation, never by a figure


# ------------------------------------------------------------------ the golden cases


@dataclass
class Case:
    file: str
    name: str
    scenario: object
    options: Options
    expect: dict
    base: dict = field(default_factory=dict)


def _load() -> list[Case]:
    out = []
    for name in CALC_FILES:
        for c in load_cases(name):
            out.append(Case(name, c["name"], to_scenario(c["input"]), Options(**c.get("options", {})), c["expect"]))
    return out


def _run(cases: list[Case], tables: Tables) -> list[dict]:
    """The expected figures of each case under ``tables``, one calculate_many per options group."""
    got: list[dict | None] = [None] * len(cases)
    groups: dict[Options, list[int]] = {}
    for i, c in enumerate(cases):
        groups.setdefault(c.options, []).append(i)
    for options, idx in groups.items():
        results = calculate_many([cases[i].scenario for i in idx], tables=tables, options=options, explain=False)
        for i, r in zip(idx, results):
            got[i] = figures(r, cases[i].expect)
    return got


# ------------------------------------------------------------------ mutations


@dataclass
class Mutation:
    table: str            # "mainland/2022", "hongkong/2021-22", "macao/2022", "fx", "zones/gba"
    key: str              # the value's key in the table
    what: str             # old -> new
    apply: Callable[[Tables], Tables]
    concerns: Callable[[Case, Tables], bool]


def _replace(obj, path, value):
    """A copy of ``obj`` with the value at ``path`` replaced (pydantic models copied down the path)."""
    if not path:
        return value
    head, *rest = path
    if isinstance(obj, BaseModel):
        return obj.model_copy(update={head: _replace(getattr(obj, head), rest, value)})
    new = list(obj) if isinstance(obj, list) else dict(obj)
    new[head] = _replace(obj[head], rest, value)
    return new


def _get(obj, path):
    for p in path:
        obj = getattr(obj, p) if isinstance(obj, BaseModel) else obj[p]
    return obj


def _with(base: Tables, kind: str, key, model) -> Tables:
    """A new Tables object (so no cache keyed on the tables object sees the old values)."""
    t = copy.copy(base)
    t._citations = {}
    if kind in ("mainland", "hongkong", "macao"):
        d = dict(getattr(base, kind))
        d[key] = model
        setattr(t, kind, d)
    elif kind == "fx":
        t.fx = model
    elif kind == "social":
        t.social = dict(base.social)
        t.social[key] = model
    else:
        t.zones = dict(base.zones)
        t.zones[key] = model
        t.policies = {p.id: (z, p) for z in t.zones.values() for p in z.policies}
    return t


def _amount(v: Decimal) -> Decimal:
    new = (v * Decimal("1.1")).quantize(v) if v else Decimal(1)
    return new if new != v else v + 1


def _rate(v: Decimal) -> Decimal:
    return v + Decimal("0.01") if v + Decimal("0.01") <= 1 else v - Decimal("0.01")


def _last_digit(v: Decimal) -> Decimal:
    return v + Decimal(1).scaleb(v.as_tuple().exponent)


def _typo(key: str, name: str, v: Decimal) -> tuple[Decimal, str]:
    if key in SPECIAL:
        f, how = SPECIAL[key]
        return f(v), how
    if name in RATE_NAMES:
        return _rate(v), "rate +/- 0.01"
    if name in COUNT_NAMES or name in THRESHOLD_NAMES or name == "upto" or name == "width":
        return v + 1, "+ 1"
    return _amount(v), "x 1.1"


def _leaves(model: BaseModel, path=()):
    """(path, leaf) for every Cited, CitedBool, bracket and band value of a table model."""
    for name in type(model).model_fields:
        val = getattr(model, name)
        p = (*path, name)
        if isinstance(val, (Cited, CitedBool)):
            yield p, val
        elif isinstance(val, BracketTable):
            for i, b in enumerate(val.brackets):
                for f in ("upto", "rate", "quick_deduction"):
                    if getattr(b, f) is not None:
                        yield (*p, "brackets", i, f), getattr(b, f)
        elif isinstance(val, BandTable):
            for i, b in enumerate(val.bands):
                for f in ("width", "rate"):
                    if getattr(b, f) is not None:
                        yield (*p, "bands", i, f), getattr(b, f)
        elif isinstance(val, BaseModel):
            yield from _leaves(val, p)
        elif isinstance(val, dict):
            for k, v in val.items():
                if isinstance(v, (Cited, CitedBool)):
                    yield (*p, k), v


def _key(path) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) and not isinstance(p, bool) else str(p) for p in path).replace(".[", "[")


def _value_mutations(label: str, kind: str, tkey, model: BaseModel, concerns) -> list[Mutation]:
    out = []
    for path, leaf in _leaves(model):
        key = _key(path)
        if isinstance(leaf, CitedBool):
            new_leaf, what = leaf.model_copy(update={"value": not leaf.value}), f"{leaf.value} -> {not leaf.value}"
            out.append(_mutation(label, key, what, kind, tkey, model, path, new_leaf, concerns))
            continue
        old = leaf.value if isinstance(leaf, Cited) else leaf
        if kind == "fx":
            new, how = _last_digit(old), "+ 1 in the last decimal"
        else:
            new, how = _typo(key, path[-1] if isinstance(path[-1], str) else "", old)
        new_leaf = leaf.model_copy(update={"value": new}) if isinstance(leaf, Cited) else new
        out.append(_mutation(label, key, f"{old} -> {new} ({how})", kind, tkey, model, path, new_leaf, concerns))
    return out


def _mutation(label, key, what, kind, tkey, model, path, new_leaf, concerns) -> Mutation:
    def apply(base: Tables, path=path, new_leaf=new_leaf) -> Tables:
        return _with(base, kind, tkey, _replace(model, list(path), new_leaf))
    return Mutation(label, key, what, apply, concerns)


def _policy_mutations(zt: ZoneTable, years: set[int]) -> list[Mutation]:
    out = []
    label = f"zones/{zt.zone}"
    everything = lambda c, t: True

    def mut(i, key, what, **update):
        p = zt.policies[i]
        new_p = p.model_copy(update=update)
        out.append(Mutation(label, f"{p.id}.{key}", what,
                            lambda base, new_p=new_p, i=i: _with(base, "zone", zt.zone, _replace(zt, ["policies", i], new_p)),
                            everything))

    for i, p in enumerate(zt.policies):
        for path, leaf in _leaves(p):
            name = path[-1]
            if isinstance(leaf, CitedBool):
                mut(i, name, f"{leaf.value} -> {not leaf.value}", **{name: leaf.model_copy(update={"value": not leaf.value})})
            elif name == "last_year":
                for d in (-1, 1):
                    new = leaf.value + d
                    reached = new if d > 0 else leaf.value      # the year whose result changes
                    if reached in years and new >= p.first_year:
                        mut(i, name, f"{leaf.value} -> {new}", last_year=leaf.model_copy(update={"value": new}))
            else:
                new, how = _typo(name, name, leaf.value)
                mut(i, name, f"{leaf.value} -> {new} ({how})", **{name: leaf.model_copy(update={"value": new})})
        for d in (-1, 1):
            new = p.first_year + d
            reached = new if d < 0 else p.first_year
            if reached in years and new <= int(p.last_year.value):
                mut(i, "first_year", f"{p.first_year} -> {new}", first_year=new)
        mut(i, "talent_required", f"{p.talent_required} -> {not p.talent_required}", talent_required=not p.talent_required)
        for ident in IDENTITIES:
            new = [x for x in p.identities if x != ident] if ident in p.identities else [*p.identities, ident]
            mut(i, "identities", f"{'remove' if ident in p.identities else 'add'} {ident}", identities=new)
        for zone in ZONES:
            new = [x for x in p.zones if x != zone] if zone in p.zones else [*p.zones, zone]
            mut(i, "zones", f"{'remove' if zone in p.zones else 'add'} {zone}", zones=new)
        if p.work_days_more_than is not None:
            for zone in p.zones:
                new = [x for x in p.work_days_zones if x != zone] if zone in p.work_days_zones else [*p.work_days_zones, zone]
                mut(i, "work_days_zones", f"{'remove' if zone in p.work_days_zones else 'add'} {zone}", work_days_zones=new)
    return out


def all_mutations(tables: Tables) -> list[Mutation]:
    out = []
    for y, t in tables.mainland.items():
        out += _value_mutations(f"mainland/{y}", "mainland", y, t, lambda c, tb, y=y: c.scenario.tax_year == y)
    for y, t in tables.hongkong.items():
        def hk(c, tb, y=y):
            years = {tb.hk_year_for(c.scenario.tax_year)[0]}
            if c.options.hk_burden_year == "previous" and c.scenario.tax_year - 1 >= min(tb.hongkong):
                years.add(tb.hk_year_for(c.scenario.tax_year - 1)[0])
            return y in years
        out += _value_mutations(f"hongkong/{t.year_of_assessment.replace('/', '-')}", "hongkong", y, t, hk)
    for y, t in tables.macao.items():
        out += _value_mutations(f"macao/{y}", "macao", y, t, lambda c, tb, y=y: y in (
            tb.macao_year_for(c.scenario.tax_year)[0], tb.macao_refund_year_for(c.scenario.tax_year)[0]))
    fx = tables.fx
    rate_year = lambda c, tb: max(k for k in tb.fx.cny_per_hkd if k <= c.scenario.tax_year)
    for path, _leaf in _leaves(fx):
        if path[0] == "cny_per_hkd":
            concerns = lambda c, tb, y=path[1]: rate_year(c, tb) == y
        else:
            concerns = lambda c, tb: True
        out += [m for m in _value_mutations("fx", "fx", None, fx, concerns) if m.key == _key(path)]
    for (city, y), t in tables.social.items():
        out += _value_mutations(f"social/{city}/{y}-{(y + 1) % 100:02d}", "social", (city, y), t,
                                lambda c, tb, city=city, y=y: y in _social_years(c, tb, city))
    years = set(tables.mainland)
    for zt in tables.zones.values():
        out += _policy_mutations(zt, years)
    return out


def _social_years(c: Case, tb: Tables, city: str) -> set[int]:
    """The contribution years of ``city`` a case's social_insurance_auto uses (none without it)."""
    from taxcalc.social import ZONE_CITY

    s = c.scenario
    if not s.social_insurance_auto or (s.city if s.city != "none" else ZONE_CITY.get(s.zone)) != city:
        return set()
    return {found[0] for off in (-1, 0) if (found := tb.social_year_for(city, s.tax_year + off)) is not None}


# ------------------------------------------------------------------ the test


@pytest.fixture(scope="module")
def golden(tables):
    cases = _load()
    for c, got in zip(cases, _run(cases, tables)):
        c.base = got
    return cases


def _detected(m: Mutation, cases: list[Case], tables: Tables) -> tuple[bool, int]:
    mine = [c for c in cases if m.concerns(c, tables)]
    if not mine:
        return False, 0
    mutated = m.apply(tables)
    try:
        got = _run(mine, mutated)
    except Exception:   # a crash is noticed too
        return True, len(mine)
    return any(g != c.base for g, c in zip(got, mine)), len(mine)


def test_every_table_year_has_golden_cases(golden, tables):
    years = {c.scenario.tax_year for c in golden}
    assert set(tables.mainland) <= years
    assert set(tables.hongkong) <= {tables.hk_year_for(y)[0] for y in years}
    assert set(tables.macao) <= {tables.macao_year_for(y)[0] for y in years}
    assert set(tables.fx.cny_per_hkd) <= years
    for city, y in tables.social:
        assert any(y in _social_years(c, tables, city) for c in golden), f"social/{city}/{y}: no golden case"


def test_every_table_value_changes_a_golden_figure(golden, tables):
    start = time.perf_counter()
    mutations = all_mutations(tables)
    missed, stale = [], []
    for m in mutations:
        detected, n = _detected(m, golden, tables)
        exempt = UNOBSERVABLE.get((m.table, m.key))
        if m.key.rsplit(".", 1)[-1] in DESCRIPTIVE:
            exempt = "read only by the explanation, never by a figure"
        if exempt:
            if detected:
                stale.append(f"{m.table} {m.key}: listed as unobservable ({exempt}) but {m.what} changes a figure")
        elif not detected:
            missed.append(f"{m.table} {m.key}: {m.what} changes no golden figure ({n} cases concern this table)")
    elapsed = time.perf_counter() - start
    print(f"\n{len(mutations)} mutations of the tables checked against {len(golden)} golden cases in {elapsed:.1f} s")
    assert not missed, "values no golden case covers:\n" + "\n".join(missed)
    assert not stale, "\n".join(stale)


def test_hk_reduction_pair(golden, tables):
    """2026/27 has no reduction (rate 0, cap 0): a reduction typed in (100%, 3,000) must show."""
    hk = tables.hongkong[2026]
    red = hk.reduction.model_copy(update={"rate": hk.reduction.rate.model_copy(update={"value": Decimal(1)}),
                                          "cap": hk.reduction.cap.model_copy(update={"value": Decimal(3000)})})
    m = Mutation("hongkong/2026-27", "reduction", "0, 0 -> 100%, 3,000",
                 lambda base: _with(base, "hongkong", 2026, hk.model_copy(update={"reduction": red})),
                 lambda c, tb: tb.hk_year_for(c.scenario.tax_year)[0] == 2026)
    assert _detected(m, golden, tables)[0]


# the four changes that went unnoticed before these cases existed
KNOWN_ESCAPES = [
    ("mainland", 2022, ["income_ratios", "labour", "value"], Decimal("0.7")),
    ("mainland", 2021, ["special_additional", "children_education_monthly", "value"], Decimal(2000)),
    ("hongkong", 2021, ["allowances", "basic", "value"], Decimal(123000)),
    ("macao", 2022, ["professional_tax", "exemption", "value"], Decimal(95000)),
]


@pytest.mark.parametrize("kind, year, path, value", KNOWN_ESCAPES,
                         ids=lambda v: str(v) if not isinstance(v, list) else ".".join(v[:-1]))
def test_known_escapes_are_caught(golden, tables, kind, year, path, value):
    model = getattr(tables, kind)[year]
    assert _get(model, path) != value
    concerns = {"mainland": lambda c, tb: c.scenario.tax_year == year,
                "hongkong": lambda c, tb: tb.hk_year_for(c.scenario.tax_year)[0] == year,
                "macao": lambda c, tb: tb.macao_year_for(c.scenario.tax_year)[0] == year}[kind]
    m = Mutation(f"{kind}/{year}", ".".join(path), f"-> {value}",
                 lambda base: _with(base, kind, year, _replace(model, path, value)), concerns)
    assert _detected(m, golden, tables)[0]

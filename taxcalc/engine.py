"""Runs scenarios through the mainland, Hong Kong, Macao and zone kernels, by columns.

One code path: a single scenario is a batch of one. :func:`compute` returns the registry's
figures (:mod:`taxcalc.figures`) and, for the explanation, every intermediate column.

Exact over the whole input domain. Amounts are int64 in 1/10,000 units; for ordinary rows every
product stays below 2**63 (see :data:`NARROW_LIMIT`). A row whose derived amounts are larger (a
tiny exchange rate turns CNY 1,000,000,000 into HK$10**15) runs through the same kernels on
Python integers (NumPy object arrays), which cannot overflow; its figures are then checked back
into int64, where they fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from . import hongkong, macao, mainland, social, zones
from .columns import Columns
from .errors import InputError
from .figures import BY_NAME, FIGURES
from .messages import msg
from .money import FEN, FX, Column, column_sum, half_up_div, half_up_div_signed
from .params import YearParams, year_params
from .tables import Tables

HK_BURDEN_YEARS = ("same", "previous")

#: the largest foreign-currency amount (HK$ or MOP, and its CNY value) a row may reach and still
#: run on int64: 10**10 currency units are 10**14 units, times a rate in basis points 10**18.
NARROW_LIMIT = 1e10
#: the largest combined HK$ income of a couple whose joint tax is apportioned on int64:
#: 0.17 x 5e9 x 5e9 stays below 2**63 (the shares are products of whole dollars)
JOINT_LIMIT = 5e9


@dataclass(frozen=True)
class Options:
    """Documented defaults for what the measures leave open (docs/assumptions.md)."""

    assume_extended: bool = False        # apply an expired zone policy as if renewed
    hk_burden_reduction: bool = False    # include HK's one-off reduction in the HK burden
    hk_burden_year: Literal["same", "previous"] = "same"   # YA beginning ("same") or ending ("previous") in the tax year
    macao_refund: bool = True            # net the Macao resident's refund from the Macao burden (docs/assumptions.md Z3)

    def __post_init__(self) -> None:
        from .validate import read_flag

        for name in ("assume_extended", "hk_burden_reduction", "macao_refund"):
            given = getattr(self, name)
            flag = read_flag(given)      # the grammar's flags: Options(macao_refund="false") is False, not truthy text
            if flag is None:
                raise InputError(name, "field.not_bool", given, params={"expected": msg("expect.bool")})
            object.__setattr__(self, name, flag)
        if self.hk_burden_year not in HK_BURDEN_YEARS:
            raise InputError("hk_burden_year", "option.choice", self.hk_burden_year,
                             params={"choices": HK_BURDEN_YEARS})

    @property
    def hk_burden_offset(self) -> int:
        return -1 if self.hk_burden_year == "previous" else 0


@dataclass
class Computation:
    """The engine's output for some rows: the registry figures as stored integers (see
    :mod:`taxcalc.figures`), the intermediate columns (empty unless traced) and the vocabularies
    of the text figures."""

    figures: dict[str, Column]
    columns: dict[str, Column] = field(default_factory=dict)
    vocab: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.figures["iit"]) if self.figures else 0


def vocabularies(tables: Tables) -> dict[str, tuple[str, ...]]:
    from .figures import BONUS_METHOD_USED, HK_ASSESSMENT_USED, RELIEF_KIND

    return {
        "bonus_method_used": BONUS_METHOD_USED,
        "hk_assessment_used": HK_ASSESSMENT_USED,
        "relief_kind": RELIEF_KIND,
        "relief_policy": tuple(cp.policy.id for cp in zones.compiled_policies(tables)) + ("none",),
        "hk_year_of_assessment": tuple(tables.hongkong[y].year_of_assessment for y in sorted(tables.hongkong)),
    }


def _fx_to_units(amount_fen: Column, rate_micro: Column) -> Column:
    """A CNY amount in another currency: amount / rate, to the cent, half up; in units."""
    return half_up_div(amount_fen * FX, rate_micro) * FEN


def _to_cny(minor: Column, rate_micro: Column) -> Column:
    """An amount in cents (HK$ or MOP; whole dollars x 100) in CNY, to the fen, half up."""
    return half_up_div(minor * rate_micro, FX)


def _to_cny_signed(minor: Column, rate_micro: Column) -> Column:
    """An amount in cents of any sign in CNY, to the fen, half away from zero."""
    return half_up_div_signed(minor * rate_micro, FX)


def _ratio_micro(num: Column, den: Column) -> Column:
    """num / den (both >= 0, same unit) in millionths, half up; 0 where den is 0."""
    return np.where(den > 0, half_up_div(num * FX, np.maximum(den, 1)), 0)


#: rows the figures-only path computes at a time: the kernels' hundreds of intermediate columns then
#: stay in the processor's cache (on a 2 MB L2, blocks of 32,768-131,072 rows ran 1.4-1.6x faster
#: than whole columns of a million), and the per-call overhead of NumPy stays small
BLOCK_ROWS = 65_536


def compute(c: Columns, tables: Tables, options: Options = Options(), *, trace: bool = True) -> Computation:
    """Every row through the kernels, one (tax year, residency) group at a time.

    A mixed set of rows is sorted into groups (stable), each group runs as a contiguous slice,
    and the outputs are put back in the rows' order. Without ``trace`` only the figures are kept,
    and each group runs in blocks of :data:`BLOCK_ROWS` rows whose figures go straight to their
    rows (:func:`_figures_only`). A column whose rows all hold one value may be a broadcast view
    (stride 0, as :func:`taxcalc.batch.parse.parse_chunk` gives for a column a file lacks): it is
    never copied to be sorted.
    """
    n = len(c["tax_year"])
    vocab = vocabularies(tables)
    if n == 0:
        return Computation({f.name: np.zeros(0, dtype=np.int64) for f in FIGURES}, {}, vocab)
    group = c["tax_year"] * 2 + c["residency"]
    if not trace:
        return Computation(_figures_only(c, tables, options, group, n), {}, vocab)
    if (group == group[0]).all():
        figs, cols = _compute_group(c, tables, int(c["tax_year"][0]), options, trace)
        return Computation(figs, cols, vocab)
    order = np.argsort(group, kind="stable")
    ordered = {k: take_rows(v, order) for k, v in c.items()}
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    figs_out: dict[str, Column] = {}
    cols_out: dict[str, Column] = {}
    for a, b in zip([0, *bounds.tolist()], [*bounds.tolist(), n]):
        figs, cols = _compute_group({k: v[a:b] for k, v in ordered.items()}, tables, int(ordered["tax_year"][a]),
                                    options, trace)
        _scatter(figs_out, figs, order[a:b], n)
        _scatter(cols_out, cols, order[a:b], n)
    return Computation(figs_out, cols_out, vocab)


def take_rows(v: Column, rows: Any) -> Column:
    """``v[rows]`` (``rows``: indices, a mask or a slice); a broadcast column (stride 0) stays one,
    of the new length, so that a column of defaults is never copied."""
    if v.ndim == 1 and v.strides[0] == 0 and len(v):
        if isinstance(rows, slice):
            length = len(range(*rows.indices(len(v))))
        else:
            rows = np.asarray(rows)
            length = int(rows.sum()) if rows.dtype == np.bool_ else len(rows)
        return np.broadcast_to(v[:1], (length,))
    taken: Column = v[rows]
    return taken


def _figures_only(c: Columns, tables: Tables, options: Options, group: Column, n: int) -> dict[str, Column]:
    """The figures of every row: each (year, residency) group in blocks of :data:`BLOCK_ROWS`
    rows; the blocks' figures joined in group order, then put back in the rows' order with one
    gather a figure. The same figures as the traced path: every figure of a row depends on that
    row alone."""
    low = group.min()
    single = bool(group.max() == low)
    order = None
    if not single:
        key = group - low                              # a few hundred values at most: a radix sort
        order = np.argsort(key.astype(np.uint16) if key.max() < 1 << 16 else key, kind="stable")
        c = {k: take_rows(v, order) for k, v in c.items()}
    bounds = [] if single else (np.flatnonzero(np.diff(group[order])) + 1).tolist()
    parts: dict[str, list[np.ndarray]] = {}
    for a, b in zip([0, *bounds], [*bounds, n]):
        for s in range(a, b, BLOCK_ROWS):
            e = min(s + BLOCK_ROWS, b)
            part = {k: take_rows(v, slice(s, e)) for k, v in c.items()}
            figs, _ = _compute_group(part, tables, int(part["tax_year"][0]), options, False)
            for k, v in figs.items():
                parts.setdefault(k, []).append(v)
    if order is None:
        return {k: np.concatenate(v) if len(v) > 1 else v[0] for k, v in parts.items()}
    back = np.empty(n, dtype=np.intp)                # the sorted position of each row
    back[order] = np.arange(n)
    # a figure at a time, its blocks let go as it is done: one figure's copy more at the peak
    return {k: np.concatenate(parts.pop(k))[back] for k in list(parts)}


def _scatter(out: dict[str, Column], part: dict[str, Column], where: Column, n: int) -> None:
    """Put a group's arrays back at its rows. A key only some groups have (non-residents' steps)
    stays 0 elsewhere; an object column (Python integers) makes the whole column object."""
    for k, v in part.items():
        dest = out.get(k)
        if dest is None:
            dest = out[k] = np.zeros(n, dtype=v.dtype)
        elif v.dtype == object and dest.dtype != object:
            dest = out[k] = dest.astype(object)
        dest[where] = v


def _rates(c: Columns, p: YearParams) -> tuple[Column, Column]:
    cny_per_hkd = np.where(c["cny_per_hkd"] > 0, c["cny_per_hkd"], p.cny_per_hkd)
    derived_mop = np.maximum(half_up_div(cny_per_hkd * FX, p.mop_per_hkd), 1)
    cny_per_mop = np.where(c["cny_per_mop"] > 0, c["cny_per_mop"], derived_mop)
    return cny_per_hkd, cny_per_mop


def _gross_fen(c: Columns) -> Column:
    return c["wages"] + c["bonus"] + c["labour"] + c["author"] + c["royalty"]


def needs_wide(c: Columns, p: YearParams) -> Column:
    """Rows whose foreign-currency amounts (or their CNY values) pass :data:`NARROW_LIMIT`: those
    run on Python integers. A float estimate is enough to choose the path."""
    cny_per_hkd, cny_per_mop = _rates(c, p)
    gross = _gross_fen(c).astype(np.float64) / 100
    hkd_rate, mop_rate = cny_per_hkd / FX, cny_per_mop / FX
    hk_income = np.where(c["hk_income"] >= 0, c["hk_income"] / 100, gross / hkd_rate)
    worst: Column = np.maximum.reduce([gross / hkd_rate, gross / mop_rate, hk_income, hk_income * hkd_rate])
    # joint assessment: the couple's tax (<= 17% of their income, in dollars) times the person's
    # net income in dollars apportions the tax (taxcalc.hongkong.share); keep it below 2**63
    couple = np.where(c["hk_spouse_income"] > 0, hk_income + c["hk_spouse_income"] / 100, 0)
    return (worst > NARROW_LIMIT) | (couple > JOINT_LIMIT)


#: a group's output: the figures and the intermediate columns
Output = tuple[dict[str, Column], dict[str, Column]]


def _compute_group(c: Columns, tables: Tables, year: int, o: Options, trace: bool) -> Output:
    p = year_params(tables, year)
    wide = needs_wide(c, p)
    if not wide.any():
        return _compute_year(c, tables, year, o, trace)
    if wide.all():
        return _compute_year(_as_python_ints(c), tables, year, o, trace)
    n = len(wide)
    figs_out: dict[str, Column] = {}
    cols_out: dict[str, Column] = {}
    for mask in (~wide, wide):
        rows = np.flatnonzero(mask)
        part = {k: take_rows(v, rows) for k, v in c.items()}
        figs, cols = _compute_year(_as_python_ints(part) if mask is wide else part, tables, year, o, trace)
        _scatter(figs_out, figs, rows, n)
        _scatter(cols_out, cols, rows, n)
    return figs_out, cols_out


def _as_python_ints(c: Columns) -> Columns:
    return {k: (v.astype(object) if v.dtype == np.int64 else v) for k, v in c.items()}


def _compute_year(c: Columns, tables: Tables, year: int, o: Options, trace: bool) -> Output:
    """One group: rows of one tax year and one residency. Returns (figures, intermediate columns)."""
    p = year_params(tables, year)
    pb = year_params(tables, year, o.hk_burden_offset) if o.hk_burden_offset else p
    n = len(c["tax_year"])

    # -- social insurance and housing fund computed from wages (social_insurance_auto): the
    #    employee's share is the deduction the mainland kernels read as social_insurance
    soc = social.contributions(c, tables, year)
    if soc is not None:
        c = {**c, "social_insurance": np.where(c["social_insurance_auto"], soc["si_employee_fen"], c["social_insurance"])}

    # -- mainland (the rows of a group share their residency)
    if c["residency"][0] == 1:
        r = mainland.nonresident(c, p.mainland)
    else:
        r = mainland.resident(c, p.mainland, c["bonus_method"])
    gross = _gross_fen(c)
    r["gross_fen"] = gross

    # -- exchange rates
    cny_per_hkd, cny_per_mop = _rates(c, p)
    r["cny_per_hkd"], r["cny_per_mop"] = cny_per_hkd, cny_per_mop

    # -- the Hong Kong job
    hk = p.hongkong
    gross_hkd = _fx_to_units(gross, cny_per_hkd)
    hk_income = np.where(c["hk_income"] >= 0, c["hk_income"] * FEN, gross_hkd)
    mpf = np.where(c["hk_mpf"] >= 0, c["hk_mpf"] * FEN, hongkong.default_mpf(hk_income, hk))
    mpf_claimed = mpf
    mpf = np.minimum(mpf, hk.mpf_cap)
    allow = hongkong.allowances(c, hk)
    d = hongkong.deductions(c, hk, hk_income)
    hk_deductions = d["ded_total"]
    # the spouse (married, with income): separate taxation or joint assessment
    spouse_income = np.maximum(c["hk_spouse_income"], 0) * FEN
    spouse_mpf = np.minimum(np.where(c["hk_spouse_mpf"] >= 0, c["hk_spouse_mpf"] * FEN,
                                     hongkong.default_mpf(spouse_income, hk)), hk.mpf_cap)
    spouse_ded = c["hk_spouse_deductions"] * FEN
    h = hongkong.household(c, hk, hk_income, mpf, hk_deductions, spouse_income, spouse_mpf, spouse_ded, allow,
                           every_step=trace)
    t = h["sep"]
    allow = {**allow, "hk_allow_personal": h["allow_personal_sep"]}
    allow_total = column_sum(allow.values())
    r.update({"hk_income": hk_income, "hk_mpf": mpf, "hk_mpf_claimed": mpf_claimed, "hk_deductions_u": hk_deductions,
              **{f"hk_{k}": v for k, v in d.items()},
              **allow, "hk_allow_total": allow_total, **{f"hk_{k}": v for k, v in t.items()},
              "hk_spouse_income": spouse_income, "hk_spouse_mpf": spouse_mpf, "hk_spouse_ded": spouse_ded,
              **{f"hks_{k}": v for k, v in h["spouse"].items()}, **{f"hkj_{k}": v for k, v in h["joint"].items()},
              "hk_use_joint": h["use_joint"], "hk_has_spouse": h["has_spouse"], "hk_share_mine": h["mine_dollars"],
              "hk_share_theirs": h["theirs_dollars"], "hkj_allow_total": h["joint_allow"],
              "hk_sep_total": h["sep"]["tax"] + h["spouse"]["tax"]})

    # -- the Hong Kong burden on the mainland income (zone measures): the itemised deductions, no MPF
    hb = pb.hongkong
    alone = c["hk_married"] & (c["hk_spouse_income"] <= 0)   # the person alone: married allowance only without a spouse's income
    allow_b = column_sum(hongkong.allowances(c, hb, married=alone).values())
    db = hongkong.deductions(c, hb, gross_hkd)
    tb = hongkong.salaries_tax(gross_hkd, 0, db["ded_total"], allow_b, hb, apply_reduction=o.hk_burden_reduction)
    r.update({"hkb_income": gross_hkd, "hkb_allow_total": allow_b,
              **{f"hkb_{k}": v for k, v in db.items()}, **{f"hkb_{k}": v for k, v in tb.items()}})
    r["hk_burden_fen"] = _to_cny(tb["tax"] * 100, cny_per_hkd)

    # -- the Macao burden
    mo_income = _fx_to_units(gross, cny_per_mop)
    m = macao.professional_tax(mo_income, p.macao, apply_refund=o.macao_refund, refund=p.macao_refund)
    r.update({"mo_income": mo_income, **{f"mo_{k}": v for k, v in m.items()}})
    r["macao_burden_fen"] = _to_cny(m["net"] * 100, cny_per_mop)

    # -- zone reliefs
    z = zones.reliefs(c, r, year, zones.compiled_policies(tables), o.assume_extended)
    r.update(z)

    # -- the figures (taxcalc.figures), each in its stored unit
    iit = r["iit_fen"]
    relief = r["relief_fen"]
    iit_net = iit - relief
    hk_tax = h["tax"]
    hk_income_cents = hk_income // FEN
    hk_after_cents = hk_income_cents - hk_tax * 100
    hk_tax_cny = _to_cny(hk_tax * 100, cny_per_hkd)
    macao_tax_cny = _to_cny(m["tax"] * 100, cny_per_mop)
    gap = iit_net - hk_tax_cny
    n_policies = len(zones.compiled_policies(tables))
    hk_years = np.array(sorted(tables.hongkong), dtype=np.int64)
    f = {
        "gross_income": gross,
        "iit_taxable": half_up_div(r["iit_taxable"], FEN),
        "iit": iit,
        "bonus_method_used": r["use_separate"].astype(np.int8),
        "bonus_cliff": r["bonus_cliff"],
        "bonus_cliff_threshold": r["ml_cliff_floor"] // FEN,
        "bonus_cliff_loss": r["ml_cliff_loss_fen"],
        "relief": relief,
        "relief_policy": np.where(r["relief_idx"] >= 0, r["relief_idx"], n_policies),
        "relief_kind": r["relief_kind_code"],
        "relief_paid_in": r["relief_paid_in"],
        "relief_assumed_extended": r["relief_extended"],
        "iit_net": iit_net,
        "income_after_iit": gross - iit_net,
        "effective_rate_before_relief": _ratio_micro(iit, gross),
        "effective_rate_mainland": _ratio_micro(iit_net, gross),
        "cny_per_hkd_used": cny_per_hkd,
        "cny_per_mop_used": cny_per_mop,
        "hk_year_of_assessment": np.full(n, int(np.searchsorted(hk_years, hk.year)), dtype=np.int64),
        "hk_assessable_income": hk_income_cents,
        "hk_assessable_income_cny": _to_cny(hk_income_cents, cny_per_hkd),
        "hk_mpf_deducted": half_up_div(mpf, FEN),
        "hk_deductions_allowed": half_up_div(hk_deductions, FEN),
        "hk_assessment_used": h["used"],
        "hk_tax_before_reduction": h["tax_before"],
        "hk_tax_reduction": h["reduction"],
        "hk_tax": hk_tax,
        "hk_tax_spouse": h["spouse_tax"],
        "hk_tax_household": h["household_tax"],
        "hk_tax_household_reduction": h["household_reduction"],
        "hk_tax_cny": hk_tax_cny,
        "hk_income_after_tax": hk_after_cents,
        "hk_income_after_tax_cny": _to_cny(hk_after_cents, cny_per_hkd),
        "effective_rate_hk": _ratio_micro(hk_tax * 100, hk_income_cents),
        "burden_gap_cny": gap,
        "income_gap_cny": (gross - iit_net) - _to_cny(hk_after_cents, cny_per_hkd),
        "burden_gap_hkd": half_up_div_signed(gap * FX, cny_per_hkd),
        "hk_burden": tb["tax"],
        "hk_burden_cny": r["hk_burden_fen"],
        "macao_income": mo_income // FEN,
        "macao_tax": m["tax"],
        "macao_refund": m["refund"],
        "macao_burden": m["net"],
        "macao_burden_cny": r["macao_burden_fen"],
        "macao_tax_cny": macao_tax_cny,
        "burden_gap_macao_cny": iit_net - macao_tax_cny,
    }
    # -- take-home pay and the employer's cost, both jobs
    si_employee = c["social_insurance"]
    si_employer = soc["si_employer_fen"] if soc is not None else np.zeros(n, dtype=np.int64)
    take_home = gross - iit_net - si_employee
    hk_mpf_employer = hongkong.employer_mpf(hk_income, hk)
    hk_take_home = hk_after_cents - half_up_div(mpf_claimed, FEN)
    hk_take_home_cny = _to_cny_signed(hk_take_home, cny_per_hkd)
    f.update({
        "social_insurance_employee_cny": si_employee,
        "social_insurance_employer_cny": si_employer,
        "take_home_cny": take_home,
        "employer_cost_cny": c["wages"] + c["bonus"] + si_employer,
        "hk_take_home": hk_take_home,
        "hk_take_home_cny": hk_take_home_cny,
        "hk_employer_cost": hk_income_cents + half_up_div(hk_mpf_employer, FEN),
        "take_home_gap_cny": take_home - hk_take_home_cny,
    })
    figs = {name: _stored(name, v, n) for name, v in f.items()}
    if not trace:
        return figs, {}
    if soc is not None:
        r.update(soc)
    r.update({"hk_mpf_employer": hk_mpf_employer, "si_employee_fen_used": si_employee})
    r.update({"iit_net_fen": iit_net, "hk_tax_cny_fen": hk_tax_cny, "hk_year": np.full(n, hk.year, dtype=np.int64),
              "hkb_year": np.full(n, hb.year, dtype=np.int64), "mo_year": np.full(n, p.macao.year, dtype=np.int64),
              "mo_refund_year": np.full(n, p.macao_refund.year, dtype=np.int64)})
    return figs, r


_DTYPES: dict[str, type[np.generic]] = {"bool": np.bool_, "text": np.int64}


def _stored(name: str, v: Column, n: int) -> Column:
    """A figure column in its stored dtype: int64 (raises, never wraps, if a Python integer from
    the wide path did not fit), bool for flags."""
    dtype = _DTYPES.get(BY_NAME[name].unit, np.int64)
    out = np.asarray(v, dtype=dtype)
    if out.shape != (n,) or (n > 1 and out.strides[0] == 0):     # a scalar, or an input's broadcast column
        out = np.broadcast_to(out, (n,)).copy()
    return out

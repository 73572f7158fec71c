"""Runs scenarios through the mainland, Hong Kong, Macao and zone kernels, by columns.

One code path: a single scenario is a batch of one. ``compute`` returns every intermediate
column; the batch writer keeps the result columns, the explanation reads the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import hongkong, macao, mainland, zones
from .columns import Columns
from .money import FEN, FX, half_up_div
from .params import year_params
from .tables import Tables


@dataclass(frozen=True)
class Options:
    """Documented defaults for what the measures leave open (docs/assumptions.md)."""

    assume_extended: bool = False        # apply an expired zone policy as if renewed
    hk_burden_reduction: bool = False    # include HK's one-off reduction in the HK burden
    hk_burden_year: str = "same"         # "same": YA beginning in the tax year; "previous": YA ending in it
    macao_refund: bool = False           # net the Macao resident's refund from the Macao burden


def _fx_to_units(amount_fen, rate_micro):
    """A CNY amount in another currency: amount / rate, to the cent, half up; in units."""
    return half_up_div(amount_fen * FX, rate_micro) * FEN


def _to_cny_fen(dollars, rate_micro):
    """Whole dollars (HK$ or MOP) in CNY, to the fen, half up."""
    return half_up_div(dollars * 100 * rate_micro, FX)


def _ratio_micro(num_fen, den_fen):
    """num / den (both >= 0) in millionths, half up; 0 where den is 0."""
    return np.where(den_fen > 0, half_up_div(num_fen * FX, np.maximum(den_fen, 1)), 0)


def compute(c: Columns, tables: Tables, options: Options = Options(),
            keys: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """Every row through the kernels, one (tax year, residency) group at a time.

    A mixed set of rows is sorted into groups (stable), each group runs as a contiguous slice,
    and the outputs are put back in the rows' order. ``keys`` limits what is put back (a batch
    needs only the result columns; the explanation needs every intermediate column).
    """
    n = len(c["tax_year"])
    if n == 0:
        return {}
    group = c["tax_year"] * 2 + c["residency"]
    if (group == group[0]).all():
        r = _compute_year(c, tables, int(c["tax_year"][0]), options)
        return r if keys is None else {k: r[k] for k in keys}
    order = np.argsort(group, kind="stable")
    ordered = {k: v[order] for k, v in c.items()}
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    out: dict[str, np.ndarray] = {}
    for a, b in zip([0, *bounds.tolist()], [*bounds.tolist(), n]):
        r = _compute_year({k: v[a:b] for k, v in ordered.items()}, tables, int(ordered["tax_year"][a]), options)
        for k in (r if keys is None else keys):
            if k not in out:   # a key only one kind of resident has stays 0 for the others
                out[k] = np.zeros(n, dtype=r[k].dtype)
            out[k][order[a:b]] = r[k]
    return out


def _compute_year(c: Columns, tables: Tables, year: int, o: Options) -> dict[str, np.ndarray]:
    """One group: rows of one tax year and one residency."""
    p = year_params(tables, year)
    burden_offset = -1 if o.hk_burden_year == "previous" else 0
    pb = year_params(tables, year, burden_offset) if burden_offset else p
    n = len(c["tax_year"])

    # -- mainland (the rows of a group share their residency)
    if c["residency"][0] == 1:
        r = mainland.nonresident(c, p.mainland)
    else:
        r = mainland.resident(c, p.mainland, c["bonus_method"])
    gross = c["wages"] + c["bonus"] + c["labour"] + c["author"] + c["royalty"]      # fen
    r["gross_fen"] = gross

    # -- exchange rates
    cny_per_hkd = np.where(c["cny_per_hkd"] > 0, c["cny_per_hkd"], p.cny_per_hkd)
    cny_per_mop = np.where(c["cny_per_mop"] > 0, c["cny_per_mop"], half_up_div(cny_per_hkd * FX, p.mop_per_hkd))
    r["cny_per_hkd"], r["cny_per_mop"] = cny_per_hkd, cny_per_mop

    # -- Hong Kong alternative
    hk = p.hongkong
    gross_hkd = _fx_to_units(gross, cny_per_hkd)
    hk_income = np.where(c["hk_income"] >= 0, c["hk_income"] * FEN, gross_hkd)
    mpf = np.where(c["hk_mpf"] >= 0, c["hk_mpf"] * FEN, hongkong.default_mpf(hk_income, hk))
    mpf = np.minimum(mpf, hk.mpf_cap)
    allow = hongkong.allowances(c, hk)
    allow_total = sum(allow.values())
    hk_deductions = c["hk_deductions"] * FEN
    t = hongkong.salaries_tax(hk_income, mpf, hk_deductions, allow_total, hk, apply_reduction=True)
    r.update({"hk_income": hk_income, "hk_mpf": mpf, "hk_deductions_u": hk_deductions, **allow,
              "hk_allow_total": allow_total, **{f"hk_{k}": v for k, v in t.items()}})

    # -- the Hong Kong burden on the mainland income (zone measures)
    hb = pb.hongkong
    allow_b = allow_total if hb is hk else sum(hongkong.allowances(c, hb).values())
    tb = hongkong.salaries_tax(gross_hkd, 0, hk_deductions, allow_b, hb, apply_reduction=o.hk_burden_reduction)
    r.update({"hkb_income": gross_hkd, "hkb_allow_total": allow_b, **{f"hkb_{k}": v for k, v in tb.items()}})
    r["hk_burden_fen"] = _to_cny_fen(tb["tax"], cny_per_hkd)

    # -- the Macao burden
    mo_income = _fx_to_units(gross, cny_per_mop)
    m = macao.professional_tax(mo_income, p.macao, apply_refund=o.macao_refund)
    r.update({"mo_income": mo_income, **{f"mo_{k}": v for k, v in m.items()}})
    r["macao_burden_fen"] = _to_cny_fen(m["net"], cny_per_mop)

    # -- zone reliefs
    z = zones.reliefs(c, r, year, zones.compiled_policies(tables), o.assume_extended)
    r.update(z)

    iit = r["iit_fen"]
    iit_net = iit - r["relief_fen"]
    hk_tax_cny = _to_cny_fen(r["hk_tax"], cny_per_hkd)
    r.update({
        "iit_net_fen": iit_net,
        "hk_tax_cny_fen": hk_tax_cny,
        "effective_rate_mainland": _ratio_micro(iit_net, gross),
        "effective_rate_hk": _ratio_micro(hk_tax_cny, gross),
        "burden_gap_fen": iit_net - hk_tax_cny,
        "net_income_mainland_fen": gross - iit_net,
        "hk_after_tax_cents": hk_income // FEN - r["hk_tax"] * 100,
        "hk_year": np.full(n, hk.year, dtype=np.int64),
    })
    return r

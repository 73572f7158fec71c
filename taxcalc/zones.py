"""Cooperation-zone reliefs on columns: eligibility, amount, and the choice of one.

Policies are data (``tables/zones/*.toml``). Three formulas:

* ``rate_cap``: for each income category (comprehensive income; the annual bonus when taxed
  apart) max(0, tax - rate x taxable), summed, then capped (粤财税〔2019〕2号, 〔2023〕21号; the
  Hengqin 15% of 财税〔2022〕3号 read the same way, as Hainan's 财税〔2020〕32号);
* ``hk_burden``: max(0, IIT - the Hong Kong burden) (财税〔2024〕5号, 〔2024〕12号, 〔2022〕29号);
* ``macao_burden``: max(0, IIT - the Macao burden) (财税〔2022〕3号, 〔2022〕29号).

One relief per person and year: the largest; on a tie the exemption (its cash comes earlier),
then the order of the policies in the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .money import BP, FEN, UNIT, half_up_div
from .scenario import IDENTITY, ZONE
from .tables import Policy, Tables

# reasons a policy does not apply
APPLIES, IDENTITY_R, TALENT_R, ZONE_R, WINDOW_R, DAYS_R = 0, 1, 2, 3, 4, 5
REASONS = {APPLIES: "applies", IDENTITY_R: "identity", TALENT_R: "talent", ZONE_R: "zone",
           WINDOW_R: "not in force", DAYS_R: "work days"}
KIND_CODE = {"exemption": 1, "subsidy": 2}
POLICY_ORDER = ("hetao_hk_cap", "qianhai_hk_cap", "nansha_hk_cap", "nansha_macao_cap", "hengqin_macao_cap",
                "hengqin_15", "gba_subsidy")


@dataclass(frozen=True)
class CompiledPolicy:
    policy: Policy
    identities: np.ndarray   # codes
    zones: np.ndarray
    first: int
    last: int
    rate_bp: int
    cap_fen: int             # -1: none
    days_more_than: int      # tenths, -1: no rule
    days_zones: np.ndarray
    paid_offset: int


@lru_cache(maxsize=8)
def compiled_policies(tables: Tables) -> list[CompiledPolicy]:
    known = [pid for pid in POLICY_ORDER if pid in tables.policies]
    known += sorted(pid for pid in tables.policies if pid not in POLICY_ORDER)
    out = []
    for pid in known:
        _, p = tables.policies[pid]
        out.append(CompiledPolicy(
            policy=p,
            identities=np.array([IDENTITY.index(i) for i in p.identities], dtype=np.int8),
            zones=np.array([ZONE.index(z) for z in p.zones], dtype=np.int8),
            first=p.first_year, last=int(p.last_year.value),
            rate_bp=int(p.rate.value * BP) if p.rate else 0,
            cap_fen=int(p.cap.value * 100) if p.cap else -1,
            days_more_than=int(p.work_days_more_than.value * 10) if p.work_days_more_than else -1,
            days_zones=np.array([ZONE.index(z) for z in p.work_days_zones], dtype=np.int8),
            paid_offset=int(p.paid_in_offset.value),
        ))
    return tuple(out)


def rate_cap_relief(tax_fen, taxable_units, rate_bp):
    """max(0, tax - rate x taxable), the rate's share rounded to the fen."""
    allowed = half_up_div(taxable_units * rate_bp, UNIT * BP // FEN)
    return np.maximum(tax_fen - allowed, 0)


def reliefs(c, r, year: int, policies: list[CompiledPolicy], assume_extended: bool):
    """Per policy: amount (fen) and reason code; then the chosen one.

    ``r`` holds ``iit_fen``, the category taxes and taxables, ``hk_burden_fen`` and
    ``macao_burden_fen``.
    """
    n = len(r["iit_fen"])
    out = {}
    best = np.zeros(n, dtype=np.int64)
    best_idx = np.full(n, -1, dtype=np.int64)
    best_kind = np.zeros(n, dtype=np.int8)
    extended_used = np.zeros(n, dtype=bool)
    for k, cp in enumerate(policies):
        p = cp.policy
        reason = np.zeros(n, dtype=np.int8)
        in_window = cp.first <= year <= cp.last
        extended = (not in_window) and assume_extended and year > cp.last
        if not (in_window or extended):
            reason[:] = WINDOW_R
        if cp.days_more_than >= 0:
            short = (c["work_days"] >= 0) & (c["work_days"] <= cp.days_more_than) & np.isin(c["zone"], cp.days_zones)
            reason = np.where(short, DAYS_R, reason)
        if p.talent_required:
            reason = np.where(~c["talent"], TALENT_R, reason)
        reason = np.where(~np.isin(c["zone"], cp.zones), ZONE_R, reason)
        reason = np.where(~np.isin(c["identity"], cp.identities), IDENTITY_R, reason)
        if p.formula == "rate_cap":
            amount = (rate_cap_relief(r["cat_comp_tax_fen"], r["cat_comp_taxable"], cp.rate_bp)
                      + rate_cap_relief(r["cat_bonus_tax_fen"], r["cat_bonus_taxable"], cp.rate_bp))
            if cp.cap_fen >= 0:
                amount = np.minimum(amount, cp.cap_fen)
        elif p.formula == "hk_burden":
            amount = np.maximum(r["iit_fen"] - r["hk_burden_fen"], 0)
        else:
            amount = np.maximum(r["iit_fen"] - r["macao_burden_fen"], 0)
        amount = np.where(reason == APPLIES, amount, 0)
        out[f"z_{p.id}_amount"] = amount
        out[f"z_{p.id}_reason"] = reason
        kind = KIND_CODE[p.kind]
        better = (amount > best) | ((amount == best) & (amount > 0) & (kind < best_kind))
        best = np.where(better, amount, best)
        best_idx = np.where(better, k, best_idx)
        best_kind = np.where(better, kind, best_kind)
        extended_used = np.where(better, extended, extended_used)
    paid = np.array([cp.paid_offset for cp in policies] + [0], dtype=np.int64)[best_idx]
    out.update({"relief_fen": best, "relief_idx": best_idx, "relief_kind_code": np.where(best_idx >= 0, best_kind, 0),
                "relief_paid_in": np.where(best_idx >= 0, year + paid, 0), "relief_extended": extended_used & (best_idx >= 0)})
    return out

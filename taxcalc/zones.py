"""Cooperation-zone reliefs on columns: eligibility, amount, and the choice of one.

Policies are data (``tables/zones/*.toml``). Three formulas:

* ``rate_cap``: for each income category (comprehensive income; the annual bonus when taxed
  apart) max(0, tax - rate x taxable), summed, then capped (粤财税〔2019〕2号, 〔2023〕21号; the
  Hengqin 15% of 财税〔2022〕3号 read the same way, as Hainan's 财税〔2020〕32号);
* ``hk_burden``: max(0, IIT - the Hong Kong burden) (财税〔2024〕5号, 〔2024〕12号, 〔2022〕29号);
* ``macao_burden``: max(0, IIT - the Macao burden) (财税〔2022〕3号, 〔2022〕29号).

One relief per person and year: the largest; on a tie the exemption (its cash comes earlier),
then the policy with the lower ``order`` (each ``[[policies]]`` entry has one, unique across the
zone files; see docs/tables.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from .columns import Columns
from .money import BP, FEN, UNIT, Column, half_up_div
from .scenario import IDENTITY, ZONE
from .tables import Policy, Tables

# reasons a policy does not apply
APPLIES, IDENTITY_R, TALENT_R, ZONE_R, WINDOW_R, DAYS_R = 0, 1, 2, 3, 4, 5
KIND_CODE = {"exemption": 1, "subsidy": 2}


@dataclass(frozen=True)
class CompiledPolicy:
    """A policy ready for the columns. ``reasons_in_force`` / ``reasons_not_in_force`` give the
    reason code for every combination of identity, zone, talent and "short of work days",
    indexed by :func:`person_code`; the first failing test wins, in the order identity, zone,
    talent, work days, window."""

    policy: Policy
    first: int
    last: int
    rate_bp: int
    cap_fen: int             # -1: none
    days_more_than: int      # tenths, -1: no rule
    paid_offset: int
    reasons_in_force: NDArray[np.int8]
    reasons_not_in_force: NDArray[np.int8]
    amount_key: str            # the names of its columns in the engine's output
    reason_key: str
    cat_keys: tuple[str, str]  # rate_cap: its relief on each category (comprehensive income, bonus)


def person_code(identity: Column, zone: Column, talent: Column, short: Column) -> Column:
    """One small integer per row for the reason look-up tables."""
    return ((identity.astype(np.int16) * len(ZONE) + zone) * 2 + talent) * 2 + short


def _reason_table(p: Policy, in_force: bool) -> NDArray[np.int8]:
    table = np.zeros(len(IDENTITY) * len(ZONE) * 4, dtype=np.int8)
    for i, ident in enumerate(IDENTITY):
        for z, zone in enumerate(ZONE):
            for talent in (0, 1):
                for short in (0, 1):
                    if ident not in p.identities:
                        reason = IDENTITY_R
                    elif zone not in p.zones:
                        reason = ZONE_R
                    elif p.talent_required and not talent:
                        reason = TALENT_R
                    elif short and p.work_days_more_than is not None and zone in p.work_days_zones:
                        reason = DAYS_R
                    elif not in_force:
                        reason = WINDOW_R
                    else:
                        reason = APPLIES
                    table[((i * len(ZONE) + z) * 2 + talent) * 2 + short] = reason
    return table


@lru_cache(maxsize=8)
def compiled_policies(tables: Tables) -> tuple[CompiledPolicy, ...]:
    out = []
    for _, p in sorted(tables.policies.values(), key=lambda zp: zp[1].order):
        out.append(CompiledPolicy(
            policy=p,
            first=p.first_year, last=int(p.last_year.value),
            rate_bp=int(p.rate.value * BP) if p.rate else 0,
            cap_fen=int(p.cap.value * 100) if p.cap else -1,
            days_more_than=int(p.work_days_more_than.value * 10) if p.work_days_more_than else -1,
            paid_offset=int(p.paid_in_offset.value),
            reasons_in_force=_reason_table(p, True),
            reasons_not_in_force=_reason_table(p, False),
            amount_key=f"z_{p.id}_amount", reason_key=f"z_{p.id}_reason",
            cat_keys=(f"z_{p.id}_comp", f"z_{p.id}_bonus"),
        ))
    return tuple(out)


def rate_cap_relief(tax_fen: Column, taxable_units: Column, rate_bp: int) -> Column:
    """max(0, tax - rate x taxable), the rate's share rounded to the fen."""
    allowed = half_up_div(taxable_units * rate_bp, UNIT * BP // FEN)
    relief: Column = np.maximum(tax_fen - allowed, 0)
    return relief


def _amount(cp: CompiledPolicy, r: dict[str, Column], idx: Column) -> tuple[Column, tuple[Column, Column] | None]:
    """The policy's relief for the rows ``idx`` (fen), and for a rate_cap policy its relief on
    each category before the cap."""
    formula = cp.policy.formula
    if formula == "rate_cap":
        comp = rate_cap_relief(r["cat_comp_tax_fen"][idx], r["cat_comp_taxable"][idx], cp.rate_bp)
        bonus = rate_cap_relief(r["cat_bonus_tax_fen"][idx], r["cat_bonus_taxable"][idx], cp.rate_bp)
        a = comp + bonus
        return (np.minimum(a, cp.cap_fen) if cp.cap_fen >= 0 else a), (comp, bonus)
    burden = r["hk_burden_fen"] if formula == "hk_burden" else r["macao_burden_fen"]
    return np.maximum(r["iit_fen"][idx] - burden[idx], 0), None


def reliefs(c: Columns, r: dict[str, Column], year: int, policies: tuple[CompiledPolicy, ...],
            assume_extended: bool) -> dict[str, Column]:
    """Per policy: amount (fen) and reason code; then the chosen one.

    ``r`` holds ``iit_fen``, the category taxes and taxables, ``hk_burden_fen`` and
    ``macao_burden_fen``. Amounts are computed only for the rows a policy admits.
    """
    n = len(r["iit_fen"])
    out: dict[str, Column] = {}
    best = np.zeros(n, dtype=np.int64)
    best_idx = np.full(n, -1, dtype=np.int64)
    best_kind = np.zeros(n, dtype=np.int8)
    extended_used = np.zeros(n, dtype=bool)
    codes: dict[int, Column] = {}
    for k, cp in enumerate(policies):
        p = cp.policy
        in_window = cp.first <= year <= cp.last
        extended = (not in_window) and assume_extended and year > cp.last
        if cp.days_more_than not in codes:
            short = (c["work_days"] >= 0) & (c["work_days"] <= cp.days_more_than)
            codes[cp.days_more_than] = person_code(c["identity"], c["zone"], c["talent"], short)
        table = cp.reasons_in_force if (in_window or extended) else cp.reasons_not_in_force
        reason = table[codes[cp.days_more_than]]
        ok = reason == APPLIES
        amount = np.zeros(n, dtype=np.int64)
        if ok.any():
            idx = np.flatnonzero(ok)
            a, cats = _amount(cp, r, idx)
            amount[idx] = a
            if cats is not None:
                for key, part in zip(cp.cat_keys, cats):
                    out[key] = np.zeros(n, dtype=np.int64)
                    out[key][idx] = part
            kind = KIND_CODE[p.kind]
            better = (a > best[idx]) | ((a == best[idx]) & (a > 0) & (kind < best_kind[idx]))
            sel = idx[better]
            best[sel] = a[better]
            best_idx[sel] = k
            best_kind[sel] = kind
            extended_used[sel] = extended
        out[cp.amount_key] = amount
        out[cp.reason_key] = reason
    paid = np.array([cp.paid_offset for cp in policies] + [0], dtype=np.int64)[best_idx]
    out.update({"relief_fen": best, "relief_idx": best_idx, "relief_kind_code": best_kind,
                "relief_paid_in": np.where(best_idx >= 0, year + paid, 0), "relief_extended": extended_used})
    return out

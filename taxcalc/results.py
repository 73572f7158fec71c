"""The result columns, in output order, with their meaning and type.

``kind``: ``fen`` (CNY to 2 decimals), ``dollars`` (whole HK$), ``ratio`` (6 decimals),
``label`` (text from a code table), ``year`` (a year or empty), ``bool``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .money import FEN, half_up_div

BONUS_METHOD_USED = ("combined", "separate")
RELIEF_KIND = ("none", "exemption", "subsidy")


@dataclass(frozen=True)
class ResultColumn:
    name: str
    kind: str
    meaning: str


RESULT_COLUMNS: tuple[ResultColumn, ...] = (
    ResultColumn("iit_taxable", "fen", "residents: taxable comprehensive income (without a separately taxed bonus); non-residents: the monthly taxable amounts of the year summed"),
    ResultColumn("iit", "fen", "mainland IIT before any relief, including a separately taxed bonus (CNY)"),
    ResultColumn("bonus_method_used", "label", "separate or combined"),
    ResultColumn("bonus_cliff", "bool", "true when the bonus, taxed apart, lies just above a threshold: a smaller bonus would leave more after tax"),
    ResultColumn("hk_year_of_assessment", "label", "the Hong Kong year of assessment used for hk_tax"),
    ResultColumn("hk_tax", "dollars", "HK Salaries Tax on hk_income after the one-off reduction (HK$)"),
    ResultColumn("hk_tax_reduction", "dollars", "the one-off reduction applied (HK$)"),
    ResultColumn("hk_burden_cny", "fen", "the Hong Kong burden on the mainland income used by the HK caps (CNY)"),
    ResultColumn("macao_burden_cny", "fen", "the Macao burden on the mainland income used by the Macao caps (CNY)"),
    ResultColumn("relief", "fen", "the zone relief chosen (CNY)"),
    ResultColumn("relief_policy", "label", "the policy id, or none"),
    ResultColumn("relief_kind", "label", "exemption, subsidy or none"),
    ResultColumn("relief_paid_in", "year", "the year the money arrives"),
    ResultColumn("relief_assumed_extended", "bool", "true when an expired policy was applied as if renewed (--assume-extended)"),
    ResultColumn("iit_net", "fen", "iit - relief (CNY)"),
    ResultColumn("effective_rate_mainland", "ratio", "iit_net / gross mainland income"),
    ResultColumn("effective_rate_hk", "ratio", "hk_tax x cny_per_hkd / gross mainland income"),
    ResultColumn("burden_gap_cny", "fen", "iit_net - hk_tax x cny_per_hkd (CNY)"),
)
RESULT_NAMES = tuple(c.name for c in RESULT_COLUMNS)


def result_arrays(r: dict, policy_ids: list[str], hk_ya_label: np.ndarray) -> dict[str, np.ndarray]:
    """Raw result arrays: fen/dollars as int64, ratios in millionths, labels as object arrays."""
    policy_labels = np.array(list(policy_ids) + ["none"], dtype=object)
    return {
        "iit_taxable": half_up_div(r["iit_taxable"], FEN),
        "iit": r["iit_fen"],
        "bonus_method_used": np.array(BONUS_METHOD_USED, dtype=object)[r["use_separate"].astype(np.int8)],
        "bonus_cliff": r["bonus_cliff"],
        "hk_year_of_assessment": hk_ya_label,
        "hk_tax": r["hk_tax"],
        "hk_tax_reduction": r["hk_reduction"],
        "hk_burden_cny": r["hk_burden_fen"],
        "macao_burden_cny": r["macao_burden_fen"],
        "relief": r["relief_fen"],
        "relief_policy": policy_labels[r["relief_idx"]],
        "relief_kind": np.array(RELIEF_KIND, dtype=object)[r["relief_kind_code"]],
        "relief_paid_in": r["relief_paid_in"],
        "relief_assumed_extended": r["relief_extended"],
        "iit_net": r["iit_net_fen"],
        "effective_rate_mainland": r["effective_rate_mainland"],
        "effective_rate_hk": r["effective_rate_hk"],
        "burden_gap_cny": r["burden_gap_fen"],
    }


def to_python(kind: str, value):
    """One raw value as a Python value for the Result model and JSON."""
    if kind == "fen":
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
    if kind == "dollars":
        return int(value)
    if kind == "ratio":
        return (Decimal(int(value)) / 1_000_000).quantize(Decimal("0.000001"))
    if kind == "year":
        return int(value) if value else None
    if kind == "bool":
        return bool(value)
    return str(value)

"""Packages side by side: up to four offers, each a case taken either in the mainland (with its
zone's relief) or in Hong Kong. No Textual here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..api import calculate_many
from ..engine import Options
from ..i18n import N_, _, money
from ..tables import Tables
from .report import percent


def cny(v) -> str:
    return money(v, "CNY", decimals=False)

MAX_PACKAGES = 4
ZONE_SHORT = {"none": N_("Mainland, no zone"), "gba": N_("GBA city"), "hetao": N_("Hetao"), "qianhai": N_("Qianhai"),
              "nansha": N_("Nansha"), "hengqin": N_("Hengqin")}


@dataclass
class Package:
    data: dict[str, Any]       # the scenario's valid values
    side: str = "mainland"     # or "hk": the same case's Hong Kong side (hk_income if given)

    def name(self) -> str:
        if self.side == "hk":
            return _("Hong Kong")
        zone = self.data.get("zone", "none")
        return _(ZONE_SHORT.get(zone, zone))


@dataclass
class Figures:
    gross: Decimal
    tax: Decimal
    relief: Decimal
    net: Decimal
    rate: Decimal


def figures(packages: list[Package], tables: Tables, options: Options | None = None) -> list[Figures]:
    """Everything in CNY a year; one pass of the kernels for all packages."""
    if not packages:
        return []
    results = calculate_many([p.data for p in packages], tables=tables, options=options or Options())
    out = []
    for p, r in zip(packages, results):
        if p.side == "hk":
            gross = (r.hk_income * r.cny_per_hkd).quantize(Decimal("0.01"))
            tax = r.hk_tax_cny
            out.append(Figures(gross, tax, Decimal(0), gross - tax, (tax / gross) if gross else Decimal(0)))
        else:
            out.append(Figures(r.gross_income, r.iit_net, r.relief, r.net_income_mainland, r.effective_rate_mainland))
    return out


def table(packages: list[Package], tables: Tables, options: Options | None = None) -> tuple[list[str], list[list[str]]]:
    """Column headers and rows (label, then one cell per package); the last rows compare with the first."""
    figs = figures(packages, tables, options)
    headers = [""] + [f"{k + 1}. {p.name()}" for k, p in enumerate(packages)]
    rows = [
        [_("Gross income")] + [cny(f.gross) for f in figs],
        [_("Tax (after relief)")] + [cny(f.tax) for f in figs],
        [_("Zone relief")] + [cny(f.relief) for f in figs],
        [_("Net income")] + [cny(f.net) for f in figs],
        [_("Effective rate")] + [percent(f.rate) for f in figs],
    ]
    if figs:
        base = figs[0]

        def diff(v: Decimal, better_if_higher: bool) -> str:
            if v == 0:
                return "="
            arrow = "▲" if v > 0 else "▼"
            word = _("better") if (v > 0) == better_if_higher else _("worse")
            return f"{arrow} {cny(abs(v))} {word}"

        rows.append([_("Net vs 1")] + ["—"] + [diff(f.net - base.net, True) for f in figs[1:]])
        rows.append([_("Tax vs 1")] + ["—"] + [diff(f.tax - base.tax, False) for f in figs[1:]])
        best = max(range(len(figs)), key=lambda k: figs[k].net)
        rows.append([_("Highest net")] + ["★" if k == best else "" for k in range(len(figs))])
    return headers, rows


def default_packages(data: dict[str, Any]) -> list[Package]:
    """The example's three offers: Hetao, Qianhai, Hong Kong."""
    return [Package(dict(data, zone="hetao")), Package(dict(data, zone="qianhai")), Package(dict(data), side="hk")]

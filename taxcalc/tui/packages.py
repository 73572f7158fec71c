"""Packages side by side: up to four offers, each a whole case (the mainland side with its zone's
relief, and the same work as a Hong Kong job), compared by :func:`taxcalc.compare.compare`: its
figures (:data:`taxcalc.compare.COMPARE_FIGURES`) and its exact differences against the first.
No Textual here; nothing is summed or subtracted here.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..compare import compare, zone_packages
from ..engine import Options
from ..i18n import N_, _, figure_text, render, term
from ..messages import msg
from ..scenario import Scenario
from ..tables import Tables
from .report import computed

MAX_PACKAGES = 4
#: a package's cell for a figure not computed for it (the employer's side without the social
#: insurance computed from wages), and what the table says of it
NOT_COMPUTED = "—"
NOT_COMPUTED_NOTE = N_("—: not computed. The employer's social insurance and cost need the social insurance "
                       "computed from wages (step 5, Deductions).")
#: the registry's groups as the sides of the comparison, each under a heading
SIDES = {"mainland": "mainland", "zone": "mainland", "hongkong": "hongkong"}
SIDE_TITLES = {"mainland": N_("The mainland job"), "hongkong": N_("The Hong Kong job"),
               "gap": N_("Gaps and the exchange rate")}


def header(k: int, s: Scenario) -> str:
    """A package's column: its number and zone, then its year and identity (two lines)."""
    return _("{n}. {zone}\n{year}, {identity}").format(n=k + 1, zone=term("choice:zone", s.zone), year=s.tax_year,
                                                      identity=term("choice:identity", s.identity))


def table(packages: list[dict[str, Any]], tables: Tables, options: Options | None = None) -> tuple[list[str], list[list]]:
    """Column headers and rows: the figure's label, its value in each package, then its difference
    from the first package (numbers only, with their sign) for each of the others. The rows come
    under three headings (the mainland job, the Hong Kong job, gaps and the exchange rate), each
    side's figures in compare's order (its take-home pay and employer's cost last)."""
    if not packages:
        return [_("Figure")], []
    c = compare(packages, tables=tables, options=options or Options())
    headers = [_("Figure")] + [header(k, r.scenario) for k, r in enumerate(c.results)]
    headers += [render(msg("compare.difference", a=k + 1, b=1)) for k in range(1, len(c.results))]
    by_side: dict[str, list[list]] = {side: [] for side in SIDE_TITLES}
    for row in c.rows():
        f = row["figure"]
        signed = f.group == "gap"                             # a gap is a difference: shown with its sign
        done = [computed(f.name, r) for r in c.results]
        cells = [term("figure", f.name)] + [figure_text(v, f, signed=signed) if ok else NOT_COMPUTED
                                            for v, ok in zip(row["values"], done)]
        cells += [figure_text(d, f, signed=True) if ok and done[0] else NOT_COMPUTED
                  for d, ok in zip(row["diffs"][1:], done[1:])]
        by_side[SIDES.get(f.group, "gap")].append(cells)
    rows = []
    for side, items in by_side.items():                      # a heading row, then the side's figures
        rows.append([Text(_(SIDE_TITLES[side]), style="bold")] + [""] * (len(headers) - 1))
        rows += items
    return headers, rows


#: the zones the current case is compared in, by identity (the first two besides its own)
VARIANTS = {"hk": ("hetao", "qianhai", "none", "nansha"), "macao": ("hengqin", "nansha", "none")}
OTHER_VARIANTS = ("gba", "nansha", "none")


def default_packages(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The current case, then the same case in two other zones that matter to its identity (a Hong
    Kong resident: Hetao, Qianhai or elsewhere; a Macao resident: Hengqin, Nansha or
    elsewhere; others: another GBA city, Nansha or elsewhere). Each column also shows the same work
    as a Hong Kong job. The zones' cases as ``taxcalc compare --zones`` makes them (a zone in one
    city implies it; elsewhere a case that computes its social insurance keeps its city)."""
    zones = VARIANTS.get(data.get("identity", "mainland"), OTHER_VARIANTS)
    others = [z for z in zones if z != data.get("zone", "none")][:2]
    codes, cases = zone_packages({k: v for k, v in data.items() if not (k == "city" and v == "none")})
    return [dict(data)] + [cases[codes.index(z)] for z in others]


INTRO = N_("Up to four offers side by side: each column is a case, its mainland side and the same work as a "
           "Hong Kong job; the last columns are the differences from the first. a: add the current case; "
           "d: remove the highlighted column; c: clear. Arrow keys move across the columns.")
FOLLOWING = N_("Following the current case: it in its own zone, then in two other zones. Add, remove or clear a "
               "package to keep your own list.")

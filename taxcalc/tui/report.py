"""The figures a person reads, in the current language: used by the results panel and the exports.

No Textual here.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from ..api import Result
from ..i18n import N_, _, money, percent
from ..results import RESULT_COLUMNS
from .fields import CHOICE_LABELS, POLICY_NAMES, RELIEF_KINDS

# the explanation's reasons a policy does not apply (prefixes of the core's notes)
_REASONS = (
    ("applies", N_("applies")),
    ("not available: identity", N_("not for this identity")),
    ("not available: needs recognised talent", N_("needs recognised talent status")),
    ("not available: zone", N_("not in this zone")),
    ("not in force", N_("not in force in this year")),
    ("not available:", N_("too few work days in the zone")),
)


def cny(v) -> str:
    return money(v, "CNY")


def hkd(v) -> str:
    return money(v, "HKD")


def policy_name(pid: str) -> str:
    return _(POLICY_NAMES[pid]) if pid in POLICY_NAMES else pid


def relief_line(r: Result) -> str:
    if r.relief_policy == "none" or not r.relief:
        return _("No zone relief applies.")
    text = _("{policy}: {kind}, paid in {year}").format(
        policy=policy_name(r.relief_policy), kind=_(RELIEF_KINDS.get(r.relief_kind, r.relief_kind)),
        year=r.relief_paid_in)
    if r.relief_assumed_extended:
        text += " " + _("(assumes the policy is renewed)")
    return text


def other_reliefs(r: Result) -> list[tuple[str, str, str]]:
    """(policy, amount, why) for each policy the explanation lists, the chosen one first."""
    out = []
    if r.explanation is None:
        return out
    zones = next((c for c in r.explanation.children if c.label.startswith("Zone reliefs")), None)
    if zones is None:
        return out
    for step in zones.children:
        label = step.label.removeprefix("chosen: ")
        pid = label.split(":", 1)[0]
        why = next((_(msg) for prefix, msg in _REASONS if step.note.startswith(prefix)), step.note)
        if pid == r.relief_policy:
            why = _("chosen")
        elif step.note.startswith("applies"):
            why = _("applies, but smaller")
        out.append((policy_name(pid), cny(step.value.replace(",", "") or 0), why))
    out.sort(key=lambda t: t[2] != _("chosen"))
    return out


def gap_text(r: Result) -> str:
    gap = r.burden_gap_cny
    gap_hkd = (gap / r.cny_per_hkd).quantize(Decimal(1)) if r.cny_per_hkd else Decimal(0)
    if gap > 0:
        return _("▲ the mainland takes {cny} ({hkd}) more than Hong Kong").format(cny=cny(gap), hkd=money(gap_hkd, "HKD", decimals=False))
    if gap < 0:
        return _("▼ the mainland takes {cny} ({hkd}) less than Hong Kong").format(cny=cny(-gap), hkd=money(-gap_hkd, "HKD", decimals=False))
    return _("= the same tax on both sides")


def summary(r: Result) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Sections of (key, label, value) rows; keys are stable for tests."""
    s = r.scenario
    ml = [
        ("gross_income", _("Gross income"), cny(r.gross_income)),
        ("iit_taxable", _("Taxable income"), cny(r.iit_taxable)),
        ("iit", _("Tax before relief"), cny(r.iit)),
        ("relief", _("Zone relief"), cny(r.relief)),
        ("iit_net", _("Tax after relief"), cny(r.iit_net)),
        ("net_income_mainland", _("Net income"), cny(r.net_income_mainland)),
        ("effective_rate_mainland", _("Effective rate"), percent(r.effective_rate_mainland)),
    ]
    hk = [
        ("hk_income", _("Assessable income"), hkd(r.hk_income)),
        ("hk_tax", _("Salaries Tax"), hkd(r.hk_tax)),
        ("hk_tax_cny", _("In CNY at {rate}").format(rate=r.cny_per_hkd.normalize()), cny(r.hk_tax_cny)),
        ("hk_net_income", _("Net income"), hkd(r.hk_net_income)),
        ("effective_rate_hk", _("Effective rate"), percent(r.effective_rate_hk)),
    ]
    if r.hk_tax_reduction:
        hk.insert(2, ("hk_tax_reduction", _("One-off reduction"), hkd(r.hk_tax_reduction)))
    gap = [("burden_gap_cny", _("Mainland − Hong Kong"), cny(r.burden_gap_cny))]
    who = _(CHOICE_LABELS["identity"].get(s.identity, s.identity))
    zone = _(CHOICE_LABELS["zone"].get(s.zone, s.zone))
    return [
        (_("Mainland {year}: {who}, {zone}").format(year=s.tax_year, who=who, zone=zone), ml),
        (_("Hong Kong {ya}").format(ya=r.hk_year_of_assessment), hk),
        (_("Gap"), gap),
    ]


def notes(r: Result) -> list[str]:
    out = []
    msgs = {
        "the bonus lies in a cliff": N_("The bonus lies in a cliff: a smaller bonus would leave more after tax."),
        "the relief assumes an expired policy": N_("The relief assumes an expired policy was renewed."),
        "non-residents get no deductions": N_("Non-residents get no deductions beyond 5,000 a month: the deductions given were ignored."),
        "Hong Kong: no table for": N_("Hong Kong: no table for this year; the latest year of assessment was used."),
    }
    for n in r.notes:
        out.append(next((_(m) for k, m in msgs.items() if n.startswith(k)), n))
    return out


def markdown(r: Result) -> str:
    """The results and the explanation as Markdown, in the current language."""
    t_case, t_item, t_amount, t_relief, t_gap = _("Tax case"), _("Item"), _("Amount"), _("Zone relief"), _("Gap")
    t_considered, t_policy, t_why, t_explanation, t_inputs = (_("Reliefs considered"), _("Policy"), _("Why"),
                                                              _("Explanation"), _("Inputs"))
    lines = [f"# {t_case} — {r.scenario.id or ''}".rstrip(" —"), ""]
    for title, rows in summary(r):
        lines += [f"## {title}", "", f"| {t_item} | {t_amount} |", "|---|---:|"]
        lines += [f"| {label} | {value} |" for _k, label, value in rows]
        lines.append("")
    lines += [f"**{t_relief}:** {relief_line(r)}", "", f"**{t_gap}:** {gap_text(r)}", ""]
    others = other_reliefs(r)
    if others:
        lines += [f"## {t_considered}", "", f"| {t_policy} | {t_amount} | {t_why} |", "|---|---:|---|"]
        lines += [f"| {p} | {a} | {w} |" for p, a, w in others]
        lines.append("")
    for n in notes(r):
        lines.append(f"> {n}")
    if r.explanation is not None:
        from ..explain import render_text

        lines += ["", f"## {t_explanation}", "", render_text(r.explanation), ""]
    lines += ["", f"## {t_inputs}", "", "```json", _inputs_json(r), "```", ""]
    return "\n".join(lines)


def _inputs_json(r: Result) -> str:
    import json

    data = r.scenario.model_dump(exclude_none=True, mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2)


def csv_text(r: Result) -> str:
    """One row: the input columns then the result columns, as the batch output writes them."""
    data = r.scenario.model_dump(mode="json")
    out = {k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v) for k, v in data.items()}
    for c in RESULT_COLUMNS:
        v = getattr(r, c.name)
        out[c.name] = "" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(out), lineterminator="\n")
    w.writeheader()
    w.writerow(out)
    return buf.getvalue()

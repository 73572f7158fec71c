"""What a person reads, in the UI language: the results panel's sections, the relief and the gap
in words, the explanation's lines, and the exports (Markdown, CSV). No Textual here.

Every number is a registry figure (:mod:`taxcalc.figures`) formatted with
:func:`taxcalc.i18n.figure_text`, or a typed value of the core formatted with
:func:`taxcalc.i18n.value_text`; every sentence is a message rendered through the catalogs. Nothing
here computes a figure, rounds one, or reads the core's English.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..api import Result
from ..explain import Step, citation_text, relief_summary
from ..figures import BY_NAME, FIGURES
from ..i18n import _, figure_text, get_language, money, render, term, value_text
from ..messages import msg
from ..scenario import FIELDS as FIELD_NAMES
from ..summary import Summary
from ..tables import Citation, Tables

# ---------------------------------------------------------------------------------------------
# the results panel: the registry's figures by group

#: the panel's sections, in order: a registry group each
SECTION_GROUPS = ("mainland", "zone", "hongkong", "macao", "gap")
#: figures shown elsewhere: the bools and words in the notes and the relief line, the year of
#: assessment in the Hong Kong section's title; the bonus cliff before relief (the engine's) is
#: judged after relief by taxcalc.summary, in the headline, the notes and beside the bonus
NOT_IN_PANEL = frozenset({"bonus_cliff", "bonus_cliff_threshold", "bonus_cliff_loss", "relief_policy", "relief_kind",
                          "relief_paid_in", "relief_assumed_extended",
                          "hk_year_of_assessment"})
#: the exchange rates (group fx) sit with the side they convert
FX_SECTION = {"cny_per_hkd_used": "hongkong", "cny_per_mop_used": "macao"}
MACAO_ZONES = ("hengqin", "nansha")


def panel_figures() -> dict[str, tuple[str, ...]]:
    """Section -> the names of its figures, in registry order (every figure the panel can show)."""
    out: dict[str, list[str]] = {g: [] for g in SECTION_GROUPS}
    for f in FIGURES:
        if f.name not in NOT_IN_PANEL and f.group in out:
            out[f.group].append(f.name)
    for name, section in FX_SECTION.items():      # last in their section: what the amounts were converted at
        out[section].append(name)
    return {g: tuple(names) for g, names in out.items()}


PANEL = panel_figures()


def macao_side(r: Result) -> bool:
    """The Macao side is shown for Macao residents and in the zones with a Macao measure."""
    return r.scenario.identity == "macao" or r.scenario.zone in MACAO_ZONES


def _burden_formulas(r: Result, tables: Tables | None) -> set[str]:
    """The burdens (hk_burden, macao_burden) a policy that could apply to the person compares with."""
    if tables is None:
        return set()
    out = set()
    for o in r.reliefs:
        if o.reason not in ("identity", "zone") and o.policy in tables.policies:
            out.add(tables.policies[o.policy][1].formula)
    return out


def spouse_income(r: Result) -> bool:
    """A married couple with two incomes: the household's figures matter."""
    s = r.scenario
    return bool(s.hk_married and s.hk_spouse_income)


def visible(name: str, r: Result, tables: Tables | None = None) -> bool:
    """Whether the panel shows a figure for this result (rows that matter only sometimes): the
    household's figures with a spouse's income, the employer's share and cost when the social
    insurance is computed, the deductions and the contributions when there are some."""
    s = r.scenario
    if name == "bonus_method_used":
        return bool(s.bonus)
    if name in ("bonus_cliff_threshold", "bonus_cliff_loss"):
        return bool(r.bonus_cliff)
    if name in ("hk_tax_before_reduction", "hk_tax_reduction"):
        return bool(r.hk_tax_reduction)
    if name in ("hk_burden", "hk_burden_cny"):
        return "hk_burden" in _burden_formulas(r, tables)
    if name in ("macao_burden", "macao_burden_cny"):
        return "macao_burden" in _burden_formulas(r, tables)
    if name in ("burden_gap_macao_cny",) or name in PANEL["macao"]:
        return macao_side(r)
    if name in ("hk_assessment_used", "hk_tax_spouse", "hk_tax_household"):
        return spouse_income(r)
    if name == "hk_tax_household_reduction":
        return spouse_income(r) and bool(r.hk_tax_household_reduction)
    if name == "hk_deductions_allowed":
        return bool(r.hk_deductions_allowed)
    if name == "social_insurance_employee_cny":
        return bool(r.social_insurance_employee_cny) or s.social_insurance_auto
    if name in EMPLOYER_FIGURES:
        return computed(name, r)
    return True


#: the employer's side: computed with the social insurance from wages (social_insurance_auto);
#: the registry's 0 for them otherwise means "not computed", not "nothing to pay"
EMPLOYER_FIGURES = ("social_insurance_employer_cny", "employer_cost_cny", "hk_employer_cost")


def computed(name: str, r: Result) -> bool:
    """Whether a figure was computed for this result: the employer's figures only with the social
    insurance computed from wages (the panel hides them, the packages table shows a dash)."""
    return name not in EMPLOYER_FIGURES or r.scenario.social_insurance_auto


#: the explanation's steps of the Hong Kong claims, and the field each one is about
CLAIM_FIELDS = {"step.hk_claim_hli": ("hk_home_loan_interest",), "step.hk_claim_rent": ("hk_rent",),
                "step.hk_claim_home": ("hk_home_loan_interest", "hk_rent"),
                "step.hk_claim_elderly": ("hk_elderly_care",), "step.hk_claim_education": ("hk_self_education",),
                "step.hk_claim_vhis": ("hk_vhis_premiums",), "step.hk_claim_annuity": ("hk_annuity_tvc",),
                "step.hk_claim_donations": ("hk_donations",)}


def field_notes(r: Result, summary: Summary | None = None) -> dict[str, list[str]]:
    """The core's notes about an input, by field, in the UI language: an amount above the year's
    cap (the result's notes and the explanation's Hong Kong claims), rent not deductible in the
    year, donations below the minimum, the common ceiling of home loan interest and rent. Each
    note once per field (the Hong Kong job and the burden explain the same claims)."""
    out: dict[str, list[str]] = {}

    def add(field: str, note) -> None:
        text = render(note, fields="label")
        if text not in out.setdefault(field, []):
            out[field].append(text)

    for n in (summary.notes if summary is not None else r.notes):
        field = n.params.get("field")
        if n.code == "note.capped" and getattr(field, "kind", "") == "field":
            add(field.value, n)
    if r.explanation is not None:
        for _depth, step in r.explanation.walk():
            if step.note is None:
                continue
            field = step.note.params.get("field")
            if getattr(field, "kind", "") == "field" and field.value in FIELD_NAMES:
                add(field.value, step.note)
            else:
                for name in CLAIM_FIELDS.get(step.code, ()):
                    add(name, step.note)
    return out


def figure_value(r: Result, name: str) -> str:
    """A figure of the result as the panel shows it; the gaps with their sign."""
    f = BY_NAME[name]
    return figure_text(getattr(r, name), f, signed=f.group == "gap")


def section_title(group: str, r: Result) -> str:
    s = r.scenario
    if group == "mainland":
        return _("Mainland {year}: {identity}, {zone}").format(
            year=s.tax_year, identity=term("choice:identity", s.identity), zone=term("choice:zone", s.zone))
    if group == "zone":
        return _("The zone: {zone}").format(zone=term("choice:zone", s.zone))
    if group == "hongkong":
        return _("The Hong Kong job, year of assessment {ya}").format(ya=r.hk_year_of_assessment)
    if group == "macao":
        return _("The Macao side")
    return _("Mainland against Hong Kong")


@dataclass(frozen=True)
class Row:
    name: str          # the registry figure
    label: str         # its label, with the numbers of the marks that change it ([1])
    value: str
    shown: bool


def mark_numbers(summary: Summary | None) -> dict[str, list[int]]:
    """Figure -> the numbers (1, 2, ...) of the marks that change it, in the order they are listed."""
    out: dict[str, list[int]] = {}
    for n, m in enumerate(summary.marks if summary is not None else (), start=1):
        for name in m.figures:
            out.setdefault(name, []).append(n)
    return out


def refs(numbers) -> str:
    """Mark numbers as they follow a figure: `` [1][3]`` (digits and brackets read in every language)."""
    return (" " + "".join(f"[{n}]" for n in numbers)) if numbers else ""


def sections(r: Result, tables: Tables | None = None, summary: Summary | None = None) -> list[tuple[str, str, list[Row]]]:
    """(group, title, rows) for every section of the panel, every row the section can have (in
    registry order, always the same), with whether it is shown for this result."""
    numbers = mark_numbers(summary)
    out = []
    for group in SECTION_GROUPS:
        rows = [Row(n, term("figure", n) + refs(numbers.get(n)), figure_value(r, n), visible(n, r, tables))
                for n in PANEL[group]]
        out.append((group, section_title(group, r), rows))
    return out


def relief_line(r: Result) -> str:
    """The chosen relief in one line: what, how much, when it is settled."""
    return render(relief_summary(r), fields="label")


def headline_lines(summary: Summary) -> list[tuple[str, str]]:
    """The headline (taxcalc.summary): (key, text) for what the person pays, the zone relief, the
    burden it compares with, the other side, why a gap remains, the bonus cliff; each line with the
    numbers of the marks on the figures it shows."""
    out = []
    for line in summary.lines:
        seen = [n for n, m in enumerate(summary.marks, start=1) if line.key in m.lines]
        text = render(line.message, fields="label")
        if line.key == "cliff":
            text = _("⚠ {message}").format(message=text)
        out.append((line.key, text + refs(seen)))
    return out


def headline(summary: Summary) -> str:
    return "\n".join(text for _key, text in headline_lines(summary))


def weigh_lines(summary: Summary, sources: bool = False) -> list[str]:
    """The marks, numbered as the figures refer to them: placeholders, proposed values, an
    adviser's policy window, an assumed renewal; with their source when ``sources``."""
    out = []
    for n, m in enumerate(summary.marks, start=1):
        text = _("[{n}] {mark}").format(n=n, mark=render(m.message, fields="label"))
        if sources and m.citation is not None:
            text += "\n    " + citation_line(m.citation)
        out.append(text)
    return out


def gap_text(r: Result) -> str:
    """The gap against the Hong Kong job in words, with ▲ / ▼ (never colour alone)."""
    gap = r.burden_gap_cny
    args = {"cny": figure_value(r, "burden_gap_cny"), "hkd": figure_value(r, "burden_gap_hkd")}
    if gap > 0:
        return _("▲ the mainland takes more than Hong Kong: {cny} ({hkd})").format(**args)
    if gap < 0:
        return _("▼ the mainland takes less than Hong Kong: {cny} ({hkd})").format(**args)
    return _("= the same tax on both sides")


def reliefs_considered(r: Result) -> list[str]:
    """One line per zone policy considered, the chosen one first: its amount, or why not."""
    lines = []
    for o in sorted(r.reliefs, key=lambda o: not o.chosen):
        policy, amount = term("policy", o.policy), money(o.amount, "CNY")
        if o.chosen:
            lines.append(_("✓ {policy}: {amount}, chosen").format(policy=policy, amount=amount))
        elif o.reason == "applies":
            lines.append(_("· {policy}: {amount}, applies, but smaller").format(policy=policy, amount=amount))
        else:
            lines.append(_("· {policy}: {why}").format(policy=policy, why=render(o.why, fields="label")))
    return lines


def notes(r: Result, summary: Summary | None = None) -> list[str]:
    """The notes on a result (the bonus cliff judged after the zone relief when ``summary`` is given)."""
    return [render(n, fields="label") for n in (summary.notes if summary is not None else r.notes)]


# ---------------------------------------------------------------------------------------------
# the explanation


def step_parts(step: Step) -> tuple[str, str]:
    """A step's label and value (or '') in the UI language."""
    value = value_text(step.value) if step.value is not None else ""
    return render(step.label, fields="label"), value


def step_line(step: Step, value: str | None = None) -> str:
    """``label: value`` (the core's ``line.label_value``); ``value`` replaces the step's own."""
    label, own = step_parts(step)
    value = own if value is None else value
    return render(msg("line.label_value", label=label, value=value)) if value else label


def formula_line(step: Step) -> str:
    return render(msg("line.formula", formula=step.formula), fields="label") if step.formula is not None else ""


def note_line(step: Step) -> str:
    return render(msg("line.note", note=step.note), fields="label") if step.note is not None else ""


def citation_line(c: Citation) -> str:
    """The source: the document's title as published (a proper name, from the tables), in English
    also the article the tables give (their notes are English), the marks in the UI language."""
    return render(msg("line.source", source=citation_text(c, get_language())))


def step_detail(step: Step) -> str:
    """Everything about one step: the line, its formula, note, source and address."""
    lines = [step_line(step), formula_line(step), note_line(step)]
    if step.citation is not None:
        lines.append(citation_line(step.citation))
        if step.citation.url:
            lines.append(step.citation.url)
    return "\n".join(line for line in lines if line)


def explanation_text(step: Step) -> str:
    """The explanation as indented text in the UI language (the Markdown export)."""
    lines = []
    for depth, st in step.walk():
        pad = "  " * depth
        lines.append(f"{pad}- {step_line(st)}")
        for extra in (formula_line(st), note_line(st), citation_line(st.citation) if st.citation else ""):
            if extra:
                lines.append(f"{pad}    {extra}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# exports


def _md(text: str) -> str:
    """A cell of a Markdown table: | and line breaks escaped."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def markdown(r: Result, tables: Tables | None = None, summary: Summary | None = None) -> str:
    """The case as Markdown, in the UI language: the headline, what to weigh (with sources), every
    figure by section, the reliefs considered, the notes, the explanation and the inputs."""
    name = r.scenario.id
    title = _("Tax case: {name}").format(name=name) if name else _("Tax case")
    lines = [f"# {_md(title)}", ""]
    if summary is not None:
        lines += [f"- {_md(text)}" for _key, text in headline_lines(summary)] + [""]
        if summary.marks:
            weigh = _("What to weigh")
            lines += [f"## {weigh}", ""]
            lines += [f"- {line}".replace("\n    ", "\n  ") for line in weigh_lines(summary, sources=True)]
            lines.append("")
    for group, heading, rows in sections(r, tables, summary):
        shown = [row for row in rows if row.shown]
        if not shown:
            continue
        lines += [f"## {heading}", "", f"| {_('Figure')} | {_('Amount')} |", "|---|---:|"]
        lines += [f"| {_md(row.label)} | {_md(row.value)} |" for row in shown]
        lines.append("")
        if group == "zone":
            lines += [_md(relief_line(r)), ""]
    lines += [gap_text(r), "", f"## {_('Reliefs considered')}", ""]
    lines += [f"- {_md(line)}" for line in reliefs_considered(r)]
    lines.append("")
    for n in notes(r, summary):
        lines.append(f"> {_md(n)}")
    if r.explanation is not None:
        lines += ["", f"## {_('Explanation')}", "", explanation_text(r.explanation), ""]
    lines += ["", f"## {_('Inputs')}", "", "```json", _inputs_json(r), "```", ""]
    return "\n".join(lines)


def _inputs_json(r: Result) -> str:
    import json

    data = r.scenario.model_dump(exclude_none=True, mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2)


def csv_text(r: Result) -> str:
    """One row: the input columns then every registry figure, as the batch output writes them
    (plain values: no grouping, no currency signs)."""
    data = r.scenario.model_dump(mode="json")
    out = {k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v) for k, v in data.items()}
    for name, v in r.outputs().items():
        out[name] = "" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
    out = {k: _cell(v) for k, v in out.items()}
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(out), lineterminator="\n")
    w.writeheader()
    w.writerow(out)
    return buf.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(v):
    """Text a spreadsheet would run as a formula starts with a '; numbers are left alone."""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        try:
            float(v)
            return v
        except ValueError:
            return "'" + v
    return v

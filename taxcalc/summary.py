"""What a person weighs, in a few lines: the headline comparison, the values to be wary of, and
the bonus cliff judged after the zone relief.

Everything here is computed by the core from engine figures; the faces (the terminal UI, ``taxcalc
calc``, the exports) only render the messages. Where a comparison needs a figure the result does
not hold, the same case runs through the engine again with one input changed (a vectorised second
row): the Hong Kong job without MPF, at the mainland income, or with the threshold bonus.

* :func:`burden_vs_job` explains why the Hong Kong burden the zone caps compare with
  (``hk_burden``: no MPF, before the one-off reduction, on the gross mainland income in HK$) differs
  from the tax of the Hong Kong job (``hk_tax``: with MPF, after the reduction, on
  ``hk_assessable_income``), factor by factor, in whole HK dollars that add up to the difference.
* :func:`bonus_cliff` judges the bonus on what the person keeps after IIT *and* the relief.
* :func:`marks` lists the values behind a result that are placeholders, proposed, from an
  adviser, or assumed, with the figures they change and their source.
* :func:`summarize` puts them together: the headline lines (each a message and the figures it
  shows), the marks, the cliff and the result's notes with the cliff judged after relief.

The rules are documented in docs/figures.md ("The headline").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from .messages import Money, Msg, Number, Term, msg
from .tables import Citation, Tables

if TYPE_CHECKING:  # pragma: no cover
    from .api import Result
    from .engine import Options

#: the Hong Kong values a case uses: (allowance key, the scenario field that makes it count, the step label)
HK_ALLOWANCES = (
    ("married", "hk_married", "step.hk_allow_married"),
    ("basic", None, "step.hk_allow_basic"),
    ("child", "hk_children", "step.hk_allow_children"),
    ("child_newborn_additional", "hk_newborns", "step.hk_allow_children"),
    ("dependent_parent_60", "hk_parents_60", "step.hk_allow_parents"),
    ("dependent_parent_60_additional", "hk_parents_60_living_with", "step.hk_allow_parents"),
    ("dependent_parent_55", "hk_parents_55", "step.hk_allow_parents"),
    ("dependent_parent_55_additional", "hk_parents_55_living_with", "step.hk_allow_parents"),
    ("single_parent", "hk_single_parent", "step.hk_allow_other"),
    ("disabled_dependant", "hk_disabled_dependants", "step.hk_allow_other"),
    ("personal_disability", "hk_disability", "step.hk_allow_other"),
    ("dependent_sibling", "hk_siblings", "step.hk_allow_other"),
)
#: the marks worth a person's attention, most doubtful first (tables' confidence and status values)
MARK_ORDER = ("placeholder", "proposed", "uncertain", "adviser", "inferred")


# ---------------------------------------------------------------------------------------------
# the types


@dataclass(frozen=True)
class Line:
    """One line of the headline: ``key`` (pay, relief, burden, alternative, why, cliff), the message,
    and the registry figures it shows (a face puts the marks of those figures beside it)."""

    key: str
    message: Msg
    figures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mark:
    """A value behind the result to be wary of: the figures it changes directly, the table value
    (``key`` in ``table``), the mark (placeholder, proposed, uncertain, adviser, assumed), what it
    says, its source, and the headline lines it changes."""

    figures: tuple[str, ...]
    table: str
    key: str
    mark: str
    message: Msg
    citation: Citation | None = None
    lines: tuple[str, ...] = ()       # the headline lines it changes (Line.key)


@dataclass(frozen=True)
class Factor:
    """One reason the Hong Kong job's tax differs from the Hong Kong burden: its code and its share
    of ``hk_burden - hk_tax`` in whole HK dollars (positive: the job takes less)."""

    code: str
    amount: int
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BurdenVsJob:
    burden: int                 # hk_burden, HK$
    job: int                    # hk_tax, HK$
    difference: int             # hk_burden - hk_tax, HK$ (the factors add up to it)
    difference_cny: Decimal     # hk_burden_cny - hk_tax_cny
    factors: tuple[Factor, ...]
    message: Msg


@dataclass(frozen=True)
class Cliff:
    """A bonus in a cliff after the zone relief: bonuses above ``threshold`` and below ``upper``
    keep less after IIT and the relief than ``threshold`` itself; ``loss`` is what the threshold
    would keep more than the bonus given."""

    threshold: Decimal
    upper: Decimal
    loss: Decimal
    message: Msg


@dataclass(frozen=True)
class Summary:
    side: str                         # hk or macao: the other side the headline compares with
    lines: tuple[Line, ...]
    marks: tuple[Mark, ...]
    cliff: Cliff | None
    notes: tuple[Msg, ...]            # the result's notes, the bonus cliff judged after relief
    burden_vs_job: BurdenVsJob | None


# ---------------------------------------------------------------------------------------------
# the same case through the engine, with inputs changed


def _rows(r: Result, tables: Tables, options: Options, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The figures of the case with each set of ``changes`` (one engine pass, no trace)."""
    from . import columns as colmod
    from .api import figure_values
    from .engine import compute

    cols = colmod.from_scenarios([r.scenario.model_copy(update=c) for c in changes])
    comp = compute(cols, tables, options, trace=False)
    return [figure_values(comp, i) for i in range(len(comp))]


def _keeps(r: Result, tables: Tables, options: Options, bonuses: list[int]) -> list[int]:
    """``income_after_iit`` in fen of the case with each bonus (in fen): one engine pass of as
    many rows, only that figure read."""
    from . import columns as colmod
    from .engine import compute

    base = colmod.from_scenarios([r.scenario])
    n = len(bonuses)
    cols = {k: np.repeat(v, n) for k, v in base.items()}
    cols["bonus"] = np.asarray(bonuses, dtype=np.int64)
    comp = compute(cols, tables, options, trace=False)
    return [int(v) for v in comp.figures["income_after_iit"]]


# ---------------------------------------------------------------------------------------------
# the Hong Kong burden against the Hong Kong job


def _hkd(v: Decimal | int) -> Money:
    return Money(v, "HKD", 0)


def burden_vs_job(r: Result, tables: Tables, options: Options) -> BurdenVsJob:
    """Why ``hk_burden`` (what the zone caps compare with) and ``hk_tax`` (the Hong Kong job)
    differ, factor by factor, walking from the job to the burden one difference at a time:

    1. the one-off reduction (unless ``--hk-burden-reduction`` puts it in the burden too):
       ``hk_tax_before_reduction - hk_tax``;
    1a. under joint assessment, the person's share of the couple's tax against the person
       assessed alone (the zone rule counts the person alone);
    2. MPF: the same job with no MPF deducted, less step 1's tax;
    3. the income: the job at the gross mainland income in HK$ (what ``hk_income`` defaults to),
       less step 2's tax (0 when ``hk_income`` was not given);
    4. the year of assessment (``--hk-burden-year previous``), else anything left ("other"):
       ``hk_burden`` less step 3's tax.

    Each step's tax is an engine figure; the factors add up to ``hk_burden - hk_tax`` exactly. The
    order matters where factors interact (MPF is worth the marginal rate at the job's income); it
    is the order above."""
    s = r.scenario
    after = "hk_tax" if options.hk_burden_reduction else "hk_tax_before_reduction"
    joint = r.hk_assessment_used == "joint"            # the job's tax is a share of the couple's
    alone: dict[str, Any] = {"hk_assessment": "separate"} if joint else {}
    changes: list[dict[str, Any]] = ([alone] if joint else []) + [{**alone, "hk_mpf": Decimal(0)}]
    income_given = s.hk_income is not None
    if income_given:
        changes.append({**alone, "hk_mpf": Decimal(0), "hk_income": None})
    rows = _rows(r, tables, options, changes)
    job_before = getattr(r, after)
    factors = []
    if job_before != r.hk_tax:
        factors.append(Factor("why.reduction", job_before - r.hk_tax))
    start = job_before
    if joint:
        separate = rows[0][after]
        if separate != job_before:
            factors.append(Factor("why.joint_less" if separate > job_before else "why.joint_more", separate - job_before))
        start = separate
    no_mpf = rows[1 if joint else 0][after]
    at_mainland_income = rows[-1][after]
    if no_mpf != start:
        factors.append(Factor("why.mpf", no_mpf - start, {"mpf": Money(r.hk_mpf_deducted, "HKD")}))
    if at_mainland_income != no_mpf:
        code = "why.income_less" if at_mainland_income > no_mpf else "why.income_more"
        factors.append(Factor(code, at_mainland_income - no_mpf,
                              {"job": Money(r.hk_assessable_income, "HKD"),
                               "zone": Money(rows[-1]["hk_assessable_income"], "HKD"),
                               "rate": Number(r.cny_per_hkd_used)}))
    rest = r.hk_burden - at_mainland_income
    if rest:
        if options.hk_burden_year == "previous":
            code = "why.year_less" if rest > 0 else "why.year_more"
            job_ya = r.hk_year_of_assessment
            zone_ya = tables.hongkong[tables.hk_year_for(s.tax_year - 1)[0]].year_of_assessment
            factors.append(Factor(code, rest, {"zone_ya": zone_ya, "job_ya": job_ya}))
        else:
            factors.append(Factor("why.other_less" if rest > 0 else "why.other_more", rest))
    difference = r.hk_burden - r.hk_tax
    difference_cny = r.hk_burden_cny - r.hk_tax_cny
    parts = [msg(f.code, amount=_hkd(abs(f.amount)), **f.params) for f in factors]
    if not parts:
        message = msg("summary.job_same")
    else:
        code = "summary.job_less" if difference > 0 else "summary.job_more" if difference < 0 else "summary.job_even"
        message = msg(code, amount=_hkd(abs(difference)), amount_cny=Money(abs(difference_cny), "CNY"),
                      factors=_joined(parts))
    return BurdenVsJob(r.hk_burden, r.hk_tax, difference, difference_cny, tuple(factors), message)


def _joined(parts: list[Msg]) -> Msg | str:
    """Several messages as one, in the language's way of listing clauses ("a; b")."""
    if not parts:
        return ""
    out = parts[-1]
    for p in reversed(parts[:-1]):
        out = msg("summary.and", a=p, b=out)
    return out


# ---------------------------------------------------------------------------------------------
# the bonus cliff, judged after the zone relief


SEARCH_ROWS = 256


def bonus_cliff(r: Result, tables: Tables, options: Options) -> Cliff | None:
    """The bonus judged on what the person keeps after IIT and the zone relief (``income_after_iit``).

    The engine flags a cliff before relief (``bonus_cliff``: the bonus, taxed apart, lies above a
    threshold where a smaller bonus would keep more after IIT). A relief can absorb the jump (a cap
    at the Hong Kong burden takes the extra IIT back), so the threshold bonus runs through the
    engine with the same case: only if it keeps more after relief is the bonus in a cliff. The
    range to avoid ends at the smallest bonus (to the fen) that keeps at least as much as the
    threshold, found by a k-ary search of vectorised rows (after-relief income rises with the
    bonus within a bracket). A cliff after relief lies within the cliff before relief (a relief
    never makes the jump larger), so no cliff before relief means none after."""
    return _judge_cliff(r, tables, options)[0]


def _judge_cliff(r: Result, tables: Tables, options: Options) -> tuple[Cliff | None, Msg | None]:
    """(the cliff after relief, or None; the note on the bonus: the cliff, or why a bonus just above
    a threshold is not in a cliff once the relief is counted; None without a cliff before relief)."""
    if not r.bonus_cliff:
        return None, None
    threshold = r.bonus_cliff_threshold
    t_fen, b_fen = int(threshold * 100), int(r.scenario.bonus * 100)
    keep_b = int(r.income_after_iit * 100)
    keep_t = _keeps(r, tables, options, [t_fen])[0]
    if keep_t <= keep_b:
        more = Money(Decimal(keep_b - keep_t) / 100, "CNY")
        return None, msg("cliff.absorbed", threshold=Money(threshold, "CNY"), more=more)
    lo, hi = b_fen, max(2 * b_fen - t_fen, b_fen + 1)     # keep(lo) < keep_t; find hi with keep(hi) >= keep_t
    while _keeps(r, tables, options, [hi])[0] < keep_t:
        lo, hi = hi, hi + 2 * (hi - t_fen)
    while hi - lo > 1:                                     # invariant: keep(lo) < keep_t <= keep(hi)
        step = -(-(hi - lo) // SEARCH_ROWS)
        points = list(range(lo + step, hi, step))
        keeps = _keeps(r, tables, options, points)
        lo = max((p for p, k in zip(points, keeps) if k < keep_t), default=lo)
        hi = min((p for p, k in zip(points, keeps) if k >= keep_t), default=hi)
    upper = (Decimal(hi) / 100).quantize(Decimal("0.01"))
    loss = (Decimal(keep_t - keep_b) / 100).quantize(Decimal("0.01"))
    message = msg("cliff.after_relief", threshold=Money(threshold, "CNY"), upper=Money(upper, "CNY"),
                  loss=Money(loss, "CNY"))
    return Cliff(threshold, upper, loss, message), message


def _notes(r: Result, note: Msg | None) -> tuple[Msg, ...]:
    """The result's notes, the bonus cliff's judged after relief."""
    return tuple(note if n.code == "note.bonus_cliff" and note is not None else n for n in r.notes)


# ---------------------------------------------------------------------------------------------
# the values to be wary of


def _mark_of(cited: Any) -> str | None:
    """The most doubtful mark of a table value (its status or its confidence), or None."""
    marks = {getattr(cited, "status", "enacted"), getattr(cited, "confidence", "verified")}
    return next((m for m in MARK_ORDER if m in marks), None)


def marks(r: Result, tables: Tables, options: Options) -> tuple[Mark, ...]:
    """The values behind this result that are placeholders, proposed, uncertain or from an
    adviser, or assumed; each with the figures it changes directly (a face flags those), the
    headline lines it changes, and its source:

    * the default exchange rate, when the case gives none (``tables/fx.toml``): ``cny_per_hkd_used``
      (and ``cny_per_mop_used`` when derived from it); every amount converted, so the burden and
      the other side's lines;
    * the Hong Kong allowances the case uses, where proposed or uncertain: ``hk_tax`` and
      ``hk_burden`` (for the year of assessment of each); the one-off reduction: ``hk_tax`` (and
      ``hk_burden`` with ``--hk-burden-reduction``);
    * for a Macao resident, the Macao exemption, reduction and refund: ``macao_tax``, ``macao_burden``;
    * the chosen relief's window where its end comes from an adviser, or a relief assumed renewed: ``relief``."""
    s = r.scenario
    side = side_of(r)
    out: list[Mark] = []
    fx = tables.fx
    if s.cny_per_hkd is None and fx is not None:
        year = max((y for y in fx.cny_per_hkd if y <= s.tax_year), default=s.tax_year)
        cited = tables.cny_per_hkd(s.tax_year)
        mark = _mark_of(cited)
        if mark and (side == "hk" or s.cny_per_mop is None):
            figs = ("cny_per_hkd_used",) + (("cny_per_mop_used",) if s.cny_per_mop is None else ())
            out.append(Mark(figs, "fx", f"cny_per_hkd.{year}", mark,
                            msg("mark.fx", year=year, rate=Number(cited.value), mark=Term("mark", mark),
                                field=Term("field", "cny_per_hkd")),
                            tables.citation(fx, f"cny_per_hkd.{year}", cited), ("burden", "alternative")))
    if side == "hk":
        job_year = tables.hk_year_for(s.tax_year)[0]
        burden_year = tables.hk_year_for(s.tax_year + options.hk_burden_offset)[0]
        for year in sorted({job_year, burden_year}):
            names = (("hk_burden",) if year == burden_year else ()) + (("hk_tax",) if year == job_year else ())
            keys = (("burden",) if year == burden_year else ()) + (("alternative",) if year == job_year else ())
            out += _hk_marks(r, tables, year, names, keys, options)
    else:
        out += _macao_marks(r, tables)
    out += _policy_marks(r, tables)
    return tuple(out)


def _hk_marks(r: Result, tables: Tables, year: int, figs: tuple[str, ...], lines: tuple[str, ...],
              options: Options) -> list[Mark]:
    """The allowances the case uses and the one-off reduction of one Hong Kong year, by mark."""
    s = r.scenario
    t = tables.hongkong[year]
    a = t.allowances
    by_mark: dict[str, list[tuple[str, Msg]]] = {}
    for key, field_name, label in HK_ALLOWANCES:
        if key == "basic" and s.hk_married:
            continue
        if field_name is not None and not getattr(s, field_name):
            continue
        cited = getattr(a, key)
        mark = _mark_of(cited)
        if mark in ("placeholder", "proposed", "uncertain"):
            by_mark.setdefault(mark, []).append((f"allowances.{key}", msg("mark.value", label=msg(label),
                                                                          amount=_hkd(cited.value))))
    out = []
    for mark in MARK_ORDER:
        items = by_mark.get(mark)
        if items:
            key = items[0][0]
            out.append(Mark(figs, _table_name(t), key, mark,
                            msg("mark.hk_values", ya=t.year_of_assessment, values=_joined([m for _k, m in items]),
                                mark=Term("mark", mark)),
                            tables.citation(t, key, _lookup(t, key)), lines))
    red = t.reduction
    mark = _mark_of(red.rate) or _mark_of(red.cap)
    in_job, in_burden = "hk_tax" in figs, "hk_burden" in figs and options.hk_burden_reduction
    if mark in ("placeholder", "proposed", "uncertain") and (in_job or in_burden):
        reduction: Msg = (msg("step.hk_reduction", rate=_rate(red.rate.value), cap=_hkd(red.cap.value))
                          if red.rate.value else msg("mark.no_reduction"))
        rfigs = (("hk_tax",) if in_job else ()) + (("hk_burden",) if in_burden else ())
        rlines = (("alternative",) if in_job else ()) + (("burden",) if in_burden else ())
        out.append(Mark(rfigs, _table_name(t), "reduction.rate", mark,
                        msg("mark.hk_values", ya=t.year_of_assessment, values=reduction, mark=Term("mark", mark)),
                        tables.citation(t, "reduction.rate", red.rate), rlines))
    return out


def _macao_marks(r: Result, tables: Tables) -> list[Mark]:
    year = tables.macao_year_for(r.scenario.tax_year)[0]
    t = tables.macao[year]
    p = t.professional_tax
    by_mark: dict[str, list[tuple[str, Msg]]] = {}
    items = (("exemption", p.exemption, msg("mark.value", label=msg("mark.macao_exemption"),
                                            amount=Money(p.exemption.value, "MOP", 0))),
             ("reduction", p.reduction, msg("mark.value", label=msg("mark.macao_reduction"), amount=_rate(p.reduction.value))),
             ("refund_rate", p.refund_rate, msg("mark.value", label=msg("mark.macao_refund"), amount=_rate(p.refund_rate.value))))
    for key, cited, text in items:
        mark = _mark_of(cited)
        if mark in ("placeholder", "proposed", "uncertain"):
            by_mark.setdefault(mark, []).append((f"professional_tax.{key}", text))
    out = []
    for mark in MARK_ORDER:
        found = by_mark.get(mark)
        if found:
            key = found[0][0]
            out.append(Mark(("macao_tax", "macao_burden"), _table_name(t), key, mark,
                            msg("mark.macao_values", year=year, values=_joined([m for _k, m in found]),
                                mark=Term("mark", mark)),
                            tables.citation(t, key, _lookup(t, key)), ("burden", "alternative")))
    return out


def _policy_marks(r: Result, tables: Tables) -> list[Mark]:
    if r.relief_policy == "none" or r.relief_policy not in tables.policies:
        return []
    zt, p = tables.policies[r.relief_policy]
    key = f"{p.id}.last_year"
    if r.relief_assumed_extended:
        m = msg("mark.assumed_extended", policy=Term("policy", p.id), last=int(p.last_year.value),
                option=Term("option", "assume_extended"))
        return [Mark(("relief",), _table_name(zt), key, "assumed", m, tables.citation(zt, key, p.last_year), ("relief",))]
    mark = _mark_of(p.last_year)
    if not mark:
        return []
    m = msg("mark.window", policy=Term("policy", p.id), last=int(p.last_year.value), mark=Term("mark", mark))
    return [Mark(("relief",), _table_name(zt), key, mark, m, tables.citation(zt, key, p.last_year), ("relief",))]


def _rate(v: Any) -> Any:
    from .messages import Rate

    return Rate(Decimal(str(v)))


def _lookup(table: Any, key: str) -> Any:
    obj = table
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


def _table_name(table: Any) -> str:
    from .tables import _table_name as name

    return name(table)


# ---------------------------------------------------------------------------------------------
# the headline


MACAO_ZONES = ("hengqin", "nansha")


def side_of(r: Result) -> str:
    """The other side the headline compares with: Macao for a Macao resident, else Hong Kong."""
    return "macao" if r.scenario.identity == "macao" else "hk"


def _burden_policy(r: Result, tables: Tables, formula: str) -> Any:
    """The policy capping at this burden that matters to the person: the chosen one, else one for
    their identity and zone (applying but smaller, or out of its window, short of days, talent)."""
    relevant = [o for o in r.reliefs if o.policy in tables.policies
                and tables.policies[o.policy][1].formula == formula and o.reason not in ("identity", "zone")]
    return next((o for o in relevant if o.chosen), relevant[0] if relevant else None)


def _gap_mop(r: Result) -> Decimal:
    """burden_gap_macao_cny / cny_per_mop_used, to the avo, half away from zero (as burden_gap_hkd)."""
    gap: Decimal = r.burden_gap_macao_cny
    value: Decimal = (abs(gap) / r.cny_per_mop_used).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return -value if gap < 0 else value


def summarize(r: Result, tables: Tables, options: Options) -> Summary:
    """The headline of a result, its marks, the bonus cliff after relief and its notes."""
    from .explain import relief_summary

    side = side_of(r)
    lines = []
    if r.relief_policy != "none":
        lines.append(Line("pay", msg("summary.pay", iit_net=Money(r.iit_net, "CNY"), iit=Money(r.iit, "CNY")),
                          ("iit_net", "iit")))
    else:
        lines.append(Line("pay", msg("summary.pay_no_relief", iit_net=Money(r.iit_net, "CNY")), ("iit_net",)))
    lines.append(Line("relief", relief_summary(r), ("relief",)))
    formula = "macao_burden" if side == "macao" else "hk_burden"
    policy = _burden_policy(r, tables, formula)
    if policy is not None:
        if side == "macao":
            burden, burden_cny = Money(r.macao_burden, "MOP", 0), r.macao_burden_cny
            figs: tuple[str, ...] = ("macao_burden", "macao_burden_cny")
        else:
            burden, burden_cny = _hkd(r.hk_burden), r.hk_burden_cny
            figs = ("hk_burden", "hk_burden_cny")
        common = {"side": Term("word", side), "burden": burden, "burden_cny": Money(burden_cny, "CNY")}
        diff = Money(abs(r.iit_net - burden_cny), "CNY")
        if r.iit_net == burden_cny:
            m = msg("summary.burden_equal", **common)
        elif r.iit_net < burden_cny:
            m = msg("summary.burden_below", diff=diff, **common)
        else:
            m = msg("summary.burden_above", diff=diff, policy=Term("policy", policy.policy), why=policy.why, **common)
        lines.append(Line("burden", m, figs + ("iit_net",)))
    comparison = None
    if side == "macao":
        gap = r.burden_gap_macao_cny
        code = "summary.macao_more" if gap > 0 else "summary.macao_less" if gap < 0 else "summary.macao_same"
        lines.append(Line("alternative", msg(code, tax=Money(r.macao_tax, "MOP", 0), tax_cny=Money(r.macao_tax_cny, "CNY"),
                                             refund=Money(r.macao_refund, "MOP", 0), gap=Money(abs(gap), "CNY"),
                                             gap_mop=Money(abs(_gap_mop(r)), "MOP")),
                          ("macao_tax", "macao_tax_cny", "burden_gap_macao_cny")))
        if policy is not None:
            code = "summary.macao_burden_net" if options.macao_refund else "summary.macao_burden_gross"
            lines.append(Line("why", msg(code, refund=Money(r.macao_refund, "MOP", 0), option=Term("option", "no_macao_refund")),
                              ("macao_burden", "macao_refund")))
    else:
        gap = r.burden_gap_cny
        code = "summary.hk_more" if gap > 0 else "summary.hk_less" if gap < 0 else "summary.hk_same"
        lines.append(Line("alternative", msg(code, tax=_hkd(r.hk_tax), tax_cny=Money(r.hk_tax_cny, "CNY"),
                                             gap=Money(abs(gap), "CNY"), gap_hkd=Money(abs(r.burden_gap_hkd), "HKD")),
                          ("hk_tax", "hk_tax_cny", "burden_gap_cny", "burden_gap_hkd")))
        if policy is not None:
            comparison = burden_vs_job(r, tables, options)
            lines.append(Line("why", comparison.message, ("hk_burden", "hk_tax")))
        elif r.relief_policy in tables.policies and tables.policies[r.relief_policy][1].formula == "rate_cap":
            cap_rate = tables.policies[r.relief_policy][1].rate
            if cap_rate is not None:            # why a gap to Hong Kong remains: the promise is a rate, not parity
                lines.append(Line("why", msg("summary.rate_cap_why", policy=Term("policy", r.relief_policy),
                                             rate=_rate(cap_rate.value)), ("relief",)))
    cliff, note = _judge_cliff(r, tables, options)
    if cliff is not None:
        lines.append(Line("cliff", cliff.message, ("bonus_cliff_threshold",)))
    return Summary(side, tuple(lines), marks(r, tables, options), cliff, _notes(r, note), comparison)

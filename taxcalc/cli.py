"""The command line: ``taxcalc calc | breakeven | compare | batch | tables``, and the terminal UI.

The command line computes nothing. Every input goes to the core as the text typed (the one
grammar, :mod:`taxcalc.validate`, reads it, so a flag, a case file and a batch cell mean the same
and get the same message for the same mistake); every figure comes from the engine and is shown
through the registry (:mod:`taxcalc.figures`) and the catalogs (:mod:`taxcalc.i18n`) in the
language of ``--lang`` (en, zh-Hans, zh-Hant; default en). Imports stay lazy so that
``taxcalc --help`` answers at once.

Exit status:

* 0: done;
* 2: bad input, a bad file or bad tables: ``error:`` lines on standard error (one per problem,
  naming the field and what it accepts), never a traceback; also a command-line usage error;
* 3: ``batch`` only: some rows were rejected (they are in the errors file, the others computed);
* 4: standard output could not be written (a full disk, an I/O error);
* 130: interrupted.
"""

from __future__ import annotations

import io
import os
import sys
from decimal import Decimal

import click

EXIT_BAD_INPUT = 2
EXIT_ROWS_REJECTED = 3
EXIT_INTERRUPTED = 130

CLI_LANGS = ("en", "zh-Hans", "zh-Hant")

#: the metavar of a scenario field's option, by the field's kind (taxcalc.scenario)
METAVARS = {"money": "AMOUNT", "rate": "RATE", "year": "YEAR", "count": "COUNT", "days": "DAYS",
            "choice": "CHOICE", "choice_int": "CHOICE", "text": "TEXT"}

#: help texts the command line words its own way (the field's description is the batch column's)
HELP_OVERRIDES = {"id": "a name for the case (kept in the --json inputs)"}

#: the figure groups of the text output, in order (taxcalc.figures.Figure.group)
GROUP_ORDER = ("mainland", "zone", "hongkong", "macao", "gap", "fx")

#: figures the text output shows only when the condition (another figure, true) holds
SHOWN_WHEN = {"relief_assumed_extended": "relief_assumed_extended"}
#: figures the text output leaves to the headline: the bonus cliff before relief (the engine's flag)
#: is judged after relief by taxcalc.summary, in the headline and the notes (JSON keeps every figure)
IN_HEADLINE = ("bonus_cliff", "bonus_cliff_threshold", "bonus_cliff_loss")
#: figures the relief summary line says in words
IN_RELIEF_SUMMARY = ("relief_policy", "relief_kind", "relief_paid_in")

#: the table marks ``tables`` reports (a value's status or confidence); the summary shows the first two
TABLE_MARKS = ("proposed", "placeholder", "uncertain", "inferred")
SUMMARY_MARKS = ("proposed", "placeholder", "uncertain")


# ---------------------------------------------------------------------------------------------
# errors and language


def _lang_of(ctx: click.Context) -> str:
    obj = ctx.find_root().obj or {}
    return obj.get("cli_lang") or obj.get("lang") or "en"


def _shown(text: str) -> str:
    """A message for the terminal: a control character in it (an escape sequence in a file
    name, which the messages repeat) shown as ``?``, line by line."""
    from .errors import visible

    return "\n".join(visible(line) for line in text.split("\n"))


def _echo_error(lines: list[str]) -> None:
    for line in lines:
        click.echo(_shown(f"error: {line}"), err=True)


def _fail(message: str) -> None:
    _echo_error([message])
    sys.exit(EXIT_BAD_INPUT)


class _Group(click.Group):
    """Runs a command; a user's mistake (any TaxcalcError) becomes ``error:`` lines and exit 2."""

    def main(self, *args, **kwargs):
        """Standard output that cannot be written (``> /dev/full``: a full disk, an I/O error) is one
        ``error:`` line and exit 4, as for batch, not a traceback; what is still buffered is flushed
        here, so that the failure shows before the interpreter's own flush at exit."""
        import errno

        if sys.stdout is None:                   # `>&-`: click would drop the output and exit 0
            sys.stdout = _ClosedStdout()
        elif getattr(sys.stdout, "errors", None) == "strict" and hasattr(sys.stdout, "reconfigure"):
            # a terminal in latin-1 or cp1252: what it cannot show (the Chinese of --lang, a ▲) as a
            # \u escape, as Python writes standard error, rather than a UnicodeEncodeError traceback
            sys.stdout.reconfigure(errors="backslashreplace")
        try:
            try:
                return super().main(*args, **kwargs)
            finally:
                if sys.stdout is not None:
                    sys.stdout.flush()
        except OSError as exc:
            _quiet_stdout()
            if exc.errno == errno.EPIPE:         # the reader left (`| head`): not an error
                sys.exit(0)
            _say(f"error: cannot write standard output: {exc.strerror or exc}")
            sys.exit(EXIT_WRITE_FAILED)

    def invoke(self, ctx):
        from .errors import TaxcalcError

        try:
            return super().invoke(ctx)
        except TaxcalcError as exc:
            from .batch.errors import BatchWriteError
            from .i18n import error_lines

            _echo_error(error_lines(exc, _lang_of(ctx)))
            # a file that could not be written (a full disk: compare -o, split -o, ...) is exit 4 for
            # every command, as for batch; anything else is the user's input: exit 2
            sys.exit(EXIT_WRITE_FAILED if isinstance(exc, BatchWriteError) else EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:      # `taxcalc tables --sources | head`: the reader left, not an error
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)


class _ClosedStdout(io.TextIOBase):
    """Standard output when the process was started without one (``>&-``): writing it fails as
    a closed descriptor does, so a command that prints says so (exit 4) instead of losing its
    answer; a command that prints nothing (batch -o FILE) is not stopped. No ``buffer``: batch
    ``-o -`` refuses it as a closed standard output."""

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        import errno

        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def _check_lang(ctx, param, value):
    if value is None:
        return None
    from .i18n import LANGS, normalize

    lang = normalize(value)
    if lang not in LANGS:
        raise click.BadParameter(f"{value!s} is not one of {', '.join(CLI_LANGS)}")
    return lang


def _lang_option(f):
    return click.option("--lang", "lang", default=None, callback=_check_lang, metavar="|".join(CLI_LANGS),
                        help="language of the messages, labels and explanation (default en; "
                             "also accepted before the command)")(f)


def _use_lang(ctx: click.Context, lang: str | None) -> str:
    """The command's language: its own --lang, else the global one, else English."""
    obj = ctx.find_root().obj
    if lang is not None:
        obj["cli_lang"] = lang
    return _lang_of(ctx)


# ---------------------------------------------------------------------------------------------
# options


def _field_option(name: str) -> click.Option:
    """The option of one scenario field: its text goes to the core as typed."""
    from .scenario import field_choices, field_help, field_kind, field_unit

    kind = field_kind(name)
    flag = "--" + name.replace("_", "-")
    help_ = HELP_OVERRIDES.get(name) or field_help(name)
    if kind == "bool":
        no = "--no-" + name.replace("_", "-")
        return click.Option([f"{flag}/{no}", name], default=None, help=help_)
    if kind in ("choice", "choice_int"):
        choices = [str(c) for c in field_choices(name)]
        if not all(c in help_ for c in choices):
            help_ = f"{help_} [one of: {', '.join(choices)}]"
    elif field_unit(name):
        help_ = f"{help_} [{field_unit(name)}]"
    return click.Option([flag, name], type=str, default=None, metavar=METAVARS[kind], help=help_)


class _ScenarioCommand(click.Command):
    """Adds one option per scenario field (taxcalc.scenario.FIELDS, the batch columns, in their
    order) after the command's own options, when the command is used, not at import."""

    def get_params(self, ctx):
        if not getattr(self, "_fields_added", False):
            from .scenario import FIELDS

            self.params = self.params + [_field_option(name) for name in FIELDS]
            self._fields_added = True
        return super().get_params(ctx)


def _options_flags(f):
    """The options that change the documented defaults (docs/assumptions.md), in every command."""
    f = click.option("--macao-refund/--no-macao-refund", default=True, show_default=True,
                     help="net the Macao resident's refund from the Macao burden (docs/assumptions.md Z3)")(f)
    f = click.option("--hk-burden-year", type=click.Choice(["same", "previous"]), default="same",
                     help="HK year of assessment for the burden: beginning (same) or ending (previous) in the tax year")(f)
    f = click.option("--hk-burden-reduction", is_flag=True, help="include HK's one-off reduction in the HK burden")(f)
    f = click.option("--assume-extended", is_flag=True, help="apply an expired zone policy as if renewed (what-if)")(f)
    return f


def _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund):
    from .engine import Options

    return Options(assume_extended=assume_extended, hk_burden_reduction=hk_burden_reduction,
                   hk_burden_year=hk_burden_year, macao_refund=macao_refund)


def _read_case(path: str) -> dict:
    """A case file (``-``: standard input), read by the core's safe reader."""
    from .errors import TaxcalcError
    from .validate import MAX_CASE_BYTES, read_case_file, read_json_text

    if path != "-":
        return read_case_file(path)
    from .messages import Number

    if sys.stdin is None or getattr(sys.stdin, "buffer", None) is None:      # `<&-`
        raise TaxcalcError.coded("file.unreadable", path="-", reason="standard input is closed")
    data = sys.stdin.buffer.read(MAX_CASE_BYTES + 1)
    if len(data) > MAX_CASE_BYTES:
        raise TaxcalcError.coded("file.too_large", path="-", max=Number(MAX_CASE_BYTES))
    case = read_json_text(data, "-")
    if not isinstance(case, dict):
        raise TaxcalcError.coded("file.not_object", path="-")
    return case


def _case(input_file: str | None, fields: dict) -> dict:
    """The case: the file's keys, then the flags given (flags win)."""
    case = _read_case(input_file) if input_file is not None else {}
    case.update({k: v for k, v in fields.items() if v is not None})
    return case


# ---------------------------------------------------------------------------------------------
# the group


@click.group(cls=_Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--tables", "tables_dir", type=click.Path(file_okay=False),
              help="a directory of your own tables, read after the shipped ones (or set TAXCALC_TABLES)")
@click.option("--lang", type=str, default=None, callback=_check_lang, metavar="|".join(CLI_LANGS),
              help="language of the messages, labels and explanation (default en), and of the terminal UI "
                   "(default: the system's)")
@click.version_option(package_name="gba-taxcalc")
@click.pass_context
def main(ctx, tables_dir, lang):
    """Mainland IIT, Hong Kong Salaries Tax, Macao Professional Tax and the Greater Bay Area zone
    reliefs, exact to the fen.

    With no command, opens the terminal UI (in a terminal). Exit status: 0 done; 2 bad input, files or tables
    (an error: message); 3 batch rows rejected (in the errors file).
    """
    ctx.ensure_object(dict)
    ctx.obj["tables_dir"] = tables_dir
    ctx.obj["lang"] = lang
    if ctx.invoked_subcommand is None:
        if not (_is_terminal(sys.stdin) and _is_terminal(sys.stdout)):   # taxcalc > file, or in a pipe: it would wait forever
            from .errors import TaxcalcError

            raise TaxcalcError.coded("tui.no_terminal")
        try:
            from .tui.app import run as run_tui
        except ImportError as exc:  # the UI is optional for scripted use
            _fail(f"the terminal UI is not available ({exc}); see taxcalc --help")
        sys.exit(run_tui(lang=lang, tables_dir=tables_dir))


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):                # a closed stream
        return False


def json_text(data) -> str:
    """JSON for standard output (taxcalc.errors.json_text: no character that drives a terminal)."""
    from .errors import json_text as text

    return text(data)


def _tables(ctx):
    from .tables import load_tables

    return load_tables(ctx.find_root().obj.get("tables_dir"))


# ---------------------------------------------------------------------------------------------
# calc


@main.command("calc", cls=_ScenarioCommand)
@click.option("--input", "input_file", metavar="FILE",
              help="a JSON file with the case (the batch column keys; - for standard input); flags override it")
@click.option("--json", "as_json", is_flag=True, help="print the inputs, every figure, the reliefs and notes as JSON")
@click.option("--explain", is_flag=True, help="print every step with its formula and citation")
@_lang_option
@_options_flags
@click.pass_context
def calc(ctx, input_file, as_json, explain, lang, assume_extended, hk_burden_reduction, hk_burden_year, macao_refund,
         **fields):
    """Compute one case, from flags or a JSON file: the mainland IIT, the zone relief, Hong Kong
    Salaries Tax, Macao Professional Tax and the gaps.

    Amounts are yearly, CNY unless the option says HK$; 900000, 900,000 and 9E+5 are the same.
    Words are read in any case (--zone Hetao). Example:

    \b
      taxcalc calc --tax-year 2026 --identity hk --zone hetao --talent --wages 900000
    """
    from .api import calculate

    lang = _use_lang(ctx, lang)
    case = _case(input_file, fields)
    options = _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund)
    from .summary import summarize

    tables = _tables(ctx)
    result = calculate(case, tables=tables, options=options, explain=True)
    summary = summarize(result, tables, options)
    if as_json:
        click.echo(json_text(_calc_json(result, lang, explain, summary)))
        return
    click.echo(_breakdown(result, lang, summary))
    if explain:
        from .explain import render_text

        click.echo("")
        click.echo(render_text(result.explanation, lang))


def _plain(value):
    """A figure as JSON: exact decimals as text, the rest as they are."""
    return str(value) if isinstance(value, Decimal) else value


def _inputs(scenario) -> dict:
    """The case's validated inputs as JSON: amounts as plain decimal text (900000, not 9E+5)."""
    return {k: format(v, "f") if isinstance(v, Decimal) else v
            for k, v in scenario.model_dump(exclude_none=True).items()}


def _calc_json(r, lang: str, explain: bool, summary=None) -> dict:
    from .explain import citation_text
    from .i18n import render

    out = {"inputs": _inputs(r.scenario)}
    out.update({name: _plain(value) for name, value in r.outputs().items()})
    out["reliefs_considered"] = [
        {"policy": o.policy, "kind": o.kind, "first_year": o.first_year, "last_year": o.last_year,
         "reason": o.reason, "why": render(o.why, lang), "why_code": o.why.code, "amount": _plain(o.amount),
         "chosen": o.chosen, "settled_in": o.settled_in, "extended": o.extended, "tax_free": o.tax_free}
        for o in r.reliefs]
    out["notes"] = [{"code": n.code, "text": render(n, lang)} for n in (summary.notes if summary else r.notes)]
    if summary is not None:
        out["headline"] = [{"line": line.key, "code": line.message.code, "text": render(line.message, lang),
                            "figures": list(line.figures)} for line in summary.lines]
        out["marks"] = [{"mark": m.mark, "figures": list(m.figures), "table": m.table, "key": m.key,
                         "code": m.message.code, "text": render(m.message, lang), "lines": list(m.lines),
                         "source": citation_text(m.citation, lang) if m.citation else None}
                        for m in summary.marks]
    if explain:
        out["explanation"] = r.explanation.to_dict(lang)
    return out


def _refs(numbers: list[int]) -> str:
    """Mark numbers as they follow a line or a figure: ` [1][3]`."""
    return (" " + "".join(f"[{n}]" for n in numbers)) if numbers else ""


def _breakdown(r, lang: str, summary=None) -> str:
    """The result as text: the case, the headline (taxcalc.summary: what the person pays, what the
    zone promises, the other side, why a gap remains) and what to weigh, then each group of
    registry figures (with the numbers of the marks that change them), then the notes."""
    from .errors import visible
    from .explain import citation_text, relief_summary
    from .figures import FIGURES
    from .i18n import figure_text, render, term
    from .messages import msg

    head = render(r.explanation.label, lang) if r.explanation is not None else str(r.scenario.tax_year)
    if r.scenario.talent:
        head = f"{head}{'，' if lang.startswith('zh') else ', '}{term('field', 'talent', lang)}"
    lines = [f"{visible(r.scenario.id)}: {head}" if r.scenario.id else head]
    marks = list(enumerate(summary.marks, start=1)) if summary is not None else []
    if summary is not None:
        lines.append("")
        for line in summary.lines:
            lines.append(f"{render(line.message, lang)}{_refs([n for n, m in marks if line.key in m.lines])}")
        if marks:
            lines += ["", render(msg("summary.weigh"), lang)]
            for n, m in marks:
                lines.append(f"  [{n}] {render(m.message, lang)}")
                if m.citation is not None:
                    lines.append("      " + render(msg("line.source", source=citation_text(m.citation, lang)), lang))
    for group in GROUP_ORDER:
        rows = []
        if group == "zone":
            rows.append((render(relief_summary(r), lang), ""))
        for f in FIGURES:
            if f.group != group or f.name in IN_RELIEF_SUMMARY or f.name in IN_HEADLINE:
                continue
            if f.name in SHOWN_WHEN and not getattr(r, SHOWN_WHEN[f.name]):
                continue
            if f.name == "bonus_method_used" and not r.scenario.bonus:
                continue
            rows.append((f"{term('figure', f.name, lang)}{_refs([n for n, m in marks if f.name in m.figures])}",
                         figure_text(getattr(r, f.name), f, signed=group == "gap", lang=lang)))
        lines += ["", term("group", group, lang)] + _columns(rows, indent="  ")
    notes = summary.notes if summary is not None else r.notes
    if notes:
        lines += ["", term("group", "notes", lang)] + [f"  - {render(n, lang)}" for n in notes]
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns the text takes on a terminal (CJK characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _columns(rows: list[tuple[str, str]], indent: str = "") -> list[str]:
    """Two columns of text, the first padded to its widest cell (layout only: strings in, strings out)."""
    width = max((_width(k) for k, v in rows if v), default=0)
    return [f"{indent}{k}{' ' * (width - _width(k))}  {v}".rstrip() if v else f"{indent}{k}" for k, v in rows]


# ---------------------------------------------------------------------------------------------
# tables


@main.command("tables")
@click.option("--sources", is_flag=True, help="every table file with its title, sources and marked values")
@click.option("--json", "as_json", is_flag=True, help="every table file with its title and sources, as JSON")
@_lang_option
@click.pass_context
def tables_cmd(ctx, sources, as_json, lang):
    """The tables: for each jurisdiction the years covered and the years with values marked
    proposed (not yet enacted) or uncertain; --sources lists every file, its sources and the
    values marked proposed, uncertain or inferred."""
    lang = _use_lang(ctx, lang)
    tables = _tables(ctx)
    if as_json:
        click.echo(json_text(tables.listing()))
        return
    if sources:
        click.echo(_tables_sources(tables, lang))
        return
    click.echo(_tables_summary(tables, lang))


def _marked(table) -> dict[str, list[str]]:
    """The keys of a table's values by mark (proposed, uncertain, inferred)."""
    from .tables import _walk_cited

    out: dict[str, list[str]] = {}
    for key, cited in _walk_cited(table):
        marks = {getattr(cited, "status", ""), getattr(cited, "confidence", "")}
        for mark in TABLE_MARKS:
            if mark in marks:
                out.setdefault(mark, []).append(key)
    return out


def _span(labels: list[tuple[int, str]]) -> str:
    """Years as runs: 2019-2027, or 2021-2022, 2024 (labels as the tables write them: 2025/26)."""
    parts, run = [], []
    for year, label in sorted(labels):
        if run and year != run[-1][0] + 1:
            parts.append(run)
            run = []
        run.append((year, label))
    if run:
        parts.append(run)
    return ", ".join(r[0][1] if len(r) == 1 else f"{r[0][1]}-{r[-1][1]}" for r in parts)


def _tables_summary(tables, lang: str) -> str:
    from .i18n import term

    rows = []
    for jur, by_year in (("mainland", tables.mainland), ("hongkong", tables.hongkong), ("macao", tables.macao)):
        label = (lambda y, t: t.year_of_assessment) if jur == "hongkong" else (lambda y, t: str(y))
        years = [(y, label(y, t)) for y, t in by_year.items()]
        marks: dict[str, list] = {}
        for y, t in by_year.items():
            for mark in _marked(t):
                marks.setdefault(mark, []).append((y, label(y, t)))
        rows.append((term("group", jur, lang), _span(years), _marks_text(marks, lang)))
    if tables.fx is not None:
        rates = tables.fx.cny_per_hkd
        marks = {}
        for y, cited in rates.items():
            for mark in TABLE_MARKS:
                if mark in (cited.status, cited.confidence):
                    marks.setdefault(mark, []).append((y, str(y)))
        rows.append((term("group", "fx", lang), _span([(y, str(y)) for y in rates]), _marks_text(marks, lang)))
    zones = sorted(tables.zones)
    marks = {}
    for z in zones:
        for mark in _marked(tables.zones[z]):
            marks.setdefault(mark, []).append(z)
    firsts = [p.first_year for _z, p in tables.policies.values()]
    lasts = [int(p.last_year.value) for _z, p in tables.policies.values()]
    window = f"{min(firsts)}-{max(lasts)}" if firsts else ""
    zone_marks = [f"{term('mark', m, lang)}: {', '.join(marks[m])}" for m in SUMMARY_MARKS if m in marks]
    rows.append((term("group", "zone", lang), window, "; ".join([", ".join(zones), *zone_marks])))
    if tables.social:
        from .tables import year_of_assessment

        marks = {}
        for (city, y), t in sorted(tables.social.items()):
            for mark in _marked(t):
                marks.setdefault(mark, []).append(f"{term('choice:city', city, lang)} {year_of_assessment(y)}")
        cities = ", ".join(f"{term('choice:city', c, lang)} {year_of_assessment(y)}" for c, y in sorted(tables.social))
        social_marks = [f"{term('mark', m, lang)}: {', '.join(marks[m])}" for m in SUMMARY_MARKS if m in marks]
        rows.append((term("group", "social", lang), cities, "; ".join(social_marks)))
    w1 = max(_width(r[0]) for r in rows)
    w2 = max(_width(r[1]) for r in rows)
    return "\n".join(f"{a}{' ' * (w1 - _width(a))}  {b}{' ' * (w2 - _width(b))}  {c}".rstrip() for a, b, c in rows)


def _marks_text(marks: dict[str, list], lang: str) -> str:
    from .i18n import term

    return "; ".join(f"{term('mark', m, lang)}: {_span(marks[m])}" for m in SUMMARY_MARKS if m in marks)


def _tables_sources(tables, lang: str) -> str:
    from .i18n import term
    from .tables import _table_name

    lines = []
    for row in tables.listing():
        lines.append(f"{row['jurisdiction']:<9} {row['year']:<8} {row['title']}")
        for src in row["sources"]:
            lines.append(f"{'':<19}- {src}")
    marked = []
    for table in [*tables.mainland.values(), *tables.hongkong.values(), *tables.macao.values(),
                  *([tables.fx] if tables.fx else []), *tables.zones.values(), *tables.social.values()]:
        for mark, keys in _marked(table).items():
            marked.append(f"{_table_name(table)}: {term('mark', mark, lang)}: {', '.join(keys)}")
    if marked:
        lines += [""] + marked
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# batch


@main.command("batch")
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", "output_path", required=True,
              help="output file (.csv, .jsonl, .parquet, .xlsx; - for standard output)")
@click.option("--sheet", default=None, help="with an .xlsx input: the sheet to read (default: the first)")
@click.option("--errors", "errors_path", default=None,
              help="where rejected rows go, CSV (default: OUTPUT with .errors.csv; standard error when OUTPUT is -)")
@click.option("--strict", is_flag=True, help="stop at the first bad row (exit 2; the rows before it are written)")
@click.option("--quiet", is_flag=True, help="no progress bar and no summary")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="dask: INPUT is a partitioned Parquet dataset, OUTPUT a directory (needs the dask extra)")
@click.option("--scheduler", default=None, help="with --engine dask: a dask scheduler address (default: local threads)")
@click.option("--lang", "lang", default=None, callback=_check_lang, metavar="|".join(CLI_LANGS),
              help="accepted as by every command; the errors file and the messages of batch are in English")
@_options_flags
@click.pass_context
def batch_cmd(ctx, input_path, output_path, sheet, errors_path, strict, quiet, engine, scheduler, lang, assume_extended,
              hk_burden_reduction, hk_burden_year, macao_refund):
    """Compute every row of a CSV (or JSON Lines, Parquet, Excel .xlsx) file of the batch columns.

    Rows with errors go to the errors file (row, column, value, message) and the others are
    computed. Exit status: 0 every row computed, 3 some rows rejected, 2 the file could not be
    read or a path was refused (nothing written) or --strict stopped, 4 writing failed (nothing
    renamed into place), 141 standard output closed by its reader, 128+N stopped by signal N.
    """
    options = _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund)
    sys.exit(batch_run(input_path, output_path, errors_path, tables=_tables(ctx), options=options, strict=strict,
                       quiet=quiet, engine=engine, scheduler=scheduler, sheet=sheet))


#: exit status of ``taxcalc batch`` (docs/batch.md)
EXIT_WRITE_FAILED = 4         # writing failed (disk full, I/O error): nothing renamed into place
EXIT_BROKEN_PIPE = 141        # 128 + SIGPIPE: standard output closed by the reader (``| head``): quiet, as Unix tools do
# a signal (SIGINT, SIGTERM, SIGHUP) ends a run with 128 + its number: 130, 143, 129


def batch_run(input_path: str, output_path: str, errors_path: str | None = None, *, tables,
              options=None, strict: bool = False, quiet: bool = False, engine: str = "local",
              scheduler: str | None = None, sheet: str | None = None) -> int:
    """``taxcalc batch``: run (a progress bar on a terminal), say what happened in one line on
    standard error, return the exit status: 0 every row computed, 3 some rejected, 2 a file or path
    refused or ``--strict`` stopped, 4 writing failed, 141 a closed pipe, or 128 + the signal.
    Never a traceback for what a file, a path, the disk, a pipe or a signal can do."""
    from .engine import Options
    from .errors import TaxcalcError

    options = options or Options()

    def job(bar):
        if engine == "dask":
            if strict or sheet:
                raise TaxcalcError(f"{'--strict' if strict else '--sheet'} works with --engine local only")
            from .dask_engine import run as run_dask

            return run_dask(input_path, output_path, errors_path, tables=tables, options=options, scheduler=scheduler)
        from .batch import run

        return run(input_path, output_path, errors_path, tables=tables, options=options, strict=strict, sheet=sheet,
                   progress=bar)

    return file_job(job, quiet=quiet, bar=engine != "dask")


def file_job(job, *, quiet: bool = False, bar: bool = True, noun: str = "rows") -> int:
    """Run ``job(progress)`` -- a batch or a file of plans, returning a
    :class:`~taxcalc.batch.BatchSummary` -- and map what happened to the exit status: 0 every row
    done, 3 some rejected (the summary line says where), 2 a file or path refused, 4 writing
    failed, 141 a closed pipe, or 128 + the signal. A progress bar on a terminal (``bar``)."""
    import errno
    import signal

    from .batch import BatchInterrupted, BatchWriteError
    from .batch.signals import exit_status, signal_word
    from .errors import TaxcalcError

    progress = None
    try:
        stderr_tty = sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        progress = _ProgressBar() if bar and stderr_tty and not quiet else None
        summary = job(progress)
    except BatchInterrupted as exc:
        _say(str(exc))
        return exit_status(exc.signum)
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        _say(f"{signal_word(signum)}: nothing written")
        return exit_status(signum)
    except BatchWriteError as exc:
        if exc.path == "-":
            _quiet_stdout()
        if exc.errno == errno.EPIPE:
            return EXIT_BROKEN_PIPE
        _say(f"error: {exc}")
        return EXIT_WRITE_FAILED
    except TaxcalcError as exc:
        _say(f"error: {exc}")
        return EXIT_BAD_INPUT
    finally:
        if progress is not None:
            progress.stop()
    if not quiet:
        _say(batch_summary_line(summary, noun))
    return EXIT_ROWS_REJECTED if summary.rejected else 0


def batch_summary_line(summary, noun: str = "rows") -> str:
    """``1,000 rows: 990 computed, 10 rejected (see out.errors.csv); 0.41 s, 2,439 rows/s"""
    where = f" (see {summary.errors_path})" if summary.rejected else ""
    skipped = f", {summary.skipped:,} skipped (empty)" if summary.skipped else ""
    engine = f" ({summary.partitions} partitions, dask)" if summary.partitions else ""
    done = "computed" if noun == "rows" else "planned"
    counted = noun[:-1] if summary.rows == 1 else noun                # 1 row, 1 candidate
    return (f"{summary.rows:,} {counted}: {summary.computed:,} {done}, {summary.rejected:,} rejected{where}{skipped}; "
            f"{summary.seconds:.2f} s, {summary.rows_per_second:,.0f} {noun}/s{engine}")


class _ProgressBar:
    """A rich progress bar on standard error, fed by :class:`taxcalc.batch.Progress` after each
    chunk: rows done, rows per second, time left."""

    def __init__(self):
        self.p = self.task = None

    def __call__(self, progress) -> None:
        if self.p is None:
            from rich.console import Console
            from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self.p = RichProgress(TextColumn("[bold]batch"), BarColumn(), TextColumn("{task.fields[rows]:>12,} rows"),
                                  TextColumn("{task.fields[rate]:>10,.0f} rows/s"), TimeRemainingColumn(),
                                  console=Console(stderr=True), transient=True)
            self.task = self.p.add_task("batch", total=progress.total, rows=0, rate=0.0)
            self.p.start()
        self.p.update(self.task, completed=progress.done, rows=progress.rows, rate=progress.rows_per_second)

    def stop(self) -> None:
        if self.p is not None:
            self.p.stop()


def _say(text: str) -> None:
    """A line on standard error, if there is one (a closed or broken stderr is not an error)."""
    if sys.stderr is None:
        return
    try:
        print(_shown(text), file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _quiet_stdout() -> None:
    """After standard output failed (a closed pipe, a full device), point it at /dev/null so that
    Python's flush at exit does not fail again with a traceback."""
    try:
        fd = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (AttributeError, OSError, ValueError):
        pass


# ---------------------------------------------------------------------------------------------
# compare


@main.command("compare")
@click.argument("files", nargs=-1, required=True, metavar="FILES...")
@click.option("--format", "fmt", type=click.Choice(["markdown", "csv", "json", "xlsx"]), default="markdown",
              show_default=True, help="xlsx needs -o FILE")
@click.option("-o", "--output", "output_path", default=None,
              help="write to FILE instead of standard output (required with --format xlsx)")
@click.option("--zones", "zones", is_flag=True,
              help="one case file, computed in every zone (none, gba, hetao, qianhai, nansha, hengqin)")
@_lang_option
@_options_flags
@click.pass_context
def compare_cmd(ctx, files, fmt, output_path, zones, lang, assume_extended, hk_burden_reduction, hk_burden_year,
                macao_refund):
    """Packages side by side: gross, IIT before and after the zone relief (and when it is paid),
    net income and effective rate, take-home pay and the employer's cost, in CNY and HK$, with the
    differences against the first.

    FILES are JSON files of one package each (the batch column keys), or one CSV or JSON Lines
    file with a package a row; with --zones, one case file, computed in each zone. The Markdown
    table is in --lang; CSV and JSON use the figures' names.
    """
    from .compare import compare, load_packages, render_csv, render_json, render_markdown, write_xlsx, zone_packages
    from .errors import InputErrors

    lang = _use_lang(ctx, lang)
    if fmt == "xlsx" and output_path in (None, "-"):
        from .errors import TaxcalcError

        raise TaxcalcError("--format xlsx writes a workbook: give a file with -o FILE.xlsx")
    if output_path not in (None, "-"):          # -o a.json would replace a package file, even through a link
        from .batch.writers.files import same_file
        from .errors import TaxcalcError

        for f in files:
            if f != "-" and same_file(output_path, f):
                raise TaxcalcError.coded("file.output_is_input", path=output_path, input=f)
        from .batch.writers.files import protected
        from .tables import table_dirs

        what = protected(output_path, table_dirs(ctx.find_root().obj.get("tables_dir")))
        if what is not None:            # -o tables/fx.toml: the next run would fail on a Markdown table
            raise TaxcalcError.coded(f"file.output_is_{what}", path=output_path)
    if zones:
        from .errors import TaxcalcError
        from .i18n import term

        if len(files) != 1:
            raise TaxcalcError.coded("option.zones_one_file")
        codes, packages = zone_packages(_read_case(files[0]))
        labels = [term("zone", z, lang) for z in codes]
    else:
        labels, packages = load_packages(list(files))
    options = _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund)
    try:
        result = compare(packages, labels, tables=_tables(ctx), options=options)
    except InputErrors as exc:          # --zones: one case; its mistake once, not once per zone
        raise (exc.one_case(len(packages)) if zones else exc) from None
    if fmt == "xlsx":
        write_xlsx(result, output_path)
        return
    if fmt == "markdown":
        text = render_markdown(result, lang)
    else:
        text = {"csv": render_csv, "json": render_json}[fmt](result)
    if output_path in (None, "-"):
        click.echo(text.rstrip("\n"))
        return
    from .batch.writers import AtomicTarget, writing

    target = AtomicTarget(output_path)
    try:
        with writing(output_path):
            target.fh.write((text.rstrip("\n") + "\n").encode())
        target.commit()
    finally:
        target.abort()


# ---------------------------------------------------------------------------------------------
# break-even


@main.command("breakeven", cls=_ScenarioCommand)
@click.option("--input", "input_file", metavar="FILE",
              help="a JSON file with the case (the batch column keys; - for standard input); flags override it")
@click.option("--mainland-wages", "mainland_wages", default=None, hidden=True, metavar="AMOUNT")
@click.option("--json", "as_json", is_flag=True, help="print the amount found and the case's figures there as JSON")
@_lang_option
@_options_flags
@click.pass_context
def breakeven_cmd(ctx, input_file, mainland_wages, as_json, lang, assume_extended, hk_burden_reduction, hk_burden_year,
                  macao_refund, **fields):
    """Break-even between a Hong Kong and a mainland job, exact to the fen.

    With --hk-income (the Hong Kong offer, HK$ a year): the mainland wages whose income after IIT
    and the zone relief (counted even when paid the following year) matches the Hong Kong income
    after Salaries Tax, converted at --cny-per-hkd (default: the year's rate in the tables). With
    --wages (the mainland offer, CNY a year): the Hong Kong income that matches it. Every other
    option describes the case, as in calc, and applies to both sides.
    """
    from .compare import breakeven_hk_income, breakeven_wages, render_breakeven
    from .errors import TaxcalcError

    lang = _use_lang(ctx, lang)
    if mainland_wages is not None:
        if fields.get("wages") is not None:
            raise TaxcalcError.coded("option.exactly_one", options="--hk-income, --wages")
        fields["wages"] = mainland_wages
    flagged = [k for k in ("hk_income", "wages") if fields.get(k) is not None]
    case = _case(input_file, fields)
    if len(flagged) == 1:               # the flag says what is given; the other amount is solved for
        case.pop("wages" if flagged == ["hk_income"] else "hk_income", None)
    given = [k for k in ("hk_income", "wages") if case.get(k) not in (None, "")]
    if len(given) != 1:
        raise TaxcalcError.coded("option.exactly_one", options="--hk-income, --wages")
    options = _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund)
    solve = breakeven_wages if given == ["hk_income"] else breakeven_hk_income
    b = solve(case, tables=_tables(ctx), options=options)
    if as_json:
        click.echo(json_text(b.as_dict()))
        return
    from .i18n import render, term

    text = render_breakeven(b, lang)
    if b.result.notes:
        text += "\n\n" + term("group", "notes", lang) + "\n" + "\n".join(f"  - {render(n, lang)}" for n in b.result.notes)
    click.echo(text)


# ---------------------------------------------------------------------------------------------
# plan


@main.command("plan", cls=_ScenarioCommand)
@click.argument("case_file", metavar="[CASE]", required=False)
@click.option("--years", "years", metavar="FIRST-LAST",
              help="the tax years, such as 2025-2030 (default: the case's tax year and the five after it)")
@click.option("--growth", "growth", metavar="RATE", help="yearly growth of wages and bonus, such as 0.03 or 3% (default 0)")
@click.option("--hk-growth", "hk_growth", metavar="RATE",
              help="yearly growth of --hk-income, the Hong Kong offer (default 0)")
@click.option("--json", "as_json", is_flag=True, help="every year's inputs and figures, and the cash by year, as JSON")
@click.option("-o", "--output", "output_path", default=None,
              help="with a file of candidates: the plans, a row per candidate and year (.csv, .jsonl, .parquet, "
                   ".xlsx; - for standard output)")
@click.option("--errors", "errors_path", default=None,
              help="with a file of candidates: where refused rows go, CSV (default: OUTPUT with .errors.csv)")
@click.option("--sheet", default=None, help="with an .xlsx file of candidates: the sheet to read (default: the first)")
@click.option("--quiet", is_flag=True, help="with a file of candidates: no summary line")
@_lang_option
@_options_flags
@click.pass_context
def plan_cmd(ctx, case_file, years, growth, hk_growth, as_json, output_path, errors_path, sheet, quiet, lang,
             assume_extended, hk_burden_reduction, hk_burden_year, macao_refund, **fields):
    """An offer over several tax years: each year's IIT, zone relief, take-home pay and employer's
    cost; the cash received in each calendar year (IIT withheld in full during the year, the relief
    arriving when it is settled); the cumulative gap against the Hong Kong job.

    CASE is a JSON case file (- for standard input); the options of calc override it. Policies
    that end inside the span are shown both as they stand and as if renewed; --assume-extended
    makes the renewal the headline. Years after the last tables carry those tables forward
    (marked *). Example:

    \b
      taxcalc plan case.json --years 2025-2030 --growth 0.03

    CASE may instead be a file of candidates, one a row (.csv, .jsonl, .parquet or .xlsx, the
    batch columns): each row is planned and the plans go to -o OUTPUT, a row per candidate and
    calendar year (docs/batch.md); the options of calc apply to every row. Exit status as for
    batch: 0 every row planned, 3 some refused (in the errors file), 2 a bad file or path.

    \b
      taxcalc plan candidates.xlsx --years 2025-2030 -o plans.xlsx
    """
    from .plan import parse_growth, parse_years, plan, render_plan

    lang = _use_lang(ctx, lang)
    options = _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund)
    rate, hk_rate = parse_growth(growth), parse_growth(hk_growth, "--hk-growth")
    if case_file is not None and _is_table_file(case_file):
        from .errors import TaxcalcError

        if output_path is None:
            raise TaxcalcError(f"{case_file}: a file of candidates is planned into a file: give -o OUTPUT "
                               "(.csv, .jsonl, .parquet or .xlsx)")
        if as_json:
            raise TaxcalcError("--json is for one case; with a file of candidates, give -o OUTPUT.jsonl")
        span = parse_years(years) if years is not None else None
        overrides = {k: v for k, v in fields.items() if v is not None}

        def job(bar):
            from .batch.plans import run_plans

            return run_plans(case_file, output_path, errors_path, years=span, growth=rate, hk_growth=hk_rate,
                             tables=_tables(ctx), options=options, sheet=sheet, overrides=overrides)

        sys.exit(file_job(job, quiet=quiet, bar=False, noun="candidates"))
    if output_path is not None or errors_path is not None or sheet is not None:
        from .errors import TaxcalcError

        raise TaxcalcError("-o, --errors and --sheet are for a file of candidates (.csv, .jsonl, .parquet, .xlsx); "
                           "one case prints its plan")
    case = _case(case_file, fields)
    span = parse_years(years, default_from=case)
    result = plan(case, span, growth=rate, hk_growth=hk_rate, tables=_tables(ctx), options=options)
    if as_json:
        click.echo(json_text(result.as_dict(lang)))
        return
    click.echo(render_plan(result, lang))


def _is_table_file(path: str) -> bool:
    """A file of rows (CSV, JSON Lines, Parquet, Excel) rather than a JSON case."""
    return os.path.splitext(path)[1].lower() in (".csv", ".txt", ".jsonl", ".ndjson", ".parquet", ".pq", ".xlsx")


# ---------------------------------------------------------------------------------------------
# the best split, and what-ifs


@main.command("split", cls=_ScenarioCommand)
@click.option("--input", "input_file", metavar="FILE",
              help="a JSON file with the case (the batch column keys; - for standard input); flags override it")
@click.option("--package", "package", metavar="AMOUNT",
              help="wages + bonus, CNY a year, to split (default: the case's wages + bonus)")
@click.option("--json", "as_json", is_flag=True, help="the split, its figures and the savings as JSON")
@_lang_option
@_options_flags
@click.pass_context
def split_cmd(ctx, input_file, package, as_json, lang, assume_extended, hk_burden_reduction, hk_burden_year,
              macao_refund, **fields):
    """The split of a fixed package between wages and the annual one-off bonus that leaves the
    least IIT after the zone relief, exact to the fen, the bonus cliffs avoided; the saving against
    all salary and against the case's own bonus. Example:

    \b
      taxcalc split --tax-year 2025 --package 600000 --bonus 100000
    """
    from .split import best_split, render_split

    lang = _use_lang(ctx, lang)
    case = _case(input_file, fields)
    options = _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund)
    sp = best_split(case, package, tables=_tables(ctx), options=options)
    if as_json:
        click.echo(json_text(sp.as_dict(lang)))
        return
    click.echo(render_split(sp, lang))


@main.command("whatif", cls=_ScenarioCommand)
@click.option("--input", "input_file", metavar="FILE",
              help="a JSON file with the case (the batch column keys; - for standard input); flags override it")
@click.option("--json", "as_json", is_flag=True, help="each what-if as JSON")
@_lang_option
@_options_flags
@click.pass_context
def whatif_cmd(ctx, input_file, as_json, lang, assume_extended, hk_burden_reduction, hk_burden_year, macao_refund,
               **fields):
    """What a private pension and a commercial health insurance contribution up to the year's cap
    would save in IIT after the zone relief, and what each costs once the saving is counted."""
    from .split import render_whatifs, whatifs

    lang = _use_lang(ctx, lang)
    case = _case(input_file, fields)
    options = _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund)
    items = whatifs(case, tables=_tables(ctx), options=options)
    if as_json:
        click.echo(json_text([w.as_dict() for w in items]))
        return
    click.echo(render_whatifs(items, lang))


if __name__ == "__main__":  # pragma: no cover
    main()

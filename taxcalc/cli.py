"""The command line. Imports stay lazy so that ``taxcalc --help`` answers at once.

Exit status: 0 done; 2 bad input or tables (a message, never a traceback); 3 a batch where some
rows were rejected (they are in the errors file).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from decimal import Decimal

import click

EXIT_BAD_INPUT = 2
EXIT_ROWS_REJECTED = 3


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _json_default(o):
    if isinstance(o, Decimal):
        return str(o)
    raise TypeError(type(o))


class _Group(click.Group):
    def invoke(self, ctx):
        from .errors import TaxcalcError

        try:
            return super().invoke(ctx)
        except TaxcalcError as exc:
            _fail(_describe(exc))


def _describe(exc) -> str:
    from .errors import InputErrors

    if isinstance(exc, InputErrors):
        return "\n  ".join(["invalid input:"] + [str(e) for e in exc.errors])
    return str(exc)


def _option_decorators():
    """One --flag per scenario field, from the same definitions as the batch columns."""
    from .scenario import FIELDS, field_choices, field_help, field_kind

    decos = []
    for name in FIELDS:
        kind = field_kind(name)
        opt = "--" + name.replace("_", "-")
        help_ = field_help(name)
        if kind == "bool":
            decos.append(click.option(opt + "/--no-" + name.replace("_", "-"), name, default=None, help=help_))
        elif kind == "choice":
            decos.append(click.option(opt, name, type=click.Choice(field_choices(name)), default=None, help=help_))
        else:
            decos.append(click.option(opt, name, type=str, default=None, help=help_))
    return decos


def _options_flags(f):
    f = click.option("--assume-extended", is_flag=True, help="apply an expired zone policy as if renewed (what-if)")(f)
    f = click.option("--hk-burden-reduction", is_flag=True, help="include HK's one-off reduction in the HK burden")(f)
    f = click.option("--hk-burden-year", type=click.Choice(["same", "previous"]), default="same",
                     help="HK year of assessment for the burden: beginning (same) or ending (previous) in the tax year")(f)
    f = click.option("--macao-refund", is_flag=True, help="net the Macao resident's refund from the Macao burden")(f)
    return f


def _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund):
    from .engine import Options

    return Options(assume_extended=assume_extended, hk_burden_reduction=hk_burden_reduction,
                   hk_burden_year=hk_burden_year, macao_refund=macao_refund)


@click.group(cls=_Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--tables", "tables_dir", type=click.Path(file_okay=False),
              help="a directory of your own tables, read after the shipped ones (or set TAXCALC_TABLES)")
@click.option("--lang", type=click.Choice(["en", "zh-Hans", "zh-Hant"]), default=None, help="language of the terminal UI")
@click.version_option(package_name="gba-taxcalc")
@click.pass_context
def main(ctx, tables_dir, lang):
    """Mainland IIT, Hong Kong Salaries Tax and the Greater Bay Area zone reliefs, exact to the fen.

    With no command, opens the terminal UI.
    """
    ctx.ensure_object(dict)
    ctx.obj["tables_dir"] = tables_dir
    ctx.obj["lang"] = lang
    if ctx.invoked_subcommand is None:
        try:
            from .tui.app import run as run_tui
        except ImportError as exc:  # the UI is optional for scripted use
            _fail(f"the terminal UI is not available ({exc}); see taxcalc --help")
        sys.exit(run_tui(lang=lang, tables_dir=tables_dir))


def _tables(ctx):
    from .tables import load_tables

    return load_tables(ctx.obj.get("tables_dir"))


class _ScenarioCommand(click.Command):
    """Adds one option per scenario field when the command is used, not at import."""

    _loaded = False

    def get_params(self, ctx):
        if not self._loaded:
            holder = lambda **kw: None  # noqa: E731
            for deco in reversed(_option_decorators()):
                holder = deco(holder)
            self.params = self.params + list(reversed(holder.__click_params__))
            self._loaded = True
        return super().get_params(ctx)


@main.command("calc", cls=_ScenarioCommand)
@click.option("--input", "input_file", type=click.File("r"), help="a JSON file with the scenario (batch column keys); flags override it")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.option("--explain", is_flag=True, help="print every step with its formula and citation")
@_options_flags
@click.pass_context
def calc(ctx, input_file, as_json, explain, assume_extended, hk_burden_reduction, hk_burden_year, macao_refund, **fields):
    """Compute one scenario, from flags or a JSON file."""
    from .api import calculate
    from .explain import render_text

    data = {}
    if input_file is not None:
        try:
            data = json.load(input_file)
        except json.JSONDecodeError as exc:
            _fail(f"{input_file.name}: not valid JSON ({exc.msg} at line {exc.lineno})")
        if not isinstance(data, dict):
            _fail(f"{input_file.name}: expected one JSON object with the batch column keys")
    data.update({k: v for k, v in fields.items() if v is not None})
    if "tax_year" not in data:
        _fail("tax_year: required (--tax-year 2019 to 2027)")
    options = _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund)
    result = calculate(data, tables=_tables(ctx), options=options, explain=explain or as_json)
    if as_json:
        out = {"inputs": result.scenario.model_dump(exclude_none=True), **result.outputs(),
               "reliefs_considered": [dataclasses.asdict(o) for o in result.reliefs], "notes": result.notes}
        if explain:
            out["explanation"] = result.explanation.to_dict()
        click.echo(json.dumps(out, default=_json_default, ensure_ascii=False, indent=2))
        return
    click.echo(_breakdown(result))
    if explain:
        click.echo("")
        click.echo(render_text(result.explanation))


def _breakdown(r) -> str:
    s = r.scenario
    rows = [
        ("Tax year", f"{s.tax_year} ({s.identity}, {s.residency}, zone {s.zone}{', talent' if s.talent else ''})"),
        ("Gross mainland income", f"CNY {r.gross_income:,}"),
        ("Taxable income", f"CNY {r.iit_taxable:,}"),
        ("Mainland IIT before relief", f"CNY {r.iit:,}" + (f"  (bonus {r.bonus_method_used})" if s.bonus else "")),
        ("Zone relief", f"CNY {r.relief:,}  " + (f"{r.relief_policy}, {r.relief_kind}, paid in {r.relief_paid_in}" if r.relief_policy != "none" else "none applies")),
        ("Mainland IIT after relief", f"CNY {r.iit_net:,}  (effective {r.effective_rate_mainland * 100:.2f}%)"),
        (f"HK Salaries Tax {r.hk_year_of_assessment}", f"HK$ {r.hk_tax:,}  (after reduction of HK$ {r.hk_tax_reduction:,}; CNY {r.hk_tax_cny:,}, effective {r.effective_rate_hk * 100:.2f}%)"),
        ("HK burden used by the caps", f"CNY {r.hk_burden_cny:,}"),
        ("Macao burden used by the caps", f"CNY {r.macao_burden_cny:,}"),
        ("Burden gap (mainland − HK)", f"CNY {r.burden_gap_cny:,}"),
        ("Exchange rate", f"CNY {r.cny_per_hkd} per HK$"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k:<{width}}  {v}" for k, v in rows]
    lines += [f"note: {n}" for n in r.notes]
    return "\n".join(lines)


@main.command("tables")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def tables_cmd(ctx, as_json):
    """List the tables: jurisdictions, years and sources."""
    rows = _tables(ctx).listing()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['jurisdiction']:<9} {row['year']:<8} {row['title']}")
        for src in row["sources"]:
            click.echo(f"{'':<19}- {src}")


@main.command("batch")
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", "output_path", required=True, help="output file (.csv, .jsonl, .parquet; - for standard output)")
@click.option("--errors", "errors_path", default=None,
              help="where rejected rows go, CSV (default: OUTPUT with .errors.csv; standard error when OUTPUT is -)")
@click.option("--strict", is_flag=True, help="stop at the first bad row (exit 2; the rows before it are written)")
@click.option("--quiet", is_flag=True, help="no progress bar and no summary")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="dask: INPUT is a partitioned Parquet dataset, OUTPUT a directory (needs the dask extra)")
@click.option("--scheduler", default=None, help="with --engine dask: a dask scheduler address (default: local threads)")
@_options_flags
@click.pass_context
def batch_cmd(ctx, input_path, output_path, errors_path, strict, quiet, engine, scheduler, assume_extended,
              hk_burden_reduction, hk_burden_year, macao_refund):
    """Compute every row of a CSV (or JSON Lines, Parquet) file of the batch columns.

    Rows with errors go to the errors file (row, column, value, message) and the others are
    computed. Exit status: 0 every row computed, 3 some rows rejected, 2 the file could not be
    read or a path was refused (nothing written) or --strict stopped, 4 writing failed (nothing
    renamed into place), 141 standard output closed by its reader, 128+N stopped by signal N.
    """
    from .batch import cli_run

    options = _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund)
    sys.exit(cli_run(input_path, output_path, errors_path, tables=_tables(ctx), options=options, strict=strict,
                     quiet=quiet, engine=engine, scheduler=scheduler))


@main.command("compare")
@click.argument("files", nargs=-1, required=True, metavar="FILES...")
@click.option("--format", "fmt", type=click.Choice(["markdown", "csv", "json"]), default="markdown", show_default=True)
@_options_flags
@click.pass_context
def compare_cmd(ctx, files, fmt, assume_extended, hk_burden_reduction, hk_burden_year, macao_refund):
    """Packages side by side: gross, IIT before and after the zone relief (and when it is paid),
    net income and effective rate, in CNY and HK$, with the differences against the first.

    FILES are JSON files of one package each (the batch column keys), or one CSV or JSON Lines
    file with a package a row.
    """
    from .compare import compare, load_packages, render_csv, render_json, render_markdown

    labels, packages = load_packages(list(files))
    options = _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund)
    result = compare(packages, labels, tables=_tables(ctx), options=options)
    click.echo({"markdown": render_markdown, "csv": render_csv, "json": render_json}[fmt](result).rstrip("\n"))


def _decimal_arg(name: str, value: str | None, unit: str):
    if value is None:
        return None
    try:
        d = Decimal(value.replace(",", "").strip())
    except Exception:  # noqa: BLE001 (decimal.InvalidOperation and friends)
        _fail(f"{name}: expected a number ({unit}), got {value!r}")
    if not d.is_finite() or d < 0:
        _fail(f"{name}: expected a number of 0 or more ({unit}), got {value!r}")
    return d


@main.command("breakeven")
@click.option("--tax-year", type=int, required=True, help="mainland tax year (the HK year of assessment beginning in it)")
@click.option("--identity", type=click.Choice(["mainland", "hk", "macao", "taiwan", "foreign"]), default="mainland", show_default=True)
@click.option("--zone", type=click.Choice(["none", "gba", "hetao", "qianhai", "nansha", "hengqin"]), default="none", show_default=True)
@click.option("--talent/--no-talent", default=False, help="recognised high-end or shortage talent")
@click.option("--residency", type=click.Choice(["resident", "nonresident"]), default="resident", show_default=True)
@click.option("--work-days", default=None, help="days worked in the zone's city (for the rules that need them)")
@click.option("--hk-income", default=None, help="the Hong Kong offer, HK$ a year: solve for the mainland wages")
@click.option("--mainland-wages", default=None, help="the mainland offer, CNY a year: solve for the HK income")
@click.option("--cny-per-hkd", required=True, help="CNY value of HK$1 for the conversion")
@click.option("--json", "as_json", is_flag=True, help="print an object with the answer and both sides' figures")
@_options_flags
@click.pass_context
def breakeven_cmd(ctx, tax_year, identity, zone, talent, residency, work_days, hk_income, mainland_wages, cny_per_hkd,
                  as_json, assume_extended, hk_burden_reduction, hk_burden_year, macao_refund):
    """The annual mainland wages (no bonus, no deductions) whose income after IIT and the zone
    relief (counted even when paid the following year) equals the Hong Kong job's income after
    Salaries Tax (default MPF, one-off reduction applied) converted at --cny-per-hkd; or, with
    --mainland-wages, the Hong Kong income that matches a mainland offer. Exact to the fen.
    """
    from .compare import breakeven_hk_income, breakeven_wages, render_breakeven

    if (hk_income is None) == (mainland_wages is None):
        _fail("give exactly one of --hk-income (solve for mainland wages) or --mainland-wages (solve for HK income)")
    rate = _decimal_arg("--cny-per-hkd", cny_per_hkd, "CNY per HK$")
    if rate == 0:
        _fail("--cny-per-hkd: must be more than 0")
    options = _make_options(assume_extended, hk_burden_reduction, hk_burden_year, macao_refund)
    common = dict(tax_year=tax_year, identity=identity, zone=zone, talent=talent, residency=residency,
                  work_days=work_days, cny_per_hkd=rate, tables=_tables(ctx), options=options)
    if hk_income is not None:
        b = breakeven_wages(hk_income=_decimal_arg("--hk-income", hk_income, "HK$"), **common)
    else:
        b = breakeven_hk_income(mainland_wages=_decimal_arg("--mainland-wages", mainland_wages, "CNY"), **common)
    if as_json:
        click.echo(json.dumps(b.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_breakeven(b))


if __name__ == "__main__":  # pragma: no cover
    main()

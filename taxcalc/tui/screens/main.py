"""The main screen: the case form beside live results, and tabs for the explanation, the chart,
the withholding schedule and the packages."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, TabbedContent, TabPane

from ...errors import TaxcalcError
from ...i18n import _, error_lines
from .. import report
from ..case import Case
from ..widgets.footer import QuietFooter
from ..widgets.form import HINT_SOURCES, CaseForm, StepBar
from ..widgets.prose import Prose
from ..widgets.results import ResultsPanel

# the other tabs' views (Tree, DataTable, plotext) are imported when first shown: a faster first frame


class Recomputed(Message):
    """Posted after every recompute: the result shown and the fields with a message."""

    def __init__(self, result, errors: dict[str, str]) -> None:
        super().__init__()
        self.result = result
        self.errors = errors


TABS = ("case", "explain", "chart", "withholding", "packages", "plan")
DEBOUNCE = 0.08
NARROW = 100     # columns below which the form and the explanation take less room
WIDE = 140       # columns from which the form takes more room (its step bar names every step on a line)


def size_classes(width: int) -> str:
    return "narrow" if width < NARROW else "wide" if width >= WIDE else ""


def with_bindings(base: BindingsMap | None, extra: list[Binding]) -> BindingsMap:
    """The class's bindings (Tab, shift+Tab, copy ...) with ``extra`` added or replacing those keys;
    built at run time so that the descriptions are in the current language."""
    keys = {k: list(v) for k, v in (base.key_to_bindings.items() if base else ())}
    for b in Binding.make_bindings(extra):
        keys[b.key] = [b]
    return BindingsMap.from_keys(keys)


def _bindings() -> list[Binding]:
    return [
        Binding("f2", "tab('case')", _("Case"), show=False),
        Binding("f3", "tab('explain')", _("Explain"), show=False),
        Binding("f4", "tab('chart')", _("Chart"), show=False),
        Binding("f5", "tab('withholding')", _("Monthly"), show=False),
        Binding("f6", "tab('packages')", _("Packages"), show=False),
        Binding("f7", "tab('plan')", _("Plan"), show=False),
        Binding("ctrl+s", "app.save", _("Save")),
        Binding("ctrl+o", "app.load", _("Open")),
        Binding("ctrl+e", "app.export('md')", _("Export"), priority=True),
        Binding("ctrl+n", "step(1)", _("Next")),
        Binding("ctrl+b", "step(-1)", _("Back"), show=False),
        Binding("f8", "app.next_language", _("Language")),
        Binding("a", "add_package", _("Add package")),
        Binding("d", "remove_package", _("Remove")),
        Binding("c", "clear_packages", _("Clear")),
    ]


class MainScreen(Screen):
    AUTO_FOCUS = ""              # the form's first field takes the focus once it is mounted (CaseForm)

    def __init__(self, case: Case, tab: str = "case", width: int = 120):
        super().__init__(classes=size_classes(width) or None)
        self._bindings = with_bindings(type(self)._merged_bindings, _bindings())
        self.case = case
        self.initial_tab = tab
        self._timer: Timer | None = None
        self._stale = dict.fromkeys(TABS, True)
        self._mounting: set[str] = set()        # tabs whose view is being mounted

    # -- layout
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with TabbedContent(initial=self.initial_tab, id="tabs"):
            with TabPane(_("F2 Case"), id="case"), Horizontal(id="case-body"):
                yield CaseForm(self.case, step=getattr(self.app, "form_step", 0), id="form")
                yield ResultsPanel(self.case.result, self.case.tables, self.case.summary, id="results")
            with TabPane(_("F3 Explain"), id="explain"):
                yield Vertical(id="explain-box", classes="tab-box")   # views mount when first shown
            with TabPane(_("F4 Chart"), id="chart"):
                yield Prose("", id="chart-title", style="bold")
                yield Vertical(id="chart-box")        # the chart widget (plotext) is mounted when first shown
                yield Prose("", id="chart-note")
            with TabPane(_("F5 Monthly"), id="withholding"):
                yield Vertical(id="withholding-box", classes="tab-box")
            with TabPane(_("F6 Packages"), id="packages"):
                yield Vertical(id="packages-box", classes="tab-box")
            with TabPane(_("F7 Plan"), id="plan"):
                yield Vertical(id="plan-box", classes="tab-box")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.title = _("GBA tax: mainland and Hong Kong")
        self.sub_title = self.case.result.scenario.id or ""
        self.refresh_tab(self.initial_tab)
        if self.initial_tab != "case":     # the case tab's first field takes the focus as the screen mounts
            self.call_after_refresh(self._focus_tab, self.initial_tab)

    async def relabel(self) -> None:
        """After a language switch: every widget again, in the new language, on the same tab and
        step (the screen is recomposed in place)."""
        self._bindings = with_bindings(type(self)._merged_bindings, _bindings())
        self.initial_tab = getattr(self.app, "active_tab", "case")
        self._stale = dict.fromkeys(TABS, True)
        self._mounting = set()
        await self.recompose()
        self.title = _("GBA tax: mainland and Hong Kong")
        self.refresh_tab(self.initial_tab)
        self.call_after_refresh(self._focus_tab, self.initial_tab)

    def on_resize(self, event) -> None:
        if self._narrow(event.size.width):
            # the tables' label columns are as wide as the window's class (label_width): draw them again
            self._stale.update(packages=True, plan=True)
            self.refresh_tab(self.query_one(TabbedContent).active)
        for form in self.query(CaseForm):
            form.query_one(StepBar).show(form.step, self.case.errors())

    def _narrow(self, width: int) -> bool:
        """Set the window's size class; True when it changed."""
        changed = False
        for name in ("narrow", "wide"):                  # restyles everything: only on a change
            on = name in size_classes(width)
            if self.has_class(name) != on:
                self.set_class(on, name)
                changed = True
        return changed

    # -- editing
    def on_case_form_edited(self, event: CaseForm.Edited) -> None:
        self.case.set(event.name, event.value, compute=False)
        form = self.query_one(CaseForm)
        if event.name in HINT_SOURCES:
            form.refresh_messages()   # the year's amounts, the city's housing fund range in the hints
        else:
            for row in form.query(f"#row-{event.name}"):
                row.refresh_messages()
            form.query_one(StepBar).show(form.step, self.case.errors())
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self.recompute)

    def on_case_form_option_changed(self, event: CaseForm.OptionChanged) -> None:
        import dataclasses

        value = ("previous" if event.value else "same") if event.name == "hk_burden_year" else event.value
        self.case.options = dataclasses.replace(self.case.options, **{event.name: value})
        self.recompute()

    def apply_edit(self, name: str, value) -> None:
        """Set a field and update the results now (what the debounce timer runs after an edit)."""
        self.case.set(name, value, compute=False)
        self.recompute()

    def recompute(self) -> None:
        self._timer = None
        try:
            result = self.case.compute()
        except Exception as exc:        # never take the app down: keep the last result and say why
            self.notify(_("Could not compute: {error}").format(error=exc), severity="error", markup=False)
            return
        errors = self.case.errors()
        notes = self.case.field_notes()
        self.query_one(ResultsPanel).show(result, status=self.case.status(), summary=self.case.summary)
        for row in self.query(".field-row"):
            if row.has_class("invalid") or row.field_name in errors or row.field_name == "bonus":
                row.refresh_messages()          # the bonus: its cliff after relief depends on the whole case
            elif row.field_name in notes or row.has_note:
                row.refresh_note()              # a capped amount: the note beside the field
        form = self.query_one(CaseForm)
        form.query_one(StepBar).show(form.step, errors)
        self._stale = dict.fromkeys(TABS, True)
        self._stale["case"] = False
        active = self.query_one(TabbedContent).active
        if active != "case":
            self.refresh_tab(active)
        self.post_message(Recomputed(result, errors))

    def reload(self) -> None:
        """After a case is loaded: the controls, the messages and the results, scrolled to the top."""
        self.query_one(CaseForm).set_values()
        self.recompute()
        self.sub_title = self.case.result.scenario.id or ""
        self.query_one(ResultsPanel).scroll_home(animate=False)
        self.query_one("#form-body").scroll_home(animate=False)

    # -- steps of the form
    async def action_step(self, delta: int) -> None:
        """Relative (ctrl+n, ctrl+b) from the key bindings; the step bar's links pass the index + 100."""
        form = self.query_one(CaseForm)
        if self.query_one(TabbedContent).active != "case":
            self.action_tab("case")
        if delta >= 100:
            await form.show_step(delta - 100)
        else:
            await form.move(delta)

    # -- tabs
    def action_tab(self, tab: str) -> None:
        # a focused widget in the pane being hidden would hand the focus to its pane's next widget,
        # and TabbedContent shows the pane of the focused widget: let go of the focus first
        self.set_focus(None)
        self.query_one(TabbedContent).active = tab
        self.refresh_tab(tab)
        self._focus_tab(tab)

    def _focus_tab(self, tab: str) -> None:
        """Keyboard first: the tab's main widget takes the focus."""
        target = {"explain": "#explain-tree", "withholding": "#wh-table", "packages": "#pk-table", "plan": "#plan-table",
                  "case": "#form-body .field-control"}.get(tab)
        if target:
            found = self.query(target)
            if found:
                found.first().focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.app.active_tab = event.pane.id
        self.refresh_tab(event.pane.id)

    def _view_ready(self, tab: str) -> bool:
        """The tab's view, mounted on its first showing (a faster first frame); False while it mounts."""
        if tab not in ("explain", "withholding", "packages", "plan"):
            return True
        box = self.query_one(f"#{tab}-box")
        if tab in self._mounting:
            return False
        if box.children:
            return True
        if tab == "explain":
            from ..widgets.explain import ExplainView

            view = ExplainView(None, id="explain-view")
        elif tab == "withholding":
            from ..widgets.withholding import WithholdingView

            view = WithholdingView(id="wh-view")
        elif tab == "packages":
            from ..widgets.packages import PackagesView

            view = PackagesView(id="pk-view")
        else:
            from ..widgets.plan import PlanView

            view = PlanView(self.app.plan_rates, id="plan-view")

        async def mount_then_show() -> None:
            await box.mount(view)
            self._mounting.discard(tab)
            self.refresh_tab(tab)
            if self.query_one(TabbedContent).active == tab:
                self._focus_tab(tab)

        self._mounting.add(tab)
        self.run_worker(mount_then_show(), group="views")
        return False

    def refresh_tab(self, tab: str) -> None:
        if not self._stale.get(tab, True) or not self._view_ready(tab):
            return
        self._stale[tab] = False
        r = self.case.result
        if tab == "explain":
            from ..widgets.explain import ExplainView

            self.query_one(ExplainView).show_step(r.explanation)
        elif tab == "chart":
            from ...curve import rate_curve
            from ..widgets.chart import RateChart

            try:
                points = rate_curve(r, tables=self.case.tables, options=self.case.options)
            except TaxcalcError as exc:          # never take the app down: say why there is no chart
                self.query_one("#chart-note", Prose).say("\n".join(error_lines(exc, fields="label")))
                return
            box = self.query_one("#chart-box")
            if not box.children:
                box.mount(RateChart(id="rate-chart"))
            self.query_one(RateChart).draw(points, r)
            income = report.figure_value(r, "gross_income")
            self.query_one("#chart-title", Prose).say(
                _("Effective tax rate by gross income (CNY a year); | marks your income {income}").format(income=income)
                + "\n" + _("x mainland before relief   o mainland after relief   + Hong Kong"))
            self.query_one("#chart-note", Prose).say(
                _("At your income {income}: mainland {before} before relief (x), {after} after relief (o); "
                  "Hong Kong {hk} (+). Where o and + meet, the relief brings the mainland tax down to the "
                  "Hong Kong level.").format(income=income, before=report.figure_value(r, "effective_rate_before_relief"),
                                             after=report.figure_value(r, "effective_rate_mainland"),
                                             hk=report.figure_value(r, "effective_rate_hk")))
        elif tab == "withholding":
            from ..widgets.withholding import WithholdingView

            self.query_one(WithholdingView).show(r.scenario, self.case.tables, r)
        elif tab == "packages":
            from ..widgets.packages import PackagesView

            self.query_one(PackagesView).show(self.app.packages, self.case.tables, self.case.options,
                                              following=self.app.own_packages is None)
        elif tab == "plan":
            from ..widgets.plan import PlanView

            self.query_one(PlanView).show(r.scenario.model_dump(exclude_none=True), self.case.tables, self.case.options)

    def on_plan_view_changed(self, event) -> None:
        """A growth rate changed: the plan again."""
        self._stale["plan"] = True
        self.refresh_tab("plan")

    # -- packages
    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("add_package", "remove_package", "clear_packages"):
            return self.query_one(TabbedContent).active == "packages"
        return True

    def action_add_package(self) -> None:
        from ..packages import MAX_PACKAGES

        packages = self.app.keep_packages()
        if len(packages) >= MAX_PACKAGES:
            self.notify(_("At most four packages: remove one first (d)."), severity="warning")
            return
        packages.append(self.case.result.scenario.model_dump(exclude_none=True))
        self._stale["packages"] = True
        self.refresh_tab("packages")

    def action_remove_package(self) -> None:
        from ..widgets.packages import PackagesView

        k = self.query_one(PackagesView).highlighted()
        if k is None or k >= len(self.app.packages):
            self.notify(_("Highlight a package column first (arrow keys)."))
            return
        del self.app.keep_packages()[k]
        self._stale["packages"] = True
        self.refresh_tab("packages")

    def action_clear_packages(self) -> None:
        self.app.keep_packages().clear()
        self._stale["packages"] = True
        self.refresh_tab("packages")

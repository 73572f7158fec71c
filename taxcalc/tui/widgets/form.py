"""The case form: guided sections of fields, each with its hint and its message."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Select, Static

from ...i18n import N_, _, render, term
from ...scenario import field_choices, field_default, field_kind
from ..case import Case, display
from ..fields import SECTIONS
from ..hints import field_hint
from .prose import Prose


def _toggle(widget, cls: str, on: bool) -> None:
    """Change a class only when it changes (each change restyles the widget's subtree)."""
    if widget.has_class(cls) != on:
        widget.set_class(on, cls)


#: fields whose hint depends on other fields (the housing fund's range is the city's)
VALUES_HINTS = frozenset({"housing_fund_rate"})
#: fields that change other fields' hints: the year's amounts, the city of the housing fund
HINT_SOURCES = frozenset({"tax_year", "city", "zone"})


class FieldRow(Vertical):
    """One field: its label and control on a line, then its hint and its message."""

    def __init__(self, name: str, static_hint: str, case: Case):
        super().__init__(id=f"row-{name}", classes="field-row")
        self.field_name = name
        self.static_hint = static_hint
        self.case = case

    def compose(self) -> ComposeResult:
        name, st = self.field_name, self.case.fields[self.field_name]
        kind = field_kind(name)
        with Horizontal(classes="field-line"):
            yield Prose(term("field", name), classes="field-label")
            cid = f"f-{name}"
            if kind == "bool":
                yield YesNo(bool(st.raw), id=cid, classes="field-control")
            elif kind in ("choice", "choice_int") or name == "tax_year":
                if name == "tax_year":
                    options = [(str(y), y) for y in self.case.tables.mainland_years()]
                    value = st.value
                else:
                    options = [(term(f"choice:{name}", c), c) for c in field_choices(name)]
                    value = st.raw
                yield Select(options, value=value, allow_blank=False, id=cid, compact=True, classes="field-control")
            else:
                placeholder = _("default") if field_default(name) is None else str(display(name, field_default(name)))
                yield Input(str(st.raw), id=cid, compact=True, classes="field-control", select_on_focus=True,
                            placeholder=placeholder)
        hint = self.hint_text()
        msg = self.message_text()
        yield Prose(hint, classes="field-hint shown" if hint else "field-hint")
        yield Prose(msg, classes="field-error shown" if msg else "field-error")
        if name == "bonus":
            warn = self.warning_text()
            yield Prose(warn, classes="field-warn shown" if warn else "field-warn")
        note = self.note_text()
        yield Prose(note, classes="field-note shown" if note else "field-note")
        if msg:
            self.add_class("invalid")

    def hint_text(self) -> str:
        dynamic = field_hint(self.field_name, self.case.tables, self.case.fields["tax_year"].value,
                             self.case.data() if self.field_name in VALUES_HINTS else None)
        static = _(self.static_hint) if self.static_hint else ""
        if static and dynamic:
            return _("{hint} {more}").format(hint=static, more=dynamic)
        return static or dynamic

    def message_text(self) -> str:
        """The field's message (the one grammar's, or a rule's) and what the results use instead."""
        msg = self.case.errors().get(self.field_name, "")
        if not msg:
            return ""
        text = _("⚠ {message}").format(message=msg)
        used = self.case.used_text(self.field_name)
        return text + "\n" + used if used else text

    def warning_text(self) -> str:
        """The bonus: the cliff judged after the zone relief (taxcalc.summary), with the range to avoid."""
        summary = self.case.summary
        if self.field_name != "bonus" or summary is None or summary.cliff is None:
            return ""
        return _("⚠ {message}").format(message=render(summary.cliff.message, fields="label"))

    def note_text(self) -> str:
        """The core's notes about this input (an amount above the year's cap ...)."""
        return "\n".join(_("! {note}").format(note=n) for n in self.case.field_notes().get(self.field_name, ()))

    @property
    def has_note(self) -> bool:
        return self.query_one(".field-note").has_class("shown")

    def refresh_note(self) -> None:
        note = self.query_one(".field-note", Prose)
        text = self.note_text()
        note.say(text)
        _toggle(note, "shown", bool(text))

    def refresh_messages(self) -> None:
        self.refresh_note()
        msg = self.message_text()
        err = self.query_one(".field-error", Prose)
        err.say(msg)
        _toggle(err, "shown", bool(msg))
        _toggle(self, "invalid", bool(msg))
        hint = self.query_one(".field-hint", Prose)
        text = self.hint_text()
        hint.say(text)
        _toggle(hint, "shown", bool(text))
        for warn in self.query(".field-warn").results(Prose):
            text = self.warning_text()
            warn.say(text)
            _toggle(warn, "shown", bool(text))


class YesNo(Checkbox):
    """A checkbox that also says yes or no (its X differs only by colour, which NO_COLOR removes)."""

    def __init__(self, value: bool, **kw):
        super().__init__(_("yes") if value else _("no"), value=value, compact=True, **kw)

    def watch_value(self) -> None:
        super().watch_value()               # the -on class and the Changed message
        self.label = _("yes") if self.value else _("no")


OPTIONS = (
    ("assume_extended", N_("Assume expired zone policies are renewed")),
    ("hk_burden_reduction", N_("HK burden after the one-off reduction")),
    ("hk_burden_year", N_("HK burden: year of assessment ending in the tax year")),
    ("macao_refund", N_("Macao burden net of the resident's refund")),
)


def option_value(case: Case, name: str) -> bool:
    value = getattr(case.options, name)
    return value == "previous" if name == "hk_burden_year" else bool(value)


#: terminal columns from which the step bar names every step (below: the current one, numbers for the others)
WIDE = 120


class StepBar(Static):
    """The steps of the guided form; the current one in reverse, ⚠ where a field needs attention.
    Each step is clickable; ctrl+n / ctrl+b move on and back. Wide terminals name every step."""

    def __init__(self, current: int, errors: dict[str, str], wide: bool, **kw):
        super().__init__(self.text(current, errors, wide), **kw)
        self._shown = self.text(current, errors, wide)
        self._state = (current, errors)

    @staticmethod
    def text(current: int, errors: dict[str, str], wide: bool, compact: bool = False) -> str:
        """``wide``: every step named; else numbers and the current step named; ``compact``: the
        current step's number only (its name is the heading just below)."""
        parts = []
        for k, section in enumerate(SECTIONS):
            warn = "⚠" if any(f.name in errors for f in section.fields) else ""
            if k == current:
                name = str(k + 1) if compact else escape(_(section.title))
                parts.append(f"[reverse bold] {name}{warn} [/]")
            else:
                name = escape(_(section.title)) if wide else str(k + 1)
                parts.append(f"[@click=screen.step({k + 100})][underline]{name}{warn}[/][/]")
        return _("Step {steps}").format(steps=" ".join(parts))

    def show(self, current: int, errors: dict[str, str]) -> None:
        self._state = (current, errors)
        text = self.text(current, errors, self.app.size.width >= WIDE)
        room = self.content_region.width
        if room and Text.from_markup(text).cell_len > room:        # the names on one line, or numbers
            text = self.text(current, errors, False)
        if room and Text.from_markup(text).cell_len > room:        # never wrapped: the current step's number
            text = self.text(current, errors, False, compact=True)
        if getattr(self, "_shown", None) != text:
            self._shown = text
            self.update(text)

    def on_resize(self) -> None:
        self.show(*self._state)


class FormBody(VerticalScroll):
    """The shown step's fields; it scrolls to the focused field and takes no focus itself (Tab goes
    from field to field, never to an invisible container)."""

    can_focus = False


class CaseForm(Vertical):
    """The guided form, one section (step) at a time: who, where, when, income, deductions,
    the Hong Kong side. Tab moves from field to field and on to the Next button."""

    class Edited(Message):
        def __init__(self, name: str, value) -> None:
            super().__init__()
            self.name = name
            self.value = value

    class OptionChanged(Message):
        def __init__(self, name: str, value: bool) -> None:
            super().__init__()
            self.name = name
            self.value = value

    def __init__(self, case: Case, step: int = 0, **kw):
        super().__init__(**kw)
        self.case = case
        self.step = step
        self._lock = asyncio.Lock()

    def compose(self) -> ComposeResult:
        """The step bar at once; the step's fields right after the first frame (the results come first)."""
        yield StepBar(self.step, self.case.errors(), self.app.size.width >= WIDE, id="steps")
        yield FormBody(id="form-body")

    def on_mount(self) -> None:
        self.call_after_refresh(self._first_section)

    async def _first_section(self) -> None:
        async with self._lock:
            if not self.query(f"#step-{SECTIONS[self.step].id}"):
                await self.query_one("#form-body").mount(self._section(self.step))
        self.call_after_refresh(self._focus_first)

    def _focus_first(self) -> None:
        if self.screen.focused is None and getattr(self.app, "active_tab", "case") == "case":
            first = self.query(f"#step-{SECTIONS[self.step].id} .field-control")
            if first:
                first.first().focus()

    def _section(self, k: int) -> Vertical:
        """One step's widgets in a container; mounted on the first visit, then kept (hidden)."""
        section = SECTIONS[k]
        children = [Static(_(section.title), classes="section-title", id=f"sec-{section.id}"),
                    Prose(_(section.intro), classes="section-intro")]
        for spec in section.fields:
            if spec.heading:
                children.append(Static(_(spec.heading), classes="field-group", markup=False))
            children.append(FieldRow(spec.name, spec.hint, self.case))
        if section.id == "when":
            children.append(Prose(_("Assumptions where the measures are unclear (docs/assumptions.md)"),
                                   classes="section-intro options-intro"))
            children += [Horizontal(Prose(_(label), classes="field-label"),
                                    YesNo(option_value(self.case, name), id=f"o-{name}", classes="field-control"),
                                    classes="field-line option-row")
                         for name, label in OPTIONS]
        buttons = []
        if k > 0:
            buttons.append(Button(_("‹ Back"), id=f"back-{section.id}", classes="step-back", compact=True))
        if k < len(SECTIONS) - 1:
            buttons.append(Button(_("Next ›"), id=f"next-{section.id}", classes="step-next", compact=True,
                                  variant="primary"))
        children.append(Horizontal(*buttons, classes="step-buttons"))
        return Vertical(*children, id=f"step-{section.id}", classes="form-section")

    async def move(self, delta: int) -> None:
        """One step on or back; steps are taken one at a time (keys can arrive faster than a swap)."""
        async with self._lock:
            await self._show(self.step + delta, True)

    async def show_step(self, k: int, focus: bool = True) -> None:
        async with self._lock:
            await self._show(k, focus)

    async def _show(self, k: int, focus: bool) -> None:
        k = max(0, min(k, len(SECTIONS) - 1))
        if k == self.step and self.query(f"#step-{SECTIONS[k].id}"):
            return
        self.step = k
        self.app.form_step = k          # kept across a language switch
        body = self.query_one("#form-body", VerticalScroll)
        target = body.query(f"#step-{SECTIONS[k].id}")
        for sec in body.query(".form-section"):
            sec.display = False
        if target:
            target.first().display = True
            for row in target.first().query(FieldRow):      # the year's amounts, messages
                row.refresh_messages()
        else:
            await body.mount(self._section(k))
        body.scroll_home(animate=False)
        self.query_one(StepBar).show(k, self.case.errors())
        if focus:
            first = body.query(f"#step-{SECTIONS[k].id} .field-control")
            if first:
                first.first().focus()

    async def goto_field(self, name: str) -> None:
        for k, section in enumerate(SECTIONS):
            if any(f.name == name for f in section.fields):
                await self.show_step(k, focus=False)
                return

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("step-next") or event.button.has_class("step-back"):
            event.stop()
            self.run_worker(self.move(1 if event.button.has_class("step-next") else -1))

    def refresh_messages(self) -> None:
        for row in self.query(FieldRow):
            row.refresh_messages()
        self.query_one(StepBar).show(self.step, self.case.errors())

    def _edited(self, control_id: str | None, value) -> None:
        if control_id and control_id.startswith("f-"):
            name = control_id[2:]
            st = self.case.fields.get(name)
            if st is not None and st.error is None and value in (st.raw, st.value):
                return                      # a control saying the value it was given (a Select on mount)
            self.post_message(self.Edited(name, value))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._edited(event.input.id, event.value)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        """Leaving a valid amount shows it grouped (900,000)."""
        name = (event.input.id or "")[2:]
        st = self.case.fields.get(name)
        if st is None or st.error or not (event.input.id or "").startswith("f-"):
            return
        text = display(name, st.value)
        if field_kind(name) == "money" and text != event.input.value:
            with event.input.prevent(Input.Changed):
                event.input.value = text
            st.raw = text

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field moves on to the next one, as Tab does."""
        event.stop()
        self.screen.focus_next()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._edited(event.select.id, event.value)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        cid = event.checkbox.id or ""
        if cid.startswith("o-"):
            self.post_message(self.OptionChanged(cid[2:], event.value))
        else:
            self._edited(cid, event.value)

    def set_values(self) -> None:
        """Put the case's values back in the controls of the shown step (after loading a case)."""
        for row in self.query(FieldRow):
            name, st = row.field_name, self.case.fields[row.field_name]
            ctl = row.query_one(".field-control")
            with ctl.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
                if isinstance(ctl, Input):
                    ctl.value = str(st.raw)
                elif isinstance(ctl, Select):
                    ctl.value = st.value if name == "tax_year" else st.raw
                else:
                    ctl.value = bool(st.raw)
        self.refresh_messages()

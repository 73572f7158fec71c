"""The case form: guided sections of fields, each with its hint and its message."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, Select, Static

from ...i18n import _
from ...scenario import field_choices, field_kind
from ..case import Case
from ..fields import CHOICE_LABELS, SECTIONS
from ..hints import field_hint


class FieldRow(Vertical):
    """One field: its label and control on a line, then its hint and its message."""

    def __init__(self, name: str, label: str, static_hint: str, case: Case):
        super().__init__(id=f"row-{name}", classes="field-row")
        self.field_name = name
        self.label = label
        self.static_hint = static_hint
        self.case = case

    def compose(self) -> ComposeResult:
        name, st = self.field_name, self.case.fields[self.field_name]
        kind = field_kind(name)
        with Horizontal(classes="field-line"):
            yield Label(_(self.label), classes="field-label")
            cid = f"f-{name}"
            if kind == "bool":
                yield Checkbox("", value=bool(st.raw), id=cid, compact=True, classes="field-control")
            elif kind in ("choice", "choice_int") or name == "tax_year":
                if name == "tax_year":
                    options = [(str(y), y) for y in self.case.tables.mainland_years()]
                    value = st.value
                else:
                    labels = CHOICE_LABELS.get(name, {})
                    options = [(_(labels.get(c, str(c))), c) for c in field_choices(name)]
                    value = st.raw
                yield Select(options, value=value, allow_blank=False, id=cid, compact=True, classes="field-control")
            else:
                yield Input(str(st.raw), id=cid, compact=True, classes="field-control", select_on_focus=True)
        yield Static(self.hint_text(), classes="field-hint", markup=False)
        yield Static(self.case.errors().get(name, ""), classes="field-error", markup=False)

    def hint_text(self) -> str:
        dynamic = field_hint(self.field_name, self.case.tables, self.case.fields["tax_year"].value)
        parts = [p for p in (_(self.static_hint) if self.static_hint else "", dynamic) if p]
        return " ".join(parts)

    def refresh_messages(self) -> None:
        msg = self.case.errors().get(self.field_name, "")
        err = self.query_one(".field-error", Static)
        err.update(("⚠ " + msg) if msg else "")
        err.set_class(bool(msg), "shown")
        self.set_class(bool(msg), "invalid")
        hint = self.query_one(".field-hint", Static)
        text = self.hint_text()
        hint.update(text)
        hint.set_class(bool(text), "shown")


class CaseForm(VerticalScroll):
    """All sections, one after the other; Tab moves from field to field."""

    class Edited(Message):
        def __init__(self, name: str, value) -> None:
            super().__init__()
            self.name = name
            self.value = value

    def __init__(self, case: Case, **kw):
        super().__init__(**kw)
        self.case = case

    def compose(self) -> ComposeResult:
        for section in SECTIONS:
            yield Static(_(section.title), classes="section-title", id=f"sec-{section.id}")
            yield Static(_(section.intro), classes="section-intro")
            for spec in section.fields:
                yield FieldRow(spec.name, spec.label, spec.hint, self.case)

    def on_mount(self) -> None:
        self.refresh_messages()

    def refresh_messages(self) -> None:
        for row in self.query(FieldRow):
            row.refresh_messages()

    def _edited(self, control_id: str | None, value) -> None:
        if control_id and control_id.startswith("f-"):
            self.post_message(self.Edited(control_id[2:], value))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._edited(event.input.id, event.value)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._edited(event.select.id, event.value)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._edited(event.checkbox.id, event.value)

    def set_values(self) -> None:
        """Put the case's values back in the controls (after loading a case)."""
        for name, st in self.case.fields.items():
            try:
                ctl = self.query_one(f"#f-{name}")
            except Exception:
                continue
            with ctl.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
                if isinstance(ctl, Input):
                    ctl.value = str(st.raw)
                elif isinstance(ctl, Select):
                    ctl.value = st.value if name == "tax_year" else st.raw
                else:
                    ctl.value = bool(st.raw)
        self.refresh_messages()

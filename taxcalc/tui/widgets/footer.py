"""The key bar, recomposed only when the keys it shows change.

Textual's Footer recomposes (removes and mounts every key) each time a screen says its bindings
may have changed: on every focus change and every reactive flagged ``bindings``, dozens of times
while the screen starts. This one compares what it would show first.

The keys keep the screen's order whatever has the focus: Textual orders them by the focused
widget's bindings first, so a field that binds ctrl+e itself (an Input: end of line) moved Export
before Save as the focus went from a choice to an amount.

A key is shown whole or not at all: when the keys are wider than the window, the general keys a
tab needs least are left out first (Next, Language, Open, Export, Save: they still work), so that
the tab's own keys (the packages' a, d, c) and Quit stay in view. Textual's cut the bar at the
right edge (``c Clear  ^`` at 100 columns; Remove, Clear and Quit gone at 80)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: the keys left out first when the bar is too narrow (their actions), in that order
DROP_ORDER = ("step(1)", "app.next_language", "app.load", "app.export('md')", "app.save")


def key_cells(key: FooterKey) -> int:
    """The cells a key takes: its key and description, a space between and one on each side
    (the command palette's: a border on the left instead of the space)."""
    return cell_len(key.key_display) + cell_len(key.description) + 3


class QuietFooter(Footer):
    _shown_keys: tuple | None = None

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._bindings_ready = True         # compose the keys at once, not on the first signal

    def compose(self):
        self._shown_keys = self._keys()
        widgets = list(super().compose())
        if all(isinstance(w, FooterKey) for w in widgets):       # no groups: the keys in the screen's order
            widgets.sort(key=lambda w: self._rank(w.key))
            widgets = self._fit(widgets)
        yield from widgets

    def _fit(self, keys: list) -> list:
        """The keys that fit whole in the window's width, leaving out those of DROP_ORDER first."""
        room = self.app.size.width - sum(key_cells(k) for k in keys if k.has_class("-command-palette"))
        for action in DROP_ORDER:
            if sum(key_cells(k) for k in keys if not k.has_class("-command-palette")) <= room:
                break
            keys = [k for k in keys if k.action != action]
        return keys

    def _rank(self, key: str) -> int:
        """A key's place: the screen's bindings in their order, then the app's."""
        order = [*self.screen._bindings.key_to_bindings, *self.app._bindings.key_to_bindings]
        return order.index(key) if key in order else len(order)

    def _keys(self) -> tuple:
        return (self.app.size.width,
                *sorted(((b.key, b.description, b.action, enabled, tooltip)
                         for _node, b, enabled, tooltip in self.screen.active_bindings.values()
                         if b.show or b.key == self.app.COMMAND_PALETTE_BINDING),
                        key=lambda k: self._rank(k[0])))

    def on_resize(self) -> None:
        """Which keys fit depends on the width."""
        self._recompose_on_change()

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        self._recompose_on_change()

    def _recompose_on_change(self) -> None:
        keys = self._keys()
        if keys != self._shown_keys:
            self._shown_keys = keys
            self.call_after_refresh(self.recompose)

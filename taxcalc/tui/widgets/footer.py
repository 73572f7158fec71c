"""The key bar, recomposed only when the keys it shows change.

Textual's Footer recomposes (removes and mounts every key) each time a screen says its bindings
may have changed: on every focus change and every reactive flagged ``bindings``, dozens of times
while the screen starts. This one compares what it would show first.

The keys keep the screen's order whatever has the focus: Textual orders them by the focused
widget's bindings first, so a field that binds ctrl+e itself (an Input: end of line) moved Export
before Save as the focus went from a choice to an amount."""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey


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
        yield from widgets

    def _rank(self, key: str) -> int:
        """A key's place: the screen's bindings in their order, then the app's."""
        order = [*self.screen._bindings.key_to_bindings, *self.app._bindings.key_to_bindings]
        return order.index(key) if key in order else len(order)

    def _keys(self) -> tuple:
        return tuple(sorted(((b.key, b.description, b.action, enabled, tooltip)
                             for _node, b, enabled, tooltip in self.screen.active_bindings.values()
                             if b.show or b.key == self.app.COMMAND_PALETTE_BINDING),
                            key=lambda k: self._rank(k[0])))

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        keys = self._keys()
        if keys != self._shown_keys:
            self._shown_keys = keys
            self.call_after_refresh(self.recompose)

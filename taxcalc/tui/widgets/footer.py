"""The key bar, recomposed only when the keys it shows change.

Textual's Footer recomposes (removes and mounts every key) each time a screen says its bindings
may have changed: on every focus change and every reactive flagged ``bindings``, dozens of times
while the screen starts. This one compares what it would show first."""

from __future__ import annotations

from textual.widgets import Footer


class QuietFooter(Footer):
    _shown_keys: tuple | None = None

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._bindings_ready = True         # compose the keys at once, not on the first signal

    def compose(self):
        self._shown_keys = self._keys()
        yield from super().compose()

    def _keys(self) -> tuple:
        return tuple((b.key, b.description, b.action, enabled, tooltip)
                     for _node, b, enabled, tooltip in self.screen.active_bindings.values()
                     if b.show or b.key == self.app.COMMAND_PALETTE_BINDING)

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        keys = self._keys()
        if keys != self._shown_keys:
            self._shown_keys = keys
            self.call_after_refresh(self.recompose)

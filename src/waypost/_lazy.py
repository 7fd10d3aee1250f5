"""Deferred imports of Waypost's heavy modules, with the cyclic garbage collector paused.

Loading the store and the schemas creates some hundred thousand objects; each few hundred
new ones set off a collection that walks them all again, about a sixth of a script's start-up.
Nothing that is imported is garbage, so the collector waits until that work is done and then
freezes what exists (``gc.freeze()``: modules, classes and the store's tables live as long as
the process), so later collections, the one at exit included, do not walk them again. The
collector is never paused around user code.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block of imports and set-up (not user code)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def load(name: str) -> ModuleType:
    """``importlib.import_module(name)``, with the collector paused while it runs the first time."""
    module = sys.modules.get(name)
    # A module another thread is still importing is in sys.modules half-made (two steps calling add_tags
    # at once): importlib waits for that import to finish instead.
    if module is not None and not getattr(module.__spec__, "_initializing", False):
        return module
    with collector_paused():
        return importlib.import_module(name)

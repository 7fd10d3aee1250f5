"""Deferred imports from several threads at once (steps run as threads): none sees a half-made module."""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
import time
from importlib.machinery import ModuleSpec
from types import ModuleType

from waypost import _lazy

NAME = "waypost_test_slow_module"


class _SlowLoader(importlib.abc.Loader):
    def create_module(self, spec: ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        time.sleep(0.3)  # long enough for the other threads to ask while it is half-made
        module.ready = True  # type: ignore[attr-defined]


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: object, target: object = None) -> ModuleSpec | None:
        return importlib.util.spec_from_loader(name, _SlowLoader()) if name == NAME else None


def test_threads_loading_one_module_all_get_it_whole() -> None:
    finder = _Finder()
    sys.meta_path.insert(0, finder)
    got: list[bool] = []
    try:
        threads = [threading.Thread(target=lambda: got.append(hasattr(_lazy.load(NAME), "ready"))) for _ in range(4)]
        for t in threads:
            t.start()
            time.sleep(0.02)
        for t in threads:
            t.join()
    finally:
        sys.meta_path.remove(finder)
        sys.modules.pop(NAME, None)
    assert got == [True, True, True, True]

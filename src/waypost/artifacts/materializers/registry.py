"""The explicit registry that maps types to materializers."""

from __future__ import annotations

import dataclasses
import importlib
import threading
import typing
import weakref
from collections.abc import Iterable
from typing import Any, ClassVar

from waypost.artifacts.materializers.base import Materializer, type_name
from waypost.artifacts.materializers.builtin_types import (
    BytesMaterializer,
    JsonMaterializer,
)
from waypost.artifacts.materializers.figures import MatplotlibFigureMaterializer
from waypost.artifacts.materializers.folders import FolderMaterializer
from waypost.artifacts.materializers.images import PillowImageMaterializer
from waypost.artifacts.materializers.numpy_arrays import NumpyMaterializer
from waypost.artifacts.materializers.pandas_frames import PandasMaterializer
from waypost.artifacts.materializers.pickle_fallback import PickleMaterializer
from waypost.artifacts.materializers.polars_frames import PolarsMaterializer
from waypost.artifacts.materializers.registered_paths import PathMaterializer
from waypost.artifacts.materializers.sklearn_models import SklearnEstimatorMaterializer
from waypost.artifacts.materializers.structured_strings import StructuredStringMaterializer
from waypost.artifacts.materializers.structured_values import DATACLASS, StructuredMaterializer
from waypost.exceptions import MaterializerError

BUILTIN_MATERIALIZERS: tuple[type[Materializer], ...] = (
    StructuredMaterializer,  # before JsonMaterializer: plain JSON containers are asked of that first
    JsonMaterializer,
    BytesMaterializer,
    NumpyMaterializer,
    PandasMaterializer,
    PolarsMaterializer,
    PillowImageMaterializer,
    MatplotlibFigureMaterializer,
    FolderMaterializer,
    SklearnEstimatorMaterializer,
    StructuredStringMaterializer,
)
"""What :meth:`MaterializerRegistry.with_builtins` registers; their libraries load lazily."""

INTEGRATION_MODULES = frozenset(
    {
        "waypost.integrations.evidently",
        "waypost.integrations.great_expectations",
        "waypost.integrations.sklearn",
        "waypost.integrations.whylogs",
    }
)
"""Waypost's own modules whose materializers :meth:`MaterializerRegistry.resolve` may import by name.

A fixed list of this package's modules (each registers its materializers when imported), so
their artifacts load in a fresh process; no other stored name is ever imported.
"""


def unsupported_message(data_type: str, output: str | None = None, reason: str | None = None) -> str:
    """The one-line error for a value that no materializer can save."""
    details = [f"output '{output}'"] if output else []
    details += [reason] if reason else []
    where = f" ({'; '.join(details)})" if details else ""
    return (
        f"No materializer can save a value of type '{data_type}'{where}: register a "
        "Materializer subclass for it, or return a supported type."
    )


class MaterializerRegistry:
    """Which materializer saves which type; nothing is registered until you register it.

    Lookups walk the value's ``__mro__`` and match qualified type names, so subclasses of a
    registered type are covered and registering imports no heavy library. When several
    materializers claim a type, the one registered last is asked first; a materializer may
    decline a value through :meth:`Materializer.can_save`. Values nothing takes go to
    ``fallback`` (cloudpickle by default; ``None`` makes them an error).
    """

    _default: ClassVar[MaterializerRegistry | None] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        materializers: Iterable[type[Materializer]] = (),
        *,
        fallback: type[Materializer] | None = PickleMaterializer,
    ) -> None:
        self.fallback = fallback
        self._by_type: dict[str, list[type[Materializer]]] = {}
        self._by_name: dict[str, type[Materializer]] = {}
        # Loadable by name without claiming any type: the fallback, and classes steps name in code.
        self._known: dict[str, type[Materializer]] = {}
        if fallback is not None:
            self._known[type_name(fallback)] = fallback
        self._known[type_name(PathMaterializer)] = PathMaterializer  # loads what register_artifact() recorded
        self._candidates: weakref.WeakKeyDictionary[type, tuple[type[Materializer], ...]]
        self._candidates = weakref.WeakKeyDictionary()
        for materializer in materializers:
            self.register(materializer)

    @classmethod
    def with_builtins(cls) -> MaterializerRegistry:
        """A new registry holding the built-in materializers and the cloudpickle fallback."""
        return cls(BUILTIN_MATERIALIZERS)

    @classmethod
    def default(cls) -> MaterializerRegistry:
        """The shared registry with the built-ins, created on first use."""
        if cls._default is None:
            with cls._default_lock:
                if cls._default is None:
                    cls._default = cls.with_builtins()
        return cls._default

    def register(self, materializer: type[Materializer]) -> type[Materializer]:
        """Use ``materializer`` for its ``ASSOCIATED_TYPES``, ahead of earlier registrations.

        A ZenML-style :class:`waypost.materializers.BaseMaterializer` subclass registers itself.
        """
        materializer = getattr(materializer, "__waypost_materializer__", materializer)
        if not (isinstance(materializer, type) and issubclass(materializer, Materializer)):
            raise MaterializerError(
                f"Cannot register {materializer!r}: it is not a Materializer subclass; "
                "subclass waypost.artifacts.materializers.Materializer."
            )
        for name in materializer.ASSOCIATED_TYPES:
            if not isinstance(name, str) or "." not in name:
                raise MaterializerError(
                    f"{type_name(materializer)}.ASSOCIATED_TYPES holds {name!r}; list qualified "
                    "type names such as 'pandas.DataFrame' (f'{cls.__module__}.{cls.__qualname__}')."
                )
            claims = self._by_type.setdefault(name, [])
            if materializer in claims:
                claims.remove(materializer)
            claims.insert(0, materializer)
        self._by_name[type_name(materializer)] = materializer
        self._candidates = weakref.WeakKeyDictionary()
        return materializer

    @property
    def materializers(self) -> list[type[Materializer]]:
        """Every registered materializer, in registration order."""
        return list(self._by_name.values())

    def _candidates_for(self, cls: type) -> tuple[type[Materializer], ...]:
        found = self._candidates.get(cls)
        if found is None:
            ordered: dict[type[Materializer], None] = {}
            for klass in cls.__mro__:
                for materializer in self._by_type.get(type_name(klass), ()):
                    ordered.setdefault(materializer)
            if dataclasses.is_dataclass(cls):  # after the class's own: any dataclass
                for materializer in self._by_type.get(DATACLASS, ()):
                    ordered.setdefault(materializer)
            found = self._candidates[cls] = tuple(ordered)
        return found

    def for_value(self, value: Any, *, output: str | None = None) -> type[Materializer]:
        """The materializer that saves ``value``: the first match that accepts it, or the fallback.

        Whether the fallback can pickle ``value`` shows only when it saves it, to avoid
        pickling twice; :func:`waypost.artifacts.io.save_artifact` reports that failure with
        the same message as here. ``output`` only names the value in error messages.
        """
        for materializer in self._candidates_for(type(value)):
            if materializer.can_save(value):
                return materializer
        if self.fallback is None:
            raise MaterializerError(unsupported_message(type_name(type(value)), output))
        return self.fallback

    def for_type(self, annotation: Any) -> type[Materializer] | None:
        """The materializer an annotation alone determines, or ``None`` when the value decides.

        ``Annotated[T, ...]`` and generic aliases such as ``list[int]`` are looked up as
        their class. ``None`` for ``Any``, unions, unregistered types, and materializers
        that override :meth:`Materializer.can_save` (they accept only some values).
        """
        while typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        annotation = typing.get_origin(annotation) or annotation
        if annotation is None:
            annotation = type(None)
        if not isinstance(annotation, type):
            return None
        for materializer in self._candidates_for(annotation):
            if "can_save" in _overrides(materializer):
                return None
            return materializer
        return None

    def resolve(self, name: str) -> type[Materializer]:
        """The materializer a stored artifact names (``module.Class``), looked up by name only.

        Names read from the metadata store are never imported: whoever can write a record
        could otherwise make the loader import any module. A class is found when it was
        registered, is the fallback, or a step in this process named it in its code.

        Raises:
            MaterializerError: No such materializer is known here.
        """
        found = self._by_name.get(name) or self._known.get(name) or _integration_class(name)
        if found is None:
            cls = name.rsplit(".", 1)[-1][:100]
            raise MaterializerError(
                f"Materializer '{name[:200]}' is not registered in this process (stored names are never "
                f"imported); import it and call MaterializerRegistry.default().register({cls}) before loading."
            )
        return found

    def load_class(self, dotted_path: str) -> type[Materializer]:
        """The materializer named ``module.Class`` in code (a step's ``output_materializers``).

        Registered ones come first, else the module is imported; the class is then known by
        name, so :meth:`resolve` finds it for the artifacts it saves. Never pass it a name
        read from storage: use :meth:`resolve`.
        """
        registered = self._by_name.get(dotted_path) or self._known.get(dotted_path)
        if registered is not None:
            return registered
        found = _import_attribute(dotted_path)
        # A ZenML-style BaseMaterializer subclass carries the Materializer that runs it.
        found = getattr(found, "__waypost_materializer__", found)
        if not (isinstance(found, type) and issubclass(found, Materializer)):
            raise MaterializerError(
                f"'{dotted_path}' is not a Materializer subclass; name a Materializer subclass "
                "in output_materializers, or register it with MaterializerRegistry.register()."
            )
        self.remember(found)
        return found

    def remember(self, materializer: type[Materializer]) -> None:
        """Let :meth:`resolve` find ``materializer`` by name, without choosing it for any type.

        Code that saves with an explicit materializer class names it here, so the artifacts it
        saves load back in this process.
        """
        self._known[type_name(materializer)] = materializer


def _overrides(materializer: type[Materializer]) -> set[str]:
    """Names defined by ``materializer`` or its bases below :class:`Materializer`."""
    names: set[str] = set()
    for klass in materializer.__mro__:
        if klass is Materializer:
            break
        names.update(vars(klass))
    return names


def _integration_class(name: str) -> type[Materializer] | None:
    """The materializer ``name`` when it is one of Waypost's integrations (imported on demand); else None."""
    module_name, _, attribute = name.rpartition(".")
    if module_name not in INTEGRATION_MODULES:
        return None
    try:
        found = getattr(importlib.import_module(module_name), attribute, None)
    except Exception as exc:  # its library is not installed, or fails to import
        raise MaterializerError(_import_message(name, exc)) from exc
    return found if isinstance(found, type) and issubclass(found, Materializer) else None


def _import_attribute(dotted_path: str) -> Any:
    parts = dotted_path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            found: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and (module_name + ".").startswith(exc.name + "."):
                continue  # that prefix is not a module; try a shorter one
            raise MaterializerError(_import_message(dotted_path, exc)) from exc
        except Exception as exc:  # the module exists but fails to import
            raise MaterializerError(_import_message(dotted_path, exc)) from exc
        try:
            for attribute in parts[cut:]:
                found = getattr(found, attribute)
        except AttributeError as exc:
            raise MaterializerError(_import_message(dotted_path, exc)) from exc
        return found
    raise MaterializerError(_import_message(dotted_path, None))


def _import_message(dotted_path: str, exc: BaseException | None) -> str:
    reason = f" ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})" if exc else ""
    return (
        f"Cannot import materializer '{dotted_path}'{reason}; install the package that defines "
        "it, or register the class with MaterializerRegistry.register() before loading."
    )

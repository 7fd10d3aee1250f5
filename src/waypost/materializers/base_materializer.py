"""ZenML's ``BaseMaterializer``, run by Waypost's own materializer machinery.

    import os
    from waypost.enums import ArtifactType, VisualizationType
    from waypost.materializers.base_materializer import BaseMaterializer

    class MyMaterializer(BaseMaterializer):
        ASSOCIATED_TYPES = (MyObj,)
        ASSOCIATED_ARTIFACT_TYPE = ArtifactType.DATA

        def load(self, data_type):
            with self.artifact_store.open(os.path.join(self.uri, "data.txt"), "r") as f:
                return MyObj(name=f.read())

        def save(self, my_obj):
            with self.artifact_store.open(os.path.join(self.uri, "data.txt"), "w") as f:
                f.write(my_obj.name)

Defining the subclass registers it for its ``ASSOCIATED_TYPES`` in
:meth:`MaterializerRegistry.default() <waypost.artifacts.materializers.MaterializerRegistry.default>`
(``SKIP_REGISTRATION = True`` leaves it out; ``@step(output_materializers=...)`` still picks it).
Each subclass gets a :class:`~waypost.artifacts.materializers.Materializer` that runs it, so a
value is saved the way every output is (:func:`waypost.artifacts.io.save_artifact`): its files are
written into a staging folder, hashed, and published at the version's URI all at once.

- ``self.uri`` is that local staging folder while saving, and a local folder holding the version's
  files while loading (a temporary copy for a remote store); write and read inside it.
- ``save_visualizations`` returns ``{file: VisualizationType}``; each file becomes one of the
  version's stored views: HTML, markdown, an image, a CSV shown as a table, JSON as a tree. Files
  written inside ``self.uri`` are moved beside the artifact (into ``_viz/``), so they are not part
  of its content hash.
- ``extract_metadata``'s dict becomes the version's metadata, with ``artifact_type`` (the
  ``ASSOCIATED_ARTIFACT_TYPE``'s name) unless it is ``BASE``.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import VIZ_DIR, Materializer, type_name
from waypost.artifacts.materializers.registry import MaterializerRegistry
from waypost.artifacts.materializers.structured_strings import csv_table
from waypost.enums import ArtifactType, VisualizationType
from waypost.exceptions import MaterializerError
from waypost.io import fileio
from waypost.schemas.artifacts import VisualizationRef

__all__ = ["BaseMaterializer", "BaseMaterializerMeta", "MaterializerArtifactStore"]


class MaterializerArtifactStore:
    """``self.artifact_store`` of a materializer: ZenML's artifact store file methods, over :mod:`waypost.io.fileio`.

    ``path`` is the store's root; the file methods take local paths or URIs, as ``fileio`` does.
    """

    def __init__(self, root: str | None = None) -> None:
        self._root = root

    @property
    def path(self) -> str:
        """The root of the active artifact store."""
        if self._root is None:
            from waypost.execution import runtime

            self._root = runtime.current().artifact_store.uri
        return self._root

    open = staticmethod(fileio.open)
    exists = staticmethod(fileio.exists)
    isdir = staticmethod(fileio.isdir)
    glob = staticmethod(fileio.glob)
    listdir = staticmethod(fileio.listdir)
    makedirs = staticmethod(fileio.makedirs)
    mkdir = staticmethod(fileio.mkdir)
    remove = staticmethod(fileio.remove)
    rmtree = staticmethod(fileio.rmtree)
    rename = staticmethod(fileio.rename)
    size = staticmethod(fileio.size)
    stat = staticmethod(fileio.stat)
    walk = staticmethod(fileio.walk)
    copyfile = staticmethod(fileio.copy)


def _types(name: str, value: Any) -> tuple[type, ...]:
    found = tuple(value) if isinstance(value, Iterable) and not isinstance(value, str | bytes) else (value,)
    for kind in found:
        if not inspect.isclass(kind):
            raise MaterializerError(
                f"Materializer '{name}' lists {kind!r} in ASSOCIATED_TYPES; "
                "list classes, e.g. ASSOCIATED_TYPES = (MyObj,)."
            )
    return found


def _bridge(cls: type[BaseMaterializer], associated: tuple[type, ...]) -> type[Materializer]:
    """The Materializer that runs ``cls``, named like it so stored versions name the user's class."""
    namespace: dict[str, Any] = {
        "ASSOCIATED_TYPES": tuple(type_name(k) for k in associated),
        "VERSION": str(getattr(cls, "VERSION", "1")),
        "LOG_METADATA": True,
        "zenml_class": cls,
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": f"Runs the BaseMaterializer {cls.__qualname__} for Waypost.",
    }
    return type(cls.__name__, (_Bridge,), namespace)


class _Bridge(Materializer):
    """A :class:`Materializer` that calls a ``BaseMaterializer`` with ``uri`` set to the folder at hand."""

    zenml_class: ClassVar[type[BaseMaterializer]]

    def __init__(self) -> None:
        self._made: BaseMaterializer | None = None
        self._folder: Path | None = None

    def _at(self, path: Path) -> BaseMaterializer:
        if self._made is None or self._folder != path:
            self._made, self._folder = self.zenml_class(str(path), MaterializerArtifactStore(None)), path
        return self._made

    def save(self, data: Any, path: Path) -> None:
        self._at(path).save(data)

    def load(self, path: Path, data_type: str) -> Any:
        return self._at(path).load(_data_type(data_type, self.zenml_class.ASSOCIATED_TYPES))

    def metadata(self, data: Any) -> dict[str, Any]:
        found = dict(self._made.extract_metadata(data) if self._made is not None else {})
        kind = self.zenml_class.ASSOCIATED_ARTIFACT_TYPE
        if kind != ArtifactType.BASE:
            found.setdefault("artifact_type", kind.name)
        return found

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        made = self._at(path)
        found = made.save_visualizations(data) or {}
        return [_stored_view(path, str(uri), VisualizationType(kind)) for uri, kind in found.items()]


class BaseMaterializerMeta(type):
    """Validates a ``BaseMaterializer`` subclass, gives it a Waypost materializer, and registers it."""

    def __init__(cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> None:
        super().__init__(name, bases, namespace)
        skip = bool(namespace.get("SKIP_REGISTRATION", False))
        if skip:
            setattr(cls, "SKIP_REGISTRATION", False)  # noqa: B010  subclasses register unless they skip too (ZenML's rule)
        associated = _types(name, getattr(cls, "ASSOCIATED_TYPES", ()))
        if not associated and not skip:
            raise MaterializerError(
                f"Materializer '{name}' has no ASSOCIATED_TYPES; list the classes it saves, "
                "e.g. ASSOCIATED_TYPES = (MyObj,), or set SKIP_REGISTRATION = True for a base class."
            )
        artifact_type = getattr(cls, "ASSOCIATED_ARTIFACT_TYPE", ArtifactType.BASE)
        try:
            setattr(cls, "ASSOCIATED_ARTIFACT_TYPE", ArtifactType(artifact_type))  # noqa: B010 (on the metaclass)
        except ValueError:
            raise MaterializerError(
                f"Materializer '{name}' has ASSOCIATED_ARTIFACT_TYPE {artifact_type!r}; "
                "use one of waypost.enums.ArtifactType (DATA, MODEL …)."
            ) from None
        setattr(cls, "ASSOCIATED_TYPES", associated)  # noqa: B010
        bridge = _bridge(cls, associated)  # type: ignore[arg-type]
        setattr(cls, "__waypost_materializer__", bridge)  # noqa: B010
        if not skip:
            MaterializerRegistry.default().register(bridge)


class BaseMaterializer(metaclass=BaseMaterializerMeta):
    """Saves values of ``ASSOCIATED_TYPES`` into ``self.uri`` and loads them back (ZenML's interface)."""

    ASSOCIATED_TYPES: ClassVar[tuple[type, ...]] = ()
    ASSOCIATED_ARTIFACT_TYPE: ClassVar[ArtifactType] = ArtifactType.BASE
    SKIP_REGISTRATION: ClassVar[bool] = True
    __waypost_materializer__: ClassVar[type[Materializer]]

    def __init__(self, uri: str, artifact_store: Any = None) -> None:
        self.uri = uri
        self._artifact_store = artifact_store

    @property
    def artifact_store(self) -> Any:
        """The files of the artifact store: ``open``, ``exists``, ``makedirs``, ``listdir`` … and ``path``."""
        if self._artifact_store is None:
            self._artifact_store = MaterializerArtifactStore()
        return self._artifact_store

    def load(self, data_type: type[Any]) -> Any:
        """Read the value back from files inside ``self.uri``."""
        return None

    def save(self, data: Any) -> None:
        """Write ``data`` as files inside ``self.uri``."""

    def save_visualizations(self, data: Any) -> dict[str, VisualizationType]:
        """Write views of ``data`` as files inside ``self.uri``; return ``{file: VisualizationType}``."""
        return {}

    def extract_metadata(self, data: Any) -> dict[str, Any]:
        """A few facts about ``data``, recorded as the version's metadata."""
        return {}

    @classmethod
    def can_handle_type(cls, data_type: type[Any]) -> bool:
        """Whether ``data_type`` is one of ``ASSOCIATED_TYPES`` or a subclass of one."""
        return any(issubclass(data_type, kind) for kind in cls.ASSOCIATED_TYPES)

    can_save_type = can_handle_type
    can_load_type = can_handle_type

    def validate_save_type_compatibility(self, data_type: type[Any]) -> None:
        """Raise ``TypeError`` unless this materializer handles ``data_type``."""
        if not self.can_handle_type(data_type):
            names = ", ".join(k.__name__ for k in self.ASSOCIATED_TYPES)
            raise TypeError(f"{type(self).__name__} handles {names}, not {data_type.__name__}.")

    validate_load_type_compatibility = validate_save_type_compatibility


def _data_type(name: str, associated: tuple[type, ...]) -> type[Any]:
    """The class a stored ``data_type`` names: one of ``associated``, or one from a module imported here."""
    for kind in associated:
        if type_name(kind) == name:
            return kind
    module_name, _, qualname = name.rpartition(".")
    found: Any = sys.modules.get(module_name)
    for part in qualname.split(".") if found is not None else ():
        found = getattr(found, part, None)
    if isinstance(found, type):
        return found
    return associated[0] if associated else object


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_VIEWS: dict[VisualizationType, Callable[[Path, str, str], VisualizationRef]] = {
    VisualizationType.HTML: lambda path, text, title: viz.html(path, text, title=title),
    VisualizationType.MARKDOWN: lambda path, text, title: viz.markdown(path, text, title=title),
    VisualizationType.CSV: lambda path, text, title: csv_table(path, text, title=title),
}
_REWRITTEN = frozenset({*_VIEWS, VisualizationType.JSON})


def _stored_view(path: Path, uri: str, kind: VisualizationType) -> VisualizationRef:
    """One ``save_visualizations`` file as a view stored under ``path / "_viz"``.

    HTML, markdown, CSV and JSON are rewritten as Waypost's views; an image (or a file of one of
    Waypost's own view types) is kept as it is. A source file in the artifact's folder is moved,
    so it is not part of the content hash.
    """
    source = None if _URI.match(uri) else Path(uri)
    inside = source is not None and _within(source, path)
    title = os.path.basename(uri.rstrip("/")) or kind.value
    if source is not None and inside and _within(source, path / VIZ_DIR) and kind not in _REWRITTEN:
        relative = Path(os.path.abspath(source)).relative_to(os.path.abspath(path)).as_posix()
        return VisualizationRef(type=kind, path=relative, title=title, size=source.stat().st_size)
    with fileio.open(uri, "rb") as fh:
        data: bytes = fh.read()
    if kind in _VIEWS:
        ref = _VIEWS[kind](path, data.decode("utf-8", errors="replace"), title)
    elif kind is VisualizationType.JSON:
        try:
            ref = viz.json_tree(path, json.loads(data), title=title)
        except ValueError:
            ref = viz.text(path, data.decode("utf-8", errors="replace"), title=title, kind=VisualizationType.TEXT)
    elif kind is VisualizationType.IMAGE and len(data) > viz.MAX_BYTES:
        from io import BytesIO

        from PIL import Image

        with Image.open(BytesIO(data)) as img:
            ref = viz.image(path, img, title=title)
    else:
        ref = _copy_view(path, title, data, kind)
    if source is not None and inside and source.is_file():
        source.unlink()
    return ref


def _copy_view(path: Path, name: str, data: bytes, kind: VisualizationType) -> VisualizationRef:
    folder = path / VIZ_DIR
    folder.mkdir(exist_ok=True)
    target, n = folder / name, 1
    while target.exists():
        n += 1
        target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
    target.write_bytes(data)
    return VisualizationRef(type=kind, path=f"{VIZ_DIR}/{target.name}", title=name, size=len(data))


def _within(child: Path, parent: Path) -> bool:
    try:
        Path(os.path.abspath(child)).relative_to(os.path.abspath(parent))
    except ValueError:
        return False
    return True

"""The :class:`Materializer` extension point: how one type of value becomes files and back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

from waypost.artifacts.visualizations import VIZ_DIR
from waypost.schemas.artifacts import VisualizationRef

__all__ = ["VIZ_DIR", "Materializer", "type_name"]


def type_name(tp: type) -> str:
    """The qualified name of a type, as ``ASSOCIATED_TYPES`` and ``data_type`` spell it."""
    return f"{tp.__module__}.{tp.__qualname__}"


class Materializer(ABC):
    """Saves values of some types into a local folder, loads them back, and describes them.

    A subclass names the types it handles in ``ASSOCIATED_TYPES`` as qualified names
    (``f"{cls.__module__}.{cls.__qualname__}"``, e.g. ``"pandas.DataFrame"``), so registering
    it imports nothing heavy; subclasses of those types match too. The registry is explicit:
    a materializer is used once it is passed to :meth:`MaterializerRegistry.register`.

    The contract:

    - :meth:`save` writes files into ``path``, an empty local folder. Everything it writes,
      except under ``_viz/``, is the artifact: it is hashed, sized and published atomically.
    - :meth:`load` reads them back. ``path`` may be a temporary copy that disappears when
      ``load`` returns, so return values that do not keep reading from it.
    - :meth:`visualize` writes dashboard views under ``path / "_viz"`` and returns one
      :class:`~waypost.schemas.artifacts.VisualizationRef` per file, with ``path`` relative
      to the artifact folder (``"_viz/table.json"``). It runs at save time so the dashboard
      never unpickles user data. A visualization that raises is skipped and recorded in the
      version's ``meta["visualization_errors"]``; it never fails the save.
      :mod:`waypost.artifacts.visualizations` has helpers for tables, charts, heatmaps,
      images, text and JSON trees.
    - :meth:`metadata` returns a few JSON-safe facts (shape, dtype, rows …) for the version.
    - ``VERSION`` is part of step cache keys: bump it when the files you write change.
    - :meth:`can_save` may decline some values of an associated type (say, a ``dict`` that
      is not JSON); the registry then tries the next candidate. A materializer that
      overrides it is only chosen per value, never from a type annotation alone.
    - A :meth:`load` that unpickles (pickle, joblib, torch.load …) runs code from the files:
      set ``UNSAFE_LOAD = True``, or call :func:`waypost.artifacts.trust.check_unpickle`
      right before unpickling, so artifacts of producers the loader does not trust are refused.
    - Stored artifacts name their materializer; loading resolves that name through the
      registry only, so register the class in every process that loads its artifacts.

    Example:
        A materializer for a small domain type, with its own HTML view::

            import html
            import json
            from pathlib import Path
            from typing import Any

            from waypost.artifacts.materializers import Materializer, MaterializerRegistry
            from waypost.enums import VisualizationType
            from waypost.schemas.artifacts import VisualizationRef


            class Molecule:  # lives in the module ``chem.types``
                def __init__(self, name: str, atoms: list[str]) -> None:
                    self.name = name
                    self.atoms = atoms


            class MoleculeMaterializer(Materializer):
                ASSOCIATED_TYPES = ("chem.types.Molecule",)
                VERSION = "1"

                def save(self, data: Molecule, path: Path) -> None:
                    payload = {"name": data.name, "atoms": data.atoms}
                    (path / "molecule.json").write_text(json.dumps(payload))

                def load(self, path: Path, data_type: str) -> Molecule:
                    payload = json.loads((path / "molecule.json").read_text())
                    return Molecule(payload["name"], payload["atoms"])

                def metadata(self, data: Molecule) -> dict[str, Any]:
                    return {"atoms": len(data.atoms)}

                def visualize(self, data: Molecule, path: Path) -> list[VisualizationRef]:
                    viz = path / "_viz"
                    viz.mkdir(exist_ok=True)
                    items = "".join(f"<li>{html.escape(a)}</li>" for a in data.atoms)
                    page = f"<h1>{html.escape(data.name)}</h1><ul>{items}</ul>"
                    (viz / "molecule.html").write_text(page)
                    return [
                        VisualizationRef(
                            type=VisualizationType.HTML,
                            path="_viz/molecule.html",
                            title="Atoms",
                        )
                    ]


            MaterializerRegistry.default().register(MoleculeMaterializer)

        Steps that return a ``Molecule`` now store ``molecule.json`` plus the HTML view,
        and steps that take one as input get a ``Molecule`` back.
    """

    ASSOCIATED_TYPES: ClassVar[tuple[str, ...]] = ()
    VERSION: ClassVar[str] = "1"
    UNSAFE_LOAD: ClassVar[bool] = False
    """True when :meth:`load` always runs code from the files (unpickles): the producer must be trusted."""
    LOG_METADATA: ClassVar[bool] = False
    """True when what :meth:`metadata` returns is also logged as the version's metadata (as ZenML's
    ``extract_metadata``), shown with it and read back as ``run_metadata``."""

    @classmethod
    def can_save(cls, value: Any) -> bool:
        """True when this materializer can store ``value`` faithfully (default: always)."""
        return True

    @abstractmethod
    def save(self, data: Any, path: Path) -> None:
        """Write ``data`` as files into the empty local folder ``path``."""

    @abstractmethod
    def load(self, path: Path, data_type: str) -> Any:
        """Read back the value saved in ``path``; ``data_type`` is its qualified type name."""

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        """Write views of ``data`` under ``path / "_viz"`` and describe them (default: none)."""
        return []

    def metadata(self, data: Any) -> dict[str, Any]:
        """A few JSON-safe facts about ``data`` (default: none)."""
        return {}

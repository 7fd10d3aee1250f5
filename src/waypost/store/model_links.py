"""How runs and artifact versions relate to a model version: the roles its page groups them by.

A run is the version's ``producer`` (it made the version), ``attached`` (a later run that named the
version, such as an evaluation) or a ``consumer`` (it asked for a stage, such as production, and
ran on the version holding it). An artifact version is the version's ``model``, its ``data``, a
``deployment`` or ``other``: linking says so explicitly, or the value's type decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal

from waypost.exceptions import ParameterError

RunRole = Literal["producer", "attached", "consumer"]
ArtifactRole = Literal["model", "data", "deployment", "other"]
RUN_ROLES: Final = ("producer", "attached", "consumer")
ARTIFACT_ROLES: Final = ("model", "data", "deployment", "other")

#: Top-level packages whose values are trained models.
_MODEL_PACKAGES = frozenset(
    {
        "catboost",
        "keras",
        "lightgbm",
        "onnx",
        "sklearn",
        "statsmodels",
        "tensorflow",
        "torch",
        "transformers",
        "xgboost",
    }
)
#: Top-level packages whose values are data (tables, arrays, datasets).
_DATA_PACKAGES = frozenset({"datasets", "numpy", "pandas", "polars", "pyarrow", "scipy"})
#: Types in model packages that hold data, not a model.
_DATA_TYPES = frozenset({"sklearn.utils._bunch.Bunch", "torch.Tensor", "torch.utils.data.dataset.Dataset"})


def artifact_role(data_type: str) -> ArtifactRole:
    """The role an artifact version of ``data_type`` (a qualified type name) plays for a model version."""
    if data_type in _DATA_TYPES:
        return "data"
    root = data_type.split(".", 1)[0]
    if root in _DATA_PACKAGES:
        return "data"
    if root in _MODEL_PACKAGES:
        return "model"
    return "other"


def check_artifact_roles(roles: Iterable[str]) -> None:
    """Refuse a role that is not one of :data:`ARTIFACT_ROLES` (a one-line ParameterError)."""
    for role in roles:
        if role not in ARTIFACT_ROLES:
            raise ParameterError(f"'{role}' is not an artifact role; use one of {', '.join(ARTIFACT_ROLES)}.")

"""Data validator flavors: ``great_expectations`` and ``evidently`` (their packages where steps run).

``verify`` imports the package (only then: both take seconds to import) and names the extra to
install when it is missing or broken.
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.stacks import ComponentType
from waypost.stacks.flavors import ConnectorCredentials, Flavor, VerifyError
from waypost.stacks.messages import one_line


def import_check(module: str, label: str, extra: str) -> str:
    """Import ``module``; its version, or :class:`VerifyError` naming ``pip install "waypost[extra]"``."""
    fix = f'pip install "waypost[{extra}]"'
    try:
        with warnings.catch_warnings():
            # These libraries warn about their own dependencies on import; not the user's to fix.
            warnings.simplefilter("ignore")
            imported = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and exc.name.split(".")[0] != module:
            missing = f"{label} is installed but {exc.name} is missing"
        else:
            missing = f"{label} is not installed where this runs"
        raise VerifyError(f"{missing}: {fix}.") from None
    except Exception as exc:
        raise VerifyError(f"{label} fails to import ({one_line(str(exc), 160)}): {fix}.") from None
    version = getattr(imported, "__version__", None)
    return f"{module} {version}" if version else module


class GreatExpectationsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Great Expectations")

    context_root_dir: str | None = Field(
        default=None, max_length=4096, description="A file-backed Data Context folder (default: an ephemeral context)."
    )


class GreatExpectationsValidator(Flavor):
    type = ComponentType.DATA_VALIDATOR
    name = "great_expectations"
    description = "Validates DataFrames against Great Expectations suites (waypost.integrations.great_expectations)."
    config = GreatExpectationsConfig

    @classmethod
    def verify(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        """Great Expectations imports, and ``context_root_dir``, when set, is not a file."""
        assert isinstance(config, GreatExpectationsConfig)
        found = import_check("great_expectations", "Great Expectations", "great-expectations")
        if config.context_root_dir:
            root = Path(config.context_root_dir).expanduser()
            if root.exists() and not root.is_dir():
                raise VerifyError(f"context_root_dir {root} is a file, not a folder; give the Data Context folder.")
            found += f" (context {root})"
        return found


class EvidentlyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Evidently")


class EvidentlyValidator(Flavor):
    type = ComponentType.DATA_VALIDATOR
    name = "evidently"
    description = "Data drift and quality reports with Evidently (waypost.integrations.evidently)."
    config = EvidentlyConfig

    @classmethod
    def verify(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        """Evidently imports (0.7 fails to under pandas 3; the extra holds pandas below 3)."""
        return import_check("evidently", "Evidently", "evidently")


FLAVORS: list[type[Flavor]] = [GreatExpectationsValidator, EvidentlyValidator]

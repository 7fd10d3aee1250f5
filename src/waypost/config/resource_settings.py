"""``ResourceSettings``: the CPUs, GPUs and memory a step asks for (``settings={"resources": ...}``)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, NonNegativeInt, PositiveFloat

from waypost.config.base_settings import BaseSettings
from waypost.schemas.spec import ResourceSettings as _ResourceHints

__all__ = ["ByteUnit", "ResourceSettings"]


class ByteUnit(StrEnum):
    """A unit of memory: decimal (``KB`` = 1000 bytes) or binary (``KiB`` = 1024 bytes)."""

    KB = "KB"
    KIB = "KiB"
    MB = "MB"
    MIB = "MiB"
    GB = "GB"
    GIB = "GiB"
    TB = "TB"
    TIB = "TiB"
    PB = "PB"
    PIB = "PiB"

    @property
    def byte_value(self) -> int:
        """How many bytes one of this unit is."""
        power = "KMGTP".index(self.value[0]) + 1
        base: int = 1024 if self.value.endswith("iB") else 1000
        return int(base**power)


_MEMORY = r"^[0-9]+(KB|KiB|MB|MiB|GB|GiB|TB|TiB|PB|PiB)$"


class ResourceSettings(BaseSettings, _ResourceHints):
    """What one step needs: ``cpu_count``, ``gpu_count`` and ``memory`` (``"4GB"``, ``"512MiB"``).

    The local orchestrator records them with the step; the Dask orchestrator places the step on a
    worker that offers them (see ``waypost.execution.orchestrators.dask``).

    Example:
        >>> @step(settings={"resources": ResourceSettings(cpu_count=2, memory="4GB")})
        ... def train(df: pd.DataFrame) -> float: ...
    """

    cpu_count: PositiveFloat | None = None
    gpu_count: NonNegativeInt | None = None
    memory: str | None = Field(default=None, pattern=_MEMORY)

    @property
    def empty(self) -> bool:
        """Whether no resource is asked for."""
        return self.cpu_count is None and self.gpu_count is None and self.memory is None

    def get_memory(self, unit: str | ByteUnit = ByteUnit.GB) -> float | None:
        """The memory in ``unit`` (``"GB"``, ``"MiB"`` …); None when no memory is set.

        Raises:
            ValueError: ``unit`` is not one of ``ByteUnit``'s values.
        """
        if self.memory is None:
            return None
        target = ByteUnit(unit)
        for candidate in sorted(ByteUnit, key=lambda u: -len(u.value)):
            if self.memory.endswith(candidate.value):
                amount = int(self.memory[: -len(candidate.value)])
                return amount * candidate.byte_value / target.byte_value
        raise ValueError(f"Memory '{self.memory}' has no unit; write it like '4GB'.")  # the pattern prevents this

"""Run configuration under ZenML's names: ``from waypost.config import DockerSettings, ResourceSettings``.

``settings={...}`` on ``@step``/``@pipeline``, ``.configure()``, ``.with_options()`` and in a YAML run
config takes these keys:

- ``"resources"``: :class:`ResourceSettings`, applied (the Dask orchestrator places steps by them).
- ``"docker"``: :class:`DockerSettings`, recorded; Waypost builds no images (one warning per run).
- ``"orchestrator"``, ``"orchestrator.<flavor>"``, ``"<component type>[.<flavor>]"``: a dict or
  settings object, recorded; a flavor the run's stack does not use is named in one warning.
"""

from waypost.config.base_settings import BaseSettings, SettingsWarning
from waypost.config.docker_settings import DockerSettings
from waypost.config.resource_settings import ByteUnit, ResourceSettings
from waypost.config.retry_config import StepRetryConfig

__all__ = ["BaseSettings", "ByteUnit", "DockerSettings", "ResourceSettings", "SettingsWarning", "StepRetryConfig"]

"""``DockerSettings``: how ZenML would build a step's container image (``settings={"docker": ...}``).

Waypost runs steps in the launching process or on Dask workers, never in containers it builds: these
settings are validated and recorded with the run and its steps, and the run says once, in a
:class:`~waypost.config.SettingsWarning`, that they are not applied.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from waypost.config.base_settings import BaseSettings

__all__ = ["DockerBuildConfig", "DockerSettings", "PythonEnvironmentExportMethod", "PythonPackageInstaller"]


class PythonPackageInstaller(StrEnum):
    """The tool that would install the requirements in the image."""

    PIP = "pip"
    UV = "uv"


class PythonEnvironmentExportMethod(StrEnum):
    """How the local environment's packages would be listed for the image."""

    PIP_FREEZE = "pip_freeze"
    POETRY_EXPORT = "poetry_export"


class DockerBuildConfig(BaseSettings):
    """Options for building an image: ``build_options`` for the builder, a ``dockerignore`` file."""

    build_options: dict[str, Any] = Field(default_factory=dict)
    dockerignore: str | None = None


class DockerSettings(BaseSettings):
    """The image a step would run in: its parent image or Dockerfile, packages, environment.

    Example:
        >>> @pipeline(settings={"docker": DockerSettings(parent_image="python:3.12-slim",
        ...                                              requirements=["scikit-learn"])})
        ... def training(): ...
    """

    parent_image: str | None = None
    dockerfile: str | None = None
    build_context_root: str | None = None
    parent_image_build_config: DockerBuildConfig | None = None
    skip_build: bool = False
    prevent_build_reuse: bool = False
    target_repository: str | None = None
    image_tag: str | None = None
    python_package_installer: PythonPackageInstaller = PythonPackageInstaller.PIP
    python_package_installer_args: dict[str, Any] = Field(default_factory=dict)
    replicate_local_python_environment: list[str] | PythonEnvironmentExportMethod | bool | None = None
    pyproject_path: str | None = None
    pyproject_export_command: list[str] | None = None
    requirements: str | list[str] | None = None
    required_integrations: list[str] = Field(default_factory=list)
    install_stack_requirements: bool = True
    local_project_install_command: str | None = None
    apt_packages: list[str] = Field(default_factory=list)
    environment: dict[str, Any] = Field(default_factory=dict)
    runtime_environment: dict[str, Any] = Field(default_factory=dict)
    build_config: DockerBuildConfig | None = None
    user: str | None = None
    dockerignore: str | None = None
    copy_files: bool = True
    copy_global_config: bool = True
    allow_including_files_in_images: bool = True
    allow_download_from_code_repository: bool = True
    allow_download_from_artifact_store: bool = True

"""The installed Waypost version, without importing the SDK that ``waypost/__init__`` loads."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def server_version() -> str:
    """The distribution's version ("unknown" when not installed)."""
    try:
        return version("waypost")
    except PackageNotFoundError:
        return "unknown"

"""Hatchling build hook: a wheel carries the built dashboard, so `pip install "waypost[server]"` serves it.

dashboard/dist is a build output (git-ignored); the hook copies it into the wheel as
``waypost/server/_dashboard``, where the server looks first (src/waypost/server/web.py).
Editable installs skip this: a checkout serves dashboard/dist itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: Where the dashboard build lies in the wheel, relative to site-packages.
PACKAGED = "waypost/server/_dashboard"


class DashboardBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Adds dashboard/dist to the wheel; refuses to build a wheel without it."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Force-include the dashboard build (ignored by git, so hatchling would leave it out)."""
        if self.target_name != "wheel" or version == "editable":
            return
        dist = Path(self.root) / "dashboard" / "dist"
        if not (dist / "index.html").is_file():
            # SystemExit, not an exception: the build frontend shows this line, not a traceback.
            raise SystemExit(
                f"Cannot build the wheel: {dist} holds no dashboard build; run `make dashboard` first "
                "(or `make wheel`, which does both)."
            )
        build_data["force_include"][str(dist)] = PACKAGED

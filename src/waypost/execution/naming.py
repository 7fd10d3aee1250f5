"""Names with ``{date}`` and ``{time}`` placeholders, filled in when a run starts (run names, artifact names)."""

from __future__ import annotations

from datetime import datetime

__all__ = ["fill_date_time"]


def fill_date_time(template: str, now: datetime) -> str:
    """``template`` with ``{date}`` as ``2026_12_06`` and ``{time}`` as ``14_02_00_123456``."""
    return template.replace("{date}", now.strftime("%Y_%m_%d")).replace("{time}", now.strftime("%H_%M_%S_%f"))

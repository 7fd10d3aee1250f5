"""Names with ``{date}``, ``{time}`` and ``{KEY}`` placeholders, filled in when a run starts (run names,
artifact names)."""

from __future__ import annotations

import re
from datetime import datetime

__all__ = ["fill_date_time"]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def fill_date_time(template: str, now: datetime, substitutions: dict[str, str] | None = None) -> str:
    """``template`` with ``{date}`` as ``2026_12_06``, ``{time}`` as ``14_02_00_123456`` and each ``{KEY}`` of
    ``substitutions`` as its value (a substitution named ``date`` or ``time`` wins); other braces stay."""
    values = {"date": now.strftime("%Y_%m_%d"), "time": now.strftime("%H_%M_%S_%f"), **(substitutions or {})}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)

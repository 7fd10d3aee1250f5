"""How a status looks on a terminal: a mark and a Rich style (shared by the CLI and the progress display)."""

from __future__ import annotations

from waypost.enums import ExecutionStatus

STATUS_STYLES: dict[ExecutionStatus, tuple[str, str]] = {
    ExecutionStatus.COMPLETED: ("✓", "green"),
    ExecutionStatus.CACHED: ("↺", "cyan"),
    ExecutionStatus.FAILED: ("✗", "red"),
    ExecutionStatus.CRASHED: ("✗", "red"),
    ExecutionStatus.STOPPED: ("■", "yellow"),
    ExecutionStatus.SKIPPED: ("-", "dim"),
    ExecutionStatus.RUNNING: ("…", "blue"),
    ExecutionStatus.INITIALIZING: ("·", "dim"),
}

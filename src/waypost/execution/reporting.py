"""Progress display while a pipeline runs: a live Rich table on a terminal, lines elsewhere.

Rich is imported only for the live table: a script whose output goes to a file or a pipe
prints plain lines, and does not pay ~15 ms of start-up for a library it would not use.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO, TYPE_CHECKING

from waypost.enums import ExecutionStatus
from waypost.execution.runner import StepOutcome
from waypost.execution.status_styles import STATUS_STYLES
from waypost.schemas import PipelineSpec, RunRead, StepSpec

if TYPE_CHECKING:
    from rich.live import Live
    from rich.table import Table
    from rich.text import Text

STYLES = STATUS_STYLES


class Reporter:
    """Prints one plain line per finished step and a summary at the end."""

    def __init__(self, spec: PipelineSpec, stream: IO[str] | None = None) -> None:
        self.spec = spec
        self.stream = stream or sys.__stdout__
        self.lock = threading.Lock()

    def _print(self, line: str) -> None:
        if self.stream is None:  # pythonw and some services run without a stdout
            return
        try:
            self.stream.write(line + "\n")
        except UnicodeEncodeError:  # a stream that cannot encode the status marks
            encoding = getattr(self.stream, "encoding", None) or "ascii"
            self.stream.write(line.encode(encoding, "replace").decode(encoding) + "\n")
        self.stream.flush()

    def start(self, run: RunRead) -> None:
        """The run began."""
        self._print(f"Running {run.name} ({len(self.spec.steps)} steps)")

    def __call__(self, event: str, step: StepSpec, outcome: StepOutcome | None) -> None:
        if event != "end" or outcome is None:
            return
        mark, _ = STYLES.get(outcome.status, ("?", ""))
        extra = f" {outcome.duration_s:.2f}s" if outcome.status == ExecutionStatus.COMPLETED else ""
        err = f"  {outcome.error}" if outcome.error and outcome.status == ExecutionStatus.FAILED else ""
        with self.lock:
            self._print(f"  {mark} {step.name} {outcome.status.value}{extra}{err}")

    def stop(self, run: RunRead) -> None:
        """The run ended."""
        self._print(summary_text(run))


class LiveReporter(Reporter):
    """A live table of every step with its status and time, redrawn as steps change."""

    def __init__(self, spec: PipelineSpec, stream: IO[str] | None = None) -> None:
        from rich.console import Console

        super().__init__(spec, stream)
        self.console = Console(file=self.stream, highlight=False, soft_wrap=True)
        self.state: dict[str, tuple[ExecutionStatus, float | None, float]] = {
            s.name: (ExecutionStatus.INITIALIZING, None, 0.0) for s in spec.steps
        }
        self.live: Live | None = None
        self.run_name = ""

    def _table(self) -> Table:
        from rich.table import Table
        from rich.text import Text

        done = sum(1 for st, _, _ in self.state.values() if st.is_finished)
        table = Table(title=f"{self.run_name}  {done}/{len(self.state)} steps", title_justify="left", box=None)
        table.add_column("step")
        table.add_column("status")
        table.add_column("time", justify="right")
        shown = list(self.state.items())
        if len(shown) > 30:  # keep the display bounded on huge DAGs: active and recent first
            shown = [kv for kv in shown if kv[1][0] == ExecutionStatus.RUNNING][:20] + [
                kv for kv in shown if kv[1][0].is_finished
            ][-10:]
        now = time.monotonic()
        for name, (status, dur, began) in shown:
            mark, style = STYLES.get(status, ("?", ""))
            t = dur if dur is not None else (now - began if status == ExecutionStatus.RUNNING else None)
            table.add_row(Text(f"{mark} {name}", style=style), status.value, f"{t:.1f}s" if t is not None else "")
        return table

    def start(self, run: RunRead) -> None:
        from rich.live import Live

        self.run_name = run.name
        self.live = Live(self._table(), console=self.console, refresh_per_second=8, get_renderable=self._table)
        self.live.start()

    def __call__(self, event: str, step: StepSpec, outcome: StepOutcome | None) -> None:
        with self.lock:
            if event == "start":
                self.state[step.name] = (ExecutionStatus.RUNNING, None, time.monotonic())
            elif outcome is not None:
                self.state[step.name] = (outcome.status, outcome.duration_s, 0.0)

    def stop(self, run: RunRead) -> None:
        if self.live is not None:
            self.live.stop()
        self.console.print(summary(run))


def _summary_parts(run: RunRead) -> tuple[str, str, str]:
    mark, style = STYLES.get(run.status, ("?", ""))
    counts = ", ".join(f"{n} {s}" for s, n in sorted(run.step_counts.items()))
    dur = f" in {run.duration_s:.2f}s" if run.duration_s is not None else ""
    return (
        f"{mark} Run {run.name} {run.status.value}",
        style,
        f"{dur} ({counts})\n  inspect: waypost runs show {run.name}",
    )


def summary_text(run: RunRead) -> str:
    """A one-paragraph run summary, as plain text."""
    head, _, tail = _summary_parts(run)
    return head + tail


def summary(run: RunRead) -> Text:
    """A one-paragraph run summary for the terminal, the status in its colour."""
    from rich.text import Text

    head, style, tail = _summary_parts(run)
    return Text.assemble((head, style), tail)

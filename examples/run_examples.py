"""``make run``: run the example pipeline three times and show what Waypost recorded.

1. ``iris_training`` with its defaults: every step runs (or comes from the cache of an
   earlier ``make run`` against the same store);
2. the same call again: every step is served from the cache;
3. a bigger random forest: only the forest's branch and the final selection run again.

The runs go to the configured store (by default the user's data dir; set
``WAYPOST_DATA_DIR`` to use another folder), so ``waypost runs list`` shows them afterwards.
Exits 1 when a run does not behave as described above.
"""

from __future__ import annotations

import sys
import uuid

from iris_training import iris_training
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.schemas import ModelVersionRead, RunRead, StepRunRead
from waypost.settings import load_settings

MODEL = "iris_classifier"
FOREST_SIZE = 50  # iris_training's default n_estimators
FOREST_BRANCH = {"train_random_forest", "evaluate_random_forest", "select_best_model"}
METRICS = ("accuracy", "f1_score", "selected_algorithm")
STATUS_STYLE = {ExecutionStatus.COMPLETED: "green", ExecutionStatus.CACHED: "cyan", ExecutionStatus.FAILED: "red"}

# Rich assumes 80 columns when output is not a terminal (CI logs, `make run | less`); the tables need more.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)


def unused_forest_size(client: Client) -> int:
    """The smallest forest, in steps of 25 trees above the default, that this store has not trained.

    A size trained before (by an earlier ``make run``) would come from the cache, and run 3
    would no longer show which steps a parameter change reruns.
    """
    used: set[object] = set()
    page = 1
    while True:
        runs = client.list_pipeline_runs("iris_training", page=page, size=100)
        used |= {r.parameters.get("n_estimators") for r in runs.items}
        if page * runs.size >= runs.total:
            break
        page += 1
    size = FOREST_SIZE + 25
    while size in used:
        size += 25
    return size


def model_version(client: Client, run: RunRead) -> ModelVersionRead | None:
    """The model version ``run`` is linked to."""
    versions = client.store.models.list_versions(MODEL)
    return next((v for v in versions if v.id == run.model_version_id), None)


def metrics_text(client: Client, step: StepRunRead) -> str:
    """The step's headline metadata; a cached step shows what the run it reused logged."""
    source: uuid.UUID = step.cached_from_run_id or step.run_id
    entries = client.get_metadata(source, step.name)
    values = {m.key: m.value for m in entries if m.key in METRICS}
    return "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items())


def cache_text(client: Client, step: StepRunRead, labels: dict[uuid.UUID, str]) -> Text:
    """Why the step hit or missed the cache; ``labels`` names this session's runs."""
    if step.status == ExecutionStatus.CACHED and step.cached_from_run_id:
        origin = labels.get(step.cached_from_run_id) or client.get_pipeline_run(step.cached_from_run_id).name
        return Text(f"hit: outputs of {origin}", style="cyan")
    return Text(f"miss: {step.cache_miss_reason or 'caching is off'}", style="yellow")


def show_run(client: Client, title: str, run: RunRead, labels: dict[uuid.UUID, str]) -> list[StepRunRead]:
    """Print a table of the run's steps and its model version; return the steps."""
    steps = sorted(client.list_step_runs(run.id), key=lambda s: (s.started_at or s.created_at, s.name))
    table = Table(title=f"{title}  [dim]{run.name}[/]", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("step")
    table.add_column("status")
    table.add_column("time", justify="right")
    table.add_column("cache", overflow="fold")
    table.add_column("metadata", max_width=32)
    for s in steps:
        style = STATUS_STYLE.get(s.status, "")
        duration = f"{s.duration_s:.2f}s" if s.status == ExecutionStatus.COMPLETED and s.duration_s is not None else ""
        table.add_row(
            Text(s.name, style=style),
            Text(s.status.value, style=style),
            duration,
            cache_text(client, s, labels),
            metrics_text(client, s),
        )
    console.print(table)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(run.step_counts.items()))
    mv = model_version(client, run)
    model = f"model [bold]{MODEL}[/] version {mv.number}, {len(mv.artifact_version_ids)} artifacts linked" if mv else ""
    took = f"{run.duration_s:.2f}s" if run.duration_s is not None else "?"
    console.print(f"[bold]{run.status.value}[/] in {took}: {counts}; {model}\n")
    return steps


def check(ok: bool, problem: str, problems: list[str]) -> None:
    """Collect ``problem`` when ``ok`` is false."""
    if not ok:
        problems.append(problem)


def main() -> int:
    """Run the three runs, print their summaries; 0 when they behaved as documented."""
    settings = load_settings()
    console.rule("[bold]Waypost examples")
    console.print(f"store: {settings.store_url}\nartifacts: {settings.artifact_store_uri}\n")
    client = Client()
    labels: dict[uuid.UUID, str] = {}
    problems: list[str] = []

    console.rule("Run 1: iris_training with its defaults")
    first = iris_training()
    labels[first.id] = "run 1"
    show_run(client, "Run 1: the defaults", first, labels)
    check(first.status == ExecutionStatus.COMPLETED, f"run 1 ended {first.status.value}", problems)

    console.rule("Run 2: the same parameters again")
    second = iris_training()
    labels[second.id] = "run 2"
    steps = show_run(client, "Run 2: same parameters, so every step comes from the cache", second, labels)
    check(all(s.status == ExecutionStatus.CACHED for s in steps), "run 2 did not reuse every step", problems)

    size = unused_forest_size(client)
    console.rule(f"Run 3: n_estimators {FOREST_SIZE} -> {size}")
    third = iris_training(n_estimators=size)
    labels[third.id] = "run 3"
    steps = show_run(client, f"Run 3: n_estimators={size}, so only the forest branch reruns", third, labels)
    rerun = {s.name for s in steps if s.status == ExecutionStatus.COMPLETED}
    check(rerun == FOREST_BRANCH, f"run 3 reran {sorted(rerun)}, expected {sorted(FOREST_BRANCH)}", problems)

    console.rule("Inspect")
    console.print(
        "  .venv/bin/waypost runs list\n"
        f"  .venv/bin/waypost runs show {third.name}\n"
        f"  .venv/bin/waypost logs {third.name} train_random_forest --grep accuracy"
    )
    for problem in problems:
        console.print(f"[red]✗ {problem}[/]")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

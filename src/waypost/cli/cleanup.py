"""``waypost cleanup``: delete old runs and the artifact versions and files nothing kept references."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from waypost.cli._common import fail, human_size, new_table, out, print_json, status_text, when

if TYPE_CHECKING:
    from waypost.schemas.cleanup import CleanupPreview

#: How many of the runs to delete the preview prints (the rest are counted).
SHOWN = 20


def _show(preview: CleanupPreview, keep_tags: list[str]) -> None:
    console = out()
    if preview.runs_listed:
        table = new_table()
        for column in ("run", "pipeline", "status", "created"):
            table.add_column(column)
        for run in preview.runs_listed[:SHOWN]:
            table.add_row(run.name, run.pipeline_name, status_text(run.status), when(run.created_at))
        console.print(table)
        if preview.runs > SHOWN:
            console.print(f"… and {preview.runs - SHOWN} more run(s).", markup=False)
    console.print(
        f"Would delete {preview.runs} run(s) created before {when(preview.cutoff)}, "
        f"{preview.artifact_versions} artifact version(s) and {preview.files} stored location(s) "
        f"({human_size(preview.bytes)} of artifacts).",
        markup=False,
    )
    k = preview.kept
    kept = [
        (k.runs_tagged, f"run(s) tagged {', '.join(keep_tags) or '-'}"),
        (k.runs_active, "run(s) still going"),
        (k.runs_model_version, "run(s) that made a model version"),
        (k.runs_not_permitted, "run(s) you may not delete"),
        (k.versions_used_by_kept_runs, "artifact version(s) a kept run uses"),
        (k.versions_linked_to_models, "artifact version(s) linked to a model version"),
        (k.versions_tagged, "artifact version(s) with a keep tag"),
        (k.versions_not_permitted, "artifact version(s) you may not delete"),
    ]
    reasons = [f"{n} {what}" for n, what in kept if n]
    if reasons:
        console.print(f"Keeping {'; '.join(reasons)}.", markup=False)
    if preview.warning:
        console.print(Text(f"Warning: {preview.warning}", style="bold yellow"))


def cleanup_command(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Delete runs created longer ago than this: 30d, 12h, 2w (s m h d w).")
    ],
    keep_tag: Annotated[
        list[str] | None,
        typer.Option("--keep-tag", help="Keep runs and artifact versions with this tag (repeatable)."),
    ] = None,
    pipeline: Annotated[str | None, typer.Option("--pipeline", help="Only runs of this pipeline.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would go; delete nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the preview (and the result) as JSON.")] = False,
) -> None:
    """Delete old runs and the artifact versions and files that nothing kept still references.

    Runs still going, runs with a --keep-tag and runs that made a model version stay, and so do
    the artifact versions a kept run produced or read, those linked to a model version, and those
    with a --keep-tag. Shows what it would delete first; deletes only with --yes or after you
    confirm at a terminal, exactly the set it showed.
    """
    from waypost.cli._common import client  # loads the store: not for `waypost --help`

    keep = list(keep_tag or [])
    c = client()
    preview = c.preview_cleanup(older_than, keep_tags=keep, pipeline=pipeline)
    if as_json:
        print_json(preview)
    else:
        _show(preview, keep)
    if preview.runs == 0 and preview.artifact_versions == 0:
        if not as_json:
            out().print("Nothing to clean up.", markup=False)
        return
    if dry_run:
        if not as_json:
            out().print("Dry run: nothing was deleted.", markup=False)
        return
    if not yes:
        if not sys.stdin.isatty():
            fail("Not deleting without confirmation: pass --yes to delete what is shown (or --dry-run to only look).")
        if not typer.confirm(
            f"Delete these {preview.runs} run(s) and {preview.artifact_versions} artifact version(s)?"
        ):
            out().print("Nothing was deleted.", markup=False)
            return
    result = c.cleanup(older_than, keep_tags=keep, pipeline=pipeline, confirm=preview.token)
    if as_json:
        print_json(result)
        return
    out().print(
        f"Deleted {result.runs} run(s) and {result.artifact_versions} artifact version(s); removed "
        f"{result.files} stored location(s), freeing {human_size(result.bytes)}.",
        markup=False,
    )
    for uri in result.files_failed:
        out().print(Text(f"Could not remove {uri}; remove it by hand.", style="yellow"))

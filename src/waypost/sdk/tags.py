"""``add_tags`` / ``remove_tags`` and ``Tag``: label pipelines, runs, artifact versions and model versions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from waypost import _lazy


@dataclass(frozen=True)
class Tag:
    """A tag with options, accepted wherever tags are (a plain ``str`` is a tag without them).

    Args:
        name: The tag.
        exclusive: One resource of a kind holds it at a time in its project: adding it to one
            takes it off any other (``Tag("best", exclusive=True)`` marks the best run).
        cascade: Added to a run, it also goes on the artifact versions the run produced.

    Example:
        >>> add_tags(tags=["baseline", Tag("best", exclusive=True)], run="training-2026_12_06")
    """

    name: str
    exclusive: bool = False
    cascade: bool = False


def tag_names(tags: str | Tag | Iterable[str | Tag] | None) -> list[str]:
    """The names of ``tags`` (strs or :class:`Tag`), in order, once each: what decorators and configs record."""
    if tags is None:
        return []
    return list(dict.fromkeys(name for name, _, _ in _specs(tags)))


def _specs(tags: str | Tag | Iterable[str | Tag]) -> list[tuple[str, bool, bool]]:
    items = [tags] if isinstance(tags, str | Tag) else list(tags)
    out: list[tuple[str, bool, bool]] = []
    for item in items:
        if isinstance(item, Tag):
            out.append((item.name.strip(), bool(item.exclusive), bool(item.cascade)))
        elif isinstance(item, str):
            out.append((item.strip(), False, False))
        else:
            raise TypeError(f"A tag is a str or a waypost.Tag, not {type(item).__name__}.")
    if any(not name for name, _, _ in out):
        raise ValueError("A tag needs a name; empty tags are not kept.")
    return out


def _change(
    tags: str | Tag | Sequence[str | Tag],
    *,
    adding: bool,
    pipeline: str | uuid.UUID | None,
    run: str | uuid.UUID | None,
    artifact: str | uuid.UUID | None,
    artifact_version_id: str | uuid.UUID | None,
    artifact_name: str | None,
    artifact_version: str | int | None,
    infer_artifact: bool | None,
    model: str | uuid.UUID | None,
    model_version: str | int | None,
) -> None:
    impl = _lazy.load("waypost.execution.tags")  # the store loads on first use: `import waypost` stays light
    impl.change(
        _specs(tags),
        adding=adding,
        pipeline=pipeline,
        run=run,
        artifact=artifact,
        artifact_version_id=artifact_version_id,
        artifact_name=artifact_name,
        artifact_version=artifact_version,
        infer_artifact=infer_artifact,
        model=model,
        model_version=model_version,
    )


def add_tags(
    tags: str | Tag | Sequence[str | Tag],
    pipeline: str | uuid.UUID | None = None,
    run: str | uuid.UUID | None = None,
    artifact: str | uuid.UUID | None = None,
    artifact_version_id: str | uuid.UUID | None = None,
    artifact_name: str | None = None,
    artifact_version: str | int | None = None,
    infer_artifact: bool | None = None,
    model: str | uuid.UUID | None = None,
    model_version: str | int | None = None,
) -> None:
    """Tag a pipeline, a run, an artifact version or a model version (ZenML's ``add_tags``).

    Name one target: ``pipeline=`` (name or id), ``run=`` (name or id), ``artifact_version_id=``,
    ``artifact_name=`` with ``artifact_version=`` (its latest without), or ``model=`` with
    ``model_version=`` (name, number or stage; its latest without). Inside a step with no
    target it tags the running step's run; ``infer_artifact=True`` (with ``artifact_name=``
    when the step has several outputs) tags the step's output once it is registered.
    Tags are strings or :class:`Tag`; they belong to the target's project.

    Raises:
        ParameterError: two targets, or none outside a step.
        NotFoundError: the target does not exist.

    Example:
        >>> add_tags(tags=["baseline"], run="training-2026_12_06-10_00_00")
    """
    _change(
        tags,
        adding=True,
        pipeline=pipeline,
        run=run,
        artifact=artifact,
        artifact_version_id=artifact_version_id,
        artifact_name=artifact_name,
        artifact_version=artifact_version,
        infer_artifact=infer_artifact,
        model=model,
        model_version=model_version,
    )


def remove_tags(
    tags: str | Tag | Sequence[str | Tag],
    pipeline: str | uuid.UUID | None = None,
    run: str | uuid.UUID | None = None,
    artifact: str | uuid.UUID | None = None,
    artifact_version_id: str | uuid.UUID | None = None,
    artifact_name: str | None = None,
    artifact_version: str | int | None = None,
    infer_artifact: bool | None = None,
    model: str | uuid.UUID | None = None,
    model_version: str | int | None = None,
) -> None:
    """Take tags off a target named as for :func:`add_tags` (a tag it does not carry is no error)."""
    _change(
        tags,
        adding=False,
        pipeline=pipeline,
        run=run,
        artifact=artifact,
        artifact_version_id=artifact_version_id,
        artifact_name=artifact_name,
        artifact_version=artifact_version,
        infer_artifact=infer_artifact,
        model=model,
        model_version=model_version,
    )

"""Runs, steps, pipelines and artifact versions as code reads them after a run (ZenML's shapes).

The wire schemas (``RunRead``, ``StepRunRead`` …) stay what the server sends; these views add, on
this side only, what a user reaches for next: ``run.steps["train"].outputs["model"][0].load()``,
``pipeline.last_run``, ``artifact_version.run_metadata``. A view fetches what it needs once, when
first asked, from the store it came from.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pydantic import PrivateAttr

from waypost.exceptions import NotFoundError, WaypostError
from waypost.execution import loading
from waypost.execution.runtime import Runtime
from waypost.schemas import ArtifactVersionRead, PipelineRead, RunRead, StepRunRead
from waypost.schemas.common import MAX_PAGE_SIZE

__all__ = ["ArtifactVersion", "PipelineRun", "PipelineView", "StepOutputError", "StepRun", "StepRuns"]


class StepOutputError(WaypostError, ValueError):
    """``step.output`` on a step with no output, or with several (name the one you want)."""


def _metadata(rt: Runtime, **owner: uuid.UUID) -> dict[str, Any]:
    """Key -> value of the metadata logged on one owner; a key logged twice keeps its latest value."""
    entries = rt.store.metadata.list(**owner)
    return {m.key: m.value for m in sorted(entries, key=lambda m: m.created_at)}


class ArtifactVersion(ArtifactVersionRead):
    """An artifact version (every field of :class:`~waypost.schemas.ArtifactVersionRead`) that loads its value."""

    _rt: Runtime | None = PrivateAttr(default=None)

    @classmethod
    def bound(cls, read: ArtifactVersionRead, rt: Runtime) -> ArtifactVersion:
        """``read`` as a view that loads and reads metadata through ``rt``."""
        version = cls.model_validate(read.model_dump())
        version._rt = rt
        return version

    def _runtime(self) -> Runtime:
        if self._rt is None:
            from waypost.execution import runtime

            self._rt = runtime.current()
        return self._rt

    def load(self, *, allow_unsafe: bool = False) -> Any:
        """The value stored in this version (see ``Client.load_artifact`` for when pickles load)."""
        return loading.load_version(self._runtime(), self, allow_unsafe=allow_unsafe)

    @property
    def run_metadata(self) -> dict[str, Any]:
        """The metadata logged on this version, key -> value."""
        return _metadata(self._runtime(), artifact_version_id=self.id)


class StepConfig:
    """What a step run was configured with: ``parameters``, and the rest of its recorded config."""

    def __init__(self, read: StepRunRead) -> None:
        self.parameters: dict[str, Any] = dict(read.parameters)
        self.enable_cache: bool | None = read.config.get("enable_cache")
        self._config = dict(read.config)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._config[name]
        except KeyError:
            raise AttributeError(f"This step's config has no '{name}'; it has {sorted(self._config)}.") from None

    def __repr__(self) -> str:
        return f"StepConfig(parameters={self.parameters!r})"


class StepRun:
    """A step run of a finished (or running) run: the fields of
    :class:`~waypost.schemas.StepRunRead`, with its inputs and outputs as artifact versions.

    ``outputs[name]`` is a list (ZenML's shape) holding the one version of that output.
    """

    def __init__(self, read: StepRunRead, versions: _RunVersions) -> None:
        self._read = read
        self._versions = versions

    @property
    def read(self) -> StepRunRead:
        """The step run as the store sent it."""
        return self._read

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._read, name)

    @property
    def config(self) -> StepConfig:
        """``config.parameters``: the parameters the step was called with."""
        return StepConfig(self._read)

    @property
    def outputs(self) -> dict[str, builtins.list[ArtifactVersion]]:
        """Output name -> [its artifact version]."""
        return {name: [self._versions.get(vid)] for name, vid in self._read.outputs.items()}

    @property
    def output(self) -> ArtifactVersion:
        """The step's only output.

        Raises:
            StepOutputError: the step has no output, or several (the message names them).
        """
        names = builtins.list(self._read.outputs)
        if len(names) != 1:
            listed = ", ".join(f"'{n}'" for n in sorted(names)) or "none"
            raise StepOutputError(
                f"Step '{self._read.name}' has {len(names)} outputs ({listed}); "
                f'pick one with step.outputs["NAME"][0].'
            )
        return self._versions.get(self._read.outputs[names[0]])

    @property
    def inputs(self) -> dict[str, ArtifactVersion]:
        """Input name -> the artifact version the step read."""
        return {name: self._versions.get(vid) for name, vid in self._read.inputs.items()}

    @property
    def run_metadata(self) -> dict[str, Any]:
        """The metadata logged on this step run, key -> value."""
        return _metadata(self._versions.rt, step_run_id=self._read.id)

    def __repr__(self) -> str:
        return f"<step run '{self._read.name}' {self._read.status.value}>"


class _RunVersions:
    """The artifact versions a run's steps read and wrote, fetched together on first use."""

    def __init__(
        self, rt: Runtime | Callable[[], Runtime], run_id: uuid.UUID, steps: builtins.list[StepRunRead]
    ) -> None:
        self._rt = rt
        self._run_id = run_id
        self._steps = steps
        self._by_id: dict[uuid.UUID, ArtifactVersion] | None = None

    @property
    def rt(self) -> Runtime:
        """The runtime the versions are read through (a function giving it is called on first use)."""
        if not isinstance(self._rt, Runtime):
            self._rt = self._rt()
        return self._rt

    def get(self, version_id: uuid.UUID) -> ArtifactVersion:
        if self._by_id is None:
            self._by_id = self._fetch()
        found = self._by_id.get(version_id)
        if found is None:  # made after the steps were read (a step still running)
            found = self._by_id[version_id] = ArtifactVersion.bound(
                self.rt.store.artifacts.get_version(version_id), self.rt
            )
        return found

    def _fetch(self) -> dict[uuid.UUID, ArtifactVersion]:
        wanted = {vid for s in self._steps for vid in (*s.inputs.values(), *s.outputs.values())}
        found: dict[uuid.UUID, ArtifactVersion] = {}
        if not wanted:
            return found
        page = 1
        while True:  # what this run made: one query for up to MAX_PAGE_SIZE versions
            got = self.rt.store.artifacts.list_versions(f"run:{self._run_id}", page=page, size=MAX_PAGE_SIZE)
            found.update((av.id, ArtifactVersion.bound(av, self.rt)) for av in got.items if av.id in wanted)
            if page * MAX_PAGE_SIZE >= got.total:
                break
            page += 1
        for vid in sorted(wanted - found.keys()):  # cached outputs and inputs other runs made
            found[vid] = ArtifactVersion.bound(self.rt.store.artifacts.get_version(vid), self.rt)
        return found


class StepRuns(Mapping[str, StepRun]):
    """Step name -> step run, in the order the steps started; an unknown name is a KeyError listing them."""

    def __init__(self, run: RunRead, rt: Runtime) -> None:
        reads = rt.store.steps.list(run.id)
        versions = _RunVersions(rt, run.id, reads)
        self._run_name = run.name
        self._steps = {s.name: StepRun(s, versions) for s in reads}

    def __getitem__(self, name: str) -> StepRun:
        try:
            return self._steps[name]
        except KeyError:
            listed = ", ".join(f"'{n}'" for n in self._steps) or "none"
            raise NotFoundError(
                f"Run '{self._run_name}' has no step '{name}'; its steps are {listed} (a step called twice is NAME_2)."
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._steps)

    def __len__(self) -> int:
        return len(self._steps)

    def __repr__(self) -> str:
        return f"<steps {list(self._steps)}>"


class PipelineRun(RunRead):
    """A pipeline run (every field of :class:`~waypost.schemas.RunRead`) with ``steps`` by name."""

    _rt: Runtime | None = PrivateAttr(default=None)
    _steps: StepRuns | None = PrivateAttr(default=None)

    @classmethod
    def bound(cls, read: RunRead, rt: Runtime) -> PipelineRun:
        """``read`` as a view whose steps come from ``rt``'s store."""
        run = cls.model_validate(read.model_dump())
        run._rt = rt
        return run

    def _runtime(self) -> Runtime:
        if self._rt is None:
            from waypost.execution import runtime

            self._rt = runtime.current()
        return self._rt

    @property
    def steps(self) -> StepRuns:
        """Step name -> step run (fetched once, with one query, when first asked)."""
        if self._steps is None:
            self._steps = StepRuns(self, self._runtime())
        return self._steps

    @property
    def run_metadata(self) -> dict[str, Any]:
        """The metadata logged on this run (its steps' included), key -> value."""
        return _metadata(self._runtime(), run_id=self.id)

    def refresh(self) -> PipelineRun:
        """This run as the store holds it now (a detached run goes on after it is returned)."""
        rt = self._runtime()
        return PipelineRun.bound(rt.store.runs.get(self.id), rt)


def step_run_view(read: StepRunRead) -> StepRun:
    """``read`` as a :class:`StepRun` reading its artifact versions, if asked, through the current runtime."""
    from waypost.execution import runtime

    return StepRun(read, _RunVersions(runtime.current, read.run_id, [read]))  # looked up only if versions are read


def runs_of(rt: Runtime, pipeline: str, *, size: int = 50) -> builtins.list[PipelineRun]:
    """A pipeline's runs, newest first (at most ``size``)."""
    quoted = '"' + pipeline.replace("\\", "\\\\").replace('"', '\\"') + '"'
    page = rt.store.runs.list(f"pipeline:{quoted}", sort="-created", size=size)
    return [PipelineRun.bound(r, rt) for r in page.items]


def last_run_of(rt: Runtime, pipeline: str) -> PipelineRun:
    """A pipeline's newest run.

    Raises:
        NotFoundError: the pipeline has not run yet.
    """
    found = runs_of(rt, pipeline, size=1)
    if not found:
        raise NotFoundError(f"Pipeline '{pipeline}' has no runs yet; call the pipeline to make one.")
    return found[0]


class PipelineView(PipelineRead):
    """A pipeline (every field of :class:`~waypost.schemas.PipelineRead`) with its ``runs`` and ``last_run``."""

    _rt: Runtime | None = PrivateAttr(default=None)

    @classmethod
    def bound(cls, read: PipelineRead, rt: Runtime) -> PipelineView:
        """``read`` as a view whose runs come from ``rt``'s store."""
        view = cls.model_validate(read.model_dump())
        view._rt = rt
        return view

    def _runtime(self) -> Runtime:
        if self._rt is None:
            from waypost.execution import runtime

            self._rt = runtime.current()
        return self._rt

    @property
    def runs(self) -> builtins.list[PipelineRun]:
        """The pipeline's 50 newest runs, newest first."""
        return runs_of(self._runtime(), self.name)

    @property
    def last_run(self) -> PipelineRun:
        """The newest run (a NotFoundError when there is none)."""
        return last_run_of(self._runtime(), self.name)

    @property
    def last_successful_run(self) -> PipelineRun:
        """The newest run that completed."""
        rt = self._runtime()
        quoted = '"' + self.name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        page = rt.store.runs.list(f"pipeline:{quoted} status:completed", sort="-created", size=1)
        if not page.items:
            raise NotFoundError(f"Pipeline '{self.name}' has no completed run yet; `waypost runs list` shows its runs.")
        return PipelineRun.bound(page.items[0], rt)

"""The Client: read and manage what the store holds, whichever store is configured."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from waypost.artifacts import locate
from waypost.artifacts.store import ArtifactStore
from waypost.client.cleanup import Cleanup
from waypost.client.metadata_explorer import ExploreMetadata
from waypost.client.model_approvals import ModelGovernance
from waypost.client.model_compare import CompareVersions
from waypost.client.models import ModelVersion
from waypost.client.run_compare import CompareRuns
from waypost.client.run_diff import DiffRuns
from waypost.enums import ModelStages
from waypost.exceptions import ConflictError, NotFoundError, ParameterError
from waypost.execution import loading, logs, runtime
from waypost.schemas import (
    ArtifactRead,
    ArtifactVersionRead,
    MetadataRead,
    ModelRead,
    ModelVersionRead,
    Page,
    PipelineRead,
    RunRead,
    StepRunRead,
)
from waypost.schemas.models import ModelStageTransitionRead, ModelUpdate
from waypost.sdk.results import ArtifactVersion, PipelineRun, PipelineView
from waypost.settings import WaypostSettings, load_settings
from waypost.store import Store
from waypost.store.base import LogStreamer


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' if any(c in value for c in ' ",') else value


class Client(CompareVersions, CompareRuns, DiffRuns, ModelGovernance, Cleanup, ExploreMetadata):
    """Query runs, steps, artifacts, metadata, models and logs.

    Example:
        >>> runs = Client().list_pipeline_runs(pipeline_name="training_pipeline", status="failed")
        >>> runs = Client().list_pipeline_runs(query="tag:prod metadata.accuracy>0.9 created>7d")
    """

    def __init__(self, settings: WaypostSettings | None = None, *, project: str | None = None) -> None:
        """``project`` ("workspace/project" or a name) overrides the active project (``WAYPOST_PROJECT``)."""
        if project is not None:
            settings = (settings or load_settings()).model_copy(update={"project": project})
        self._rt = runtime.current(settings)

    @property
    def store(self) -> Store:
        """The metadata store this client talks to."""
        return self._rt.store

    # -- runs -------------------------------------------------------------------------
    def list_pipeline_runs(
        self,
        pipeline_name: str | None = None,
        *,
        query: str = "",
        status: str | list[str] | None = None,
        tags: list[str] | None = None,
        created_after: datetime | str | None = None,
        created_before: datetime | str | None = None,
        sort: str = "-created",
        page: int = 1,
        size: int = 50,
    ) -> Page[RunRead]:
        """Runs, newest first, one page at a time, filtered by keywords and/or a filter query.

        Raises:
            NotFoundError: ``pipeline_name`` names no pipeline.
            FilterSyntaxError: the query does not parse.
        """
        terms = [query] if query else []
        if pipeline_name is not None:
            self.store.pipelines.get(pipeline_name)
            terms.append(f"pipeline:{_quote(pipeline_name)}")
        if status:
            terms.append("status:" + ",".join([status] if isinstance(status, str) else status))
        for tag in tags or []:
            terms.append(f"tag:{_quote(tag)}")
        if created_after is not None:
            terms.append(f"created>{_time(created_after)}")
        if created_before is not None:
            terms.append(f"created<{_time(created_before)}")
        return self.store.runs.list(" ".join(terms), sort=sort, page=page, size=size)

    def get_pipeline_run(self, name_id_or_prefix: str | uuid.UUID) -> PipelineRun:
        """A run by name or id, with its ``steps`` by name (``run.steps["train"].outputs["model"][0].load()``)."""
        return PipelineRun.bound(self.store.runs.get(name_id_or_prefix), self._rt)

    def archive_pipeline_run(self, run: str | uuid.UUID, archived: bool = True) -> RunRead:
        """Archive a run: lists leave it out unless their filter says ``archived:true`` (or ``archived:any``).

        ``archived=False`` restores it. Returns the run as it now is.
        """
        found = self.get_pipeline_run(run)
        self.store.runs.set_archived([found.id], archived)
        return self.store.runs.get(found.id)

    def delete_pipeline_run(self, run: str | uuid.UUID) -> None:
        """Delete a run's records (artifacts other runs use are kept)."""
        self.store.runs.delete(self.get_pipeline_run(run).id)

    def stop_run(self, run: str | uuid.UUID, reason: str | None = None) -> RunRead:
        """Stop a running run and its running steps; return the run as it now is.

        The run is recorded as stopped at once, with "Stopped by USER" (and ``reason``) as its
        status reason; the process or cluster that launched it sees so at its next heartbeat
        and cancels the steps still going.

        Raises:
            NotFoundError: no such run (or one the server hides from you).
            StoreError: the run already ended; there is nothing to stop.
        """
        return self.store.runs.stop(self.get_pipeline_run(run).id, reason)

    def list_step_runs(self, run: str | uuid.UUID) -> list[StepRunRead]:
        """Every step run of a run."""
        return self.store.steps.list(self.get_pipeline_run(run).id)

    def get_step_run(self, run: str | uuid.UUID, step: str) -> StepRunRead:
        """One step run by run and step name."""
        return self.store.steps.get(self.get_pipeline_run(run).id, step)

    # -- pipelines --------------------------------------------------------------------
    def list_pipelines(self, query: str = "", *, page: int = 1, size: int = 50) -> Page[PipelineRead]:
        """Pipelines with run counts."""
        return self.store.pipelines.list(query, page=page, size=size)

    def get_pipeline(self, name_id_or_prefix: str | uuid.UUID) -> PipelineView:
        """A pipeline by name or id, with its ``runs`` and ``last_run``."""
        return PipelineView.bound(self.store.pipelines.get(name_id_or_prefix), self._rt)

    # -- artifacts --------------------------------------------------------------------
    def list_artifacts(self, query: str = "", *, page: int = 1, size: int = 50) -> Page[ArtifactRead]:
        """Artifacts with their latest version."""
        return self.store.artifacts.list(query, page=page, size=size)

    def list_artifact_versions(self, query: str = "", *, page: int = 1, size: int = 50) -> Page[ArtifactVersionRead]:
        """Artifact versions matching ``query`` (e.g. ``name:model``)."""
        return self.store.artifacts.list_versions(query, page=page, size=size)

    def get_artifact_version(
        self, name_id_or_prefix: str | uuid.UUID, version: str | int | None = None
    ) -> ArtifactVersion:
        """A version by id, or by name: its ``version`` (a number), the latest when None (``name:N`` works too).

        The version's ``load()`` gives its value, ``run_metadata`` the metadata logged on it.
        """
        ref = name_id_or_prefix
        if version is not None:
            if not str(version).isdigit():
                raise NotFoundError(
                    f"Artifact versions are numbered; '{version}' is not a number: ask for version=1, 2 …"
                )
            ref = f"{name_id_or_prefix}:{version}"
        return ArtifactVersion.bound(self.store.artifacts.get_version(ref), self._rt)

    def load_artifact(self, ref: str | uuid.UUID | ArtifactVersionRead, *, allow_unsafe: bool = False) -> Any:
        """Load an artifact version's value.

        Files that run code while they load (pickles, joblib models) load only when their
        producer is trusted: your own runs, users listed in ``artifacts.trusted_producers``,
        or anyone once you opt in with ``allow_unsafe=True`` (or the setting
        ``artifacts.allow_untrusted_unpickle``), which warns.

        The files are read from the store the producing run wrote them to: the configured
        artifact store, or (with a local database) the artifact store of the stack it ran on,
        with that component's secrets and connector credentials.

        Raises:
            UntrustedArtifactError: Loading would unpickle files of a producer you do not trust.
            MaterializerError: The materializer the version names is not registered here.
            ArtifactStoreError: No store known here holds the files, or their store does not answer.

        Warns:
            UnsafeDeserializationWarning: An untrusted producer's files were unpickled on opt-in.
        """
        av = ref if isinstance(ref, ArtifactVersionRead) else self.get_artifact_version(ref)
        return loading.load_version(self._rt, av, allow_unsafe=allow_unsafe)

    def _files_for(self, uri: str) -> ArtifactStore:
        """The artifact store holding ``uri`` (see :func:`waypost.execution.loading.files_for`)."""
        return loading.files_for(self._rt, uri)

    def get_step_output(
        self, run: str | uuid.UUID, step: str, output: str | None = None, *, allow_unsafe: bool = False
    ) -> Any:
        """Load an output of a step run (its only one when ``output`` is None); see :meth:`load_artifact`."""
        sr = self.get_step_run(run, step)
        if output is None:
            if len(sr.outputs) != 1:
                raise NotFoundError(f"Step '{step}' has outputs {sorted(sr.outputs)}; name the one to load.")
            output = next(iter(sr.outputs))
        if output not in sr.outputs:
            raise NotFoundError(f"Step '{step}' has no output '{output}'; its outputs are {sorted(sr.outputs)}.")
        return self.load_artifact(sr.outputs[output], allow_unsafe=allow_unsafe)

    # -- metadata and models ----------------------------------------------------------
    def get_metadata(self, run: str | uuid.UUID, step: str | None = None) -> list[MetadataRead]:
        """Metadata of a run (every step's included), or of one step."""
        r = self.get_pipeline_run(run)
        if step is not None:
            return self.store.metadata.list(step_run_id=self.store.steps.get(r.id, step).id)
        return self.store.metadata.list(run_id=r.id)

    def list_models(
        self, query: str = "", *, name: str | None = None, tag: str | None = None, page: int = 1, size: int = 50
    ) -> Page[ModelRead]:
        """Registered models: those ``query`` matches (``name:iris tag:prod``), or of ``name`` / ``tag``."""
        terms = [query] if query else []
        terms += [f"{key}:{_quote(value)}" for key, value in (("name", name), ("tag", tag)) if value is not None]
        return self.store.models.list(" ".join(terms), page=page, size=size)

    def get_model(self, model: str) -> ModelRead:
        """A model: its card, metric directions, the versions holding staging and production, its version count."""
        return self.store.models.get(model)

    def update_model(self, model: str, **changes: Any) -> ModelRead:
        """Change a model's ``description``, card sections (``license``, ``audience``, ``use_cases``,
        ``limitations``, ``trade_offs``, ``ethics``: markdown; None clears one) or ``metric_directions``
        (``{"accuracy": "higher", "loss": "lower"}``, replacing the mapping); return the model.
        """
        return self.store.models.update(model, ModelUpdate(**changes))

    def create_model(
        self,
        name: str,
        license: str | None = None,
        description: str | None = None,
        audience: str | None = None,
        use_cases: str | None = None,
        limitations: str | None = None,
        trade_offs: str | None = None,
        ethics: str | None = None,
        tags: list[str] | None = None,
        save_models_to_registry: bool = True,
    ) -> ModelRead:
        """Register a model with its card; return it.

        A model lives with its versions, so this also makes its first version ("1"), the one a run
        with ``Model(name=...)`` and no version would have made; the next run makes "2".

        Raises:
            ConflictError: a model of that name exists (change its card with :meth:`update_model`).
        """
        try:
            self.store.models.get(name)
        except NotFoundError:
            pass
        else:
            raise ConflictError(f"Model '{name}' exists; change its card with Client().update_model('{name}', ...).")
        self.store.models.get_or_create_version(name, None, description=description, tags=list(tags or []))
        card = {
            "license": license,
            "description": description,
            "audience": audience,
            "use_cases": use_cases,
            "limitations": limitations,
            "trade_offs": trade_offs,
            "ethics": ethics,
        }
        return self.store.models.update(name, ModelUpdate(**{k: v for k, v in card.items() if v is not None}))

    def list_model_versions(self, model_name_or_id: str | uuid.UUID) -> list[ModelVersionRead]:
        """Every version of a model, newest first."""
        return self.store.models.list_versions(model_name_or_id)

    def update_model_version(
        self,
        model_name_or_id: str | uuid.UUID,
        version_name_or_id: str | int | ModelStages,
        stage: ModelStages | str | None = None,
        force: bool = False,
        name: str | None = None,
        description: str | None = None,
        add_tags: list[str] | None = None,
        remove_tags: list[str] | None = None,
    ) -> ModelVersion:
        """Tag, untag and put in a stage a version (a name, number, id or stage's holder); return it after.

        Raises:
            ParameterError: ``name`` or ``description`` given: a version's name and description are
                set when it is made (``Model(name=..., version=..., description=...)``).
            ConflictError: another version holds ``stage`` and ``force`` is False.
        """
        if name is not None or description is not None:
            raise ParameterError(
                "A model version's name and description are set when it is made; "
                "pass only stage, force, add_tags and remove_tags to update_model_version()."
            )
        model, version = str(model_name_or_id), str(version_name_or_id)
        found = self.store.models.get_version(model, version)
        if add_tags or remove_tags:
            self.store.models.change_version_tags(model, found.name, add=add_tags or [], remove=remove_tags or [])
        if stage is not None:
            self.store.models.set_stage(model, found.name, stage, force=force)
        return ModelVersion.bound(self.store.models.get_version(model, found.name), self.store)

    def get_model_version(self, model: str, version: ModelStages | str | int | None = "latest") -> ModelVersion:
        """A model version by name, number or stage (``ModelStages.PRODUCTION``: the version holding it);
        None is the latest.

        The version's :meth:`~waypost.client.models.ModelVersion.set_stage` changes its stage.
        """
        found = self.store.models.get_version(model, "latest" if version is None else str(version))
        return ModelVersion.bound(found, self.store)

    def set_model_version_stage(
        self,
        model: str,
        version: ModelStages | str,
        stage: ModelStages | str,
        *,
        force: bool = False,
        reason: str | None = None,
    ) -> ModelVersion:
        """Put a version (a name, number, or a stage's holder) in staging, production, archived or none.

        ``force`` archives the version holding staging or production now; without it that is a
        ConflictError naming that version.
        """
        moved = self.store.models.set_stage(model, str(version), stage, force=force, reason=reason)
        return ModelVersion.bound(moved, self.store)

    def list_model_transitions(self, model: str, *, page: int = 1, size: int = 50) -> Page[ModelStageTransitionRead]:
        """A model's stage transitions (from, to, who, why, how, when), newest first."""
        return self.store.models.transitions(model, page=page, size=size)

    # -- logs -------------------------------------------------------------------------
    def _log_uri(self, run: str | uuid.UUID, step: str) -> tuple[str, StepRunRead, ArtifactStore]:
        sr = self.get_step_run(run, step)
        if not sr.log_uri:
            raise NotFoundError(f"Step '{step}' has no stored logs (it never ran, or enable_step_logs was off).")
        try:
            files = self._files_for(sr.log_uri)
        except locate.OutsideStoresError:
            raise NotFoundError(
                f"Step '{step}' logs live outside the configured artifact store; point it at {sr.log_uri}."
            ) from None
        return sr.log_uri, sr, files

    def get_step_logs(
        self, run: str | uuid.UUID, step: str, *, offset: int = 0, limit: int = 1000
    ) -> list[dict[str, Any]]:
        """Log lines of a step from ``offset``: ``{"n", "t", "s" (source), "l" (level), "m" (text)}``."""
        uri, _, files = self._log_uri(run, step)
        return logs.read_lines(files, uri, offset=offset, limit=limit)

    def tail_step_logs(self, run: str | uuid.UUID, step: str, n: int = 100) -> list[dict[str, Any]]:
        """The last ``n`` log lines of a step."""
        uri, _, files = self._log_uri(run, step)
        return logs.tail(files, uri, n)

    def search_step_logs(
        self, run: str | uuid.UUID, step: str, text: str, *, limit: int = 100, context: int = 0, regex: bool = False
    ) -> list[dict[str, Any]]:
        """Search a step's whole log (case-insensitive): hits ``{"line", "before", "after"}`` with context lines."""
        uri, _, files = self._log_uri(run, step)
        return logs.search(files, uri, text, limit=limit, context=context, regex=regex)

    def follow_step_logs(
        self, run: str | uuid.UUID, step: str, *, offset: int = 0, poll_interval: float = 0.5
    ) -> Iterator[dict[str, Any]]:
        """Yield a step's log lines as they are written, until the step ends.

        Against a server the lines are pushed (Server-Sent Events); locally the log's chunk
        files are polled every ``poll_interval`` seconds.
        """
        if self.store.capabilities.streams_logs:
            streamer = cast(LogStreamer, self.store)
            return streamer.stream_step_logs(self.get_pipeline_run(run).id, step, offset)
        uri, sr, files = self._log_uri(run, step)

        def finished() -> bool:
            return self.store.steps.get_by_id(sr.id).status.is_finished

        return logs.follow(files, uri, offset, poll_interval, finished)


def _time(value: datetime | str) -> str:
    return value.isoformat() if isinstance(value, datetime) else value

"""``get_step_context()``: what a running step can know about itself."""

from __future__ import annotations

import uuid
from typing import Any

from waypost import _lazy
from waypost.exceptions import WaypostError
from waypost.execution.context import StepContext, current
from waypost.sdk.model import Model


class StepContextView:
    """The running step's run, step, output locations and model."""

    def __init__(self, ctx: StepContext) -> None:
        self._ctx = ctx

    @property
    def pipeline_run(self) -> Any:
        """The run this step belongs to (a ``RunRead``)."""
        return self._ctx.run

    @property
    def pipeline_name(self) -> str:
        """The pipeline's name."""
        return self._ctx.run.pipeline_name

    @property
    def step_name(self) -> str:
        """This call's name in the DAG (``train``, or ``train_2`` for a second call)."""
        return self._ctx.step.name

    @property
    def step_run_id(self) -> uuid.UUID:
        """The id of this step run."""
        return self._ctx.step_run_id

    @property
    def step_run(self) -> Any:
        """This step run as recorded so far: a ``StepRun`` view, as ``run.steps[...]`` gives (the fields of
        ``StepRunRead``, ``config.parameters``, ``inputs`` …)."""
        results = _lazy.load("waypost.sdk.results")
        return results.step_run_view(self._ctx.store.steps.get_by_id(self._ctx.step_run_id))

    @property
    def parameters(self) -> dict[str, Any]:
        """The parameters this step was called with."""
        return dict(self._ctx.step.parameters)

    @property
    def model(self) -> Model | None:
        """The pipeline's model version, resolved (``id`` and ``number`` set), or None."""
        mv = self._ctx.model_version
        if mv is None:
            return None
        return Model(
            name=mv.model_name,
            version=mv.name,
            description=mv.description,
            id=mv.id,
            number=mv.number,
            stage=mv.stage.value,
        )

    def get_output_artifact_uri(self, output_name: str | None = None) -> str:
        """Where an output's files will be written (the only output when no name is given)."""
        uris = self._ctx.output_uris
        if output_name is None:
            if len(uris) != 1:
                raise WaypostError(f"Step '{self.step_name}' has outputs {list(uris)}; name the one you want.")
            return next(iter(uris.values()))
        if output_name not in uris:
            raise WaypostError(f"Step '{self.step_name}' has no output '{output_name}'; its outputs are {list(uris)}.")
        return uris[output_name]

    def add_output_tags(self, tags: list[str], output_name: str | None = None) -> None:
        """Tag an output's artifact version when it is registered."""
        name = output_name or next(iter(self._ctx.output_uris), None)
        if name is None:
            raise WaypostError(f"Step '{self.step_name}' has no outputs to tag.")
        self._ctx.output_tags.setdefault(name, []).extend(tags)


def get_step_context() -> StepContextView:
    """The context of the step that is running in this thread.

    Raises:
        WaypostError: when called outside a running step.
    """
    ctx = current()
    if ctx is None:
        raise WaypostError("get_step_context() works only inside a running step; call it from a @step function.")
    return StepContextView(ctx)

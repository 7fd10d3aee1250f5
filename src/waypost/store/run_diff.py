"""Two runs' recorded facts turned into a :class:`RunDiff` (pure: no I/O).

A snapshot is shared by the runs whose DAGs have the same shape and code, so its spec is the
truth for wiring and code, not for parameters or settings: those come from each run's step runs
(the spec only stands in for a step the run has no record of).
"""

from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from waypost.enums import ExecutionStatus
from waypost.schemas.run_diff import (
    MAX_CODE_DIFF_LINES,
    EdgeRef,
    RunDiff,
    RunDiffSummary,
    RunRef,
    StepChange,
    StepDiff,
)
from waypost.store.run_diff_cache import StepFacts, cache_of
from waypost.store.run_diff_stack import stack_diff
from waypost.store.value_diff import changes, flatten

__all__ = ["RunFacts", "StepFacts", "code_diff", "run_diff"]


@dataclass
class RunFacts:
    """What one run recorded."""

    id: uuid.UUID
    name: str
    pipeline_name: str
    status: ExecutionStatus
    created_at: datetime
    config: dict[str, Any]
    parameters: dict[str, Any]
    orchestrator: str
    stack: dict[str, Any] | None
    spec: dict[str, Any]
    steps: dict[str, StepFacts] = field(default_factory=dict)

    def ref(self) -> RunRef:
        """The run as one side of the diff."""
        return RunRef(
            id=self.id, name=self.name, pipeline_name=self.pipeline_name, status=self.status, created_at=self.created_at
        )

    def spec_steps(self) -> dict[str, dict[str, Any]]:
        """The snapshot's steps by invocation name, in its (topological) order."""
        return {s["name"]: s for s in self.spec.get("steps", [])}


def code_diff(name: str, before: str, after: str) -> tuple[str, bool]:
    """A unified diff of two sources, cut at :data:`MAX_CODE_DIFF_LINES` lines; and whether it was cut."""
    if before == after:
        return "", False
    lines = list(
        difflib.unified_diff(
            before.splitlines(), after.splitlines(), f"{name} (before)", f"{name} (after)", lineterm=""
        )
    )
    if len(lines) > MAX_CODE_DIFF_LINES:
        return "\n".join(lines[:MAX_CODE_DIFF_LINES]), True
    return "\n".join(lines), False


def _wiring(spec: dict[str, Any]) -> dict[str, str]:
    wired = {name: f"{i['step']}.{i['output']}" for name, i in (spec.get("inputs") or {}).items()}
    wired.update({name: f"artifact:{vid}" for name, vid in (spec.get("artifact_inputs") or {}).items()})
    return wired


def _edges(steps: dict[str, dict[str, Any]]) -> set[tuple[str, str | None, str, str | None]]:
    out: set[tuple[str, str | None, str, str | None]] = set()
    for name, spec in steps.items():
        out.update((i["step"], i["output"], name, inp) for inp, i in (spec.get("inputs") or {}).items())
        out.update((a, None, name, None) for a in spec.get("after") or [])
    return out


def _edge_refs(edges: set[tuple[str, str | None, str, str | None]]) -> list[EdgeRef]:
    ordered = sorted(edges, key=lambda e: (e[2], e[0], e[3] or "", e[1] or ""))
    return [EdgeRef(from_step=f, output=o, to_step=t, input=i) for f, o, t, i in ordered]


def _settings(spec: dict[str, Any], step: StepFacts | None, pipeline: str) -> dict[str, Any]:
    """A step's settings and outputs as one run used them: its step run's record, else the snapshot's."""
    config = step.config if step is not None and step.config else spec.get("settings") or {}
    flat = flatten(config)
    recorded = step.components.get("outputs") if step is not None else None
    names = step.components.get("artifacts") or {} if step is not None else {}
    if isinstance(recorded, dict) and recorded:
        for out, kind in recorded.items():
            data_type, materializer = [*kind, None, None][:2] if isinstance(kind, list) else (kind, None)
            flat[f"output.{out}.data_type"], flat[f"output.{out}.materializer"] = data_type, materializer
            flat[f"output.{out}.artifact_name"] = names.get(out)
    else:
        for o in spec.get("outputs") or []:
            flat[f"output.{o['name']}.data_type"] = o.get("data_type")
            flat[f"output.{o['name']}.materializer"] = o.get("materializer") or "auto"
            flat[f"output.{o['name']}.artifact_name"] = (
                o.get("artifact_name") or f"{pipeline}::{spec['name']}::{o['name']}"
            )
    return flat


def _source(spec: dict[str, Any], step: StepFacts | None) -> tuple[str, str]:
    """A step's source code and hash: the snapshot's (it is keyed by them), else its step run's."""
    code = spec.get("source_code") or (step.source_code if step is not None else "")
    digest = spec.get("source_hash") or (step.source_hash if step is not None else "")
    return code, digest


def _step(
    name: str,
    before: RunFacts,
    after: RunFacts,
    specs: tuple[dict[str, Any] | None, dict[str, Any] | None],
    names: dict[uuid.UUID, str],
) -> StepDiff:
    b_run, a_run = before.steps.get(name), after.steps.get(name)
    bs, as_ = specs
    b_spec, a_spec = bs or {}, as_ or {}
    b_code, b_hash = _source(b_spec, b_run)
    a_code, a_hash = _source(a_spec, a_run)
    present = bs is not None and as_ is not None
    code_changed = present and (b_hash != a_hash if b_hash and a_hash else b_code != a_code)
    diff, cut = code_diff(name, b_code, a_code) if code_changed else ("", False)
    b_params = b_run.parameters if b_run is not None else b_spec.get("parameters") or {}
    a_params = a_run.parameters if a_run is not None else a_spec.get("parameters") or {}
    params = changes(b_params, a_params) if present else []
    b_settings, a_settings = (
        _settings(b_spec, b_run, before.pipeline_name),
        _settings(a_spec, a_run, after.pipeline_name),
    )
    settings = changes(b_settings, a_settings) if present else []
    b_in, a_in = _wiring(b_spec), _wiring(a_spec)
    b_after, a_after = list(b_spec.get("after") or []), list(a_spec.get("after") or [])
    change: StepChange
    if bs is None:
        change = "added"
    elif as_ is None:
        change = "removed"
    elif b_in != a_in or set(b_after) != set(a_after):
        change = "rewired"
    elif code_changed or params or settings:
        change = "changed"
    else:
        change = "same"
    return StepDiff(
        name=name,
        change=change,
        code_changed=code_changed,
        inputs_before=b_in,
        inputs_after=a_in,
        after_before=b_after,
        after_after=a_after,
        code_diff=diff,
        code_diff_truncated=cut,
        parameters=params,
        settings=settings,
        cache=cache_of(b_run, a_run, after.config, names, after_first=after.created_at < before.created_at),
    )


def _run_config(run: RunFacts) -> dict[str, Any]:
    flat = flatten(run.config)
    flat["orchestrator"] = run.orchestrator
    model = run.spec.get("model")
    if isinstance(model, dict):
        flat["model.name"], flat["model.version"] = model.get("name"), model.get("version")
    return flat


def run_diff(before: RunFacts, after: RunFacts, names: dict[uuid.UUID, str]) -> RunDiff:
    """How ``after`` differs from ``before``; ``names`` names the runs cached steps came from."""
    b_steps, a_steps = before.spec_steps(), after.spec_steps()
    order = list(a_steps) + [n for n in b_steps if n not in a_steps]
    steps = [_step(n, before, after, (b_steps.get(n), a_steps.get(n)), names) for n in order]
    b_edges, a_edges = _edges(b_steps), _edges(a_steps)
    parameters = changes(before.parameters, after.parameters)
    config = changes(_run_config(before), _run_config(after))
    stack = stack_diff(before.stack, after.stack)
    summary = RunDiffSummary(
        added=sum(s.change == "added" for s in steps),
        removed=sum(s.change == "removed" for s in steps),
        rewired=sum(s.change == "rewired" for s in steps),
        changed=sum(s.change == "changed" for s in steps),
        code_changed=sum(s.code_changed for s in steps),
        cache_flips=sum(s.cache.flipped for s in steps),
        parameters_changed=len(parameters),
        config_changed=len(config),
        stack_changed=len(stack.components) + (stack.name_before != stack.name_after),
    )
    return RunDiff(
        before=before.ref(),
        after=after.ref(),
        steps=steps,
        edges_added=_edge_refs(a_edges - b_edges),
        edges_removed=_edge_refs(b_edges - a_edges),
        parameters=parameters,
        config=config,
        stack=stack,
        summary=summary,
    )

"""Why a step was served from the cache in one run and not the other, from what the runs recorded.

The facts: each step run's status, cache key and the parts it was hashed from (source hash,
parameters, input content hashes, output types and artifact names, cache-relevant settings), the
content hashes of the artifact versions it read, its settings (``enable_cache``) and the miss reason
the runner recorded. Nothing is guessed: when they do not explain it, the answer says so.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from waypost.enums import ExecutionStatus
from waypost.schemas.run_diff import CacheState, StepCache

__all__ = ["NO_REASON", "StepFacts", "cache_of", "key_differences", "state"]

NO_REASON = "No recorded reason."
_STATES: dict[ExecutionStatus, CacheState] = {
    ExecutionStatus.CACHED: "cached",
    ExecutionStatus.COMPLETED: "executed",
    ExecutionStatus.FAILED: "failed",
    ExecutionStatus.SKIPPED: "skipped",
    ExecutionStatus.STOPPED: "stopped",
    ExecutionStatus.CRASHED: "crashed",
    ExecutionStatus.RUNNING: "running",
    ExecutionStatus.INITIALIZING: "running",
}


@dataclass
class StepFacts:
    """What one step run recorded."""

    status: ExecutionStatus
    cache_key: str | None
    components: dict[str, Any]
    miss_reason: str | None
    cached_from_run_id: uuid.UUID | None
    parameters: dict[str, Any]
    config: dict[str, Any]
    source_code: str
    source_hash: str
    input_hashes: dict[str, str] = field(default_factory=dict)
    """Input name → content hash of the artifact version read (from the lineage links)."""

    def inputs(self) -> dict[str, str]:
        """Input content hashes: the versions read, else those the cache key was made of."""
        return self.input_hashes or {k: str(v) for k, v in (self.components.get("inputs") or {}).items()}


def state(step: StepFacts | None) -> CacheState:
    """What the step did in a run (``not_run`` without a record)."""
    return "not_run" if step is None else _STATES[step.status]


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= 40 else text[:37] + "..."


def key_differences(before: StepFacts, after: StepFacts) -> list[str]:
    """The parts of the two cache keys that differ, in words."""
    b, a = before.components, after.components
    out: list[str] = []
    if b.get("source", before.source_hash) != a.get("source", after.source_hash):
        out.append("the step's code changed")
    bp, ap = b.get("parameters", before.parameters), a.get("parameters", after.parameters)
    for name in sorted(set(bp) | set(ap)):
        if bp.get(name) != ap.get(name) or (name in bp) != (name in ap):
            out.append(f"parameter '{name}' changed ({_short(bp.get(name))} -> {_short(ap.get(name))})")
    bi, ai = before.inputs(), after.inputs()
    for name in sorted(set(bi) | set(ai)):
        if name not in bi:
            out.append(f"input '{name}' is new")
        elif name not in ai:
            out.append(f"input '{name}' is gone")
        elif bi[name] != ai[name]:
            out.append(f"input '{name}' has different content ({bi[name][:12]} -> {ai[name][:12]})")
    if b.get("outputs") != a.get("outputs"):
        out.append("the output types or materializers changed")
    if b.get("artifacts") != a.get("artifacts"):
        out.append("the outputs' artifact names changed")
    if b.get("config") != a.get("config"):
        out.append("the step's cache-relevant settings changed")
    if b.get("version") != a.get("version"):
        out.append("Waypost's cache format changed")
    return out


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _cache_enabled(step: StepFacts, run_config: dict[str, Any]) -> bool:
    own = step.config.get("enable_cache")
    return bool(run_config.get("enable_cache", True)) if own is None else bool(own)


def _why_not_reused(before: StepFacts, after: StepFacts, after_run_config: dict[str, Any], after_first: bool) -> str:
    """Why the after run executed the step instead of reusing the before run's result."""
    if not _cache_enabled(after, after_run_config):
        where = "for this step" if after.config.get("enable_cache") is False else "for the whole run"
        return f"Caching was disabled {where} in the after run."
    if before.cache_key and after.cache_key and before.cache_key == after.cache_key:
        if after_first:
            return (
                "The cache key is the same, but the after run is the older one: "
                "it ran before there was a result to reuse."
            )
        if not before.status.is_successful:
            return (
                f"The cache key is the same, but the step {before.status.value} in the before run: no result to reuse."
            )
        recorded = f": {after.miss_reason}" if after.miss_reason else ""
        return f"The cache key is the same, but the after run found no reusable result{recorded}"
    if not before.cache_key or not after.cache_key:
        return after.miss_reason or NO_REASON
    found = key_differences(before, after)
    return _sentence(found) if found else NO_REASON


def _why_reused(before: StepFacts, after: StepFacts, names: dict[uuid.UUID, str]) -> str:
    """Why the after run was served from the cache while the before run executed the step."""
    source = after.cached_from_run_id
    origin = f"run '{names.get(source, source)}'" if source is not None else "an earlier run"
    text = f"The after run reused the result of {origin} (the same cache key)"
    if not _cache_enabled_recorded(before):
        return text + "; caching was disabled for the step in the before run."
    if before.miss_reason:
        return f"{text}; the before run executed the step: {before.miss_reason[0].lower()}{before.miss_reason[1:]}"
    return text + "."


def _cache_enabled_recorded(step: StepFacts) -> bool:
    return step.config.get("enable_cache") is not False and step.miss_reason != "Caching is disabled for this step."


def cache_of(
    before: StepFacts | None,
    after: StepFacts | None,
    after_run_config: dict[str, Any],
    names: dict[uuid.UUID, str],
    *,
    after_first: bool = False,
) -> StepCache:
    """The step's cache outcome in both runs, and the reason when it differs or the after run did not reuse.

    ``after_first``: the after run was created before the before run (a diff read backwards).
    """
    b_state, a_state = state(before), state(after)
    if before is None or after is None:
        return StepCache(before=b_state, after=a_state, flipped=False)
    flipped = (b_state == "cached") != (a_state == "cached")
    reason: str | None = None
    if a_state == "cached" and b_state != "cached":
        reason = _why_reused(before, after, names)
    elif a_state in ("executed", "failed") and b_state not in ("skipped", "running"):
        reason = _why_not_reused(before, after, after_run_config, after_first)
    return StepCache(before=b_state, after=a_state, flipped=flipped, reason=reason)

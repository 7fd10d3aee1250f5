"""Cache keys, and the reason a step missed the cache.

key = sha256 of {step source, parameters, input content hashes, materializers, the outputs'
artifact names, cache-relevant config}.

The artifact names are part of the key so that a hit never serves another artifact's
versions: an unannotated output of pipeline ``b`` is ``b::step::output``, and it must
not come back as a version of ``a::step::output`` because pipeline ``a`` has the same
step. Outputs with the same ``Annotated`` name still share the cache across pipelines.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from waypost.schemas import StepSpec

CACHE_VERSION = "2"  # 2: the outputs' artifact names joined the key


def components(
    step: StepSpec, input_hashes: dict[str, str], artifact_names: dict[str, str] | None = None
) -> dict[str, Any]:
    """The parts of a step's cache key, kept readable so misses can be explained.

    ``artifact_names`` maps each output to the artifact it is saved as.
    """
    return {
        "version": CACHE_VERSION,
        "source": step.source_hash,
        "parameters": step.parameters,
        "inputs": input_hashes,
        "outputs": {o.name: [o.data_type, o.materializer or "auto"] for o in step.outputs},
        "artifacts": dict(artifact_names or {}),
        "config": {"extra": step.settings.extra},
    }


def key(parts: dict[str, Any]) -> str:
    """The cache key of ``parts``."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def miss_reason(current: dict[str, Any], previous: dict[str, Any] | None) -> str:
    """Which part of the key changed since the step's previous run, in words."""
    if not previous:
        return "No earlier run of this step has the same code, parameters and inputs."
    reasons: list[str] = []
    if current.get("source") != previous.get("source"):
        reasons.append("the step's code changed")
    cur_p, prev_p = current.get("parameters", {}), previous.get("parameters", {})
    for name in sorted(set(cur_p) | set(prev_p)):
        if cur_p.get(name) != prev_p.get(name):
            reasons.append(f"parameter '{name}' changed ({_short(prev_p.get(name))} -> {_short(cur_p.get(name))})")
    cur_i, prev_i = current.get("inputs", {}), previous.get("inputs", {})
    for name in sorted(set(cur_i) | set(prev_i)):
        if cur_i.get(name) != prev_i.get(name):
            reasons.append(f"input '{name}' has different content")
    if current.get("outputs") != previous.get("outputs"):
        reasons.append("the output types or materializers changed")
    if current.get("artifacts") != previous.get("artifacts") and current.get("version") == previous.get("version"):
        reasons.append("the outputs' artifact names changed")
    if current.get("config") != previous.get("config"):
        reasons.append("the step's cache-relevant settings changed")
    if current.get("version") != previous.get("version"):
        reasons.append("Waypost's cache format changed")
    if not reasons:
        return "The earlier run with the same key did not complete, or its outputs are gone."
    text = "; ".join(reasons)
    return text[0].upper() + text[1:] + "."

"""Runs side by side, as rows: what each run brings (:class:`Facts`) turned into a row per attribute, pure functions.

A row's kind is its values' one kind (``mixed`` when they have several); a metadata key with a
number in any run is a metric; the best number of a metric and of the duration is marked, lower
being better when the key's last part says so (loss, error, time ...) or the caller does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from waypost.exceptions import ParameterError
from waypost.schemas.run_compare import (
    LOWER_IS_BETTER_WORDS,
    MAX_COMPARED_RUNS,
    ComparedOutput,
    RunCompareSection,
    RunComparisonRow,
    ValueKind,
)
from waypost.store.sql.repositories.model_compare import best_index, same_key, split_refs

#: How a float that JSON cannot carry comes back from the store (see metric_value): still a number's kind.
_NON_FINITE = frozenset({"NaN", "Infinity", "-Infinity"})
#: The run section's rows, in order, and their kinds (kept when no run has a value, e.g. no stack anywhere).
_RUN_KINDS: dict[str, ValueKind] = {
    "pipeline": "text",
    "status": "text",
    "duration_s": "number",
    "user": "text",
    "stack": "text",
    "tags": "json",
    "snapshot_id": "text",
}


@dataclass
class Facts:
    """What one run brings to the comparison."""

    run: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, ComparedOutput] = field(default_factory=dict)
    snapshot: dict[str, Any] = field(default_factory=dict)


def split_run_refs(raw: str) -> list[str]:
    """The distinct run references (ids or names) of a comma-separated list, in order: one to 100 of them."""
    refs = split_refs(raw, MAX_COMPARED_RUNS, "runs")
    if not refs:
        raise ParameterError("No run to compare; name one or more run ids or names, separated by commas.")
    return refs


def parse_directions(lower: str = "", higher: str = "") -> dict[str, bool]:
    """Keys (comma-separated) whose lower or higher number is the better one: key -> lower is better."""
    lows = {k.strip() for k in lower.split(",") if k.strip()}
    highs = {k.strip() for k in higher.split(",") if k.strip()}
    both = sorted(lows & highs)
    if both:
        raise ParameterError(f"Key '{both[0]}' is in both lower= and higher=; name it in one of them.")
    return {**dict.fromkeys(lows, True), **dict.fromkeys(highs, False)}


def lower_is_better(key: str, directions: Mapping[str, bool]) -> bool:
    """Whether a lower number of ``key`` is better: ``directions`` by the whole key or its last part, else its words.

    By default higher is better, unless the key's last part (after its last dot) contains a word
    of :data:`LOWER_IS_BETTER_WORDS` (loss, error, latency, time ...).
    """
    last = key.rsplit(".", 1)[-1]
    for name in (key, last):
        if name in directions:
            return directions[name]
    low = last.lower()
    return any(word in low for word in LOWER_IS_BETTER_WORDS)


#: The kind of a value by its exact type: most values are one of these, and a type look-up is cheaper than tests.
_KIND_OF_TYPE: dict[type, ValueKind] = {
    bool: "bool",
    int: "number",
    float: "number",
    dict: "json",
    list: "json",
    ComparedOutput: "artifact",
}


def value_kind(value: Any) -> ValueKind | None:
    """The kind of one value (None for a missing one)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float) or (isinstance(value, str) and value in _NON_FINITE):
        return "number"
    if isinstance(value, ComparedOutput):
        return "artifact"
    if isinstance(value, dict | list):
        return "json"
    return "text"


def row_kind(values: Sequence[Any], default: ValueKind = "json") -> ValueKind:
    """The kind of a row: its values' one kind, ``mixed`` when they have several (``default`` when all are missing).

    The values' types are gathered first (a row holds a hundred values of one or two types); only
    text, whose kind depends on the value (``NaN`` is a number), and unusual types look at values.
    """
    kinds: set[ValueKind] = set()
    for type_ in set(map(type, values)):
        kind = _KIND_OF_TYPE.get(type_)
        if kind is not None:
            kinds.add(kind)
        elif type_ is str:  # text, or a number that JSON cannot carry
            kinds.update("number" if v in _NON_FINITE else "text" for v in {v for v in values if type(v) is str})
        elif type_ is not type(None):
            kinds.update(k for k in (value_kind(v) for v in values if type(v) is type_) if k is not None)
    if len(kinds) > 1:
        return "mixed"
    return kinds.pop() if kinds else default


def _same(value: Any) -> str:
    return value.hash if isinstance(value, ComparedOutput) else same_key(value)


def _differs(values: Sequence[Any], kind: ValueKind) -> bool:
    """Whether the values are not all the same (see same_key); plain values are compared directly, which is faster."""
    if kind in ("mixed", "json", "artifact"):
        return len({_same(v) for v in values}) > 1
    first = values[0]
    return any(v != first for v in values)  # one kind of plain value (or missing): == is same_key's equality


def _row(
    section: RunCompareSection, key: str, values: list[Any], kind: ValueKind, directions: Mapping[str, bool]
) -> RunComparisonRow:
    ranked = kind == "number" and (section == "metrics" or (section == "run" and key == "duration_s"))
    lower = lower_is_better(key, directions) if ranked else None
    best = best_index(values, lower) if lower is not None else None
    return RunComparisonRow(
        section=section,
        key=key,
        kind=kind,
        values=[v.model_dump(mode="json") if isinstance(v, ComparedOutput) else v for v in values],
        differs=_differs(values, kind),
        best=best,
        lower_is_better=lower,
    )


def build_rows(facts: Sequence[Facts], directions: Mapping[str, bool] | None = None) -> list[RunComparisonRow]:
    """Rows of attributes by runs, section by section; keys in name order within a section (the run's facts first).

    A metadata key with a number in any run is a metric (``mixed`` when it is something else in
    another run); the best number of a metric and of the duration is marked.
    """
    directions = directions or {}
    metrics: list[RunComparisonRow] = []
    metadata: list[RunComparisonRow] = []
    for key in sorted({k for f in facts for k in f.metadata}):
        values = [f.metadata.get(key) for f in facts]
        kind = row_kind(values)
        is_metric = kind == "number" or (kind == "mixed" and any(value_kind(v) == "number" for v in values))
        section: RunCompareSection = "metrics" if is_metric else "metadata"
        (metrics if is_metric else metadata).append(_row(section, key, values, kind, directions))
    rows = [
        _row("run", key, values, row_kind(values, default), directions)
        for key, default in _RUN_KINDS.items()
        for values in ([f.run.get(key) for f in facts],)
    ]
    rows += _plain("parameters", [f.parameters for f in facts], sorted({k for f in facts for k in f.parameters}))
    rows += metrics + metadata
    rows += _plain("steps", [f.steps for f in facts], sorted({k for f in facts for k in f.steps}))
    rows += _plain("artifacts", [f.artifacts for f in facts], sorted({k for f in facts for k in f.artifacts}))
    rows += _plain("snapshot", [f.snapshot for f in facts], _snapshot_keys(facts))
    return rows


def _plain(
    section: RunCompareSection, found: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> list[RunComparisonRow]:
    """Rows with no best value: a key's value in each run's mapping."""
    out = []
    for key in keys:
        values = [m.get(key) for m in found]
        out.append(_row(section, key, values, row_kind(values), {}))
    return out


def _snapshot_keys(facts: Sequence[Facts]) -> list[str]:
    """The structure hash first, then each step's source hash."""
    steps = sorted({k for f in facts for k in f.snapshot} - {"structure_hash"})
    return ["structure_hash", *steps]

"""Great Expectations validation results as artifacts with a ``validation`` view.

Validate a DataFrame inside a step and return the report; the dashboard lists every
expectation with pass/fail, the observed value and a sample of the failing values or rows::

    import great_expectations as gx
    from waypost import step
    from waypost.integrations.great_expectations import ValidationReport, validate


    @step
    def check(frame: pd.DataFrame) -> ValidationReport:
        report = validate(
            frame,
            [
                gx.expectations.ExpectColumnValuesToNotBeNull(column="label"),
                gx.expectations.ExpectColumnValuesToBeBetween(column="age", min_value=0, max_value=120),
            ],
        )
        report.raise_if_failed()  # or keep going and look at it later
        return report

A step may also return Great Expectations' own ``ExpectationSuiteValidationResult`` (stored
with cloudpickle, so it loads back as itself under the same Great Expectations version) or
``CheckpointResult`` (which holds its data context and cannot be pickled: it is stored, and
loads back, as the :class:`ValidationReport` of all its validations); both get the same
view. Great Expectations is imported only when a function here runs
(``pip install "waypost[great-expectations]"``).
"""

from __future__ import annotations

import importlib
import json
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers import Materializer, MaterializerRegistry, type_name
from waypost.artifacts.materializers.pickle_fallback import read_pickle, write_pickle
from waypost.schemas.artifacts import VisualizationRef

__all__ = [
    "CheckpointResultMaterializer",
    "GreatExpectationsResultMaterializer",
    "ValidationFailedError",
    "ValidationReport",
    "ValidationReportMaterializer",
    "validate",
    "validation_report",
]

SAMPLE_ROWS = viz.UNEXPECTED_SAMPLE
_SUITE_RESULT = "great_expectations.core.expectation_validation_result.ExpectationSuiteValidationResult"
_CHECKPOINT_RESULT = "great_expectations.checkpoint.checkpoint.CheckpointResult"


class ValidationFailedError(Exception):
    """Raised by :meth:`ValidationReport.raise_if_failed` when an expectation failed."""


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation, one plain dict per expectation.

    Each entry of ``results`` holds ``expectation`` (e.g. ``"expect_column_values_to_not_be_null"``),
    ``column`` (or ``None``), ``kwargs``, ``success``, ``observed_value``, ``unexpected_count``,
    ``unexpected_percent``, ``unexpected_sample`` (failing values, or failing rows as dicts when
    the data was at hand) and ``exception`` (the message when the expectation itself raised).
    """

    success: bool
    statistics: dict[str, Any]
    results: list[dict[str, Any]]
    suite_name: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def failures(self) -> list[dict[str, Any]]:
        """The results whose expectation failed."""
        return [r for r in self.results if not r["success"]]

    def raise_if_failed(self) -> None:
        """Raise :class:`ValidationFailedError` naming the failed expectations, if any."""
        if self.success:
            return
        names = ", ".join(
            f"{r['expectation']}({r['column']})" if r["column"] else r["expectation"] for r in self.failures[:5]
        )
        more = f" and {len(self.failures) - 5} more" if len(self.failures) > 5 else ""
        raise ValidationFailedError(
            f"{len(self.failures)} of {len(self.results)} expectations failed"
            f"{f' in suite {self.suite_name!r}' if self.suite_name else ''}: {names}{more}"
        )


def _gx() -> Any:
    try:
        with warnings.catch_warnings():
            # GX 1.x imports the deprecated sre_constants; that is not the user's to fix.
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module("great_expectations")
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "waypost.integrations.great_expectations needs Great Expectations: "
            'pip install "waypost[great-expectations]"',
            name=exc.name,
        ) from exc


def _suite_results(result: Any) -> list[Any]:
    """The suite results inside ``result``: itself, or each run of a checkpoint."""
    names = {type_name(k) for k in type(result).__mro__}
    if _CHECKPOINT_RESULT in names:
        return list(result.run_results.values())
    if _SUITE_RESULT in names or isinstance(result, dict):
        return [result]
    raise TypeError(
        f"validation_report() takes an ExpectationSuiteValidationResult or a CheckpointResult, "
        f"not {type_name(type(result))}"
    )


def _rows(data: Any, index: Sequence[Any]) -> list[dict[str, Any]] | None:
    """The rows of a pandas DataFrame at ``index`` labels, as dicts; ``None`` when unavailable."""
    loc = getattr(data, "loc", None)
    if loc is None or not index:
        return None
    try:
        picked = loc[list(index[:SAMPLE_ROWS])]
    except (KeyError, TypeError, ValueError):
        return None
    return [{"_index": i, **row} for i, row in zip(picked.index.tolist(), picked.to_dict("records"), strict=True)]


def _entry(raw: dict[str, Any], data: Any) -> dict[str, Any]:
    config = raw.get("expectation_config") or {}
    kwargs = {k: v for k, v in (config.get("kwargs") or {}).items() if k != "batch_id"}
    outcome = raw.get("result") or {}
    exception = raw.get("exception_info") or {}
    sample: list[Any] | None = None
    if data is not None:
        sample = _rows(data, outcome.get("unexpected_index_list") or outcome.get("partial_unexpected_index_list") or [])
    if sample is None:
        sample = list(outcome.get("partial_unexpected_list") or outcome.get("unexpected_list") or [])[:SAMPLE_ROWS]
    return {
        "expectation": config.get("type") or config.get("expectation_type") or "unknown",
        "column": kwargs.get("column"),
        "kwargs": kwargs,
        "success": bool(raw.get("success")),
        "observed_value": outcome.get("observed_value"),
        "unexpected_count": outcome.get("unexpected_count"),
        "unexpected_percent": outcome.get("unexpected_percent"),
        "unexpected_sample": sample,
        "exception": exception.get("exception_message") if exception.get("raised_exception") else None,
    }


def validation_report(result: Any, *, data: Any = None) -> ValidationReport:
    """A :class:`ValidationReport` from a Great Expectations result.

    ``result`` is an ``ExpectationSuiteValidationResult`` (``batch.validate(suite)``), a
    ``CheckpointResult`` (every validation in it, merged), or the dict of either one's
    ``to_json_dict()``. Pass the validated DataFrame as ``data`` to sample failing rows,
    not just failing values (this needs ``result_format="COMPLETE"``, which reports indices).
    """
    suites = _suite_results(result)
    results: list[dict[str, Any]] = []
    names: list[str] = []
    meta: dict[str, Any] = {}
    for suite in suites:
        doc = suite if isinstance(suite, dict) else suite.to_json_dict()
        results.extend(_entry(r, data) for r in doc.get("results") or [])
        if doc.get("suite_name"):
            names.append(doc["suite_name"])
        version = (doc.get("meta") or {}).get("great_expectations_version")
        if version:
            meta["great_expectations_version"] = version
    passed = sum(1 for r in results if r["success"])
    statistics = {
        "evaluated_expectations": len(results),
        "successful_expectations": passed,
        "unsuccessful_expectations": len(results) - passed,
        "success_percent": 100 * passed / len(results) if results else None,
    }
    return ValidationReport(
        success=passed == len(results),
        statistics=statistics,
        # Plain JSON now (NaN as None, numpy scalars as numbers), so the report equals what loads back.
        results=viz.json_safe(results),
        suite_name=", ".join(dict.fromkeys(names)) or None,
        meta=meta,
    )


def _quiet(context: Any) -> None:
    """Turn off GX's metric progress bars: in a step's captured log they are only noise."""
    try:
        base = importlib.import_module("great_expectations.data_context.types.base")
        context.variables.progress_bars = base.ProgressBarsConfig(globally=False, metric_calculations=False)
    except (ImportError, AttributeError):  # another GX layout: keep its bars rather than fail
        pass


def validate(
    data: Any,
    expectations: Iterable[Any] | Any,
    *,
    suite_name: str = "waypost",
    result_format: str = "COMPLETE",
) -> ValidationReport:
    """Validate a pandas DataFrame against expectations in a throwaway Great Expectations context.

    ``expectations`` is an ``ExpectationSuite`` or an iterable of expectations
    (``gx.expectations.ExpectColumnValuesToNotBeNull(column="x")`` …). The report samples
    up to 20 failing rows per expectation.
    """
    gx = _gx()
    context = gx.get_context(mode="ephemeral")
    _quiet(context)
    asset = context.data_sources.add_pandas("waypost").add_dataframe_asset("data")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": data})
    if isinstance(expectations, gx.ExpectationSuite):
        suite = expectations
    else:
        suite = gx.ExpectationSuite(name=suite_name, expectations=[e.copy() for e in expectations])
    return validation_report(batch.validate(suite, result_format=result_format), data=data)


def _visualize(report: ValidationReport, path: Path) -> list[VisualizationRef]:
    return [
        viz.validation(
            path,
            report.results,
            success=report.success,
            statistics=report.statistics,
            title=f"Validation: {report.suite_name}" if report.suite_name else "Validation",
        )
    ]


def _metadata(report: ValidationReport) -> dict[str, Any]:
    return {"success": report.success, "evaluated": len(report.results), "failed": len(report.failures)}


_DATA_FILE = "validation.json"


class ValidationReportMaterializer(Materializer):
    """A :class:`ValidationReport` as ``validation.json``, viewed as a ``validation``."""

    ASSOCIATED_TYPES = (type_name(ValidationReport),)
    VERSION = "1"

    def save(self, data: ValidationReport, path: Path) -> None:
        doc = {
            "success": data.success,
            "statistics": data.statistics,
            "results": data.results,
            "suite_name": data.suite_name,
            "meta": data.meta,
        }
        (path / _DATA_FILE).write_text(json.dumps(viz.json_safe(doc), allow_nan=False))

    def load(self, path: Path, data_type: str) -> ValidationReport:
        doc = json.loads((path / _DATA_FILE).read_text())
        return ValidationReport(**doc)

    def metadata(self, data: ValidationReport) -> dict[str, Any]:
        return _metadata(data)

    def visualize(self, data: ValidationReport, path: Path) -> list[VisualizationRef]:
        return _visualize(data, path)


class GreatExpectationsResultMaterializer(Materializer):
    """An ``ExpectationSuiteValidationResult``, pickled to load back as itself, plus its JSON and view.

    ``result.json`` (``to_json_dict()``) stays readable whatever version loads it later.
    """

    ASSOCIATED_TYPES = (_SUITE_RESULT,)
    VERSION = "1"

    def save(self, data: Any, path: Path) -> None:
        write_pickle(data, path / "result.pkl")
        (path / "result.json").write_text(json.dumps(viz.json_safe(data.to_json_dict()), allow_nan=False))

    def load(self, path: Path, data_type: str) -> Any:
        return read_pickle(path / "result.pkl")

    def metadata(self, data: Any) -> dict[str, Any]:
        return _metadata(validation_report(data))

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        return _visualize(validation_report(data), path)


class CheckpointResultMaterializer(ValidationReportMaterializer):
    """A ``CheckpointResult``, stored as the :class:`ValidationReport` of all its validations.

    It loads back as that report: a CheckpointResult holds its checkpoint and data context,
    which cannot be pickled. ``result.json`` keeps Great Expectations' own summary
    (``describe_dict()``).
    """

    ASSOCIATED_TYPES = (_CHECKPOINT_RESULT,)
    VERSION = "1"

    def save(self, data: Any, path: Path) -> None:
        super().save(validation_report(data), path)
        (path / "result.json").write_text(json.dumps(viz.json_safe(data.describe_dict()), allow_nan=False))

    def metadata(self, data: Any) -> dict[str, Any]:
        return _metadata(validation_report(data))

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        return _visualize(validation_report(data), path)


MaterializerRegistry.default().register(ValidationReportMaterializer)
MaterializerRegistry.default().register(CheckpointResultMaterializer)
MaterializerRegistry.default().register(GreatExpectationsResultMaterializer)

"""waypost.integrations.great_expectations against the real Great Expectations."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import VisualizationType
from waypost.integrations.great_expectations import (
    GreatExpectationsResultMaterializer,
    ValidationFailedError,
    ValidationReport,
    validate,
    validation_report,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # GX 1.24 imports the deprecated sre_constants
    import great_expectations as gx


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"age": [10.0, 20.0, None, 200.0, 35.0, -4.0], "name": ["a", "b", "c", None, "e", "f"]})


def _expectations() -> list[Any]:
    return [
        gx.expectations.ExpectColumnValuesToBeBetween(column="age", min_value=0, max_value=120),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="name"),
        gx.expectations.ExpectTableRowCountToBeBetween(min_value=1, max_value=10),
        gx.expectations.ExpectColumnMeanToBeBetween(column="age", min_value=0, max_value=50),
    ]


def _by_name(report: ValidationReport) -> dict[str, dict[str, Any]]:
    return {r["expectation"]: r for r in report.results}


def test_validate_reports_each_expectation_with_failing_rows() -> None:
    report = validate(_frame(), _expectations())
    assert report.success is False
    assert report.statistics["evaluated_expectations"] == 4
    assert report.statistics["successful_expectations"] == 1
    results = _by_name(report)
    between = results["expect_column_values_to_be_between"]
    assert between["success"] is False
    assert between["column"] == "age"
    assert between["kwargs"] == {"column": "age", "min_value": 0.0, "max_value": 120.0}
    assert between["unexpected_count"] == 2
    # The failing rows themselves, with their index, not just the failing values.
    assert [row["_index"] for row in between["unexpected_sample"]] == [3, 5]
    assert between["unexpected_sample"][0]["age"] == 200.0
    assert results["expect_column_mean_to_be_between"]["observed_value"] == pytest.approx(52.2)
    assert results["expect_table_row_count_to_be_between"] == {
        **results["expect_table_row_count_to_be_between"],
        "success": True,
        "column": None,
        "observed_value": 6,
    }
    with pytest.raises(ValidationFailedError, match="3 of 4 expectations failed"):
        report.raise_if_failed()


def test_a_passing_validation_does_not_raise() -> None:
    report = validate(_frame().dropna().query("age >= 0 and age <= 120"), _expectations()[:3])
    assert report.success is True
    assert report.failures == []
    report.raise_if_failed()


def _suite_result(result_format: str = "SUMMARY") -> Any:
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("pd")
        .add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": _frame()})
    )
    suite = gx.ExpectationSuite(name="people", expectations=_expectations())
    return batch.validate(suite, result_format=result_format)


def test_a_gx_result_converts_with_failing_values_when_no_data_is_given() -> None:
    report = validation_report(_suite_result())
    assert report.suite_name == "people"
    between = _by_name(report)["expect_column_values_to_be_between"]
    assert between["unexpected_sample"] == [200.0, -4.0]
    assert report.meta["great_expectations_version"] == gx.__version__
    assert validation_report(_suite_result().to_json_dict()).results == report.results
    with pytest.raises(TypeError, match="ExpectationSuiteValidationResult"):
        validation_report(42)


def test_report_is_stored_with_its_view(save: Any, load: Any, read_viz: Any) -> None:
    report = validate(_frame(), _expectations())
    version = save(report)
    doc = read_viz(version, VisualizationType.VALIDATION)
    assert doc["success"] is False
    assert doc["statistics"]["unsuccessful_expectations"] == 3
    first = doc["results"][0]
    assert set(first) >= {
        "expectation",
        "column",
        "kwargs",
        "success",
        "observed_value",
        "unexpected_count",
        "unexpected_sample",
    }
    nulls = next(r for r in doc["results"] if r["expectation"] == "expect_column_values_to_not_be_null")
    assert nulls["unexpected_sample"] == [{"_index": 3, "age": 200.0, "name": None}]
    assert load(version) == report


def test_a_raw_gx_result_is_stored_with_the_same_view(save: Any, load: Any, read_viz: Any) -> None:
    result = _suite_result()
    version = save(result)
    assert version.materializer.endswith(GreatExpectationsResultMaterializer.__name__)
    doc = read_viz(version, VisualizationType.VALIDATION)
    assert len(doc["results"]) == 4
    assert load(version).success is False


def test_a_checkpoint_result_merges_its_validations(save: Any, load: Any, read_viz: Any) -> None:
    context = gx.get_context(mode="ephemeral")
    batches = context.data_sources.add_pandas("pd").add_dataframe_asset("frame")
    definition = batches.add_batch_definition_whole_dataframe("all")
    suites = [
        context.suites.add(gx.ExpectationSuite(name=name, expectations=chosen))
        for name, chosen in (("ranges", _expectations()[:1]), ("nulls", _expectations()[1:2]))
    ]
    validations = [
        context.validation_definitions.add(gx.ValidationDefinition(name=s.name, data=definition, suite=s))
        for s in suites
    ]
    checkpoint = context.checkpoints.add(gx.Checkpoint(name="nightly", validation_definitions=validations))
    result = checkpoint.run(batch_parameters={"dataframe": _frame()})

    report = validation_report(result)
    assert report.suite_name == "ranges, nulls"
    assert len(report.results) == 2
    version = save(result)
    assert read_viz(version, VisualizationType.VALIDATION)["statistics"]["evaluated_expectations"] == 2
    loaded = load(version)
    assert isinstance(loaded, ValidationReport)
    assert loaded == report


@step
def check() -> ValidationReport:
    return validate(_frame(), _expectations())


def test_a_step_returning_a_report_shows_it() -> None:
    @pipeline
    def quality():
        check()

    run = quality()
    version = Client().get_artifact_version("quality::check::output")
    assert [v.type for v in version.visualizations] == [VisualizationType.VALIDATION]
    assert version.visualizations[0].meta["failed"] == 3
    logs = " ".join(line["m"] for line in Client().get_step_logs(run.id, "check"))
    assert "Calculating Metrics" not in logs  # GX's progress bars stay out of the step's log

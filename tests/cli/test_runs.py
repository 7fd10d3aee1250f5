"""``waypost runs list`` and ``waypost runs show`` over real runs."""

from __future__ import annotations

import json

from cli_support import Runs, assert_one_line_error, invoke


def test_list_shows_every_run_with_status_steps_and_tags(runs: Runs) -> None:
    result = invoke("runs", "list")
    assert result.exit_code == 0, result.output
    for name in (runs.first, runs.cached, runs.failed):
        assert name in result.stdout
    row = next(line for line in result.stdout.splitlines() if runs.first in line)
    assert "good" in row
    assert "completed" in row
    assert "✓2" in row
    assert "prod" in row
    assert "↺2" in next(line for line in result.stdout.splitlines() if runs.cached in line)
    assert "page 1 of 1 (3 runs)" in result.stdout


def test_status_filter_shows_only_failed_runs(runs: Runs) -> None:
    result = invoke("runs", "list", "status:failed")
    assert result.exit_code == 0, result.output
    assert runs.failed in result.stdout
    assert runs.first not in result.stdout
    assert runs.cached not in result.stdout
    assert "(1 run)" in result.stdout


def test_filter_terms_combine_and_negate(runs: Runs) -> None:
    result = invoke("runs", "list", "tag:prod", "metadata.accuracy>0.9")
    assert result.exit_code == 0, result.output
    assert runs.first in result.stdout
    assert runs.failed not in result.stdout
    negated = invoke("runs", "list", "-tag:prod")  # a leading '-' negates, it is not an option
    assert negated.exit_code == 0, negated.output
    assert runs.failed in negated.stdout
    assert runs.first not in negated.stdout


def test_pipeline_option_sort_and_paging(runs: Runs) -> None:
    result = invoke("runs", "list", "--pipeline", "good", "--sort", "created", "--size", "1", "--page", "2")
    assert result.exit_code == 0, result.output
    assert runs.cached in result.stdout
    assert runs.first not in result.stdout
    assert "page 2 of 2 (2 runs)" in result.stdout


def test_json_prints_the_page_model(runs: Runs) -> None:
    result = invoke("runs", "list", "--json", "status:completed")
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert page["total"] == 2
    assert {r["name"] for r in page["items"]} == {runs.first, runs.cached}


def test_bad_filters_are_one_line_errors(runs: Runs) -> None:
    assert_one_line_error(invoke("runs", "list", "status:"), "status:")
    assert_one_line_error(invoke("runs", "list", "foo:bar"), "foo")
    assert_one_line_error(invoke("runs", "list", "status:sideways"), "sideways")
    assert_one_line_error(invoke("runs", "list", "--sort", "colour"), "colour")
    assert_one_line_error(invoke("runs", "list", "--size", "0"), "size")
    assert_one_line_error(invoke("runs", "list", "--pipline", "good"), "--pipline")


def test_unknown_pipeline_or_run_is_a_one_line_error(runs: Runs) -> None:
    assert_one_line_error(invoke("runs", "list", "--pipeline", "nope"), "nope")
    assert_one_line_error(invoke("runs", "show", "no-such-run"), "no-such-run")


def test_empty_store_says_so() -> None:
    result = invoke("runs", "list")
    assert result.exit_code == 0, result.output
    assert "No runs match." in result.stdout
    assert "(0 runs)" in result.stdout


def test_show_lists_steps_with_cache_miss_reasons(runs: Runs) -> None:
    result = invoke("runs", "show", runs.first)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert runs.first in out
    assert "completed" in out
    assert "prod" in out
    assert "n  4" in out  # the parameters
    assert "load" in out
    assert "total" in out
    assert "miss: No earlier run of this step" in out
    assert "numbers → numbers:1" in out
    assert "accuracy" in out
    assert "0.95" in out


def test_show_of_a_cached_run_names_the_run_it_reused(runs: Runs) -> None:
    result = invoke("runs", "show", runs.cached)
    assert result.exit_code == 0, result.output
    assert f"hit from {runs.first}" in result.stdout
    assert "cached" in result.stdout


def test_show_of_a_failed_run_shows_the_error_and_traceback_tail(runs: Runs) -> None:
    result = invoke("runs", "show", runs.failed)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Step explode failed: ValueError: the numbers exploded" in out
    assert 'raise ValueError("the numbers exploded")' in out  # from the traceback's last lines
    assert "ValueError: ValueError" not in out


def test_show_json_has_the_run_its_steps_and_metadata(runs: Runs) -> None:
    result = invoke("runs", "show", runs.first, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == runs.first
    assert data["status"] == "completed"
    assert [s["name"] for s in data["steps"]] == ["load", "total"]
    assert data["metadata"][0]["key"] == "accuracy"


def test_pipelines_list(runs: Runs) -> None:
    result = invoke("pipelines", "list")
    assert result.exit_code == 0, result.output
    good = next(line for line in result.stdout.splitlines() if line.startswith("good"))
    assert " 2 " in good
    assert "completed" in good
    assert "failed" in next(line for line in result.stdout.splitlines() if line.startswith("bad"))
    assert "(2 pipelines)" in result.stdout
    only = invoke("pipelines", "list", "name:bad", "--json")
    assert [p["name"] for p in json.loads(only.stdout)["items"]] == ["bad"]

"""``waypost init``, ``waypost run``, ``waypost version`` and the error boundary of ``main()``."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from cli_support import assert_one_line_error, invoke

from waypost.cli.main import main
from waypost.client import Client
from waypost.settings import config_path


@pytest.fixture(autouse=True)
def _in_a_folder_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`waypost init` makes a project folder (.waypost/) where it runs: never in the checkout."""
    monkeypatch.chdir(tmp_path)


def test_init_writes_the_config_and_creates_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # init makes a project folder (.waypost/) where it runs
    db, arts = tmp_path / "meta.db", tmp_path / "arts"
    result = invoke("init", "--store-url", f"sqlite:///{db}", "--artifact-store", str(arts))
    assert result.exit_code == 0, result.output
    config = yaml.safe_load(config_path().read_text())
    assert config == {"store": {"url": f"sqlite:///{db}"}, "artifact_store": {"uri": str(arts)}}
    assert db.is_file()
    assert arts.is_dir()
    assert str(config_path()) in result.stdout
    assert str(arts) in result.stdout


def test_init_with_defaults_creates_the_store_in_the_data_dir(
    waypost_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("init")
    assert (tmp_path / ".waypost" / "config.yaml").is_file()
    assert result.exit_code == 0, result.output
    assert config_path().is_file()
    assert (waypost_home / "waypost.db").is_file()


def test_init_makes_relative_paths_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("init", "--store-url", "sqlite:///rel.db", "--artifact-store", "arts")
    assert result.exit_code == 0, result.output
    config = yaml.safe_load(config_path().read_text())
    assert config["store"]["url"] == f"sqlite:///{tmp_path / 'rel.db'}"
    assert config["artifact_store"]["uri"] == str(tmp_path / "arts")


def test_init_with_a_bad_store_url_writes_nothing() -> None:
    assert_one_line_error(invoke("init", "--store-url", "nodriver://host/db"), "nodriver")
    assert not config_path().exists()


def test_init_warns_when_the_environment_overrides_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_STORE__URL", f"sqlite:///{tmp_path / 'env.db'}")
    result = invoke("init", "--store-url", f"sqlite:///{tmp_path / 'mine.db'}")
    assert result.exit_code == 0, result.output
    assert "unset WAYPOST_STORE__URL" in result.stdout


PIPELINE_FILE = """
from waypost import pipeline, step

@step
def make(n: int = 2) -> int:
    print(f"making {n}")
    return n

@step
def check(x: int) -> int:
    if x < 0:
        raise RuntimeError("negative input")
    return x

@pipeline(name="flow")
def my_flow(n: int = 2):
    check(make(n))

@pipeline
def other():
    make()
"""


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    path = tmp_path / "flows.py"
    path.write_text(textwrap.dedent(PIPELINE_FILE))
    return path


def test_run_runs_a_pipeline_from_a_file(flow_file: Path) -> None:
    result = invoke("run", f"{flow_file}:my_flow", "-p", "n=5")
    assert result.exit_code == 0, result.output
    run = Client().list_pipeline_runs("flow").items[0]
    assert run.status == "completed"
    assert run.parameters == {"n": 5}
    assert f"Run {run.name} completed" in result.stdout
    assert "making 5" in [line["m"] for line in Client().get_step_logs(run.name, "make")]


def test_run_finds_a_pipeline_by_its_name_and_reads_a_run_config(flow_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("parameters:\n  n: 7\n")
    result = invoke("run", f"{flow_file}:flow", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert Client().list_pipeline_runs("flow").items[0].parameters == {"n": 7}


def test_run_exits_1_with_one_line_when_a_step_fails(flow_file: Path) -> None:
    result = invoke("run", f"{flow_file}:flow", "-p", "n=-1")
    assert_one_line_error(result, "Step 'check' failed", "RuntimeError: negative input", "waypost runs show")
    assert Client().list_pipeline_runs("flow", status="failed").total == 1


def test_run_usage_mistakes_are_one_line_errors(flow_file: Path, tmp_path: Path) -> None:
    assert_one_line_error(invoke("run", str(flow_file)), "several pipelines")
    assert_one_line_error(invoke("run", f"{flow_file}:nope"), "no pipeline 'nope'", "my_flow")
    assert_one_line_error(invoke("run", f"{tmp_path / 'absent.py'}:flow"), "does not exist")
    assert_one_line_error(invoke("run", f"{flow_file}:flow", "-p", "n"), "key=value")
    assert_one_line_error(invoke("run", f"{flow_file}:flow", "-p", "m=1"), "'m'")
    assert_one_line_error(invoke("run", f"{flow_file}:flow", "--config", str(tmp_path / "no.yaml")), "no.yaml")
    broken = tmp_path / "broken.py"
    broken.write_text("def oops(:\n")
    assert_one_line_error(invoke("run", f"{broken}:x"), "Importing", "SyntaxError")


def test_run_of_a_file_named_like_a_loaded_module_does_not_shadow_it(tmp_path: Path) -> None:
    path = tmp_path / "json.py"  # the json module is loaded; this file must not replace it
    path.write_text(textwrap.dedent(PIPELINE_FILE))
    result = invoke("run", f"{path}:other")
    assert result.exit_code == 0, result.output
    assert sys.modules["json"].__file__ != str(path)


def test_version() -> None:
    result = invoke("version")
    assert result.exit_code == 0
    assert result.stdout.startswith("waypost 0.")
    assert invoke("--version").stdout == result.stdout


def test_main_reports_errors_in_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["waypost", "runs", "show", "missing-run"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [err.strip()]
    assert err.startswith("Error: No run 'missing-run'")

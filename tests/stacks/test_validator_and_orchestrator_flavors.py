"""Data validator flavors check their package imports; the local orchestrator says where steps run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from waypost.stacks.builtin.data_validators import (
    EvidentlyConfig,
    EvidentlyValidator,
    GreatExpectationsConfig,
    GreatExpectationsValidator,
)
from waypost.stacks.builtin.orchestrators import LocalOrchestrator, LocalOrchestratorConfig, max_parallel_steps
from waypost.stacks.flavors import VerifyError


def test_great_expectations_verify_imports_it(tmp_path: Path) -> None:
    reached = GreatExpectationsValidator.verify(GreatExpectationsConfig(), None)
    assert reached.startswith("great_expectations 1.")
    context = GreatExpectationsConfig(context_root_dir=str(tmp_path / "gx"))
    assert GreatExpectationsValidator.verify(context, None).endswith(f"(context {tmp_path / 'gx'})")


def test_great_expectations_verify_names_a_context_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "gx").write_text("not a folder")
    with pytest.raises(VerifyError, match=r"context_root_dir .*gx is a file, not a folder"):
        GreatExpectationsValidator.verify(GreatExpectationsConfig(context_root_dir=str(tmp_path / "gx")), None)


def test_evidently_verify_imports_it() -> None:
    assert EvidentlyValidator.verify(EvidentlyConfig(), None).startswith("evidently 0.")


@pytest.mark.parametrize(
    ("flavor", "config", "module", "fix"),
    [
        (GreatExpectationsValidator, GreatExpectationsConfig(), "great_expectations", "great-expectations"),
        (EvidentlyValidator, EvidentlyConfig(), "evidently", "evidently"),
    ],
)
def test_a_missing_validator_package_names_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, flavor: type, config: object, module: str, fix: str
) -> None:
    # As where the package is not installed: importing it raises ModuleNotFoundError.
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(VerifyError) as caught:
        flavor.verify(config, None)
    assert str(caught.value).endswith(f'is not installed where this runs: pip install "waypost[{fix}]".')


def test_local_orchestrator_verify_says_where_and_how_many_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    assert LocalOrchestrator.verify(LocalOrchestratorConfig(max_parallel_steps=3), None).endswith(
        "up to 3 steps at once"
    )
    monkeypatch.setenv("WAYPOST_EXECUTION__MAX_PARALLEL_STEPS", "5")
    assert max_parallel_steps(LocalOrchestratorConfig()) == 5

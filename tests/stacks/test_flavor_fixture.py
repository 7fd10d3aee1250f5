"""The dashboard's form tests read every built-in flavor's schema from a file: it must be current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "dashboard" / "src" / "features" / "stacks" / "flavors.fixture.json"


def test_the_dashboard_s_flavor_fixture_is_current() -> None:
    spec = importlib.util.spec_from_file_location("gen_flavor_fixture", ROOT / "scripts" / "gen_flavor_fixture.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert FIXTURE.read_text() == module.fixture(), "flavors.fixture.json is stale: run `make gen` and commit it"

"""Every built-in flavor's configuration survives the CLI unchanged: flags made from its schema in,
``describe --json`` out (tests/flavor_examples.py has one example per flavor)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from flavor_examples import EXAMPLES, SECRETS
from waypost.cli.main import app
from waypost.stacks import flavors


def test_every_built_in_flavor_has_an_example() -> None:
    builtin = {
        (f.type.value, f.name) for f in flavors.list_flavors() if f.__module__.startswith("waypost.stacks.builtin.")
    }  # (other tests register flavors of their own in this process)
    assert builtin == set(EXAMPLES)


def _flags(config: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, value in config.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, list):
            for item in value:
                out += [flag, str(item)]
        elif isinstance(value, dict):
            out += [flag, json.dumps(value)]
        else:
            out += [flag, str(value)]
    return out


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(("ctype", "flavor"), sorted(EXAMPLES))
def test_a_flavor_config_round_trips_through_the_cli(ctype: str, flavor: str) -> None:
    for name, values in SECRETS.items():
        _cli("secret", "create", name, *(f"--{k}={v}" for k, v in values.items()))
    config = EXAMPLES[(ctype, flavor)]
    _cli("component", "register", ctype, "example", "--flavor", flavor, *_flags(config))
    described = json.loads(_cli("component", "describe", ctype, "example", "--json"))
    assert described["flavor"] == flavor
    assert described["config"] == config

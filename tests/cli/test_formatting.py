"""The CLI's small pure helpers: sizes, durations, targets, parameters, URLs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from waypost.cli._common import CliError, duration, human_size, join_query, quote, step_counts
from waypost.cli.init import absolute_sqlite, hide_password
from waypost.cli.run import parse_params, split_target


@pytest.mark.parametrize(
    ("n", "text"), [(0, "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"), (5 * 1024**3, "5.0 GiB"), (None, "")]
)
def test_human_size(n: int | None, text: str) -> None:
    assert human_size(n) == text


@pytest.mark.parametrize(("s", "text"), [(0.25, "0.25s"), (185, "3m 05s"), (7380, "2h 03m"), (None, "")])
def test_duration(s: float | None, text: str) -> None:
    assert duration(s) == text


def test_step_counts_in_status_order() -> None:
    assert step_counts({"failed": 1, "completed": 3, "cached": 2}).plain == "✓3 ↺2 ✗1"


@pytest.mark.parametrize(
    ("target", "parts"),
    [
        ("flows.py:train", ("flows.py", "train")),
        ("flows.py", ("flows.py", None)),
        ("C:\\work\\flows.py", ("C:\\work\\flows.py", None)),
        ("C:\\work\\flows.py:train", ("C:\\work\\flows.py", "train")),
    ],
)
def test_split_target(target: str, parts: tuple[str, str | None]) -> None:
    assert split_target(target) == parts


def test_parse_params_reads_json_values_and_keeps_other_text() -> None:
    assert parse_params(["lr=0.05", "layers=[1, 2]", "name=resnet", "flag=true", "eq=a=b"]) == {
        "lr": 0.05,
        "layers": [1, 2],
        "name": "resnet",
        "flag": True,
        "eq": "a=b",
    }
    with pytest.raises(CliError):
        parse_params(["no-equals"])


def test_join_query_rejects_leftover_long_options() -> None:
    assert join_query(["status:failed", "-tag:dev"]) == "status:failed -tag:dev"
    with pytest.raises(CliError):
        join_query(["--stauts", "failed"])


def test_quote() -> None:
    assert quote("plain") == "plain"
    assert quote('a "b", c') == '"a \\"b\\", c"'


def test_urls_for_printing_and_storing() -> None:
    assert hide_password("postgresql://me:secret@db:5432/wp") == "postgresql://me:***@db:5432/wp"
    assert hide_password("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    assert absolute_sqlite("sqlite:////abs/x.db") == "sqlite:////abs/x.db"
    assert absolute_sqlite("sqlite:///:memory:") == "sqlite:///:memory:"
    assert absolute_sqlite("postgresql://h/db") == "postgresql://h/db"


def test_cli_import_stays_light() -> None:
    """`waypost --help` must not pay for pandas, numpy, SQLAlchemy or pydantic."""
    code = (
        "import sys, waypost.cli.main; print(sorted({'pandas', 'numpy', 'sqlalchemy', 'pydantic'} & set(sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"

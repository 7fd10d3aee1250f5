"""`NotFoundError` is also a `KeyError`, as ZenML's client raises for a missing record, and reads as one line."""

from __future__ import annotations

import traceback

import pytest

from waypost.client import Client
from waypost.exceptions import NotFoundError, StoreError, WaypostError


def test_except_key_error_catches_a_missing_run_and_its_message_is_unquoted() -> None:
    with pytest.raises(KeyError) as caught:
        Client().get_pipeline_run("no-such-run")
    err = caught.value
    assert isinstance(err, NotFoundError)
    assert isinstance(err, StoreError)
    assert isinstance(err, WaypostError)
    message = str(err)
    assert "no-such-run" in message
    assert "\n" not in message
    assert not message.startswith(("'", '"'))  # KeyError alone would show the repr
    assert traceback.format_exception_only(err)[-1] == f"waypost.exceptions.NotFoundError: {message}\n"


def test_the_message_is_the_text_given() -> None:
    assert str(NotFoundError("Model 'm' has no version 3; list them with `waypost model versions m`.")) == (
        "Model 'm' has no version 3; list them with `waypost model versions m`."
    )
    assert str(NotFoundError()) == ""

"""A step whose return annotation cannot be evaluated (a wrong ArtifactConfig keyword) is refused in one line,
rather than running with its output's name silently dropped."""

from __future__ import annotations

from typing import Annotated

import pytest

from waypost import ArtifactConfig, step


def test_a_bad_artifact_config_is_one_line() -> None:
    with pytest.raises(TypeError, match=r"Step 'bad': its type annotations do not evaluate: .*is_data_artifact"):

        @step
        def bad() -> Annotated[int, ArtifactConfig(name="t", is_data_artifact=True)]:  # type: ignore[call-arg]
            return 1

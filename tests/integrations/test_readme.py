"""The README's custom-visualization example runs as written and its views are stored."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest

from waypost.client import Client
from waypost.enums import VisualizationType

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- tests/integrations/test_readme.py runs this example -->"


def _example() -> str:
    text = README.read_text()
    assert MARKER in text, "the README lost the tested example's marker"
    found = re.search(r"```python\n(.*?)```", text[text.index(MARKER) :], re.DOTALL)
    assert found is not None
    return found.group(1)


def test_readme_custom_visualizations_example(tmp_path: Path) -> None:
    # A real file, not exec(): steps hash their source, which inspect reads from the file.
    script = tmp_path / "readme_example.py"
    script.write_text(_example())
    runpy.run_path(str(script), run_name="readme_example")

    client = Client()
    (version,) = client.list_artifact_versions().items
    kinds = [v.type for v in version.visualizations]
    assert kinds == [
        VisualizationType.CHART,
        VisualizationType.TABLE,
        VisualizationType.MARKDOWN,
        VisualizationType.HTML,
        VisualizationType.IMAGE,
    ]
    folder = Path(version.uri)
    table = json.loads((folder / version.visualizations[1].path).read_text())
    assert table["rows"][0] == [0, 1.0]
    assert (folder / version.visualizations[3].path).read_text().startswith("<p>Best loss <b>0.050</b>")
    assert version.visualizations[4].meta["width"] == 200
    assert client.load_artifact(version).losses[-1] == pytest.approx(1 / 20)

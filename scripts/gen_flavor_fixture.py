"""Write the built-in flavors' JSON schemas and one example config each, for the dashboard's form tests.

``make gen`` runs it; tests/stacks/test_flavor_fixture.py fails when the file is stale.
Usage: python scripts/gen_flavor_fixture.py OUT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from flavor_examples import EXAMPLES
from waypost.stacks import flavors


def fixture() -> str:
    """The fixture's text: every built-in flavor's schema and example, in a stable order."""
    items = []
    for (ctype, name), example in sorted(EXAMPLES.items()):
        flavor = flavors.get_flavor(ctype, name)
        items.append({"type": ctype, "name": name, "schema": flavor.config.model_json_schema(), "example": example})
    return json.dumps(items, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(fixture())

"""Write the server's OpenAPI schema to dashboard/openapi.json, without a running server.

The app is built over a throwaway SQLite store and artifact store in a temporary folder,
with the environment and config file kept out, so the schema depends on the code alone.
``make gen`` runs this, then openapi-typescript to turn the schema into dashboard types.
    python scripts/gen_openapi.py [OUT]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from waypost.artifacts.store import ArtifactStore
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "dashboard" / "openapi.json"


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="waypost-gen-") as tmp:
        folder = Path(tmp)
        # Settings read WAYPOST_* and a config file; neither may leak into the schema.
        for name in [k for k in os.environ if k.startswith("WAYPOST_")]:
            del os.environ[name]
        os.environ["WAYPOST_CONFIG"] = str(folder / "config.yaml")
        os.environ["WAYPOST_DATA_DIR"] = str(folder / "data")

        settings = load_settings(
            store={"url": f"sqlite:///{folder / 'gen.db'}"},
            artifact_store={"uri": str(folder / "artifacts")},
            server={"base_path": ""},
        )
        store = SqlStore(settings.store_url)
        try:
            schema = create_app(settings, store, ArtifactStore(settings.artifact_store_uri)).openapi()
        finally:
            store.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(schema, indent=2, sort_keys=False) + "\n")
    print(f"Wrote {out} ({len(schema.get('paths', {}))} paths).")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)

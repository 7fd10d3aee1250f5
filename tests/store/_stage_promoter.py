"""One process promoting one model version, for test_model_stage_concurrency.

Run as ``python _stage_promoter.py URL MODEL VERSION ROUNDS GO_FILE FORCE``: it opens its own store
on URL, prints ``ready``, waits until GO_FILE exists, then puts VERSION in production ROUNDS times
(with ``--force`` when FORCE is 1) and prints one line per try: ``ok``, or ``conflict`` when another
version held production and FORCE was 0.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from waypost.exceptions import ConflictError
from waypost.store.sql.store import SqlStore


def main(url: str, model: str, version: str, rounds: int, go: Path, force: bool) -> None:
    store = SqlStore(url, migrate=False)
    store.models.get(model)  # connected and warm before the start
    print("ready", flush=True)
    deadline = time.monotonic() + 60
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("never told to go")
        time.sleep(0.001)
    for i in range(rounds):
        try:
            store.models.set_stage(model, version, "production", force=force, reason=f"{version} round {i}")
            print("ok", flush=True)
        except ConflictError:
            print("conflict", flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5]), sys.argv[6] == "1")

"""Access control's cost on the run list: a member who sees 10 of 50 projects against an organization Admin.

A real server on loopback over SQLite: 100,000 runs spread over 50 projects (two workspaces),
1,000 users in 100 teams; the member sees 10 projects through two teams' project grants. Both
list the newest 50 runs they may see; the row is the member's p50 minus the Admin's (target: the
permission check and the SQL filter add at most 2 ms).
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

Record = Callable[[str, float, str, "float | None"], None]

RUNS = 100_000
PROJECTS = 50
USERS = 1_000
TEAMS = 100
LIST_URL = "/api/v1/runs?size=50"
PASSWORD = "benchmark password"


def _seed(store_url: str) -> tuple[str, str]:
    """Fill the store; return API keys of an organization Admin and of the member."""
    import sqlalchemy as sa

    from waypost.store.sql import tables as db
    from waypost.store.sql.store import SqlStore
    from waypost.testing import make_spec

    store = SqlStore(store_url)
    try:
        access = store.access
        access.create_workspace("research")
        projects = [
            access.create_project(f"p{i:02d}", workspace="research" if i % 2 else None) for i in range(PROJECTS)
        ]
        targets = []
        for p in projects:
            pipe = store.pipelines.get_or_create("train", project_id=p.id)
            snap = store.pipelines.snapshot(pipe.id, make_spec("train"))
            targets.append((p.id, pipe.id, snap.id))
        start = datetime.now(UTC) - timedelta(minutes=RUNS + 10)
        with store.sessions.write() as s:
            for lo in range(0, RUNS, 20_000):
                rows = []
                for i in range(lo, min(RUNS, lo + 20_000)):
                    project_id, pipeline_id, snapshot_id = targets[i % PROJECTS]
                    at = start + timedelta(seconds=i * 60)
                    rows.append(
                        {
                            "id": uuid.uuid4(),
                            "name": f"bench-run-{i}",
                            "project_id": project_id,
                            "pipeline_id": pipeline_id,
                            "snapshot_id": snapshot_id,
                            "status": ("completed", "failed", "cached")[i % 3],
                            "config": {},
                            "parameters": {"i": i},
                            "orchestrator": "local",
                            "created_at": at,
                            "started_at": at,
                            "ended_at": at + timedelta(seconds=5),
                        }
                    )
                s.execute(sa.insert(db.pipeline_runs), rows)
        admin = store.users.create("bench-admin", password=PASSWORD, is_admin=True)
        # Users in bulk (argon2 hashing 1,000 passwords would take minutes): service accounts need none.
        names = [f"user{i:04d}" for i in range(USERS)]
        for name in names:
            store.users.create(name, is_service_account=True)
        member = store.users.create("member", password=PASSWORD)
        access.revoke(access.find_grant("Developer", user="member", workspace="default").id)
        for t in range(TEAMS):
            access.create_team(f"team{t:03d}", members=names[t * 10 : t * 10 + 10])
        # The member's two teams each see five projects.
        access.add_members("team000", ["member"])
        access.add_members("team001", ["member"])
        for i in range(10):
            team = "team000" if i < 5 else "team001"
            access.grant("Viewer", team=team, project=projects[i * 5].id)
        for t in range(2, TEAMS):  # other teams see other projects, so the grants table is not tiny
            access.grant("Viewer", team=f"team{t:03d}", project=projects[t % PROJECTS].id)
        return (
            store.auth.create_api_key(admin.id, "bench").key,
            store.auth.create_api_key(member.id, "bench").key,
        )
    finally:
        store.close()


def _p50(url: str, key: str, expect_total: int | None) -> float:
    import httpx

    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        for _ in range(20):  # warm the connection, SQLite's page cache and the server's code paths
            client.get(LIST_URL).raise_for_status()
        samples = []
        for _ in range(300):
            t = time.perf_counter()
            r = client.get(LIST_URL)
            samples.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
        body = r.json()
        assert len(body["items"]) == 50
        if expect_total is not None:
            assert body["total"] == expect_total, body["total"]
    return statistics.median(samples)


def bench_access(record: Record, fresh_home: Callable[[], Path]) -> None:
    from bench_server import _server

    home = fresh_home()
    store_url = f"sqlite:///{home / 'waypost.db'}"
    os.environ["WAYPOST_STORE__URL"] = store_url
    try:
        admin_key, member_key = _seed(store_url)
        with _server(home, store_url) as (url, _pid):
            admin, member = [], []
            for _ in range(3):  # interleaved, so drift in the machine's load hits both alike
                admin.append(_p50(url, admin_key, RUNS))
                member.append(_p50(url, member_key, RUNS // PROJECTS * 10))
        a, m = statistics.median(admin), statistics.median(member)
        record(f"HTTP list 50 runs as an org Admin ({RUNS:,} runs, {PROJECTS} projects), p50", a, "ms", None)
        record("… as a member seeing 10 projects via 2 teams, p50", m, "ms", None)
        record("… the member's extra cost over the Admin (p50)", m - a, "ms", 2)
    finally:
        os.environ.pop("WAYPOST_STORE__URL", None)


if __name__ == "__main__":  # `python benchmarks/bench_access.py`: these rows alone
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))

    def _print(name: str, value: float, unit: str, target: float | None) -> None:
        print(f"{name}: {value:.2f} {unit}" + (f" (target ≤ {target:g} {unit})" if target is not None else ""))

    def _home() -> Path:
        home = Path(tempfile.mkdtemp(prefix="wp-bench-access-"))
        os.environ["WAYPOST_DATA_DIR"] = str(home)
        os.environ["WAYPOST_EXECUTION__SHOW_PROGRESS"] = "false"
        return home

    bench_access(_print, _home)

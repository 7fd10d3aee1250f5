"""Schemathesis over the app's /openapi.json: no 5xx, and every response conforms to the schema.

One app over one SQLite store that holds a real run serves every operation (ten examples
each, so the whole module stays well under a minute). The two Server-Sent Events streams are
left out: they answer until the client goes away, which a generated case never does.

Each operation runs as a Hypothesis test inside one pytest test, rather than through
``schemathesis.pytest.from_fixture``: that helper sets pytest's private ``Function._nodeid``,
which pytest 9 no longer has.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from _api_helpers import run_numbers, share_stores
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from waypost.artifacts.store import ArtifactStore
from waypost.execution import runtime
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore

STREAMS = r"/(events|runs/[^/]+/steps/[^/]+/logs/stream|logs/stream)$"
#: Examples per operation: enough to hit every parameter, few enough for ~30 s on 2 cores.
EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[schemathesis.BaseSchema, str]]:
    """The schema loaded from the live app's /openapi.json with the admin key, and that key."""
    root = tmp_path_factory.mktemp("schemathesis")
    app_settings = load_settings(
        store={"url": f"sqlite:///{root / 'server.db'}"},
        artifact_store={"uri": str(root / "artifacts")},
        server={"allowed_hosts": ["testserver"]},  # the Host schemathesis' ASGI client sends
    )
    store = SqlStore(app_settings.store_url)
    user = store.users.create("admin", password="correct horse battery staple", is_admin=True)
    key = store.auth.create_api_key(user.id, "schemathesis").key
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAYPOST_DATA_DIR", str(root / "home"))
        mp.setenv("WAYPOST_EXECUTION__SHOW_PROGRESS", "false")
        share_stores(mp, app_settings)
        run_numbers()
        runtime.reset()
    app = create_app(app_settings, store, ArtifactStore(app_settings.artifact_store_uri))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers={"Authorization": f"Bearer {key}"})
    yield schema.exclude(path_regex=STREAMS), key
    store.close()


def test_every_operation_conforms_to_the_schema(api: tuple[schemathesis.BaseSchema, str]) -> None:
    schema, key = api
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same cases every run: a red suite means a change, not bad luck
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

        try:
            call()
        except Exception as exc:  # collect every operation's failure, then report them all
            inner = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
            failures.extend(f"{operation.label}: {type(e).__name__}: {e}" for e in inner)
    assert not failures, "\n\n".join(failures)

"""RestStore: the Store protocol over the Waypost server's HTTP API."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from waypost.schemas.store_api import ServerInfo
from waypost.schemas.users import Me, UserRead
from waypost.store.base import Store, StoreCapabilities
from waypost.store.rest.files import RestFiles
from waypost.store.rest.http import Http
from waypost.store.rest.repositories import (
    RestArtifacts,
    RestAuth,
    RestMetadata,
    RestModels,
    RestPipelines,
    RestRuns,
    RestSteps,
    RestUsers,
)

if TYPE_CHECKING:
    from waypost.schemas.stacks import StackRead
    from waypost.store.rest.promotions import RestPromotions
    from waypost.store.rest.tags import RestCleanup, RestTags


class RestStacks:
    """What a run needs of the server's stacks: its stack, with secret values masked (never sent)."""

    def __init__(self, http: Http) -> None:
        self.http = http

    def get(self, ref: str) -> StackRead:
        """A stack of the project's workspace by name or id."""
        from waypost.schemas.stacks import StackRead  # a run's stack only: not on every RestStore's start

        found: StackRead = self.http.get(f"/stacks/{quote(ref, safe='')}", StackRead)
        return found

    def active(self) -> StackRead:
        """The user's active stack in the project's workspace (its default stack when none is set)."""
        from waypost.schemas.stacks import StackRead

        found: StackRead = self.http.get("/stacks/active", StackRead)
        return found

    def worker_key(self, ref: str) -> str:
        """The API key the dask workers of stack ``ref`` authenticate with, resolved by the server.

        Needs what running on the stack needs (reading it, ``run:create`` in the project); the
        server records that it gave the key out.
        """
        from waypost.schemas.stacks import WorkerKey

        found: WorkerKey = self.http.send("POST", f"/stacks/{quote(ref, safe='')}/worker-key", None, WorkerKey)
        return found.api_key


class RestStore:
    """A metadata store behind a Waypost server at ``url``, reached with an API key.

    Every call is one request over one keep-alive connection pool; calls that are safe to
    repeat are retried while the server restarts, and the server's errors come back as the
    same :class:`~waypost.exceptions.WaypostError` subclasses a local store raises.
    """

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        timeout_s: float = 30.0,
        retries: int = 6,
        transport: httpx.BaseTransport | None = None,
        project: str | None = None,
    ) -> None:
        self.project = project
        self.http = Http(url, api_key, timeout_s=timeout_s, retries=retries, transport=transport, project=project)
        self.pipelines = RestPipelines(self.http)
        self.runs = RestRuns(self.http)
        self.steps = RestSteps(self.http)
        self.artifacts = RestArtifacts(self.http)
        self.metadata = RestMetadata(self.http)
        self.models = RestModels(self.http)
        self.users = RestUsers()
        self.auth = RestAuth()
        self.files = RestFiles(self.http)
        self.stacks = RestStacks(self.http)

    @functools.cached_property
    def promotions(self) -> RestPromotions:
        """Approval policies, stage requests and promotion rules (loaded on first use: runs seldom need them)."""
        from waypost.store.rest.promotions import RestPromotions

        return RestPromotions(self.http)

    @functools.cached_property
    def tags(self) -> RestTags:
        """Tags of runs, pipelines, artifact versions and model versions (loaded on first use)."""
        from waypost.store.rest.tags import RestTags

        return RestTags(self.http)

    @functools.cached_property
    def cleanup(self) -> RestCleanup:
        """Cleanup previews and confirmations, carried out by the server (loaded on first use)."""
        from waypost.store.rest.tags import RestCleanup

        return RestCleanup(self.http)

    @functools.cached_property
    def info(self) -> ServerInfo:
        """The server's version and artifact store (asked once)."""
        info: ServerInfo = self.http.get("/info", ServerInfo)
        return info

    @functools.cached_property
    def current_user(self) -> UserRead:
        """The user the API key belongs to (asked once): whose runs this store's client records."""
        me: Me = self.http.get("/auth/me", Me)
        return me.user

    @property
    def capabilities(self) -> StoreCapabilities:
        """A remote store; artifacts go to the server's artifact store."""
        return StoreCapabilities(
            local_database=False, dialect="rest", artifact_store_uri=self.info.artifact_store_uri, streams_logs=True
        )

    def stream_step_logs(self, run_id: uuid.UUID, step: str, offset: int = 0) -> Iterator[dict[str, Any]]:
        """A running step's log lines from ``offset``, pushed by the server until the step ends."""
        path = f"/runs/{run_id}/steps/{step}/logs/stream"
        with self.http.client.stream("GET", path, params={"offset": offset}, timeout=None) as response:
            if response.is_error:
                response.read()
                raise self.http.error(response)
            event = ""
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "line":
                    yield json.loads(line[5:])
                elif line.startswith("data:") and event == "end":
                    return

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def __enter__(self) -> RestStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RestStore({self.http.url!r})"


def _conforms(store: RestStore) -> Store:
    """Checked by mypy: RestStore implements the Store protocol."""
    return store

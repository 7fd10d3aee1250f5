"""Artifacts, artifact versions, and a version's content (by version id only, never by path)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from waypost.schemas import (
    ArtifactFileRead,
    ArtifactRead,
    ArtifactTable,
    ArtifactVersionRead,
    LineageGraph,
    Page,
    StepRunRead,
)
from waypost.server import scopes
from waypost.server.api._params import Filter, PageNo, Size, Sort
from waypost.server.deps import ActiveProject, ArtifactStoreDep, CurrentUser, StoreDep
from waypost.server.services import artifacts, lineage, tables
from waypost.server.services.artifacts import ArtifactSuggestions
from waypost.store.sql.repositories.artifact_filters import MAX_SUGGESTIONS, SUGGEST_KEYS

router = APIRouter(tags=["artifacts"])

RangeHeader = Annotated[str | None, Header(alias="Range", max_length=200)]
SuggestKey = Annotated[
    str, Query(max_length=32, description=f"The filter key to complete: {', '.join(f'`{k}`' for k in SUGGEST_KEYS)}.")
]
Prefix = Annotated[str, Query(max_length=255, description="What was typed so far; matched case-insensitively.")]
Limit = Annotated[
    int, Query(ge=1, le=MAX_SUGGESTIONS, description=f"At most this many values, 1 to {MAX_SUGGESTIONS}.")
]
_FILE = {"description": "The file (206 with a Range header).", "content": {"application/octet-stream": {}}}


@router.get("/artifacts", response_model=Page[ArtifactRead])
def list_artifacts(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    q: Filter = "",
    sort: Sort = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[ArtifactRead]:
    """Artifacts matching the filter, with their latest version's facts.

    Keys: `name`, `created`, `tag`, `pipeline:NAME` (a version came from a run of it) and
    `type:X` (a version's data type is X: the full dotted name, its tail like `DataFrame`,
    or package and class like `pandas.DataFrame`, any case; `type=X` is exact).
    """
    return artifacts.list_artifacts(store, user, q, sort, page, size, project)


@router.get("/artifacts/suggest", response_model=ArtifactSuggestions)
def suggest_artifact_values(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    key: SuggestKey,
    prefix: Prefix = "",
    limit: Limit = 20,
) -> ArtifactSuggestions:
    """Known values of an artifact filter key, alphabetically, for the search box.

    `pipeline` offers pipelines that produced artifacts (by name prefix), `type` the data
    types of recent versions that contain what was typed, `tag` tags on artifact versions.
    """
    return artifacts.suggest(store, user, key, prefix, limit, project)


@router.get("/artifacts/{artifact}", response_model=ArtifactRead)
def get_artifact(artifact: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> ArtifactRead:
    """An artifact by id or exact name."""
    return artifacts.get_artifact_or_404(store, user, artifact, project)


@router.get("/artifacts/{artifact}/versions", response_model=Page[ArtifactVersionRead])
def list_artifact_versions(
    artifact: str,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    q: Filter = "",
    sort: Sort = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[ArtifactVersionRead]:
    """An artifact's versions, newest first."""
    return artifacts.list_artifact_versions(store, user, artifact, q, sort, page, size, project)


@router.get("/artifact-versions", response_model=Page[ArtifactVersionRead])
def list_versions(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    q: Filter = "",
    sort: Sort = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[ArtifactVersionRead]:
    """Artifact versions matching the filter (`name:`, `type:`, `run:`, `metadata.KEY>…`)."""
    return artifacts.list_versions(store, user, q, sort, page, size, project)


@router.get("/artifact-versions/{version}", response_model=ArtifactVersionRead)
def get_version(version: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> ArtifactVersionRead:
    """A version by id, or `NAME` (the latest) or `NAME:N`."""
    return artifacts.get_version_or_404(store, user, version, project)


@router.get("/artifact-versions/{version_id}/consumers", response_model=Page[StepRunRead])
def list_consumers(
    version_id: uuid.UUID, store: StoreDep, user: CurrentUser, page: PageNo = 1, size: Size = 50
) -> Page[StepRunRead]:
    """Step runs that took this version as an input."""
    return artifacts.list_consumers(store, user, version_id, page, size)


@router.get("/artifact-versions/{version_id}/table", response_model=ArtifactTable)
def get_table(
    version_id: uuid.UUID,
    store: StoreDep,
    files: ArtifactStoreDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=tables.MAX_LIMIT)] = 100,
    sort: Annotated[str | None, Query(max_length=1000, description="A column to sort all rows by.")] = None,
    descending: bool = False,
) -> ArtifactTable:
    """A page of the version's whole table (a DataFrame or CSV text), sorted by a column when asked."""
    return tables.table_page(store, files, user, version_id, offset, limit, sort, descending)


@router.get("/artifact-versions/{version_id}/lineage", response_model=LineageGraph)
def get_lineage(
    version_id: uuid.UUID,
    store: StoreDep,
    user: CurrentUser,
    up: Annotated[int, Query(ge=0, le=50, description="Steps to walk toward producers and raw inputs.")] = 3,
    down: Annotated[int, Query(ge=0, le=50, description="Steps to walk toward consumers.")] = 3,
) -> LineageGraph:
    """Producers and consumers of the version across runs (at most 500 nodes; `truncated` says so)."""
    scopes.readable(store, user, "artifact_version", version_id)
    return lineage.lineage(
        store,
        version_id,
        up,
        down,
        artifacts=scopes.visibility(user, "artifact"),
        runs=scopes.visibility(user, "run"),
    )


@router.get("/artifact-versions/{version_id}/files", response_model=list[ArtifactFileRead])
def list_files(
    version_id: uuid.UUID, store: StoreDep, files: ArtifactStoreDep, user: CurrentUser
) -> list[ArtifactFileRead]:
    """The files inside the version's folder."""
    return artifacts.list_files(store, files, user, version_id)


@router.get("/artifact-versions/{version_id}/visualizations/{index}", responses={200: _FILE, 206: _FILE})
def get_visualization(
    version_id: uuid.UUID,
    index: Annotated[int, Path(ge=0, le=10_000)],
    store: StoreDep,
    files: ArtifactStoreDep,
    user: CurrentUser,
    range: RangeHeader = None,  # the header's name
) -> Response:
    """The i-th stored visualization; HTML comes with `Content-Security-Policy: sandbox allow-scripts`."""
    return artifacts.visualization(store, files, user, version_id, index, range)


@router.get("/artifact-versions/{version_id}/download", responses={200: _FILE, 206: _FILE})
def download_version(
    version_id: uuid.UUID,
    store: StoreDep,
    files: ArtifactStoreDep,
    user: CurrentUser,
    range: RangeHeader = None,  # the header's name
) -> Response:
    """The version as an attachment: its single file, or a zip of its folder."""
    return artifacts.download(store, files, user, version_id, range)

"""Versions of a model side by side: GET /models/{model}/compare?versions=1,2,5."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from waypost.schemas.model_compare import MAX_COMPARED_VERSIONS, ModelComparison
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import model_compare

router = APIRouter(prefix="/models", tags=["models"])

Versions = Annotated[
    str,
    Query(
        min_length=1,
        max_length=20_000,
        description=(
            f"Comma-separated versions to compare (2 to {MAX_COMPARED_VERSIONS}): numbers, names, ids, `latest` or "
            "a stage; the first is the baseline. Versions the model lacks are listed in `unknown`."
        ),
    ),
]


@router.get("/{model}/compare", response_model=ModelComparison)
def compare_model_versions(
    model: str, store: StoreDep, user: CurrentUser, project: ActiveProject, versions: Versions
) -> ModelComparison:
    """Versions of a model side by side: a row per metric, parameter, metadata key, artifact and snapshot fact.

    Each row holds a value per version, whether they differ, and for a metric the index of the best
    version (the model's `metric_directions`; higher is better when they name none). Fewer than two
    known versions is a 422.
    """
    return model_compare.compare_versions(store, user, model, versions, project)

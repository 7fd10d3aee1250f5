"""The API routers, mounted by ``create_app`` under ``<base path>/api/v1``.

Add a router here and every route in it must declare ``require(...)`` or ``public()``
(see ``waypost.server.deps``), or ``create_app`` refuses to start.
"""

from __future__ import annotations

from fastapi import APIRouter

from waypost.server.api import (
    access,
    artifacts,
    audit,
    auth,
    cleanup,
    events,
    health,
    logs,
    metadata,
    metadata_explorer,
    model_approvals,
    model_compare,
    model_links,
    model_rules,
    model_views,
    models,
    pipelines,
    records,
    run_columns,
    run_compare,
    run_diff,
    runs,
    saved_views,
    stacks,
    steps,
    tags,
    transfer,
    users,
)

ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    pipelines.router,
    run_columns.router,  # before runs.router, whose /runs/{run} would take its paths
    run_compare.router,  # likewise
    run_diff.router,
    runs.router,
    tags.router,
    cleanup.router,
    steps.router,
    steps.graph_router,
    logs.router,
    artifacts.router,
    metadata.router,
    metadata_explorer.router,
    saved_views.router,
    model_views.router,
    model_compare.router,
    model_links.router,  # before models.router: /models/{model}/versions/{version}/... paths
    models.router,
    model_approvals.router,
    model_rules.router,
    events.router,
    users.router,
    audit.router,
    access.router,
    stacks.router,
    records.router,
    transfer.router,
]

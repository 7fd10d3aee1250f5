"""The permission matrix (issue 10): every API route, the permission it needs and where, in one table.

``ROUTES`` declares each (method, path) of the app's API: the permission(s) it needs (any one
of a tuple suffices) and the scope kind: ``project`` (checked in the project of the resource
the path names, or the request's project for records), ``organization`` (checked
organization-wide), ``authenticated`` (any caller; lists filter by what each may see) or
``public``. A route missing from the table fails the first test, so a new route needs an entry.

Then each built-in role is granted at its own level (the organization, workspace ``default``,
project ``default/alpha``) and every project route is called on a resource of default/alpha
and on one of ml/vision (another workspace). The outcome must match the role's permissions in
``BUILTIN_ROLES``: allowed when the scope covers the resource and the role holds the
permission; otherwise a 404 when the caller may not read the resource (it is not revealed),
else a 403.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from _access_world import PASSWORD, Seeded, build, person
from fastapi import FastAPI
from fastapi.testclient import TestClient

from waypost.enums import ExecutionStatus
from waypost.schemas import RunCreate
from waypost.schemas.access import BUILTIN_ROLES, BuiltinRole, Level
from waypost.schemas.model_approvals import ModelApprovalPolicyUpdate, PromotionRuleCreate
from waypost.server.app import api_routes
from waypost.store.sql.store import SqlStore
from waypost.testing.factories import make_spec

API = "/api/v1"
#: The request's project, for the routes that record into it.
Body = dict[str, Any] | list[Any] | bytes | None


@dataclass(frozen=True)
class Rule:
    """What one route needs: any of ``perms`` in a scope of ``kind``; first ``read`` (all of them) to see it."""

    kind: str
    perms: tuple[str, ...] = ()
    read: tuple[str, ...] = ()
    call: Callable[[Seeded, str], tuple[str, Body]] | None = None


def _p(*perms: str, read: tuple[str, ...] | None = None, call: Callable[[Seeded, str], tuple[str, Body]]) -> Rule:
    """A route on one resource: reading it needs ``read`` (the permissions themselves for a read)."""
    if read is None:
        read = perms if all(p.endswith(":read") for p in perms) else ()
    return Rule("project", perms, read, call)


def _here(perm: str, call: Callable[[Seeded, str], tuple[str, Body]]) -> Rule:
    """A record into the request's project (X-Waypost-Project): refused with a 403 naming it."""
    return Rule("project", (perm,), (), call)


def _org(*perms: str) -> Rule:
    return Rule("organization", perms)


def _ws(*perms: str) -> Rule:
    """Checked in the request's workspace (``?workspace=``, else its project's): stacks, components, secrets."""
    return Rule("workspace", perms)


AUTH, PUBLIC = Rule("authenticated"), Rule("public")
#: Per project tag, a running run that only the stop route touches (stopping the seeded run would let a delete succeed).
STOPPABLE: dict[str, uuid.UUID] = {}
#: Per project tag, a pending request for production of the seeded model version (nobody's: anyone may approve).
PENDING: dict[str, uuid.UUID] = {}
#: The matrix's store, for the calls that need a fresh record each time (a rule to delete).
STORES: list[SqlStore] = []
RECORD = ("run:update", "run:create")
RUN, PIPE, ART, MODEL = ("run:read",), ("pipeline:read",), ("artifact:read",), ("model:read",)


def _fresh_rule(d: Seeded) -> str:
    """A new rule of the seeded model: an allowed delete removes it, so each caller gets its own."""
    name = f"gone-{uuid.uuid4().hex[:8]}"
    STORES[0].promotions.create_rule(d.model_id, PromotionRuleCreate(name=name, to_stage="staging"))
    return name


def _spec(d: Seeded, tag: str) -> dict[str, Any]:
    return make_spec(f"pipe-{tag}").model_dump(mode="json")


def _now() -> str:
    return datetime.now(UTC).isoformat()


#: Every API route: method and path as app.routes has them.
ROUTES: dict[tuple[str, str], Rule] = {
    ("GET", "/health"): PUBLIC,
    ("POST", "/auth/login"): PUBLIC,
    ("POST", "/auth/exchange"): PUBLIC,
    ("POST", "/auth/logout"): AUTH,
    ("GET", "/auth/me"): AUTH,
    ("POST", "/auth/api-keys"): AUTH,
    ("GET", "/auth/api-keys"): AUTH,
    ("DELETE", "/auth/api-keys/{key_id}"): AUTH,
    ("POST", "/auth/password"): AUTH,
    ("POST", "/auth/service-accounts"): _org("admin"),
    ("GET", "/auth/service-accounts"): _org("admin"),
    ("DELETE", "/auth/service-accounts/{account_id}"): _org("admin"),
    ("POST", "/auth/service-accounts/{account_id}/api-keys"): _org("admin"),
    ("GET", "/auth/service-accounts/{account_id}/api-keys"): _org("admin"),
    ("DELETE", "/auth/service-accounts/{account_id}/api-keys/{key_id}"): _org("admin"),
    # Lists, suggestions, catalogues and streams: any caller, filtered to what they may read.
    ("GET", "/pipelines"): AUTH,
    ("GET", "/runs"): AUTH,
    ("GET", "/runs/columns"): AUTH,
    ("GET", "/runs/compare"): AUTH,  # hidden runs are reported as missing, like unknown ones
    ("GET", "/runs/export"): AUTH,
    ("GET", "/runs/suggest"): AUTH,
    ("GET", "/artifacts"): AUTH,
    ("GET", "/artifacts/suggest"): AUTH,
    ("GET", "/artifact-versions"): AUTH,
    ("GET", "/models"): AUTH,
    ("GET", "/events"): AUTH,
    ("GET", "/info"): AUTH,
    # Bulk changes: any caller; each id is checked in its own project and answered ok, denied or unknown
    # (tests/server/test_tags_bulk_api.py and test_runs_bulk_api.py check the outcomes per role).
    ("POST", "/tags/bulk"): AUTH,
    ("POST", "/runs/archive"): AUTH,
    ("POST", "/runs/delete"): AUTH,
    # Cleanup: only runs the caller reads are considered, deleted where they hold run:delete (a 403 when
    # they hold it nowhere), artifact versions where they hold artifact:delete (tests/server/test_cleanup.py).
    ("POST", "/cleanup/preview"): AUTH,
    ("POST", "/cleanup"): AUTH,
    # One resource: its project decides.
    ("GET", "/pipelines/{pipeline}"): _p("pipeline:read", call=lambda d, t: (f"/pipelines/{d.pipeline_id}", None)),
    ("GET", "/pipelines/{pipeline}/snapshots"): _p(
        "pipeline:read", call=lambda d, t: (f"/pipelines/{d.pipeline_id}/snapshots", None)
    ),
    ("GET", "/pipelines/{pipeline}/snapshots/{snapshot_id}"): _p(
        "pipeline:read", call=lambda d, t: (f"/pipelines/{d.pipeline_id}/snapshots/{d.snapshot_id}", None)
    ),
    ("GET", "/runs/{run}"): _p("run:read", call=lambda d, t: (f"/runs/{d.run_id}", None)),
    ("GET", "/runs/{run}/summary"): _p("run:read", call=lambda d, t: (f"/runs/{d.run_id}/summary", None)),
    ("GET", "/runs/{run}/diff/{other}"): _p("run:read", call=lambda d, t: (f"/runs/{d.run_id}/diff/{d.run_id}", None)),
    ("GET", "/runs/{run}/last-successful"): _p(
        "run:read",
        call=lambda d, t: (f"/runs/{d.run_id}/last-successful", None),  # none: a 404 that is no refusal
    ),
    ("PATCH", "/runs/{run}"): _p("run:update", read=RUN, call=lambda d, t: (f"/runs/{d.run_id}", {"add_tags": ["x"]})),
    # The run is still going: an allowed delete is a 409, so every role meets the same run.
    ("DELETE", "/runs/{run}"): _p("run:delete", read=RUN, call=lambda d, t: (f"/runs/{d.run_id}", None)),
    # A run of its own: once the first allowed caller stopped it, the others get a 409 (allowed, nothing to stop).
    ("POST", "/runs/{run}/stop"): _p(
        "run:update", read=RUN, call=lambda d, t: (f"/runs/{STOPPABLE[t]}/stop", {"reason": "matrix"})
    ),
    ("GET", "/runs/{run}/steps"): _p("run:read", call=lambda d, t: (f"/runs/{d.run_id}/steps", None)),
    ("GET", "/runs/{run}/steps/{step}"): _p("run:read", call=lambda d, t: (f"/runs/{d.run_id}/steps/train", None)),
    ("GET", "/runs/{run}/graph"): _p("run:read", call=lambda d, t: (f"/runs/{d.run_id}/graph", None)),
    ("GET", "/runs/{run}/steps/{step}/logs"): _p(
        "run:read", call=lambda d, t: (f"/runs/{d.run_id}/steps/train/logs", None)
    ),
    ("GET", "/runs/{run}/steps/{step}/logs/tail"): _p(
        "run:read", call=lambda d, t: (f"/runs/{d.run_id}/steps/train/logs/tail", None)
    ),
    ("GET", "/runs/{run}/steps/{step}/logs/search"): _p(
        "run:read", call=lambda d, t: (f"/runs/{d.run_id}/steps/train/logs/search?q=x", None)
    ),
    ("GET", "/runs/{run}/steps/{step}/logs/first-error"): _p(
        "run:read", call=lambda d, t: (f"/runs/{d.run_id}/steps/train/logs/first-error", None)
    ),
    ("GET", "/runs/{run}/steps/{step}/logs/download"): _p(
        "run:read", call=lambda d, t: (f"/runs/{d.run_id}/steps/train/logs/download", None)
    ),
    ("GET", "/runs/{run}/steps/{step}/logs/stream"): _p(
        "run:read", call=lambda d, t: (f"/runs/{d.run_id}/steps/train/logs/stream", None)
    ),
    ("GET", "/artifacts/{artifact}"): _p("artifact:read", call=lambda d, t: (f"/artifacts/{d.artifact_id}", None)),
    ("GET", "/artifacts/{artifact}/versions"): _p(
        "artifact:read", call=lambda d, t: (f"/artifacts/{d.artifact_id}/versions", None)
    ),
    ("GET", "/artifact-versions/{version}"): _p(
        "artifact:read", call=lambda d, t: (f"/artifact-versions/{d.version_id}", None)
    ),
    ("GET", "/artifact-versions/{version_id}/consumers"): _p(
        "artifact:read", call=lambda d, t: (f"/artifact-versions/{d.version_id}/consumers", None)
    ),
    ("GET", "/artifact-versions/{version_id}/table"): _p(
        "artifact:read", call=lambda d, t: (f"/artifact-versions/{d.version_id}/table", None)
    ),
    ("GET", "/artifact-versions/{version_id}/lineage"): _p(
        "artifact:read", call=lambda d, t: (f"/artifact-versions/{d.version_id}/lineage", None)
    ),
    ("GET", "/artifact-versions/{version_id}/files"): _p(
        "artifact:read", call=lambda d, t: (f"/artifact-versions/{d.version_id}/files", None)
    ),
    ("GET", "/artifact-versions/{version_id}/visualizations/{index}"): _p(
        "artifact:read", call=lambda d, t: (f"/artifact-versions/{d.version_id}/visualizations/0", None)
    ),
    ("GET", "/artifact-versions/{version_id}/download"): _p(
        "artifact:read", call=lambda d, t: (f"/artifact-versions/{d.version_id}/download", None)
    ),
    ("GET", "/metadata"): _p("run:read", call=lambda d, t: (f"/metadata?run_id={d.run_id}", None)),
    # The metadata explorer and saved views: lists of what each caller may read (their own tests cover it).
    ("GET", "/metadata/keys"): AUTH,
    ("GET", "/metadata/history"): AUTH,
    ("GET", "/views"): AUTH,
    ("POST", "/views"): AUTH,
    ("GET", "/views/{view_id}"): AUTH,
    ("PATCH", "/views/{view_id}"): AUTH,
    ("DELETE", "/views/{view_id}"): AUTH,
    ("GET", "/models/{model}"): _p("model:read", call=lambda d, t: (f"/models/{d.model_id}", None)),
    ("PATCH", "/models/{model}"): _p(
        "model:update", read=MODEL, call=lambda d, t: (f"/models/{d.model_id}", {"description": "matrix"})
    ),
    ("GET", "/models/{model}/transitions"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/transitions", None)
    ),
    # The first allowed caller moves the version to staging; for the others it is a no-op (still allowed).
    ("PUT", "/models/{model}/versions/{version}/stage"): _p(
        "model:promote",
        read=MODEL,
        call=lambda d, t: (f"/models/{d.model_id}/versions/{d.model_version_id}/stage", {"stage": "staging"}),
    ),
    ("GET", "/models/{model}/versions"): _p("model:read", call=lambda d, t: (f"/models/{d.model_id}/versions", None)),
    ("GET", "/models/{model}/versions/{version}"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/versions/latest", None)
    ),
    ("GET", "/models/{model}/versions-table"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/versions-table", None)
    ),
    ("GET", "/models/{model}/compare"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/compare?versions=1,2", None)
    ),
    # The model version page (api/model_links.py): runs and artifact versions by role, counts, tags.
    ("GET", "/models/{model}/stage-status"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/stage-status", None)
    ),
    ("GET", "/models/{model}/versions/{version}/link-counts"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/versions/latest/link-counts", None)
    ),
    ("GET", "/models/{model}/versions/{version}/runs"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/versions/latest/runs", None)
    ),
    ("GET", "/models/{model}/versions/{version}/artifacts"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/versions/latest/artifacts", None)
    ),
    ("PATCH", "/models/{model}/versions/{version}/tags"): _p(
        "model:update",
        read=MODEL,
        call=lambda d, t: (f"/models/{d.model_id}/versions/{d.model_version_id}/tags", {"add": ["matrix"]}),
    ),
    ("GET", "/models/{model}/metric-series"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/metric-series?keys=accuracy", None)
    ),
    # Approvals (api/model_approvals.py): the seeded version's pending request is approved by the first allowed
    # caller; for the others it was decided already (a 409, still allowed).
    ("GET", "/models/{model}/approval-policy"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/approval-policy", None)
    ),
    ("PATCH", "/models/{model}/approval-policy"): _p(
        "model:approve",
        read=MODEL,
        call=lambda d, t: (f"/models/{d.model_id}/approval-policy", {"approvals_required": 1}),
    ),
    ("GET", "/model-approval-policy"): _here("model:read", call=lambda d, t: ("/model-approval-policy", None)),
    ("PUT", "/model-approval-policy"): _here(
        "model:approve", call=lambda d, t: ("/model-approval-policy", {"stages": [], "approvals_required": 1})
    ),
    ("POST", "/models/{model}/versions/{version}/stage-requests"): _p(
        "model:promote",
        read=MODEL,
        call=lambda d, t: (
            f"/models/{d.model_id}/versions/{d.model_version_id}/stage-requests",
            {"stage": "staging", "reason": "matrix"},
        ),
    ),
    ("GET", "/model-requests"): AUTH,
    ("GET", "/model-requests/{request_id}"): _p(
        "model:read", call=lambda d, t: (f"/model-requests/{PENDING[t]}", None)
    ),
    ("POST", "/model-requests/{request_id}/approve"): _p(
        "model:approve", read=MODEL, call=lambda d, t: (f"/model-requests/{PENDING[t]}/approve", {"comment": "ok"})
    ),
    ("POST", "/model-requests/{request_id}/reject"): _p(
        "model:approve", read=MODEL, call=lambda d, t: (f"/model-requests/{PENDING[t]}/reject", {"comment": "no"})
    ),
    # Promotion rules (api/model_rules.py): each model has a rule "seeded".
    ("GET", "/models/{model}/rules"): _p("model:read", call=lambda d, t: (f"/models/{d.model_id}/rules", None)),
    ("POST", "/models/{model}/rules"): _p(
        "model:update",
        read=MODEL,
        call=lambda d, t: (f"/models/{d.model_id}/rules", {"name": "matrix", "filter": "", "to_stage": "staging"}),
    ),
    ("GET", "/models/{model}/rules/{rule}"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/rules/seeded", None)
    ),
    ("PATCH", "/models/{model}/rules/{rule}"): _p(
        "model:update", read=MODEL, call=lambda d, t: (f"/models/{d.model_id}/rules/seeded", {"enabled": True})
    ),
    ("DELETE", "/models/{model}/rules/{rule}"): _p(
        "model:update", read=MODEL, call=lambda d, t: (f"/models/{d.model_id}/rules/{_fresh_rule(d)}", None)
    ),
    ("POST", "/models/{model}/rules/{rule}/dry-run"): _p(
        "model:read", call=lambda d, t: (f"/models/{d.model_id}/rules/seeded/dry-run", None)
    ),
    ("POST", "/model-versions/{version_id}/rule-evaluations"): _p(
        "model:update",
        "model:create",
        read=MODEL,
        call=lambda d, t: (f"/model-versions/{d.model_version_id}/rule-evaluations", None),
    ),
    # Records (RestStore): where the write lands decides.
    ("POST", "/pipelines"): _here("run:create", call=lambda d, t: ("/pipelines", {"name": f"pipe-{t}"})),
    ("POST", "/pipelines/{pipeline_id}/snapshots"): _p(
        "run:create", read=PIPE, call=lambda d, t: (f"/pipelines/{d.pipeline_id}/snapshots", _spec(d, t))
    ),
    ("GET", "/snapshots/{snapshot_id}"): _p("pipeline:read", call=lambda d, t: (f"/snapshots/{d.snapshot_id}", None)),
    ("POST", "/runs"): _p(
        "run:create",
        read=PIPE,
        call=lambda d, t: (
            "/runs",
            {"name": f"r-{uuid.uuid4().hex}", "pipeline_id": str(d.pipeline_id), "snapshot_id": str(d.snapshot_id)},
        ),
    ),
    ("PUT", "/runs/{run_id}/status"): _p(
        *RECORD, read=RUN, call=lambda d, t: (f"/runs/{d.run_id}/status", {"status": "running"})
    ),
    ("POST", "/runs/{run_id}/heartbeat"): _p(
        *RECORD, read=RUN, call=lambda d, t: (f"/runs/{d.run_id}/heartbeat", None)
    ),
    ("PUT", "/runs/{run_id}/step-status"): _p(
        *RECORD, read=RUN, call=lambda d, t: (f"/runs/{d.run_id}/step-status", {"names": ["x"], "status": "running"})
    ),
    ("POST", "/step-runs"): _p(
        *RECORD,
        read=RUN,
        call=lambda d, t: (
            "/step-runs",
            [
                {
                    "run_id": str(d.run_id),
                    "name": f"s{uuid.uuid4().hex[:8]}",
                    "step_name": "s",
                    "status": "running",
                    "source_code": "",
                    "source_hash": "0",
                }
            ],
        ),
    ),
    ("GET", "/step-runs/cached"): _here("run:read", call=lambda d, t: ("/step-runs/cached?cache_key=k", None)),
    ("GET", "/step-runs/previous"): _p(
        "run:read",
        read=PIPE,
        call=lambda d, t: (f"/step-runs/previous?pipeline_id={d.pipeline_id}&name=train&before_run={d.run_id}", None),
    ),
    ("GET", "/step-runs/{step_run_id}"): _p("run:read", call=lambda d, t: (f"/step-runs/{d.step_id}", None)),
    ("POST", "/step-runs/{step_run_id}/finish"): _p(
        *RECORD,
        read=RUN,
        call=lambda d, t: (
            f"/step-runs/{d.step_id}/finish",
            {"run_id": str(d.run_id), "result": {"status": "completed", "ended_at": _now()}},
        ),
    ),
    ("POST", "/artifact-versions"): _here("artifact:create", call=lambda d, t: ("/artifact-versions", [])),
    ("POST", "/artifact-versions/{version_id}/tags"): _p(
        "artifact:update", read=ART, call=lambda d, t: (f"/artifact-versions/{d.version_id}/tags", {"tags": ["x"]})
    ),
    ("POST", "/metadata"): _p(
        *RECORD,
        read=RUN,
        call=lambda d, t: ("/metadata", [{"key": "k", "value": 1, "type": "int", "run_id": str(d.run_id)}]),
    ),
    ("POST", "/model-versions"): _here("model:create", call=lambda d, t: ("/model-versions", {"name": f"model-{t}"})),
    ("POST", "/model-versions/{version_id}/links"): _p(
        *RECORD,
        read=("model:read", "run:read"),
        call=lambda d, t: (f"/model-versions/{d.model_version_id}/links", {"run_id": str(d.run_id)}),
    ),
    ("PUT", "/artifact-versions/{version_id}/upload"): _here(
        "artifact:create", call=lambda d, t: (f"/artifact-versions/{uuid.uuid4()}/upload?name=up", b"not a tar")
    ),
    ("GET", "/artifact-versions/{version_id}/archive"): _p(
        "artifact:read", call=lambda d, t: (f"/artifact-versions/{d.version_id}/archive?name=x", None)
    ),
    ("GET", "/runs/{run_id}/log-chunks/{step}"): _p(
        "run:read", call=lambda d, t: (f"/runs/{d.run_id}/log-chunks/train", None)
    ),
    ("GET", "/runs/{run_id}/log-chunks/{step}/{chunk}"): _p(
        "run:read", call=lambda d, t: (f"/runs/{d.run_id}/log-chunks/train/000000000000.jsonl", None)
    ),
    ("PUT", "/runs/{run_id}/log-chunks/{step}/{chunk}"): _p(
        *RECORD, read=RUN, call=lambda d, t: (f"/runs/{d.run_id}/log-chunks/train/000000000000.jsonl", b"{}\n")
    ),
    ("POST", "/runs/crashed"): _org("admin"),
    # The organization's members.
    ("GET", "/users"): _org("member:read"),
    ("GET", "/users/{user}"): _org("member:read"),
    ("POST", "/users"): _org("member:manage_members"),
    ("PATCH", "/users/{user}"): _org("member:manage_members"),
    ("POST", "/users/{user}/deactivate"): _org("member:manage_members"),
    ("POST", "/users/invitations"): _org("member:manage_members"),
    ("POST", "/users/{user}/login-link"): _org("member:manage_members"),
    ("GET", "/audit-events"): _org("audit_log:read"),
    ("GET", "/audit-events/export.csv"): _org("audit_log:read"),
    # The access API (api/access.py): checked there, at the scope each change names.
    ("GET", "/organization"): AUTH,
    ("GET", "/workspaces"): AUTH,
    ("POST", "/workspaces"): _org("workspace:create"),
    ("GET", "/workspaces/{ws}"): AUTH,
    ("DELETE", "/workspaces/{ws}"): _org("workspace:delete"),
    ("GET", "/projects"): AUTH,
    ("POST", "/projects"): Rule("workspace", ("project:create",)),
    ("GET", "/projects/{ref:path}"): AUTH,
    ("DELETE", "/projects/{ref:path}"): Rule("project", ("project:delete",)),
    ("GET", "/teams"): _org("team:read"),
    ("POST", "/teams"): _org("team:create"),
    ("GET", "/teams/{team}"): _org("team:read"),
    ("DELETE", "/teams/{team}"): _org("team:delete"),
    ("POST", "/teams/{team}/members"): _org("team:manage_members"),
    ("DELETE", "/teams/{team}/members/{user}"): _org("team:manage_members"),
    ("GET", "/roles"): _org("role:read"),
    ("POST", "/roles"): _org("role:create"),
    ("GET", "/roles/{role:path}"): _org("role:read"),
    ("PATCH", "/roles/{role:path}"): _org("role:update"),
    ("DELETE", "/roles/{role:path}"): _org("role:delete"),
    ("GET", "/grants"): AUTH,
    ("POST", "/grants"): Rule("scope of the grant", ("member:manage_members", "workspace:manage_members")),
    ("DELETE", "/grants/{grant_id}"): Rule("scope of the grant", ("member:manage_members", "workspace:manage_members")),
    ("GET", "/shares/{resource_type}/{resource_id}"): Rule("project", ("run:share",)),
    ("POST", "/shares/{resource_type}/{resource_id}"): Rule("project", ("run:share",)),
    ("DELETE", "/shares/{share_id}"): Rule("project", ("run:share",)),
    ("GET", "/access/me"): AUTH,
    ("GET", "/access/users/{user}"): _org("member:read"),
    ("GET", "/access/resources/{resource_type}/{resource_id}"): Rule("project", ("run:share",)),
    # Stacks (api/stacks.py): checked in the request's workspace; tests/server/test_stacks_api.py covers them.
    ("GET", "/runs/{run}/stack"): _p("run:read", call=lambda d, t: (f"/runs/{d.run_id}/stack", None)),
    ("GET", "/flavors"): AUTH,
    ("GET", "/flavors/{type}/{name}"): AUTH,
    ("GET", "/components"): _ws("stack:read"),
    ("POST", "/components"): _ws("stack:create"),
    ("POST", "/components/verify"): _ws("stack:create"),
    ("GET", "/components/{component}"): _ws("stack:read"),
    ("PATCH", "/components/{component}"): _ws("stack:update"),
    ("DELETE", "/components/{component}"): _ws("stack:delete"),
    ("POST", "/components/{component}/verify"): _ws("stack:read"),
    ("GET", "/stacks"): AUTH,
    ("POST", "/stacks"): _ws("stack:create"),
    ("GET", "/stacks/active"): AUTH,
    ("PUT", "/stacks/active"): _ws("stack:read"),
    ("GET", "/stacks/{stack}"): _ws("stack:read"),
    ("PATCH", "/stacks/{stack}"): _ws("stack:update"),
    ("DELETE", "/stacks/{stack}"): _ws("stack:delete"),
    ("POST", "/stacks/{stack}/copy"): _ws("stack:create"),
    ("POST", "/stacks/{stack}/verify"): _ws("stack:read"),
    # ... and run:create in the request's project: tests/server/test_dask_worker_key.py covers it.
    ("POST", "/stacks/{stack}/worker-key"): _ws("stack:read"),
    ("GET", "/secrets"): _ws("secret:read"),
    ("POST", "/secrets"): _ws("secret:create"),
    ("GET", "/secrets/{secret}"): _ws("secret:read"),
    ("PATCH", "/secrets/{secret}"): _ws("secret:update"),
    ("DELETE", "/secrets/{secret}"): _ws("secret:delete"),
    ("GET", "/connectors"): _ws("stack:read"),
    ("POST", "/connectors"): _ws("stack:create"),
    ("POST", "/connectors/verify"): _ws("stack:create"),
    ("GET", "/connectors/{connector}"): _ws("stack:read"),
    ("PATCH", "/connectors/{connector}"): _ws("stack:update"),
    ("DELETE", "/connectors/{connector}"): _ws("stack:delete"),
    ("POST", "/connectors/{connector}/verify"): _ws("stack:read"),
}
#: The project routes this module calls for each role (the access API's own tests cover its routes).
CALLED = {key: rule for key, rule in ROUTES.items() if rule.call is not None}


def _served(app: FastAPI) -> set[tuple[str, str]]:
    out = set()
    for route in api_routes(app):
        if route.path.startswith(API):
            out.update((m, route.path.removeprefix(API)) for m in (route.methods or ()) if m != "HEAD")
    return out


def test_every_route_has_an_entry(server_app: FastAPI) -> None:
    served = _served(server_app)
    missing = sorted(served - set(ROUTES))
    assert not missing, f"Routes without an entry in ROUTES (declare what each needs): {missing}"
    assert not sorted(set(ROUTES) - served), "ROUTES names routes the app does not serve"
    assert len(CALLED) > 40


@dataclass(frozen=True)
class Grantee:
    """A user holding one built-in role at its own level, on default (workspace) or default/alpha (project)."""

    name: str
    role: BuiltinRole

    def can(self, permission: str, target: str) -> bool:
        """Whether the role's grant covers ``target`` ("a": default/alpha, "v": ml/vision) and holds ``permission``."""
        covers = self.role.level == Level.ORGANIZATION or target == "a"
        return covers and permission in self.role.permissions


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from waypost.artifacts.store import ArtifactStore
    from waypost.server.app import create_app
    from waypost.settings import load_settings

    folder = tmp_path_factory.mktemp("matrix")
    settings = load_settings(
        store={"url": f"sqlite:///{folder / 'server.db'}"}, artifact_store={"uri": str(folder / "artifacts")}
    )
    store = SqlStore(settings.store_url)
    store.users.create("admin", password=PASSWORD, is_admin=True)
    STORES[:] = [store]
    # Runs still going: an allowed delete is refused for that (409), so the run stays for the next role.
    app = create_app(settings, store, ArtifactStore(settings.artifact_store_uri))
    world = build(store, app, run_status=ExecutionStatus.RUNNING)
    for tag, seeded in world.data.items():
        run = RunCreate(name=f"stoppable-{tag}", pipeline_id=seeded.pipeline_id, snapshot_id=seeded.snapshot_id)
        STOPPABLE[tag] = store.runs.create(run).id
        store.promotions.set_policy(seeded.model_id, ModelApprovalPolicyUpdate(stages=["production"]))
        asked = store.promotions.request_stage(seeded.model_id, str(seeded.model_version_id), "production")
        assert asked.request is not None
        PENDING[tag] = asked.request.id
        store.promotions.create_rule(seeded.model_id, PromotionRuleCreate(name="seeded", to_stage="staging"))
        store.models.get_or_create_version(f"model-{tag}", None, project_id=seeded.project_id)  # a second to compare
    grantees = []
    scope = {
        Level.ORGANIZATION: {},
        Level.WORKSPACE: {"workspace": "default"},
        Level.PROJECT: {"project": "default/alpha"},
    }
    for role in BUILTIN_ROLES:
        name = f"{role.level.value}-{role.name.replace(' ', '-').lower()}"
        person(store, name)
        store.access.grant(role.name, user=name, **scope[role.level])
        grantees.append(Grantee(name, role))
    yield world, grantees
    store.close()


def _call(c: TestClient, method: str, url: str, body: Body, project: str) -> Any:
    headers = {"X-Waypost-Project": project}
    if isinstance(body, bytes):
        headers["Content-Type"] = "application/octet-stream"
        return c.request(method, API + url, content=body, headers=headers)
    return c.request(method, API + url, json=body, headers=headers)


def _refusal(r: Any) -> int | None:
    """403, or 404 for a resource not found (a missing file is not a refusal); None when allowed."""
    if r.status_code == 403:
        return 403
    if r.status_code == 404 and r.json()["detail"].startswith("No "):
        return 404
    return None


@pytest.mark.parametrize("level", [Level.ORGANIZATION, Level.WORKSPACE, Level.PROJECT])
def test_each_builtin_role_gets_what_its_permissions_say(matrix: Any, level: Level) -> None:
    world, grantees = matrix
    wrong: list[str] = []
    for grantee in (g for g in grantees if g.role.level == level):
        with world.client(grantee.name) as c:
            for target, project in (("a", "default/alpha"), ("v", "ml/vision")):
                for (method, path), rule in CALLED.items():
                    assert rule.call is not None
                    url, body = rule.call(world.data[target], target)
                    r = _call(c, method, url, body, project)
                    got = _refusal(r)
                    if r.status_code == 422:  # the call itself is wrong: it would test nothing
                        wrong.append(f"{method} {path}: 422 {r.text[:200]}")
                    if not all(grantee.can(p, target) for p in rule.read):
                        want: int | None = 404  # not revealed
                    elif any(grantee.can(p, target) for p in rule.perms):
                        want = None
                    else:
                        want = 403
                    if got != want:
                        wrong.append(f"{grantee.role!r} on {target}: {method} {path} gave {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_users_routes_follow_member_permissions(matrix: Any) -> None:
    world, grantees = matrix
    for grantee in grantees:
        with world.client(grantee.name) as c:
            assert c.get(f"{API}/users").status_code == 200  # every user is an organization Member: member:read
            made = c.post(f"{API}/users", json={"name": f"n-{uuid.uuid4().hex[:8]}", "password": PASSWORD})
            manages = grantee.role.level == Level.ORGANIZATION and "member:manage_members" in grantee.role.permissions
            assert (made.status_code == 201) == manages, (grantee, made.text)
            if not manages:
                assert "'member:manage_members'" in made.json()["detail"]
            invited = c.post(f"{API}/users/invitations", json={"name": f"i-{uuid.uuid4().hex[:8]}"})
            link = c.post(f"{API}/users/owner-a/login-link")
            assert (invited.status_code, link.status_code) == ((201, 201) if manages else (403, 403)), grantee
            if not manages:
                assert "'member:manage_members'" in link.json()["detail"]

"""Tables a pipeline run never touches: access control, authentication, the audit trail, the model registry.

Part of the one schema in :mod:`waypost.store.sql.tables` (same ``metadata``), defined here so that
a run's start does not pay for them; ``tables.<name>`` loads this module on first use.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Index, Integer, String, Table, Text, UniqueConstraint, Uuid

from waypost.store.sql.tables import LongText, UTCDateTime, _entity, _opt, _project, _ref, _req, metadata

__all__ = [
    "active_stacks",
    "api_keys",
    "audit_events",
    "auth_sessions",
    "grants",
    "model_approval_policies",
    "model_promotion_rules",
    "model_stage_transitions",
    "model_transition_requests",
    "model_transition_votes",
    "model_version_artifacts",
    "model_version_runs",
    "model_versions",
    "models",
    "organization",
    "projects",
    "role_permissions",
    "roles",
    "saved_views",
    "secrets",
    "service_connectors",
    "shares",
    "team_members",
    "teams",
    "workspaces",
]

#: The one organization of this server (a single row, id ORGANIZATION_ID).
organization = _entity(
    "organization",
    _req("name", String(255)),
)

#: Isolated spaces, each with its own projects, service accounts and artifact-store prefix.
workspaces = _entity(
    "workspaces",
    _req("name", String(255), unique=True),
    _opt("description", Text),
    _req("artifact_prefix", String(255)),
)

#: Subdivisions of a workspace; every pipeline, run, artifact, model and tag belongs to one.
projects = _entity(
    "projects",
    _ref("workspace_id", "workspaces.id", "CASCADE"),
    _req("name", String(255)),
    _opt("description", Text),
    UniqueConstraint("workspace_id", "name"),
)

teams = _entity(
    "teams",
    _req("name", String(255), unique=True),
    _opt("description", Text),
)

team_members = Table(
    "team_members",
    metadata,
    _ref("team_id", "teams.id", "CASCADE", primary_key=True),
    _ref("user_id", "users.id", "CASCADE", primary_key=True, index=True),
)

#: Built-in roles (rows with fixed ids; their permissions live in waypost.schemas.access) and custom ones.
roles = _entity(
    "roles",
    _req("name", String(255)),
    _req("level", String(16)),
    _req("builtin", Boolean, default=False),
    _opt("description", Text),
    UniqueConstraint("level", "name"),
)

#: The permissions of custom roles ("run:delete").
role_permissions = Table(
    "role_permissions",
    metadata,
    _ref("role_id", "roles.id", "CASCADE", primary_key=True),
    _req("permission", String(64), primary_key=True),
)

#: A role given to a user or a team at a scope: the organization (scope_id ORGANIZATION_ID), a
#: workspace or a project. ``principal_id`` names a user or a team, so it has no foreign key: the
#: access repository deletes a principal's grants with the principal.
grants = _entity(
    "grants",
    _ref("role_id", "roles.id", "CASCADE"),
    _req("principal_type", String(8)),
    _req("principal_id", Uuid),
    _req("scope_type", String(16)),
    _req("scope_id", Uuid),
    _ref("created_by", "users.id", "SET NULL", nullable=True),
    UniqueConstraint("role_id", "principal_type", "principal_id", "scope_type", "scope_id"),
    Index("ix_grants_principal", "principal_type", "principal_id"),
    Index("ix_grants_scope", "scope_type", "scope_id"),
)

#: One resource (a run, an artifact, a model, a pipeline) shared with a user or a team, with a project-level role.
shares = _entity(
    "shares",
    _req("resource_type", String(32)),
    _req("resource_id", Uuid),
    _req("principal_type", String(8)),
    _req("principal_id", Uuid),
    _ref("role_id", "roles.id", "CASCADE"),
    _ref("created_by", "users.id", "SET NULL", nullable=True),
    UniqueConstraint("resource_type", "resource_id", "principal_type", "principal_id"),
    Index("ix_shares_principal", "principal_type", "principal_id", "resource_type"),
)

#: Registered models with their model card (markdown sections) and which way each metric is better.
models = _entity(
    "models",
    _project(),
    _req("name", String(255)),
    _opt("description", Text),
    # The model card's markdown sections (waypost.schemas.models.MODEL_CARD_SECTIONS).
    _opt("license", LongText),
    _opt("audience", LongText),
    _opt("use_cases", LongText),
    _opt("limitations", LongText),
    _opt("trade_offs", LongText),
    _opt("ethics", LongText),
    #: metric name -> "higher" | "lower" (which value is better), for comparisons and promotion rules.
    _req("metric_directions", JSON, default=dict),
    #: The stages whose transitions need approval (a JSON list); NULL follows the project's policy.
    _opt("approval_stages", JSON),
    #: How many approvals such a transition needs (with ``approval_stages`` set).
    _req("approvals_required", Integer, default=1, server_default="1"),
    UniqueConstraint("project_id", "name", name="uq_models_project_name"),
)

#: ``exclusive_stage`` repeats ``stage`` when it is one that only one version of a model may hold
#: (staging, production) and is NULL otherwise: the unique index on (model_id, exclusive_stage) is
#: the database's own guard of that rule on every dialect (NULLs never clash), behind the model-row
#: lock that :meth:`ModelRepository.set_stage` takes.
model_versions = _entity(
    "model_versions",
    _ref("model_id", "models.id", "CASCADE"),
    _req("name", String(255)),
    _req("number", Integer),
    _req("stage", String(32), default="none"),
    _opt("stage_since", UTCDateTime),
    _opt("exclusive_stage", String(32)),
    _opt("description", Text),
    UniqueConstraint("model_id", "name"),
    UniqueConstraint("model_id", "number"),
    Index("uq_model_versions_exclusive_stage", "model_id", "exclusive_stage", unique=True),
)

model_version_runs = Table(
    "model_version_runs",
    metadata,
    _ref("model_version_id", "model_versions.id", "CASCADE", primary_key=True),
    _ref("run_id", "pipeline_runs.id", "CASCADE", primary_key=True),
    # producer (the run made the version), attached (a later run named it), consumer (a run asked for a stage)
    _req("role", String(16), default="attached", server_default="attached"),
    _opt("via_stage", String(32)),
)

model_version_artifacts = Table(
    "model_version_artifacts",
    metadata,
    _ref("model_version_id", "model_versions.id", "CASCADE", primary_key=True),
    _ref("artifact_version_id", "artifact_versions.id", "CASCADE", primary_key=True),
    _req("role", String(16), default="other", server_default="other"),  # model, data, deployment or other
)

model_stage_transitions = _entity(
    "model_stage_transitions",
    _ref("model_version_id", "model_versions.id", "CASCADE", index=True),
    _req("from_stage", String(32)),
    _req("to_stage", String(32)),
    _ref("user_id", "users.id", "SET NULL", nullable=True),
    _opt("reason", Text),
    #: "manual" (someone set it), "approval" (a request was approved) or "rule" (a promotion rule fired).
    _req("how", String(16), default="manual", server_default="manual"),
    _opt("rule", String(255)),
)

#: A project's approval policy: what its models follow unless they set their own (``models.approval_stages``).
model_approval_policies = Table(
    "model_approval_policies",
    metadata,
    _ref("project_id", "projects.id", "CASCADE", primary_key=True),
    _req("approval_stages", JSON, default=list),
    _req("approvals_required", Integer, default=1),
    _opt("updated_at", UTCDateTime),
    _ref("updated_by", "users.id", "SET NULL", nullable=True),
)

#: A request to put a version in a stage that needs approval; ``created_at`` is when it was made.
#: ``pending_stage`` repeats ``to_stage`` while the request is pending and is NULL after: the unique
#: index on (model_version_id, pending_stage) is the database's guard of "one pending request per
#: version and stage" (NULLs never clash), as ``model_versions.exclusive_stage`` guards the holders.
model_transition_requests = _entity(
    "model_transition_requests",
    _ref("model_id", "models.id", "CASCADE", index=True),
    _ref("model_version_id", "model_versions.id", "CASCADE"),
    _req("to_stage", String(32)),
    _opt("pending_stage", String(32)),
    _req("force", Boolean, default=False),
    _opt("reason", Text),
    _ref("requested_by", "users.id", "SET NULL", nullable=True),
    #: "pending", "approved", "rejected" or "cancelled".
    _req("status", String(16), default="pending", index=True),
    _opt("decided_at", UTCDateTime),
    #: "manual" (someone asked) or "rule" (a promotion rule fired), and the rule's name.
    _req("how", String(16), default="manual"),
    _opt("rule", String(255)),
    #: The approvals the model's policy asked for when the request was made.
    _req("approvals_required", Integer, default=1),
    Index("uq_model_transition_requests_pending", "model_version_id", "pending_stage", unique=True),
)

#: One user's approval or rejection of a request, with a comment; one per user and request.
model_transition_votes = _entity(
    "model_transition_votes",
    _ref("request_id", "model_transition_requests.id", "CASCADE"),
    _ref("user_id", "users.id", "SET NULL", nullable=True),
    _req("decision", String(8)),
    _opt("comment", Text),
    UniqueConstraint("request_id", "user_id", name="uq_model_transition_votes_user"),
)

#: Per model, rules that put a version in a stage when its metadata matches ``filter`` (the filter
#: language over ``metadata.KEY``) and, with ``beats`` ({"stage": ..., "metric": ...}), its metric
#: beats the holder of that stage.
model_promotion_rules = _entity(
    "model_promotion_rules",
    _ref("model_id", "models.id", "CASCADE", index=True),
    _req("name", String(255)),
    _req("filter", Text),
    _req("to_stage", String(32)),
    _opt("beats", JSON),
    _req("enabled", Boolean, default=True),
    _ref("created_by", "users.id", "SET NULL", nullable=True),
    _opt("updated_at", UTCDateTime),
    UniqueConstraint("model_id", "name", name="uq_model_promotion_rules_name"),
)

#: API keys: only the sha256 of the secret is kept; ``prefix`` finds it.
api_keys = _entity(
    "api_keys",
    _ref("user_id", "users.id", "CASCADE", index=True),
    _req("name", String(255)),
    _req("prefix", String(32), unique=True),
    _req("key_hash", String(64)),
    _opt("expires_at", UTCDateTime),
    _opt("last_used_at", UTCDateTime),
    _opt("revoked_at", UTCDateTime),
)

#: Browser sessions (``kind`` "session") and one-time login tokens (``kind`` "login_token").
auth_sessions = _entity(
    "auth_sessions",
    _ref("user_id", "users.id", "CASCADE", index=True),
    _req("kind", String(16)),
    _req("token_hash", String(64), unique=True),
    _req("expires_at", UTCDateTime),
    _opt("revoked_at", UTCDateTime),
)

#: Something a person or key did that an operator may need to trace: a login, a revoked key, …
#: ``action`` is dotted (``login.failed``, ``api_key.revoked``); ``target`` names what was acted on
#: (a user name for logins, a key id for keys); the actor is kept by name too, so events outlive users.
audit_events = _entity(
    "audit_events",
    _ref("actor_user_id", "users.id", "SET NULL", nullable=True, index=True),
    _opt("actor_name", String(255)),
    _opt("client_address", String(64)),
    _req("action", String(64)),
    _opt("target", String(255)),
    _req("details", JSON, default=dict),
    # Lock-out counts recent failures per account and per client address.
    Index("ix_audit_events_action_target", "action", "target", "created_at"),
    Index("ix_audit_events_action_address", "action", "client_address", "created_at"),
)

#: Key/value secrets of a workspace: the key names in the clear, the values Fernet-encrypted (JSON).
secrets = _entity(
    "secrets",
    _ref("workspace_id", "workspaces.id", "CASCADE"),
    _req("name", String(255)),
    _opt("description", Text),
    _req("key_names", JSON, default=list),
    _req("ciphertext", LongText),
    _ref("created_by", "users.id", "SET NULL", nullable=True),
    _opt("updated_at", UTCDateTime),
    UniqueConstraint("workspace_id", "name", name="uq_secrets_workspace_name"),
)

#: Credentials for one kind of resource: the non-secret fields as JSON, the secret ones encrypted.
service_connectors = _entity(
    "service_connectors",
    _ref("workspace_id", "workspaces.id", "CASCADE"),
    _req("name", String(255)),
    _req("type", String(32)),
    _opt("description", Text),
    _req("config", JSON, default=dict),
    _req("ciphertext", LongText),
    _req("secret_fields", JSON, default=list),
    _ref("created_by", "users.id", "SET NULL", nullable=True),
    _opt("updated_at", UTCDateTime),
    UniqueConstraint("workspace_id", "name", name="uq_service_connectors_workspace_name"),
)

#: Each user's active stack in each workspace (none: the workspace's default stack).
active_stacks = Table(
    "active_stacks",
    metadata,
    _ref("user_id", "users.id", "CASCADE", primary_key=True),
    _ref("workspace_id", "workspaces.id", "CASCADE", primary_key=True),
    _ref("stack_id", "stacks.id", "CASCADE", index=True),
    _opt("updated_at", UTCDateTime),
)

#: Named dashboard views (filters, columns, chart axes: ``state`` is the dashboard's, opaque here),
#: private to their owner or shared with the project's readers.
saved_views = _entity(
    "saved_views",
    _project(),
    _ref("owner_id", "users.id", "CASCADE"),
    _req("name", String(255)),
    _req("kind", String(16)),  # metadata | compare | runs
    _req("state", JSON),
    _req("shared", Boolean, default=False),
    _req("updated_at", UTCDateTime),
    UniqueConstraint("project_id", "owner_id", "kind", "name", name="uq_saved_views_owner_name"),
    Index("ix_saved_views_project_shared", "project_id", "shared"),
)

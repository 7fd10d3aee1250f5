"""Promotion rules as the caller may see and change them, and their evaluation for a version.

Saving, changing and deleting a rule needs ``model:update`` in the model's project; listing and
dry runs ``model:read``. A rule whose filter does not parse is a 422 naming the fault. Evaluating
the rules for a version needs what logging metadata on it needs (``model:update`` or
``model:create``): it applies the rules their authors saved, as the rules (no user), and any
transition into a stage that needs approval still waits for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from fastapi import HTTPException, status

from waypost.exceptions import FilterSyntaxError
from waypost.schemas.model_approvals import (
    PromotionRuleCreate,
    PromotionRuleRead,
    PromotionRuleUpdate,
    RuleDryRun,
    RuleEvaluation,
)
from waypost.server import errors, scopes
from waypost.server.deps import Principal
from waypost.server.services._common import or_404
from waypost.server.services.model_approvals import Done
from waypost.store.sql.repositories.model_requests import Requested
from waypost.store.sql.store import SqlStore

T = TypeVar("T")


def _checked(work: Callable[[], T]) -> T:
    """``work()``, a filter that does not parse answered as a 422 (the RestStore raises FilterSyntaxError again)."""
    try:
        return or_404(work)
    except FilterSyntaxError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc), headers={errors.ERROR_HEADER: "FilterSyntaxError"}
        ) from None


def list_rules(store: SqlStore, caller: Principal, model: str, project: str | None) -> list[PromotionRuleRead]:
    """A model's rules, in the order they are tried (model:read)."""
    found = scopes.readable(store, caller, "model", model, project)
    return store.promotions.list_rules(found.id)


def get_rule(store: SqlStore, caller: Principal, model: str, name: str, project: str | None) -> PromotionRuleRead:
    """One rule (model:read)."""
    found = scopes.readable(store, caller, "model", model, project)
    return or_404(lambda: store.promotions.get_rule(found.id, name))


def create_rule(
    store: SqlStore, caller: Principal, model: str, rule: PromotionRuleCreate, project: str | None
) -> tuple[PromotionRuleRead, Done]:
    """Save a rule (model:update)."""
    found = scopes.changeable(store, caller, "model", model, "model:update", project=project)
    made = _checked(lambda: store.promotions.create_rule(found.id, rule, user_id=caller.user_id))
    return made, Done(found.scope)


def update_rule(
    store: SqlStore, caller: Principal, model: str, name: str, change: PromotionRuleUpdate, project: str | None
) -> tuple[PromotionRuleRead, Done]:
    """Change a rule (model:update)."""
    found = scopes.changeable(store, caller, "model", model, "model:update", project=project)
    return _checked(lambda: store.promotions.update_rule(found.id, name, change)), Done(found.scope)


def delete_rule(store: SqlStore, caller: Principal, model: str, name: str, project: str | None) -> Done:
    """Delete a rule (model:update)."""
    found = scopes.changeable(store, caller, "model", model, "model:update", project=project)
    or_404(lambda: store.promotions.delete_rule(found.id, name))
    return Done(found.scope)


def dry_run(store: SqlStore, caller: Principal, model: str, name: str, project: str | None) -> RuleDryRun:
    """The versions a rule would promote now (model:read); nothing changes."""
    found = scopes.readable(store, caller, "model", model, project)
    return _checked(lambda: store.promotions.dry_run(found.id, name))


def evaluate(
    store: SqlStore, caller: Principal, version_id: uuid.UUID
) -> tuple[RuleEvaluation, Requested | None, Done]:
    """Try a model's rules on one of its versions (model:update or model:create on it)."""
    found = scopes.changeable(store, caller, "model_version", version_id, "model:update", "model:create")
    answer, made = store.promotions.rules.evaluated(version_id)
    return answer, made, Done(found.scope)

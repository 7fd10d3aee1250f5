"""Store contract: approval policies, stage requests, and promotion rules (what one store user can do alone).

Deciding needs a second user (the requester never approves), so votes are tested per backend with
users of their own (tests/store, tests/server); here a store asks, lists, and runs rules.
"""

from __future__ import annotations

import pytest

from waypost.enums import MetadataType, ModelStages
from waypost.exceptions import ConflictError, FilterSyntaxError, NotFoundError
from waypost.schemas import MetadataCreate
from waypost.schemas.model_approvals import ModelApprovalPolicyUpdate, PromotionRuleCreate, PromotionRuleUpdate
from waypost.store import Store
from waypost.testing.assertions import assert_one_line
from waypost.testing.factories import unique_name


def _model(store: Store, *accuracies: float) -> str:
    """A new model with one version per accuracy (logged on it as metadata ``accuracy``)."""
    name = unique_name("gov")
    for accuracy in accuracies:
        version = store.models.get_or_create_version(name, None)
        entry = MetadataCreate(key="accuracy", value=accuracy, type=MetadataType.FLOAT, model_version_id=version.id)
        store.metadata.add([entry])
    return name


class ModelPromotionContract:
    """Policies and requests for a stage; rules saved, checked, tried and fired."""

    def test_a_stage_the_policy_names_becomes_a_pending_request(self, store: Store) -> None:
        name = _model(store, 0.5, 0.6)
        policy = store.promotions.set_policy(
            name, ModelApprovalPolicyUpdate(stages=["production"], approvals_required=2)
        )
        assert (policy.stages, policy.approvals_required, policy.source) == (["production"], 2, "model")
        with pytest.raises(ConflictError) as direct:
            store.models.set_stage(name, "1", ModelStages.PRODUCTION)
        assert_one_line(direct.value, "needs 2 approvals", f"waypost model request {name} 1 production")

        asked = store.promotions.request_stage(name, "1", ModelStages.PRODUCTION, reason="best")
        assert asked.outcome == "pending"
        assert asked.request is not None
        assert (asked.request.status, asked.request.reason, asked.request.approvals) == ("pending", "best", 0)
        with pytest.raises(ConflictError) as twice:
            store.promotions.request_stage(name, "1", "production")
        assert_one_line(twice.value, "pending request for production already")
        assert [r.id for r in store.promotions.list_requests(model=name).items] == [asked.request.id]
        assert store.promotions.get_request(asked.request.id).version_name == "1"
        assert store.promotions.list_requests(model=name, status="approved").total == 0

        done = store.promotions.request_stage(name, "2", "staging")
        assert (done.outcome, done.request, done.version.stage) == ("done", None, ModelStages.STAGING)
        assert store.models.get(name).stages == {"staging": "2"}

    def test_rules_are_checked_saved_changed_and_deleted(self, store: Store) -> None:
        name = _model(store, 0.5)
        with pytest.raises(FilterSyntaxError) as bad:
            store.promotions.create_rule(
                name, PromotionRuleCreate(name="r", filter="metadata.accuracy>=", to_stage="staging")
            )
        assert_one_line(bad.value, "metadata.accuracy>=")
        made = store.promotions.create_rule(
            name, PromotionRuleCreate(name="r", filter="metadata.accuracy>=0.9", to_stage="staging")
        )
        assert (made.name, made.model_name, made.enabled, made.beats) == ("r", name, True, None)
        with pytest.raises(ConflictError):
            store.promotions.create_rule(name, PromotionRuleCreate(name="r", to_stage="production"))
        changed = store.promotions.update_rule(name, "r", PromotionRuleUpdate(enabled=False))
        assert changed.enabled is False
        assert [r.name for r in store.promotions.list_rules(name)] == ["r"]
        assert store.promotions.get_rule(name, "r").filter == "metadata.accuracy>=0.9"
        store.promotions.delete_rule(name, "r")
        with pytest.raises(NotFoundError) as gone:
            store.promotions.get_rule(name, "r")
        assert_one_line(gone.value, "has no rule 'r'")

    def test_a_dry_run_changes_nothing_and_a_rule_fires_for_a_matching_version(self, store: Store) -> None:
        name = _model(store, 0.95, 0.5)
        store.promotions.create_rule(
            name,
            PromotionRuleCreate.model_validate(
                {
                    "name": "ok",
                    "filter": "metadata.accuracy>=0.9",
                    "to_stage": "staging",
                    "beats": {"stage": "production", "metric": "accuracy"},
                }
            ),
        )
        dry = store.promotions.dry_run(name, "ok")
        assert [(m.version_name, m.metric, m.holder) for m in dry.matches] == [("1", 0.95, None)]
        assert store.models.transitions(name).total == 0
        low, high = (store.models.get_version(name, v).id for v in ("2", "1"))
        assert store.promotions.evaluate(low).rule is None
        fired = store.promotions.evaluate(high)
        assert fired.rule == "ok"
        assert fired.result is not None
        assert fired.result.version.stage == ModelStages.STAGING
        (t,) = store.models.transitions(name).items
        assert (t.how, t.rule, t.version_name) == ("rule", "ok", "1")

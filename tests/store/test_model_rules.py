"""Promotion rules on SQLite, PostgreSQL and MariaDB: checked filters, dry runs, firing, rules through approval."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from waypost.enums import MetadataType
from waypost.exceptions import ConflictError, FilterSyntaxError, NotFoundError
from waypost.schemas import MetadataCreate
from waypost.schemas.model_approvals import (
    ModelApprovalPolicyUpdate,
    PromotionRuleCreate,
    PromotionRuleUpdate,
    RuleBeats,
)
from waypost.schemas.models import ModelUpdate
from waypost.store.sql.store import SqlStore

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]
GOOD = "metadata.accuracy>=0.9 metadata.data_validation:pass"


@pytest.fixture(params=DATABASES)
def store(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[SqlStore]:
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue(f"{request.param}_url")
    opened = SqlStore(url)
    yield opened
    opened.close()


def _log(store: SqlStore, version_id: uuid.UUID, **values: object) -> None:
    entries = []
    for key, value in values.items():
        kind = MetadataType.STRING if isinstance(value, str) else MetadataType.FLOAT
        entries.append(MetadataCreate(key=key, value=value, type=kind, model_version_id=version_id))
    store.metadata.add(entries)


def _model(store: SqlStore, *metrics: dict[str, object]) -> tuple[str, list[uuid.UUID]]:
    """A model with one version per ``metrics`` (its metadata), oldest first."""
    name = f"m-{uuid.uuid4().hex[:8]}"
    ids = []
    for values in metrics:
        version = store.models.get_or_create_version(name, None)
        if values:
            _log(store, version.id, **values)
        ids.append(version.id)
    return name, ids


def _rule(store: SqlStore, model: str, name: str = "good", **kw: object) -> None:
    fields: dict[str, object] = {"name": name, "filter": GOOD, "to_stage": "staging", **kw}
    store.promotions.create_rule(model, PromotionRuleCreate.model_validate(fields))


def test_a_rule_that_does_not_parse_or_names_an_unknown_key_is_refused(store: SqlStore) -> None:
    model, _ = _model(store, {})
    for bad, words in (
        ("metadata.accuracy>=", "has no value"),
        ("metadata.accuracy>=high", "is not a number"),
        ("colour:red", "Unknown filter key 'colour'"),
    ):
        with pytest.raises(FilterSyntaxError, match=words) as refused:
            _rule(store, model, filter=bad)
        assert "\n" not in str(refused.value)
    assert store.promotions.list_rules(model) == []
    _rule(store, model)
    with pytest.raises(ConflictError, match="has a rule named 'good' already"):
        _rule(store, model)
    with pytest.raises(NotFoundError, match="has no rule 'nope'"):
        store.promotions.dry_run(model, "nope")


def test_a_rule_fires_for_a_matching_version_and_not_for_others(store: SqlStore) -> None:
    model, (weak, unvalidated, strong) = _model(
        store,
        {"accuracy": 0.8, "data_validation": "pass"},
        {"accuracy": 0.95, "data_validation": "fail"},
        {"accuracy": 0.93, "data_validation": "pass"},
    )
    _rule(store, model)
    for version in (weak, unvalidated):
        assert store.promotions.evaluate(version).rule is None
    fired = store.promotions.evaluate(strong)
    assert fired.rule == "good"
    assert fired.result is not None
    assert (fired.result.outcome, fired.result.version.stage.value) == ("done", "staging")
    (t,) = store.models.transitions(model).items
    assert (t.how, t.rule, t.user_id, t.version_name) == ("rule", "good", None, "3")
    assert t.reason == "promotion rule 'good' matched"
    assert store.promotions.evaluate(strong).rule is None  # in staging already: nothing more to do
    store.models.set_stage(model, "3", "production")
    assert store.promotions.evaluate(strong).rule is None  # rules promote, never demote


def test_a_rule_must_beat_the_holder_in_the_models_direction(store: SqlStore) -> None:
    model, (holder, worse, better, silent) = _model(
        store, {"loss": 0.3}, {"loss": 0.4}, {"loss": 0.2}, {"data_validation": "pass"}
    )
    store.models.set_stage(model, "1", "production")
    store.models.update(model, ModelUpdate(metric_directions={"loss": "lower"}))
    _rule(store, model, "beats", filter="", beats={"stage": "production", "metric": "loss"})
    dry = store.promotions.dry_run(model, "beats")
    assert dry.checked == 3  # the filter is empty: every version below staging (not the holder, in production)
    assert [(m.version_name, m.metric, m.holder, m.holder_metric) for m in dry.matches] == [("3", 0.2, "1", 0.3)]
    assert store.promotions.evaluate(worse).rule is None
    assert store.promotions.evaluate(silent).rule is None  # no loss: nothing to compare
    assert store.promotions.evaluate(better).rule == "beats"
    assert store.models.get(model).stages == {"production": "1", "staging": "3"}
    assert store.models.get_version(model, "1").id == holder


def test_nobody_holding_the_stage_is_beaten_by_any_version_with_the_metric(store: SqlStore) -> None:
    model, _ = _model(store, {"accuracy": 0.5}, {})
    _rule(store, model, "first", filter="", beats=RuleBeats(stage="production", metric="accuracy").model_dump())
    assert [m.version_name for m in store.promotions.dry_run(model, "first").matches] == ["1"]


def test_a_dry_run_lists_the_versions_and_changes_nothing(store: SqlStore) -> None:
    model, _ = _model(
        store,
        {"accuracy": 0.91, "data_validation": "pass"},
        {"accuracy": 0.5, "data_validation": "pass"},
        {"accuracy": 0.99, "data_validation": "pass"},
    )
    _rule(store, model, to_stage="production")
    dry = store.promotions.dry_run(model, "good")
    assert (dry.rule, dry.to_stage, dry.checked) == ("good", "production", 2)
    assert [m.version_name for m in dry.matches] == ["3", "1"]
    assert store.models.transitions(model).total == 0
    store.promotions.update_rule(model, "good", PromotionRuleUpdate(filter="metadata.accuracy>0.95"))
    assert [m.version_name for m in store.promotions.dry_run(model, "good").matches] == ["3"]
    with pytest.raises(FilterSyntaxError):
        store.promotions.update_rule(model, "good", PromotionRuleUpdate(filter="metadata.accuracy>"))
    assert store.promotions.get_rule(model, "good").filter == "metadata.accuracy>0.95"


def test_disabled_rules_do_not_fire_and_the_oldest_matching_rule_wins(store: SqlStore) -> None:
    model, (version,) = _model(store, {"accuracy": 0.97, "data_validation": "pass"})
    _rule(store, model, "off", to_stage="production", enabled=False)
    _rule(store, model, "stage-it")
    _rule(store, model, "ship-it", to_stage="production")
    assert [r.name for r in store.promotions.list_rules(model)] == ["off", "stage-it", "ship-it"]
    assert store.promotions.evaluate(version).rule == "stage-it"
    assert store.promotions.evaluate(version).rule == "ship-it"  # staging now: the next rule's turn
    store.promotions.delete_rule(model, "ship-it")
    assert [r.name for r in store.promotions.list_rules(model)] == ["off", "stage-it"]


def test_a_rule_into_a_stage_needing_approval_makes_a_pending_request_naming_it(store: SqlStore) -> None:
    model, (version,) = _model(store, {"accuracy": 0.97, "data_validation": "pass"})
    store.promotions.set_policy(model, ModelApprovalPolicyUpdate(stages=["staging"], approvals_required=1))
    _rule(store, model)
    fired = store.promotions.evaluate(version)
    assert fired.result is not None
    assert fired.result.request is not None
    request = fired.result.request
    assert (fired.result.outcome, request.how, request.rule, request.requested_by) == ("pending", "rule", "good", None)
    assert store.models.get_version(model, "1").stage.value == "none"
    assert store.promotions.evaluate(version).rule is None  # asked already: no second request
    approver = store.users.create(f"ann-{uuid.uuid4().hex[:6]}", password="correct horse battery staple").id
    assert store.promotions.decide(request.id, "approve", user_id=approver).status == "approved"
    (t,) = store.models.transitions(model).items
    assert (t.how, t.rule, t.to_stage.value) == ("approval", "good", "staging")
    assert t.reason is not None
    assert "approved by ann-" in t.reason

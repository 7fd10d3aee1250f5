"""Store contract: model stages (one holder of staging and of production), their history, and model cards."""

from __future__ import annotations

import pytest

from waypost.enums import ModelStages
from waypost.exceptions import ConflictError, NotFoundError, ParameterError
from waypost.schemas.models import ModelUpdate
from waypost.store import Store
from waypost.testing.assertions import assert_one_line
from waypost.testing.factories import make_artifact_version, make_model_version, unique_name


def _versions(store: Store, n: int) -> tuple[str, list[str]]:
    """A new model with versions "1" … "n"; its name and the version names."""
    name = unique_name("iris")
    return name, [store.models.get_or_create_version(name, None).name for _ in range(n)]


def _stages(store: Store, model: str) -> dict[str, str]:
    """Version name -> stage."""
    return {v.name: v.stage.value for v in store.models.list_versions(model)}


class ModelStageContract:
    """Stages: promotions, the one-holder rule, forced replacement, no-ops, history, bad input; model cards."""

    def test_a_promotion_sets_the_stage_its_time_and_one_transition(self, store: Store) -> None:
        name, (v1, _) = _versions(store, 2)
        moved = store.models.set_stage(name, v1, ModelStages.STAGING, reason="looks good")
        assert (moved.name, moved.stage) == (v1, ModelStages.STAGING)
        assert moved.stage_since is not None
        assert store.models.get_version(name, "staging").id == moved.id
        history = store.models.transitions(name)
        assert history.total == 1
        first = history.items[0]
        assert (first.version_name, first.from_stage, first.to_stage) == (v1, ModelStages.NONE, ModelStages.STAGING)
        assert (first.reason, first.how, first.rule) == ("looks good", "manual", None)
        assert first.created_at == moved.stage_since
        assert store.models.get(name).stages == {"staging": v1}

    def test_a_second_holder_is_refused_without_force_and_nothing_changes(self, store: Store) -> None:
        name, (v1, v2) = _versions(store, 2)
        store.models.set_stage(name, v1, "production")
        with pytest.raises(ConflictError) as err:
            store.models.set_stage(name, v2, "production")
        assert_one_line(err.value, f"Version {v1}", "production", "--force")
        assert _stages(store, name) == {v1: "production", v2: "none"}
        assert store.models.transitions(name).total == 1

    def test_force_archives_the_holder_as_its_own_transition(self, store: Store) -> None:
        name, (v1, v2) = _versions(store, 2)
        store.models.set_stage(name, v1, "production")
        moved = store.models.set_stage(name, v2, ModelStages.PRODUCTION, force=True, reason="better f1")
        assert moved.stage == ModelStages.PRODUCTION
        assert _stages(store, name) == {v1: "archived", v2: "production"}
        assert store.models.get_version(name, "production").id == moved.id
        assert store.models.get_version(name, "archived").name == v1
        promoted, archived, first = store.models.transitions(name).items  # newest first
        assert (promoted.version_name, promoted.from_stage, promoted.to_stage) == (v2, "none", "production")
        assert promoted.reason == "better f1"
        assert (archived.version_name, archived.from_stage, archived.to_stage) == (v1, "production", "archived")
        assert archived.reason == f"replaced by version {v2}"
        assert archived.created_at < promoted.created_at
        assert (first.version_name, first.to_stage) == (v1, "production")

    def test_staging_and_production_are_held_separately(self, store: Store) -> None:
        name, (v1, v2, v3) = _versions(store, 3)
        store.models.set_stage(name, v1, "production")
        store.models.set_stage(name, v2, "staging")
        store.models.set_stage(name, v3, "archived")
        store.models.set_stage(name, v1, "archived")  # archived and none hold any number of versions
        assert store.models.get(name).stages == {"staging": v2}
        store.models.set_stage(name, v2, "production")  # production is free now: no force needed
        assert store.models.get(name).stages == {"production": v2}
        store.models.set_stage(name, v2, "none")
        assert store.models.get(name).stages == {}
        assert _stages(store, name) == {v1: "archived", v2: "none", v3: "archived"}

    def test_the_stage_a_version_has_is_a_no_op(self, store: Store) -> None:
        name, (v1,) = _versions(store, 1)
        first = store.models.set_stage(name, v1, "staging")
        again = store.models.set_stage(name, v1, "staging", force=True, reason="again")
        assert again.stage_since == first.stage_since
        assert store.models.transitions(name).total == 1
        assert store.models.set_stage(name, v1, "none").stage == ModelStages.NONE
        assert store.models.set_stage(name, v1, "none").stage_since is not None
        assert store.models.transitions(name).total == 2

    def test_versions_are_named_by_number_or_by_the_stage_they_hold(self, store: Store) -> None:
        name, (v1, v2) = _versions(store, 2)
        store.models.set_stage(name, "1", "staging")  # by number
        store.models.set_stage(name, "latest", "production")  # the newest version
        store.models.set_stage(name, "staging", "archived")  # the staging holder
        assert _stages(store, name) == {v1: "archived", v2: "production"}

    def test_bad_stages_versions_and_models_are_one_line_errors(self, store: Store) -> None:
        name, (v1,) = _versions(store, 1)
        with pytest.raises(ParameterError) as err:
            store.models.set_stage(name, v1, "latest")
        assert_one_line(err.value, "latest", "staging, production, archived, none")
        with pytest.raises(ParameterError) as err:
            store.models.set_stage(name, v1, "prod")
        assert_one_line(err.value, "'prod'", "staging, production, archived, none")
        with pytest.raises(NotFoundError) as missed:
            store.models.set_stage(name, "9.9.9", "staging")
        assert_one_line(missed.value, "9.9.9", f"waypost model versions {name}")
        with pytest.raises(NotFoundError) as missed:
            store.models.set_stage(name, "production", "staging")
        assert_one_line(missed.value, "no version in production")
        missing = unique_name("missing")
        with pytest.raises(NotFoundError) as missed:
            store.models.set_stage(missing, "1", "staging")
        assert_one_line(missed.value, missing, "waypost model list")
        with pytest.raises(NotFoundError):
            store.models.transitions(missing)
        assert store.models.transitions(name).total == 0

    def test_no_version_is_ever_named_after_a_stage(self, store: Store) -> None:
        name = unique_name("iris")
        for stage in ModelStages:
            with pytest.raises(ParameterError) as err:
                store.models.get_or_create_version(name, stage.value)
            assert_one_line(err.value, f"'{stage.value}' is a stage")
        with pytest.raises(NotFoundError):
            store.models.get(name)

    def test_transitions_page_newest_first(self, store: Store) -> None:
        name, (v1,) = _versions(store, 1)
        for stage in ("staging", "production", "archived", "none", "staging"):
            store.models.set_stage(name, v1, stage)
        first, second = store.models.transitions(name, size=3), store.models.transitions(name, page=2, size=3)
        assert (first.total, first.pages) == (5, 2)
        assert [t.to_stage.value for t in first.items + second.items] == [
            "staging",
            "none",
            "archived",
            "production",
            "staging",
        ]
        assert [t.from_stage.value for t in second.items] == ["staging", "none"]

    def test_model_card_metric_directions_and_counts(self, store: Store) -> None:
        mv = make_model_version(store)
        name = mv.model_name
        store.models.get_or_create_version(name, "2.0")
        model = store.models.get(name)
        assert (model.version_count, model.latest_version, model.metric_directions) == (2, "2.0", {})
        assert model.license is None
        card = ModelUpdate(license="MIT", ethics="# Risks\n\nnone known", metric_directions={"accuracy": "higher"})
        updated = store.models.update(name, card)
        assert (updated.license, updated.ethics) == ("MIT", "# Risks\n\nnone known")
        assert updated.metric_directions == {"accuracy": "higher"}
        again = store.models.update(name, ModelUpdate(description="iris", audience="botanists", license=None))
        assert (again.description, again.audience, again.license, again.ethics) == (
            "iris",
            "botanists",
            None,
            "# Risks\n\nnone known",
        )
        assert again.metric_directions == {"accuracy": "higher"}  # not sent: kept
        store.models.update(name, ModelUpdate(metric_directions={"loss": "lower"}))
        assert store.models.get(name).metric_directions == {"loss": "lower"}
        store.models.set_stage(name, "2.0", "production")
        listed = store.models.list(f"name:{name}").items
        assert [(m.stages, m.version_count, m.latest_version) for m in listed] == [({"production": "2.0"}, 2, "2.0")]
        with pytest.raises(NotFoundError):
            store.models.update(unique_name("missing"), card)

    def test_version_tags_change_by_name_number_or_stage(self, store: Store) -> None:
        name, (v1, v2) = _versions(store, 2)
        assert store.models.change_version_tags(name, v1, add=["candidate", "tabular"]) == ["candidate", "tabular"]
        store.models.set_stage(name, v2, "production")
        assert store.models.change_version_tags(name, "production", add=["prod"], remove=["nothing"]) == ["prod"]
        after = store.models.change_version_tags(name, v1, add=["reviewed"], remove=["candidate"])
        assert sorted(after) == ["reviewed", "tabular"]
        assert {v.name: sorted(v.tags) for v in store.models.list_versions(name)} == {
            v1: ["reviewed", "tabular"],
            v2: ["prod"],
        }
        assert store.models.get_version(name, v2).stage == ModelStages.PRODUCTION  # tags leave the stage alone
        with pytest.raises(NotFoundError) as err:
            store.models.change_version_tags(name, "99", add=["x"])
        assert_one_line(err.value)
        with pytest.raises(NotFoundError):
            store.models.change_version_tags(unique_name("missing"), "1", add=["x"])

    def test_artifacts_link_to_a_version_in_roles_and_are_found_by_name_and_role(self, store: Store) -> None:
        mv = make_model_version(store)
        typed = [("clf", "sklearn.svm._classes.SVC"), ("rows", "pandas.core.frame.DataFrame"), ("clf", "builtins.str")]
        made = store.artifacts.register(
            [make_artifact_version(n).model_copy(update={"data_type": t}) for n, t in typed]
        )
        store.models.link(mv.id, artifact_version_ids=[a.id for a in made[:2]])
        store.models.link(mv.id, roles={made[2].id: "deployment"})
        found = store.models.version_artifacts(mv.model_name, mv.name)
        assert [(a.role, a.name) for a in found.items] == [("data", "rows"), ("deployment", "clf"), ("model", "clf")]
        named = store.models.version_artifacts(mv.model_name, mv.name, name="clf", role="model")
        assert [a.id for a in named.items] == [made[0].id]
        store.models.link(mv.id, roles={made[0].id: "other"})  # linking again moves the role
        assert store.models.version_artifacts(mv.model_name, mv.name, role="model").total == 0
        with pytest.raises(ParameterError) as err:
            store.models.link(mv.id, roles={made[0].id: "weights"})
        assert_one_line(err.value)

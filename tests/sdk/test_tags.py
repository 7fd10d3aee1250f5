"""``add_tags`` / ``remove_tags`` and ``Tag`` under ZenML's names, on real runs in a local database."""

from __future__ import annotations

from typing import Annotated

import pytest

from waypost import ArtifactConfig, Model, Tag, add_tags, get_step_context, pipeline, remove_tags, step
from waypost.client import Client
from waypost.exceptions import NotFoundError, ParameterError, WaypostError
from waypost.execution import runtime
from waypost.schemas import RunRead


@step
def make() -> Annotated[list[int], "numbers"]:
    add_tags(tags=["from-step"])  # no target in a step: the running run
    add_tags(tags=[Tag("fresh")], infer_artifact=True)  # the step's only output, once registered
    return [1, 2, 3]


@step
def pair() -> tuple[Annotated[int, "left"], Annotated[int, "right"]]:
    add_tags(tags="right-side", artifact_name="right", infer_artifact=True)
    add_tags(tags="left-side", artifact_name="left")  # an output's name in a step: that output
    return 1, 2


@pipeline(model=Model(name="tagged_model"))
def tagged() -> None:
    make()
    pair()


def _fresh() -> RunRead:
    """A run of ``tagged`` whose steps really run (new artifact versions each time)."""
    run: RunRead = tagged.with_options(enable_cache=False)()
    return run


def _tags_of(kind: str, ref: str) -> list[str]:
    c = Client()
    if kind == "run":
        return c.get_pipeline_run(ref).tags
    if kind == "artifact":
        return c.get_artifact_version(ref).tags
    raise AssertionError(kind)


def test_tags_inside_a_step() -> None:
    run = tagged()
    assert "from-step" in _tags_of("run", run.name)
    assert _tags_of("artifact", "numbers") == ["fresh"]
    assert _tags_of("artifact", "right") == ["right-side"]
    assert _tags_of("artifact", "left") == ["left-side"]


def test_each_target_and_removal() -> None:
    first, second = _fresh(), _fresh()
    store = runtime.current().store
    add_tags(tags=["a", Tag("b")], run=first.name)
    add_tags(tags=["a"], run=second.id)
    assert _tags_of("run", first.name) == ["a", "b", "from-step"]
    remove_tags(tags=["b", "never-there"], run=first.name)
    assert _tags_of("run", first.name) == ["a", "from-step"]

    add_tags(tags="pipe-tag", pipeline="tagged")
    pipe = store.pipelines.get("tagged")
    assert store.tags.change("pipeline", [pipe.id], add=[], remove=[])[pipe.id] == ["pipe-tag"]

    add_tags(tags=["gold"], artifact_name="numbers", artifact_version="1")
    assert _tags_of("artifact", "numbers:1") == ["fresh", "gold"]
    assert _tags_of("artifact", "numbers:2") == ["fresh"]
    latest = Client().get_artifact_version("numbers")
    add_tags(tags=["latest-one"], artifact_version_id=latest.id)
    assert "latest-one" in _tags_of("artifact", "numbers:2")
    remove_tags(tags="gold", artifact_name="numbers", artifact_version=1)
    assert _tags_of("artifact", "numbers:1") == ["fresh"]

    add_tags(tags=["candidate"], model="tagged_model", model_version="1")
    assert "candidate" in Client().get_model_version("tagged_model", "1").tags
    remove_tags(tags=["candidate"], model="tagged_model", model_version="1")
    assert "candidate" not in Client().get_model_version("tagged_model", "1").tags


def test_exclusive_moves_and_cascade_spreads() -> None:
    first, second = _fresh(), _fresh()
    add_tags(tags=[Tag("best", exclusive=True)], run=first.name)
    assert "best" in _tags_of("run", first.name)
    add_tags(tags=[Tag("best", exclusive=True)], run=second.name)
    assert "best" not in _tags_of("run", first.name)
    assert "best" in _tags_of("run", second.name)

    add_tags(tags=[Tag("release", cascade=True)], run=first.name)
    for name in ("numbers:1", "left:1", "right:1"):
        assert "release" in _tags_of("artifact", name), name
    assert "release" not in _tags_of("artifact", "numbers:2")
    remove_tags(tags=[Tag("release", cascade=True)], run=first.name)
    assert "release" not in _tags_of("artifact", "numbers:1")


def test_bad_targets_say_what_to_do() -> None:
    run = tagged()
    with pytest.raises(ParameterError, match="one thing at a time"):
        add_tags(tags="x", run=run.name, pipeline="tagged")
    with pytest.raises(ParameterError, match="artifact versions, not whole artifacts"):
        add_tags(tags="x", artifact="numbers")
    with pytest.raises(WaypostError, match="need a target"):
        add_tags(tags="x")
    with pytest.raises(ParameterError, match="only inside a step"):
        add_tags(tags="x", infer_artifact=True)
    with pytest.raises(NotFoundError):
        add_tags(tags="x", run="no-such-run")
    with pytest.raises(KeyError):  # ZenML code catching KeyError around a lookup keeps working
        add_tags(tags="x", artifact_name="numbers", artifact_version="99")
    with pytest.raises(TypeError, match=r"a str or a waypost\.Tag"):
        add_tags(tags=[3], run=run.name)  # type: ignore[list-item]


def test_step_context_still_tags_outputs() -> None:
    @step
    def ctx_tagged() -> Annotated[int, "seven"]:
        get_step_context().add_output_tags(["ctx"])
        remove_tags(tags="ctx", infer_artifact=True)  # taken off again before it is registered
        return 7

    @pipeline
    def one() -> None:
        ctx_tagged()

    one()
    assert _tags_of("artifact", "seven") == []


@step
def configured() -> Annotated[int, ArtifactConfig(name="configured_out", tags=[Tag("via-config"), "plain"])]:
    return 1


@pipeline(tags=[Tag("decorated"), "also"], model=Model(name="tag_objects_model", tags=[Tag("model-tag")]))
def with_tag_objects() -> None:
    configured()


def test_tag_objects_are_accepted_where_tags_are() -> None:
    run = with_tag_objects.with_options(tags=[Tag("optioned")])()
    assert _tags_of("run", run.name) == ["also", "decorated", "optioned"]
    assert _tags_of("artifact", "configured_out") == ["plain", "via-config"]
    assert "model-tag" in Client().get_model_version("tag_objects_model", "latest").tags
    with pytest.raises(ValueError, match="non-empty strings"):
        ArtifactConfig(tags=[""])

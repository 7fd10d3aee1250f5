"""A model version's page in a real browser: a training pipeline with ``Model(name="churn", version="1.0")``
makes a pandas DataFrame and a scikit-learn model, runs again (a later run naming the version), version 1.0
is promoted to production and a serving pipeline with ``Model(version=ModelStages.PRODUCTION)`` consumes
it. The model page's stage status shows the consumer run succeeded; its link opens the version page on the
consumers; the runs are grouped by role, the artifacts by role with the DataFrame's visualization drawn; a
tag is added and kept; the lineage graph walks from the model artifact up to the raw input."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Annotated

import pandas as pd
from e2e_support import SCREENSHOTS, screenshot
from playwright.sync_api import Locator, Page, expect
from sklearn.linear_model import LogisticRegression

from live_server import LiveServer
from waypost import Model, get_step_context, pipeline, step
from waypost.client import Client
from waypost.enums import ModelStages

#: Where the screenshots are copied for a person to look at.
SHOTS = Path("/tmp/shots")


@step
def load() -> Annotated[pd.DataFrame, "features"]:
    return pd.DataFrame({"usage": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "churned": [0, 0, 0, 1, 1, 1]})


@step
def fit(df: pd.DataFrame) -> Annotated[LogisticRegression, "classifier"]:
    model = get_step_context().model
    assert model is not None
    clf = LogisticRegression().fit(df[["usage"]], df["churned"])
    model.log_metadata({"accuracy": float(clf.score(df[["usage"]], df["churned"]))})
    return clf


@pipeline(model=Model(name="churn", version="1.0", tags=["baseline"]), enable_cache=False)
def training() -> None:
    fit(load())


@step
def predict() -> Annotated[list[int], "predictions"]:
    model = get_step_context().model
    assert model is not None
    clf = model.load_artifact("classifier")
    return [int(v) for v in clf.predict(pd.DataFrame({"usage": [0.5, 4.5]}))]


@pipeline(model=Model(name="churn", version=ModelStages.PRODUCTION), enable_cache=False)
def serving() -> None:
    predict()


def _shot(page: Page, name: str) -> None:
    """Save the page (test-artifacts/screenshots) and copy it where a person looks at it."""
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENSHOTS / f"{name}.png", SHOTS / f"{name}.png")


def _group(page: Page, kind: str, role: str) -> Locator:
    return page.locator(f'[data-testid="{kind}"][data-role="{role}"]')


def test_stage_status_and_the_version_page(page: Page, live: LiveServer) -> None:
    made = training()
    again = training()  # names version 1.0 again, as an evaluation would
    Client().get_model_version("churn", "1.0").set_stage(ModelStages.PRODUCTION)
    served = serving()

    page.goto(f"{live.url}/models/churn")
    production = page.get_by_test_id("stage-status-production")
    expect(production.get_by_test_id("stage-holder")).to_have_text("1.0")
    expect(production.get_by_test_id("stage-since")).to_have_text(re.compile(r"^promoted (just now|\d+ min ago)$"))
    dots = production.get_by_test_id("consumer-dot")
    expect(dots).to_have_count(1)
    expect(dots.first).to_have_attribute("data-status", "completed")
    expect(production.get_by_test_id("consumer-summary")).to_have_text("1 of 1 succeeded")
    expect(page.get_by_test_id("stage-status-staging")).to_contain_text("no version")
    latest = page.get_by_test_id("stage-status-latest")
    expect(latest.get_by_test_id("stage-holder")).to_have_text("1.0")
    expect(page.get_by_test_id("model-metric-chart").locator("canvas")).to_have_count(1)
    _shot(page, "model-stage-status")

    # The versions table links to the version page too.
    row = page.locator('[data-testid="model-version-row"][data-version="1.0"]')
    link = row.get_by_role("link", name="1.0", exact=True)
    expect(link).to_have_attribute("href", re.compile(r"/models/churn/versions/1\.0"))

    # From the stage status to the runs that consumed the version.
    production.get_by_test_id("consumer-summary").click()
    expect(page).to_have_url(re.compile(r"/models/churn/versions/1\.0\?role=consumer"))
    version = page.get_by_test_id("model-version-page")
    expect(version).to_have_attribute("data-stage", "production")
    expect(page.get_by_test_id("version-title")).to_have_text("churn›1.0#1")
    expect(page.get_by_test_id("stage-since")).to_have_text(re.compile(r"^in production since "))

    consumed = _group(page, "run-group", "consumer")
    expect(consumed.get_by_test_id("run-group-count")).to_have_text("1")
    consumer = consumed.get_by_test_id("version-run")
    expect(consumer).to_have_attribute("data-run", served.name)
    expect(consumer.get_by_test_id("via-stage")).to_have_attribute("data-stage", "production")  # the stage it asked for
    expect(consumed).to_have_attribute("data-focused", "true")  # the group the link pointed at
    expect(consumer.get_by_role("link", name=served.name)).to_have_attribute("href", re.compile(f"/runs/{served.id}"))
    training_runs = _group(page, "run-group", "producer").get_by_test_id("version-run")
    expect(training_runs).to_have_count(1)
    expect(training_runs).to_have_attribute("data-run", made.name)
    expect(training_runs).to_have_attribute("data-status", "completed")
    later = _group(page, "run-group", "attached").get_by_test_id("version-run")
    expect(later).to_have_count(1)
    expect(later).to_have_attribute("data-run", again.name)
    expect(page.get_by_role("tab", name="Runs (3)")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "model-version-runs")

    # Tags: the version has the one the pipeline gave it; add another.
    tags = page.get_by_test_id("version-tags")
    expect(tags.get_by_test_id("version-tag")).to_have_text(["baseline"])
    tags.get_by_role("button", name="+ Add tag").click()
    tags.get_by_label("New tag").fill("reviewed")
    tags.get_by_label("New tag").press("Enter")
    expect(tags.get_by_test_id("version-tag")).to_have_text(["baseline", "reviewed"])
    # Read back from the server: the same version by its number (a name with a dot, as 1.0, reads to the
    # server's page route as a missing file when loaded directly).
    page.goto(f"{live.url}/models/churn/versions/1")
    expect(page.get_by_test_id("version-title")).to_have_text("churn›1.0#1")
    expect(page.get_by_test_id("version-tags").get_by_test_id("version-tag")).to_have_text(["baseline", "reviewed"])

    # Artifacts by role: the classifier is the model, the DataFrames are data, with their table drawn.
    page.get_by_role("tab", name=re.compile(r"^Artifacts")).click()
    model_group = _group(page, "artifact-group", "model")
    expect(model_group.get_by_test_id("artifact-group-count")).to_have_text("2")  # one per training run
    classifier = model_group.get_by_test_id("version-artifact").first
    expect(classifier).to_have_attribute("data-artifact", "classifier")
    expect(classifier.get_by_test_id("artifact-type")).to_contain_text("LogisticRegression")
    data_group = _group(page, "artifact-group", "data")
    expect(data_group.get_by_test_id("artifact-group-count")).to_have_text("2")
    features = data_group.get_by_test_id("version-artifact").first
    expect(features).to_have_attribute("data-artifact", "features")
    expect(features.locator('[data-testid="viz"][data-state="ready"]').first).to_be_visible()
    other = _group(page, "artifact-group", "other").get_by_test_id("version-artifact")
    expect(other.first).to_have_attribute("data-artifact", "predictions")  # the consumer's output
    deployment = _group(page, "artifact-group", "deployment")
    expect(deployment.get_by_test_id("artifacts-empty")).to_contain_text("link_artifact_to_model")
    _shot(page, "model-version-artifacts")

    # The link opens the artifact version's page.
    features.get_by_role("link", name="features", exact=True).click()
    expect(page.get_by_test_id("artifact-page")).to_have_attribute("data-artifact", "features")
    expect(page.get_by_test_id("artifact-page")).to_have_attribute("data-version", "2")
    page.go_back()
    expect(page.get_by_test_id("version-artifacts")).to_be_visible()

    page.get_by_role("tab", name="Metadata").click()
    expect(
        page.get_by_test_id("version-metadata").locator('[data-testid="metadata-row"][data-key="accuracy"]').first
    ).to_be_visible()

    # Lineage: from the newest model artifact up to the raw input (the DataFrame) through the steps.
    page.get_by_role("tab", name="Lineage").click()
    expect(page.get_by_test_id("version-lineage")).to_be_visible()
    summary = page.get_by_test_id("lineage-summary")
    expect(summary).to_contain_text("2 artifact versions · 2 steps · across 1 run")
    expect(page.locator(".react-flow__node")).to_have_count(4)
    _shot(page, "model-version-lineage")

    # Dark: the same page, read back in the other scheme.
    page.emulate_media(color_scheme="dark")
    page.goto(f"{live.url}/models/churn/versions/1")
    expect(_group(page, "run-group", "consumer").get_by_test_id("version-run")).to_have_count(1)
    _shot(page, "model-version-runs-dark")
    page.get_by_role("tab", name=re.compile(r"^Artifacts")).click()
    drawn = _group(page, "artifact-group", "data").locator('[data-testid="viz"][data-state="ready"]')
    expect(drawn.first).to_be_visible()
    _shot(page, "model-version-artifacts-dark")
    page.goto(f"{live.url}/models/churn")
    expect(page.get_by_test_id("stage-status-production").get_by_test_id("consumer-dot")).to_have_count(1)
    expect(page.get_by_test_id("model-metric-chart").locator("canvas")).to_have_count(1)
    _shot(page, "model-stage-status-dark")


def test_a_missing_version_says_so(page: Page, live: LiveServer) -> None:
    training()
    page.goto(f"{live.url}/models/churn/versions/7")
    missing = page.get_by_test_id("version-missing")
    expect(missing.get_by_role("heading")).to_have_text("No version 7 of model churn")
    expect(missing).to_contain_text("Model 'churn' has no version '7'")
    _shot(page, "model-version-missing")
    missing.get_by_role("link", name="Back to churn").click()
    expect(page.get_by_test_id("model-page")).to_be_visible()

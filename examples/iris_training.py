"""Train and compare two iris classifiers: a Waypost pipeline of eight steps.

    load_data ─┬─ profile_data                        (an HTML report)
               └─ split_data ─┬─ train_logistic_regression ─ evaluate_logistic_regression ─┐
                              └─ train_random_forest ─────── evaluate_random_forest ───────┴─ select_best_model

The two models train and evaluate in parallel branches. Each evaluation logs accuracy,
precision, recall and F1 as metadata and returns a confusion-matrix figure; the last step
returns the better model and records it on the ``iris_classifier`` model version.

    python examples/iris_training.py            # one run with the defaults
"""

from __future__ import annotations

import html
import logging
from typing import Annotated

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.base import BaseEstimator
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score
from sklearn.model_selection import train_test_split

from waypost import Model, get_step_context, log_metadata, pipeline, step
from waypost.integrations import sklearn as sk

logger = logging.getLogger(__name__)

TARGET = "species"


@step
def load_data() -> Annotated[pd.DataFrame, "iris_dataset"]:
    """The iris measurements that ship with scikit-learn, one row per flower."""
    iris = load_iris(as_frame=True)
    df = iris.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    df[TARGET] = pd.Categorical.from_codes(df.pop("target"), categories=list(iris.target_names))
    logger.info("Loaded %d rows and %d columns", len(df), df.shape[1])
    return df


@step
def profile_data(df: pd.DataFrame) -> Annotated[str, "data_profile"]:
    """An HTML page summarising every column and the class balance."""
    rows = []
    for name in df.columns:
        col = df[name]
        if pd.api.types.is_numeric_dtype(col):
            stats = [f"{v:.2f}" for v in (col.mean(), col.std(), col.min(), col.max())]
        else:
            stats = ["–"] * 4
        cells = [name, str(col.dtype), str(col.notna().sum()), str(col.nunique()), *stats]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    counts = df[TARGET].value_counts().sort_index()
    bars = "".join(
        f'<div class="bar"><span>{html.escape(str(k))}</span>'
        f'<i style="width:{16 * v / counts.max():.1f}rem"></i><b>{v}</b></div>'
        for k, v in counts.items()
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Data profile</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #1f2933; }}
  h1 {{ font-size: 1.3rem; margin: 0 0 .25rem; }} p.sub {{ color: #616e7c; margin: 0 0 1rem; }}
  table {{ border-collapse: collapse; min-width: 40rem; }}
  th, td {{ padding: .4rem .8rem; border-bottom: 1px solid #e4e7eb; text-align: right; }}
  th {{ background: #f5f7fa; font-weight: 600; }} td:first-child, th:first-child {{ text-align: left; }}
  tr:hover td {{ background: #f0f4f8; }}
  h2 {{ font-size: 1.1rem; margin: 1.5rem 0 .5rem; }}
  .bar {{ display: flex; align-items: center; gap: .5rem; margin: .3rem 0; }}
  .bar span {{ width: 6rem; }} .bar i {{ display: block; height: .9rem; background: #3e7bfa; border-radius: 2px; }}
</style></head>
<body>
<h1>Iris data profile</h1>
<p class="sub">{len(df)} rows &middot; {df.shape[1]} columns &middot; {int(df.isna().sum().sum())} missing values</p>
<table>
<thead><tr><th>column</th><th>dtype</th><th>non-null</th><th>unique</th>
<th>mean</th><th>std</th><th>min</th><th>max</th></tr></thead>
<tbody>
{"".join(rows)}
</tbody></table>
<h2>Class balance</h2>
{bars}
</body></html>
"""
    print(f"Profiled {df.shape[1]} columns")
    return page


@step
def split_data(
    df: pd.DataFrame, test_size: float = 0.3, random_state: int = 42
) -> tuple[
    Annotated[pd.DataFrame, "X_train"],
    Annotated[pd.DataFrame, "X_test"],
    Annotated[pd.Series, "y_train"],
    Annotated[pd.Series, "y_test"],
]:
    """A stratified train/test split of the features and the target."""
    features = df.drop(columns=[TARGET])
    labels = df[TARGET].astype(str)
    x_train, x_test, y_train, y_test = train_test_split(
        features, labels, test_size=test_size, random_state=random_state, stratify=labels
    )
    logger.info("Split into %d training and %d test rows", len(x_train), len(x_test))
    return x_train, x_test, y_train, y_test


@step
def train_logistic_regression(
    x_train: pd.DataFrame,
    y_train: pd.Series,
    C: float = 1.0,  # noqa: N803  scikit-learn's name for the inverse regularization strength
    max_iter: int = 500,
) -> Annotated[BaseEstimator, "logistic_regression"]:
    """A multinomial logistic regression."""
    model = LogisticRegression(C=C, max_iter=max_iter)
    model.fit(x_train, y_train)
    logger.info("Logistic regression converged in %d iterations", int(model.n_iter_.max()))
    return model


@step
def train_random_forest(
    x_train: pd.DataFrame,
    y_train: pd.Series,
    n_estimators: int = 50,
    max_depth: int | None = 4,
    random_state: int = 42,
) -> Annotated[BaseEstimator, "random_forest"]:
    """A random forest."""
    model = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth, random_state=random_state)
    model.fit(x_train, y_train)
    importances = dict(zip(x_train.columns, model.feature_importances_.round(3), strict=True))
    logger.info("Random forest of %d trees; feature importances %s", n_estimators, importances)
    return model


def _confusion_figure(matrix: np.ndarray, labels: list[str], title: str) -> Figure:
    # The Figure API, not pyplot: no global state, so parallel steps can draw at once.
    fig = Figure(figsize=(4.5, 4), dpi=100)
    ax = fig.subplots()
    ax.imshow(matrix, cmap="Blues")
    ax.set(xticks=range(len(labels)), yticks=range(len(labels)), xlabel="predicted", ylabel="actual")
    ax.set_xticklabels(labels)
    ax.set_yticklabels(labels)
    for (i, j), count in np.ndenumerate(matrix):
        color = "white" if count > matrix.max() / 2 else "black"
        ax.text(j, i, str(count), ha="center", va="center", color=color)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


@step
def evaluate_model(
    model: BaseEstimator, x_test: pd.DataFrame, y_test: pd.Series, model_name: str
) -> tuple[
    Annotated[dict[str, float], "metrics"],
    Annotated[Figure, "confusion_matrix"],
    Annotated[sk.ConfusionMatrix, "confusion"],
    Annotated[sk.ClassificationReport, "classification_report"],
]:
    """Test-set metrics (logged as metadata), a confusion-matrix figure, and the interactive
    confusion matrix and per-class report the dashboard draws (waypost.integrations.sklearn)."""
    predicted = model.predict(x_test)
    metrics = {
        "accuracy": float(accuracy_score(y_test, predicted)),
        "precision": float(precision_score(y_test, predicted, average="macro")),
        "recall": float(recall_score(y_test, predicted, average="macro")),
        "f1_score": float(f1_score(y_test, predicted, average="macro")),
    }
    log_metadata(metadata=metrics)
    print(f"{model_name}: " + ", ".join(f"{k}={v:.3f}" for k, v in metrics.items()))
    labels = sorted(y_test.unique())
    matrix = confusion_matrix(y_test, predicted, labels=labels)
    figure = _confusion_figure(matrix, labels, f"{model_name} — confusion matrix")
    return (
        metrics,
        figure,
        sk.confusion_matrix(y_test, predicted, labels=labels),
        sk.classification_report(y_test, predicted, labels=labels),
    )


@step
def select_best_model(
    logistic_regression: BaseEstimator,
    logistic_regression_metrics: dict[str, float],
    random_forest: BaseEstimator,
    random_forest_metrics: dict[str, float],
) -> Annotated[BaseEstimator, "best_model"]:
    """The model with the higher F1 score (the simpler one on a tie), recorded on the model version."""
    candidates: list[tuple[str, BaseEstimator, dict[str, float]]] = [
        ("logistic_regression", logistic_regression, logistic_regression_metrics),
        ("random_forest", random_forest, random_forest_metrics),
    ]
    name, best, metrics = max(candidates, key=lambda c: (c[2]["f1_score"], c[2]["accuracy"]))
    log_metadata(metadata={"selected_algorithm": name})
    log_metadata(metadata={"algorithm": name, **metrics}, infer_model=True)
    model = get_step_context().model
    version = f"version {model.number}" if model else "no model version"
    logger.info("Selected %s (f1_score=%.3f) for %s", name, metrics["f1_score"], version)
    return best


@pipeline(model=Model(name="iris_classifier"), tags=["example"])
def iris_training(
    test_size: float = 0.3,
    C: float = 1.0,  # noqa: N803  scikit-learn's name, passed through to the step
    n_estimators: int = 50,
    max_depth: int | None = 4,
) -> None:
    """Load, profile and split iris; train, evaluate and compare two classifiers."""
    df = load_data()
    profile_data(df)
    x_train, x_test, y_train, y_test = split_data(df, test_size=test_size)
    lr = train_logistic_regression(x_train, y_train, C=C)
    rf = train_random_forest(x_train, y_train, n_estimators=n_estimators, max_depth=max_depth)
    lr_metrics, _, _, _ = evaluate_model(
        lr, x_test, y_test, model_name="logistic_regression", id="evaluate_logistic_regression"
    )
    rf_metrics, _, _, _ = evaluate_model(rf, x_test, y_test, model_name="random_forest", id="evaluate_random_forest")
    select_best_model(lr, lr_metrics, rf, rf_metrics)


if __name__ == "__main__":
    iris_training()

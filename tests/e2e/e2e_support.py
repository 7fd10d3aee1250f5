"""Helpers for the browser tests."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def screenshot(page: Page, name: str) -> None:
    """Save what the page shows (test-artifacts/screenshots/NAME.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# -- the run page, as the dashboard marks it up (data-testid / data-* attributes) -------------------
DAG_READY = '[data-testid="dag"][data-state="ready"]'
TIMELINE_READY = '[data-testid="timeline"][data-state="ready"]'
LOG_READY = '[data-testid="log-view"][data-state="ready"]'


def dag_node(page: Page, step: str) -> Locator:
    """The DAG node of the step invocation ``step``."""
    return page.locator(f'[data-testid="dag-node"][data-step="{step}"]')


def timeline_row(page: Page, step: str) -> Locator:
    """The Timeline row of the step invocation ``step``."""
    return page.locator(f'[data-testid="timeline-row"][data-step="{step}"]')


def dag_statuses(page: Page) -> dict[str, str]:
    """Every rendered DAG step node: invocation name -> data-status."""
    pairs: list[tuple[str, str]] = page.locator('[data-testid="dag-node"]').evaluate_all(
        "els => els.map(e => [e.dataset.step, e.dataset.status])"
    )
    return dict(pairs)


def dag_edges(page: Page) -> set[tuple[str, str]]:
    """Every rendered DAG edge as (source node id, target node id)."""
    pairs: list[list[str]] = page.locator('[data-testid="dag-edge"]').evaluate_all(
        "els => els.map(e => [e.dataset.source, e.dataset.target])"
    )
    return {(source, target) for source, target in pairs}


def dag_artifacts(page: Page) -> set[str]:
    """The ids (``artifact:<step>/<output>``) of every rendered artifact node."""
    ids: list[str] = page.locator('[data-testid="dag-artifact"]').evaluate_all("els => els.map(e => e.dataset.id)")
    return set(ids)


def timeline_steps(page: Page) -> set[str]:
    steps: list[str] = page.locator('[data-testid="timeline-row"]').evaluate_all("els => els.map(e => e.dataset.step)")
    return set(steps)


def switch_view(page: Page, label: str) -> None:
    """Click DAG or Timeline in the run page's view switch (a Mantine SegmentedControl)."""
    page.locator('[role="radiogroup"] label').filter(has_text=re.compile(rf"^\s*{label}\s*$")).click()


def runs_table(page: Page) -> Locator:
    """The runs list's table (the data-testid, or the page's only table before it had one)."""
    return page.locator('[data-testid="runs-table"], table').first

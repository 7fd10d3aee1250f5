"""Teams and access control in a real browser (issue 10): an admin builds a team, a custom role and a
grant through the settings pages, and the people it names see exactly what it gives them; a project
Viewer reads without a control to change anything; another workspace stays invisible; the project
switcher narrows the runs list and keeps the choice.

One server serves the module. Its world:

- ``research/vision``: two runs of ``vision_train`` (with an artifact each);
- ``secret/default``: one run of ``secret_train`` (another workspace);
- ``default/default``: one run of ``default_train``;
- ``admin`` (organization Admin); ``ada`` and ``vic``, organization Members with their default-workspace
  Developer grant taken away: ada gets what the first test grants her team; vic is a Viewer of
  ``research/vision`` and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _access_support import call, log_in, person, pick, segment, settled
from e2e_support import DAG_READY, runs_table, screenshot
from playwright.sync_api import Browser, Locator, Page, expect

from live_server import LiveServer
from waypost import pipeline, step
from waypost.execution import runtime
from waypost.schemas import RunRead

PROJECT = "research/vision"
ROLE = "Run Tagger"
TEAM = "taggers"


@step
def measure(seed: int = 1) -> dict[str, int]:
    return {"seed": seed, "score": 40 + seed}


@pipeline
def vision_train(seed: int = 1) -> None:
    measure(seed=seed)


@pipeline
def secret_train() -> None:
    measure(seed=99)


@pipeline
def default_train() -> None:
    measure(seed=7)


@dataclass(frozen=True)
class World:
    live: LiveServer
    vision: list[RunRead]
    secret: RunRead
    default: RunRead

    @property
    def url(self) -> str:
        return self.live.url


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[World]:
    live = LiveServer(Path(tmp_path_factory.mktemp("access")) / "server").start()
    store = live.store
    store.access.create_workspace("research")
    store.access.create_project("vision", workspace="research")
    store.access.create_workspace("secret")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAYPOST_STORE__URL", live.settings.store_url)
        mp.setenv("WAYPOST_ARTIFACT_STORE__URI", live.settings.artifact_store_uri)

        def record_into(project: str) -> None:
            mp.setenv("WAYPOST_PROJECT", project)
            runtime.reset()

        record_into(PROJECT)
        vision = [vision_train(seed=1), vision_train(seed=2)]
        record_into("secret/default")
        secret = secret_train()
        record_into("default/default")
        default = default_train()
    runtime.reset()
    person(store, "ada")
    person(store, "vic")
    store.access.grant("Viewer", user="vic", project=PROJECT)
    # Something to manage on the settings pages, whichever test runs first.
    store.access.create_team("reviewers", members=["ada"])
    store.access.create_role("Auditor", "project", ["run:read", "artifact:read"])
    yield World(live, vision, secret, default)
    live.stop()


def run_row(page: Page, run: RunRead) -> Locator:
    """The runs list's link to ``run``."""
    return runs_table(page).get_by_role("link", name=run.name, exact=True)


def test_a_team_given_a_custom_role_on_a_project_may_tag_its_runs_and_nothing_more(
    browser: Browser, world: World
) -> None:
    admin_context, admin = log_in(browser, world.live, "admin")
    try:
        # Teams: a new team, then a member added from its card.
        admin.goto(f"{world.url}/settings/teams")
        expect(admin.get_by_role("heading", name="Teams")).to_be_visible()
        form = admin.get_by_role("form", name="Create a team")
        form.get_by_label("New team").fill(TEAM)
        form.get_by_role("button", name="Create team").click()
        card = admin.get_by_test_id(f"team-{TEAM}")
        expect(card.get_by_text("No members yet.")).to_be_visible()
        pick(admin, card.get_by_role("combobox", name=f"Add a member to {TEAM}"), "ada")
        expect(card.get_by_text("ada", exact=True)).to_be_visible()
        expect(card.get_by_role("button", name=f"Remove ada from {TEAM}")).to_be_visible()
        screenshot(admin, "access-teams")

        # Roles: a project-level custom role, ticked in the permission grid.
        admin.goto(f"{world.url}/settings/roles")
        admin.get_by_role("button", name="New role").click()
        dialog = admin.get_by_role("dialog", name="New role")
        dialog.get_by_label("Name").fill(ROLE)
        segment(dialog, "Level", "project")
        grid = dialog.get_by_test_id("permission-grid")
        grid.get_by_label("run:read", exact=True).check()
        grid.get_by_label("run:update", exact=True).check()
        expect(dialog.get_by_text("2 permissions.")).to_be_visible()
        screenshot(admin, "access-role-grid")
        dialog.get_by_role("button", name="Create role").click()
        expect(dialog).to_be_hidden()
        row = admin.get_by_test_id("roles-project").get_by_role("row").filter(has_text=ROLE)
        expect(row.get_by_text("custom")).to_be_visible()
        expect(row.get_by_text("2 permissions")).to_be_visible()
        expect(row.get_by_text("run:read, run:update")).to_be_visible()  # no description: what it holds
        screenshot(admin, "access-roles")

        # Grants: that role to the team, on the project.
        admin.goto(f"{world.url}/settings/grants")
        segment(admin, "Scope", "Project")
        pick(admin, admin.get_by_role("main").get_by_role("combobox", name="Project"), PROJECT)
        segment(admin, "Grant to", "Team")
        pick(admin, admin.get_by_role("combobox", name="Team"), TEAM)
        pick(admin, admin.get_by_role("combobox", name="Role"), ROLE)
        grant = admin.get_by_role("button", name="Grant", exact=True)
        grant.click()
        granted = admin.get_by_test_id("grants-table").get_by_role("row").filter(has_text=TEAM)
        expect(granted.get_by_role("cell", name=ROLE, exact=True)).to_be_visible()
        expect(granted.get_by_role("button", name=f"Revoke {ROLE} from {TEAM}")).to_be_visible()
        expect(grant).not_to_have_attribute("data-loading", "true")
        screenshot(admin, "access-grants")
    finally:
        admin_context.close()

    ada_context, ada = log_in(browser, world.live, "ada")
    try:
        # She sees the project's runs, and only those.
        ada.goto(f"{world.url}/runs")
        for run in world.vision:
            expect(run_row(ada, run)).to_be_visible()
        expect(run_row(ada, world.default)).to_have_count(0)
        expect(run_row(ada, world.secret)).to_have_count(0)
        screenshot(ada, "access-member-runs")

        # She may tag a run (run:update) and the run page shows it; she may not delete it or share it.
        run = world.vision[0]
        status, body = call(ada, "PATCH", f"/api/v1/runs/{run.id}", {"add_tags": ["reviewed"]})
        assert status == 200, body
        status, body = call(ada, "DELETE", f"/api/v1/runs/{run.id}")
        assert status == 403, body
        assert "run:delete" in body["detail"], body
        assert PROJECT in body["detail"], body
        ada.goto(f"{world.url}/runs/{run.id}")
        expect(ada.get_by_test_id("run-name")).to_have_text(run.name)
        expect(ada.get_by_test_id("run-tags").get_by_role("link", name="reviewed")).to_be_visible()
        settled(ada)
        expect(ada.get_by_role("button", name=re.compile("^(Delete|Share)"))).to_have_count(0)
        expect(ada.locator(DAG_READY)).to_be_visible()
        screenshot(ada, "access-member-run")

        # The access explorer says where run:update comes from: the role, through the team, on the project.
        ada.goto(f"{world.url}/settings/access")
        project_node = ada.locator('[data-testid="access-node-project"][data-name="vision"]')
        expect(project_node).to_be_visible()
        source = project_node.get_by_test_id("access-source")
        expect(source.get_by_text(ROLE, exact=True)).to_be_visible()
        expect(source.get_by_text(f"project role · through team {TEAM}")).to_be_visible()
        expect(source.get_by_text("run:update", exact=True)).to_be_visible()
        workspace_node = ada.locator('[data-testid="access-node-workspace"][data-name="research"]')
        expect(workspace_node.get_by_text("nothing held here directly")).to_be_visible()
        screenshot(ada, "access-explorer-member")
    finally:
        ada_context.close()


def test_a_project_viewer_reads_everything_and_is_shown_no_control_to_change_it(browser: Browser, world: World) -> None:
    run = world.vision[1]
    # The admin sees Share on the run and the pipeline: the Viewer's pages below lack what is there.
    admin_context, admin = log_in(browser, world.live, "admin")
    try:
        admin.goto(f"{world.url}/runs/{run.id}")
        expect(admin.get_by_role("button", name="Share", exact=True)).to_be_visible()
        admin.goto(f"{world.url}/pipelines/vision_train")
        expect(admin.get_by_role("button", name="Share", exact=True)).to_be_visible()
    finally:
        admin_context.close()

    context, vic = log_in(browser, world.live, "vic")
    try:
        vic.goto(f"{world.url}/runs")
        expect(run_row(vic, run)).to_be_visible()
        screenshot(vic, "access-viewer-runs")

        vic.goto(f"{world.url}/runs/{run.id}")
        expect(vic.get_by_test_id("run-name")).to_have_text(run.name)
        expect(vic.get_by_role("radiogroup", name="View")).to_be_visible()
        settled(vic)
        expect(vic.get_by_role("button", name=re.compile("^(Share|Delete|Add tag|Edit)"))).to_have_count(0)
        expect(vic.locator(DAG_READY)).to_be_visible()
        screenshot(vic, "access-viewer-run")

        vic.goto(f"{world.url}/pipelines/vision_train")
        expect(vic.get_by_role("heading", name="vision_train")).to_be_visible()
        expect(vic.get_by_text(run.name)).to_be_visible()
        settled(vic)
        expect(vic.get_by_role("button", name=re.compile("^(Share|Delete)"))).to_have_count(0)
        screenshot(vic, "access-viewer-pipeline")

        vic.goto(f"{world.url}/artifacts")
        artifact = "vision_train::measure::output"
        expect(vic.get_by_role("link", name=artifact)).to_be_visible()
        vic.get_by_role("link", name=artifact).click()
        expect(vic.get_by_role("heading", name=artifact)).to_be_visible()
        settled(vic)
        expect(vic.get_by_role("button", name=re.compile("^(Share|Delete)"))).to_have_count(0)
        screenshot(vic, "access-viewer-artifact")

        # Settings: the pages that explain, none of the controls that manage.
        vic.goto(f"{world.url}/settings/teams")
        expect(vic.get_by_test_id("team-reviewers").get_by_text("ada", exact=True)).to_be_visible()
        settled(vic)
        expect(vic.get_by_role("form", name="Create a team")).to_have_count(0)
        expect(vic.get_by_role("combobox", name=re.compile("^Add a member"))).to_have_count(0)
        expect(vic.get_by_role("button", name=re.compile("^(Delete|Remove)"))).to_have_count(0)
        screenshot(vic, "access-viewer-teams")
        vic.goto(f"{world.url}/settings/roles")
        expect(vic.get_by_role("button", name="View project role Auditor")).to_be_visible()
        settled(vic)
        expect(vic.get_by_role("button", name="New role")).to_have_count(0)
        expect(vic.get_by_role("button", name=re.compile("^(Edit|Delete) "))).to_have_count(0)
        screenshot(vic, "access-viewer-roles")
        vic.goto(f"{world.url}/settings/grants?scope=project&at={PROJECT}")
        expect(vic.get_by_test_id("grants-table").get_by_text("vic", exact=True)).to_be_visible()
        settled(vic)
        expect(vic.get_by_role("button", name="Grant", exact=True)).to_have_count(0)
        expect(vic.get_by_role("button", name=re.compile("^Revoke"))).to_have_count(0)
        screenshot(vic, "access-viewer-grants")
        nav = vic.get_by_role("navigation", name="Settings")
        expect(nav.get_by_role("link", name=re.compile("^Audit log"))).to_have_count(0)

        # The server refuses what the page does not offer.
        for method, body in (("PATCH", {"add_tags": ["mine"]}), ("DELETE", None)):
            status, answer = call(vic, method, f"/api/v1/runs/{run.id}", body)
            assert status == 403, (method, answer)
        status, answer = call(vic, "POST", "/api/v1/teams", {"name": "vics-team"})
        assert status == 403, answer
    finally:
        context.close()


def test_another_workspace_never_shows_and_its_run_is_no_such_run(browser: Browser, world: World) -> None:
    context, vic = log_in(browser, world.live, "vic")
    try:
        vic.goto(f"{world.url}/runs")
        for run in world.vision:
            expect(run_row(vic, run)).to_be_visible()
        expect(run_row(vic, world.secret)).to_have_count(0)
        expect(run_row(vic, world.default)).to_have_count(0)

        # The palette's run search: the visible runs that match come back, the hidden one never.
        vic.get_by_role("button", name="Search and jump (Ctrl K)").click()
        vic.get_by_role("combobox", name="Jump to").fill("train")
        results = vic.get_by_role("listbox", name="Results")
        expect(results.get_by_role("option", name="vision_train", exact=True)).to_be_visible()
        expect(results.get_by_role("option", name="vision_train::measure::output", exact=True)).to_be_visible()
        for run in world.vision:
            expect(results.get_by_role("option", name=re.compile(re.escape(run.name)))).to_be_visible()
        expect(results.get_by_role("option", name=re.compile("secret|default_train"))).to_have_count(0)
        screenshot(vic, "access-viewer-palette")
        vic.keyboard.press("Escape")

        # Opening the hidden run's link: missing, not forbidden.
        vic.goto(f"{world.url}/runs/{world.secret.id}")
        alert = vic.get_by_role("alert")
        expect(alert.get_by_text("No such run")).to_be_visible()
        expect(vic.get_by_text(re.compile("forbidden|permission|Could not load", re.IGNORECASE))).to_have_count(0)
        assert call(vic, "GET", f"/api/v1/runs/{world.secret.id}")[0] == 404
        screenshot(vic, "access-viewer-hidden-run")
    finally:
        context.close()


def test_the_project_switcher_narrows_the_runs_and_survives_a_reload(browser: Browser, world: World) -> None:
    context, admin = log_in(browser, world.live, "admin")
    try:
        admin.goto(f"{world.url}/runs")
        everything = [*world.vision, world.secret, world.default]
        for run in everything:
            expect(run_row(admin, run)).to_be_visible()

        switcher = admin.get_by_role("banner").get_by_role("combobox", name="Project")
        pick(admin, switcher, PROJECT, shown="vision")
        expect(admin).to_have_url(re.compile(r"[?&]project=research(%2F|/)vision"))
        expect(switcher).to_have_value(PROJECT)
        for run in world.vision:
            expect(run_row(admin, run)).to_be_visible()
        expect(run_row(admin, world.secret)).to_have_count(0)
        expect(run_row(admin, world.default)).to_have_count(0)
        screenshot(admin, "access-switcher-vision")

        admin.reload()
        expect(switcher).to_have_value(PROJECT)
        expect(run_row(admin, world.vision[0])).to_be_visible()
        expect(run_row(admin, world.default)).to_have_count(0)
        # A link without ?project= opens on the remembered one.
        admin.goto(f"{world.url}/runs")
        expect(admin).to_have_url(re.compile(r"[?&]project=research(%2F|/)vision"))
        expect(run_row(admin, world.vision[1])).to_be_visible()
        expect(run_row(admin, world.secret)).to_have_count(0)

        pick(admin, switcher, "All projects")
        for run in everything:
            expect(run_row(admin, run)).to_be_visible()
    finally:
        context.close()

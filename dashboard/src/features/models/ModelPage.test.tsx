// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Model, ModelVersionRow } from "../../api/models";
import { bestOnPage, plainSummary } from "./versions";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

const at = "2026-11-01T10:00:00Z";

/** The server, faked at the one boundary outside the product: fetch. The routes' shapes are the API's. */
const server = vi.hoisted(() => {
  const admin = { user: "admin", is_org_admin: true, organization: [] as string[], workspaces: [], projects: [], shares: [] };
  const viewer = { user: "vic", is_org_admin: false, organization: [] as string[], workspaces: [], projects: [{ id: "p1", permissions: ["model:read"] }], shares: [] };
  const state = {
    model: {} as Record<string, unknown>,
    versions: [] as Record<string, unknown>[],
    transitions: [] as Record<string, unknown>[],
    me: admin as unknown,
    puts: [] as { path: string; body: Record<string, unknown> }[],
    patches: [] as Record<string, unknown>[],
    tables: [] as URL[],
    /** How the stage route answers; by default as the server does. */
    stage: undefined as undefined | ((body: Record<string, unknown>) => Response | undefined),
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const path = decodeURIComponent(url.pathname);
    if (path === "/api/v1/auth/me") return json({ user: { id: "u1", name: "admin", is_admin: true }, via: "session" });
    if (path === "/api/v1/access/me") return json(state.me);
    if (path === "/api/v1/projects") return json([{ id: "p1", workspace_id: "w1", workspace: "default", name: "default", created_at: "2026-11-01T10:00:00Z" }]);
    const m = /^\/api\/v1\/models\/([^/]+)(\/.*)?$/.exec(path);
    if (!m || (m[1] !== "iris_classifier" && m[1] !== state.model.id)) return json({ detail: "No model 'nope' exists; run `waypost model list` to see the models." }, 404);
    const rest = m[2] ?? "";
    if (rest === "" && input.method === "PATCH") {
      const body = (await input.json()) as Record<string, unknown>;
      state.patches.push(body);
      state.model = { ...state.model, ...body };
      return json(state.model);
    }
    if (rest === "") return json(state.model);
    if (rest === "/versions-table") {
      state.tables.push(url);
      const wanted = url.searchParams.get("metrics");
      const metrics = wanted === null ? ["accuracy", "f1", "data_validation"] : wanted.split(",").filter(Boolean);
      const size = Number(url.searchParams.get("size") ?? 50);
      return json({
        model_id: state.model.id,
        model_name: "iris_classifier",
        project_id: "p1",
        owner: "ada",
        metric_keys: [
          { key: "accuracy", numeric: true },
          { key: "data_validation", numeric: false },
          { key: "f1", numeric: true },
        ],
        metrics,
        items: state.versions.slice(0, size),
        total: state.versions.length,
        page: 1,
        size,
      });
    }
    if (rest === "/metric-series") return json({ keys: [url.searchParams.get("keys")], points: [] });
    if (rest === "/transitions") return json({ items: state.transitions, total: state.transitions.length, page: 1, size: 50 });
    const stage = /^\/versions\/([^/]+)\/stage$/.exec(rest);
    if (stage && input.method === "PUT") {
      const body = (await input.json()) as Record<string, unknown>;
      state.puts.push({ path, body });
      const answer = state.stage?.(body);
      if (answer) return answer;
      const version = stage[1];
      const holders = state.model.stages as Record<string, string>;
      const to = body.stage as string;
      if ((to === "production" || to === "staging") && holders[to] && holders[to] !== version) {
        if (!body.force) return json({ detail: `Version ${holders[to]} of model 'iris_classifier' is in ${to}; use --force to archive it and put version ${version} there (force=True from Python).` }, 409);
        const old = holders[to];
        state.versions = state.versions.map((v) => (v.name === old ? { ...v, stage: "archived" } : v));
      }
      state.versions = state.versions.map((v) => (v.name === version ? { ...v, stage: to } : v));
      state.model = { ...state.model, stages: { ...holders, [to]: version } };
      state.transitions = [{ id: `t${state.transitions.length}`, model_id: state.model.id, model_name: "iris_classifier", model_version_id: `v${version}`, version_name: version, version_number: Number(version), from_stage: "none", to_stage: to, user_name: "admin", reason: body.reason ?? null, how: "manual", created_at: "2026-11-02T10:00:00Z" }, ...state.transitions];
      return json(state.versions.find((v) => v.name === version));
    }
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, admin, viewer, json };
});

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function model(extra: Partial<Model> = {}): Model {
  return {
    id: "m-1",
    name: "iris_classifier",
    description: "Classifies **irises**",
    created_at: at,
    tags: ["tabular"],
    latest_version: "3",
    version_count: 3,
    stages: { production: "1" },
    license: "Apache-2.0",
    audience: null,
    use_cases: null,
    limitations: "Three species only. <script>alert(1)</script>",
    trade_offs: null,
    ethics: null,
    metric_directions: { accuracy: "higher" },
    ...extra,
  };
}

function version(n: number, stage: string, metrics: Record<string, unknown>): ModelVersionRow {
  return {
    id: `v${n}`,
    number: n,
    name: String(n),
    stage: stage as ModelVersionRow["stage"],
    stage_since: null,
    description: null,
    created_at: at,
    run: n === 3 ? null : { id: `run-${n}`, name: `train-${n}`, status: "completed", pipeline_name: "train", user_name: "ada" },
    run_count: n === 1 ? 2 : n === 3 ? 0 : 1,
    tags: n === 2 ? ["candidate"] : [],
    metrics,
  };
}

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

const rowOf = async (name: string) => {
  const table = await screen.findByTestId("model-versions-table");
  return within(table)
    .getAllByTestId("model-version-row")
    .find((r) => r.dataset.version === name) as HTMLElement;
};

/** Open version `name`'s stage menu and pick `stage`; returns the dialog. */
async function pick(name: string, stage: string) {
  fireEvent.click(within(await rowOf(name)).getByRole("button", { name: `Change the stage of version ${name}` }));
  fireEvent.click(await screen.findByRole("menuitem", { name: new RegExp(`^${stage}`) }));
  return screen.findByRole("dialog");
}

/** What the caller may do has loaded, so a guarded control that is absent stays absent. */
const accessLoaded = () => new Promise((resolve) => setTimeout(resolve, 300));

beforeEach(() => {
  server.state.model = model();
  server.state.versions = [version(3, "none", { accuracy: 0.95 }), version(2, "none", { accuracy: 0.9, f1: 0.88, data_validation: "pass" }), version(1, "production", { accuracy: 0.81 })];
  server.state.transitions = [];
  server.state.me = server.admin;
  server.state.puts = [];
  server.state.patches = [];
  server.state.tables = [];
  server.state.stage = undefined;
});
afterEach(cleanup);

describe("ModelPage", { timeout: 20_000 }, () => {
  it("shows the holders, the versions with a column per metric, the run that made each, and the card", async () => {
    renderAt("/models/iris_classifier");
    expect((await screen.findByTestId("model-production")).textContent).toContain("1");
    expect(screen.getByTestId("model-staging").textContent).toContain("no version");
    expect(await screen.findByText(/owner ada/)).toBeTruthy();
    expect(screen.getByText("Classifies irises")).toBeTruthy(); // the header's summary drops the marks
    const headers = within(await screen.findByTestId("model-versions-table"))
      .getAllByRole("columnheader")
      .map((h) => h.textContent);
    expect(headers).toEqual(["", "Version", "Stage", "Created", "Run", "accuracy ↑", "f1", "data_validation", "Tags", ""]);
    const two = await rowOf("2");
    expect([...two.querySelectorAll("[data-metric]")].map((c) => c.textContent)).toEqual(["0.9", "0.88", "pass"]);
    expect(within(two).getByText("train-2").closest("a")?.getAttribute("href")).toBe("/runs/run-2");
    expect(within(await rowOf("1")).getByTestId("stage-badge").dataset.stage).toBe("production");
    expect((await rowOf("3")).textContent).toContain("outside a run");
    // The best accuracy of the page (higher is better) is in bold.
    expect((await rowOf("3")).querySelector('[data-metric="accuracy"]')?.getAttribute("style") ?? "").toMatch(/font-weight: ?700/);

    fireEvent.click(screen.getByRole("tab", { name: "Model card" }));
    const card = await screen.findByTestId("model-card");
    expect(within(card).getByText("irises").tagName).toBe("STRONG");
    // Markdown, never HTML: a tag in the text shows as text and runs nothing.
    expect(card.textContent).toContain("<script>alert(1)</script>");
    expect(card.querySelector("script")).toBeNull();
  });

  it("asks the server for the metric columns, sort and filter the URL holds", async () => {
    renderAt("/models/iris_classifier?cols=f1&sort=-metadata.accuracy&q=stage:none");
    await screen.findByTestId("model-versions-table");
    const asked = server.state.tables.filter((u) => u.searchParams.get("size") !== "1");
    expect(asked.at(-1)?.searchParams.get("metrics")).toBe("f1");
    expect(asked.at(-1)?.searchParams.get("sort")).toBe("-metadata.accuracy");
    expect(asked.at(-1)?.searchParams.get("q")).toBe("stage:none");
  });

  it("promotes a version into a stage another holds once the replacement is confirmed, with the reason", async () => {
    renderAt("/models/iris_classifier");
    const dialog = await pick("2", "Production");
    expect(dialog.textContent).toContain("Version 1 holds production now; it moves to archived");
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: " better f1 " } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Replace version 1" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(server.state.puts).toEqual([{ path: "/api/v1/models/m-1/versions/2/stage", body: { stage: "production", force: true, reason: "better f1" } }]);
    // The page reads the model again: the new holder, the badges, the history.
    await waitFor(() => expect(screen.getByTestId("model-production").textContent).toContain("2"));
    await waitFor(async () => expect(within(await rowOf("2")).getByTestId("stage-badge").dataset.stage).toBe("production"));
    expect(within(await rowOf("1")).getByTestId("stage-badge").dataset.stage).toBe("archived");
    fireEvent.click(screen.getByRole("tab", { name: "History" }));
    const entry = await screen.findByTestId("transition-row");
    expect(entry.dataset.to).toBe("production");
    expect(entry.textContent).toContain("better f1");
    expect(entry.textContent).toContain("by hand");
  });

  it("shows a 409 in one line in the dialog, then replaces the holder when asked", async () => {
    // The page thinks nobody holds staging; meanwhile version 1 took it.
    server.state.model = model({ stages: { production: "1" } });
    server.state.stage = (body) =>
      body.stage === "staging" && !body.force ? server.json({ detail: "Version 1 of model 'iris_classifier' is in staging; use --force to archive it and put version 3 there (force=True from Python)." }, 409) : undefined;
    renderAt("/models/iris_classifier");
    const dialog = await pick("3", "Staging");
    fireEvent.click(within(dialog).getByRole("button", { name: "Move to staging" }));
    const error = await within(dialog).findByTestId("stage-error");
    expect(error.textContent).toBe("Version 1 of model 'iris_classifier' is in staging; use --force to archive it and put version 3 there (force=True from Python).");
    expect(server.state.puts.map((p) => p.body)).toEqual([{ stage: "staging", force: false }]);
    fireEvent.click(within(dialog).getByRole("button", { name: "Replace version 1" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(server.state.puts.map((p) => p.body)).toEqual([{ stage: "staging", force: false }, { stage: "staging", force: true }]);
  });

  it("Cancel changes nothing, and the stage a version is in cannot be picked again", async () => {
    renderAt("/models/iris_classifier");
    fireEvent.click(within(await rowOf("1")).getByRole("button", { name: "Change the stage of version 1" }));
    const items = await screen.findAllByRole("menuitem");
    expect(items.map((i) => [i.textContent, i.hasAttribute("disabled") || i.dataset.disabled === "true"])).toEqual([
      ["Staging", false],
      ["Production", true],
      ["Archived", false],
      ["None", false],
    ]);
    fireEvent.click(items[2] as HTMLElement);
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("Version 1 moves from production to archived.");
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(server.state.puts).toEqual([]);
  });

  it("shows no stage menu and no Edit card to a viewer", async () => {
    server.state.me = server.viewer;
    renderAt("/models/iris_classifier");
    await rowOf("2");
    await accessLoaded();
    expect(screen.queryByRole("button", { name: /Change the stage/ })).toBeNull();
    expect(screen.queryByRole("button", { name: "Edit card" })).toBeNull();
  });

  it("edits the card: only the sections changed are sent, a cleared one as null", async () => {
    renderAt("/models/iris_classifier?tab=card");
    fireEvent.click(await screen.findByRole("button", { name: "Edit card" }));
    const dialog = await screen.findByRole("dialog", { name: "Model card of iris_classifier" });
    fireEvent.change(within(dialog).getByLabelText("Audience"), { target: { value: "Botanists in the *field*" } });
    fireEvent.change(within(dialog).getByLabelText("License"), { target: { value: "  " } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save card" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(server.state.patches).toEqual([{ audience: "Botanists in the *field*", license: null }]);
    const card = await screen.findByTestId("model-card");
    await waitFor(() => expect(within(card).getByText("field").tagName).toBe("EM"));
  });

  it("says so when the model does not exist", async () => {
    renderAt("/models/nope");
    expect((await screen.findByTestId("model-missing")).textContent).toContain("No model nope");
  });
});

describe("bestOnPage", () => {
  it("marks the best value of each metric with a direction", () => {
    const rows = [version(1, "none", { loss: 0.3, acc: 0.8 }), version(2, "none", { loss: 0.2, acc: "n/a" }), version(3, "none", { acc: 0.9 })];
    expect(bestOnPage(rows, { loss: "lower", acc: "higher", f1: "higher" })).toEqual({ loss: "v2", acc: "v3" });
  });
});

describe("plainSummary", () => {
  it("reads Markdown as one line of words", () => {
    expect(plainSummary("# Iris\n\nClassifies **irises** with [a forest](https://example.com) and `sklearn`.\n\n- one\n- two")).toBe(
      "Iris Classifies irises with a forest and sklearn. one; two",
    );
    expect(plainSummary("<b>raw</b>")).toBe("<b>raw</b>");
  });
});

// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { timeAgo } from "./time";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

/** The server, faked at the one boundary outside the product: fetch. The routes' shapes are the API's. */
const server = vi.hoisted(() => {
  const admin = { user: "admin", is_org_admin: true, organization: [] as string[], workspaces: [], projects: [], shares: [] };
  const viewer = { user: "vic", is_org_admin: false, organization: [] as string[], workspaces: [], projects: [{ id: "p1", permissions: ["model:read"] }], shares: [] };
  const hour = 3600_000;
  const ago = (h: number) => new Date(Date.now() - h * hour).toISOString();
  const run = (n: number, role: string, status = "completed", via: string | null = null) => ({
    id: `run-${n}`,
    name: `${role === "consumer" ? "serving" : "training"}-run-${n}`,
    status,
    role,
    via_stage: via,
    pipeline_name: role === "consumer" ? "serving" : "training",
    user_name: "ada",
    created_at: ago(10 - n),
    ended_at: new Date(Date.parse(ago(10 - n)) + 95_000).toISOString(),
  });
  const artifact = (n: number, name: string, role: string, viz: { type: string; title: string }[] = []) => ({
    id: `av-${n}`,
    artifact_id: `a-${name}`,
    name,
    version: 1,
    role,
    data_type: role === "model" ? "sklearn.linear_model.LogisticRegression" : "pandas.core.frame.DataFrame",
    size: 2048 * n,
    content_hash: `hash${n}`,
    visualizations: viz.map((v, i) => ({ ...v, path: `_viz/${i}`, size: 10, meta: {} })),
    producer_run_id: "run-1",
    producer_run_name: "training-run-1",
    created_at: ago(9),
  });
  const state = {
    me: admin as unknown,
    tags: ["baseline"] as string[],
    patches: [] as { path: string; body: Record<string, unknown> }[],
    runs: {} as Record<string, ReturnType<typeof run>[]>,
    artifacts: {} as Record<string, ReturnType<typeof artifact>[]>,
    asked: [] as URL[],
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const version = () => ({
    id: "mv-1",
    model_id: "m-1",
    model_name: "churn",
    name: "1.0",
    number: 1,
    stage: "production",
    stage_since: ago(3),
    description: "Logistic regression on the usage features.",
    created_at: ago(9),
    tags: state.tags,
  });
  const paged = <T,>(all: T[], url: URL) => {
    const page = Number(url.searchParams.get("page") ?? 1);
    const size = Number(url.searchParams.get("size") ?? 50);
    return json({ items: all.slice((page - 1) * size, page * size), total: all.length, page, size });
  };
  const fetch = async (input: Request | string, init?: RequestInit) => {
    const request = typeof input === "string" ? new Request(new URL(input, "http://127.0.0.1:8742"), init) : input;
    const url = new URL(request.url);
    const path = decodeURIComponent(url.pathname);
    state.asked.push(url);
    if (path === "/api/v1/auth/me") return json({ user: { id: "u1", name: "admin", is_admin: true }, via: "session" });
    if (path === "/api/v1/access/me") return json(state.me);
    if (path === "/api/v1/projects") return json([{ id: "p1", workspace_id: "w1", workspace: "default", name: "default", created_at: "2026-11-01T10:00:00Z" }]);
    if (path === "/api/v1/models/churn/versions-table") {
      return json({ model_id: "m-1", model_name: "churn", project_id: "p1", owner: "ada", metric_keys: [], metrics: [], items: [], total: 1, page: 1, size: 1 });
    }
    if (path === "/api/v1/models/churn/versions/1.0") return json(version());
    const v = /^\/api\/v1\/models\/(churn|m-1)\/versions\/(mv-1|1\.0)(\/.*)$/.exec(path);
    if (v) {
      const rest = v[3];
      if (rest === "/link-counts") {
        const count = (m: Record<string, unknown[]>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, m[k]?.length ?? 0]));
        return json({ runs: count(state.runs, ["producer", "attached", "consumer"]), artifacts: count(state.artifacts, ["model", "data", "deployment", "other"]) });
      }
      if (rest === "/runs") return paged(state.runs[url.searchParams.get("role") ?? ""] ?? [], url);
      if (rest === "/artifacts") {
        const role = url.searchParams.get("role");
        return paged(role ? (state.artifacts[role] ?? []) : Object.values(state.artifacts).flat(), url);
      }
      if (rest === "/tags" && request.method === "PATCH") {
        const body = (await request.json()) as { add: string[]; remove: string[] };
        state.patches.push({ path, body });
        state.tags = [...state.tags.filter((t) => !body.remove.includes(t)), ...body.add.filter((t) => !state.tags.includes(t))].sort();
        return json(state.tags);
      }
    }
    if (/^\/api\/v1\/models\/churn\/versions\/[^/]+$/.test(path)) {
      return json({ detail: `Model 'churn' has no version '${path.split("/").pop()}'; run \`waypost model versions churn\` to see its versions.` }, 404);
    }
    const av = /^\/api\/v1\/artifact-versions\/(av-\d+)(\/visualizations\/(\d+))?$/.exec(path);
    const a = av && Object.values(state.artifacts).flat().find((x) => x.id === av[1]);
    if (av && a && av[3] !== undefined) return new Response(av[3] === "0" ? `# Summary of ${a.id}\n\n6 rows, 2 columns` : "second", { headers: { "content-type": "text/markdown" } });
    if (av && a) return json({ ...a, uri: `/store/${a.name}/1`, materializer: "waypost.PandasMaterializer", materializer_version: "2", producer_step_run_id: "sr-1", tags: [] });
    if (path === "/api/v1/metadata") {
      return paged(
        [
          { id: "md-1", key: "accuracy", value: 0.94, type: "float", run_id: null, step_run_id: null, artifact_version_id: null, model_version_id: "mv-1", created_at: ago(8) },
          { id: "md-2", key: "data_validation", value: "pass", type: "string", run_id: null, step_run_id: null, artifact_version_id: null, model_version_id: "mv-1", created_at: ago(8) },
        ],
        url,
      );
    }
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, admin, viewer, run, artifact, json };
});

const { App, createQueryClient } = await import("../../../app/App");
const { createAppRouter } = await import("../../../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

const group = async (testId: string, role: string) => {
  await waitFor(() => expect(document.querySelector(`[data-testid="${testId}"][data-role="${role}"]`)).not.toBeNull());
  return document.querySelector(`[data-testid="${testId}"][data-role="${role}"]`) as HTMLElement;
};

/** What the caller may do has loaded, so a guarded control that is absent stays absent. */
const accessLoaded = () => new Promise((resolve) => setTimeout(resolve, 300));

beforeEach(() => {
  const { run, artifact } = server;
  server.state.me = server.admin;
  server.state.tags = ["baseline"];
  server.state.patches = [];
  server.state.asked = [];
  // Twelve later runs: more than one page of them.
  server.state.runs = {
    producer: [run(1, "producer")],
    attached: Array.from({ length: 12 }, (_, i) => run(20 + i, "attached", i === 0 ? "failed" : "completed")).reverse(),
    consumer: [run(3, "consumer", "completed", "production")],
  };
  server.state.artifacts = {
    model: [artifact(1, "classifier", "model")],
    data: [
      artifact(2, "features", "data", [{ type: "markdown", title: "Summary" }, { type: "markdown", title: "Second" }]),
      artifact(4, "features", "data", [{ type: "markdown", title: "Summary" }]), // an older version of it
    ],
  };
});
afterEach(cleanup);

describe("ModelVersionPage", { timeout: 20_000 }, () => {
  it("shows the header and the runs in their three groups, each with its count, linking to the runs", async () => {
    renderAt("/models/churn/versions/1.0");
    const page = await screen.findByTestId("model-version-page");
    expect(screen.getByTestId("version-title").textContent).toBe("churn›1.0#1"); // the name, and the number it differs from
    expect(within(page).getAllByTestId("stage-badge")[0]?.dataset.stage).toBe("production");
    expect(screen.getByTestId("stage-since").textContent).toBe("in production since 3 h ago");
    expect(screen.getByText("Logistic regression on the usage features.")).toBeTruthy();
    expect(screen.getByTestId("back-to-model").getAttribute("href")).toBe("/models/churn");

    const training = await group("run-group", "producer");
    await waitFor(() => expect(within(training).getAllByTestId("version-run")).toHaveLength(1));
    expect(within(training).getByRole("heading").textContent).toBe("Training");
    expect(within(training).getByTestId("run-group-count").textContent).toBe("1");
    expect(within(training).getByText("training-run-1").closest("a")?.getAttribute("href")).toBe("/runs/run-1");
    expect(within(training).getByText("1m 35s")).toBeTruthy(); // the duration

    const later = await group("run-group", "attached");
    await waitFor(() => expect(within(later).getAllByTestId("version-run")).toHaveLength(10)); // a page, not all twelve
    expect(within(later).getByRole("heading").textContent).toBe("Later runs");
    expect(within(later).getByTestId("run-group-count").textContent).toBe("12");
    expect(later.textContent).toContain("1–10 of 12, newest first");
    fireEvent.click(within(later).getByRole("button", { name: "2" }));
    await waitFor(() => expect(within(later).getAllByTestId("version-run")).toHaveLength(2));
    expect(within(later).getAllByTestId("version-run").map((r) => r.dataset.status)).toEqual(["completed", "failed"]);
    expect(server.state.asked.some((u) => u.pathname.endsWith("/runs") && u.searchParams.get("role") === "attached" && u.searchParams.get("page") === "2")).toBe(true);

    const consumed = await group("run-group", "consumer");
    await waitFor(() => expect(within(consumed).getAllByTestId("version-run")).toHaveLength(1));
    expect(within(consumed).getByRole("heading").textContent).toBe("Consumed by");
    // The stage the consumer asked for.
    expect(within(consumed).getByTestId("via-stage").textContent).toBe("viaproduction");
    expect(screen.getByRole("tab", { name: "Runs (14)" })).toBeTruthy();
    expect(screen.getByRole("tab", { name: "Artifacts (3)" })).toBeTruthy();
  });

  it("says what to do when no run consumed the version", async () => {
    server.state.runs = { ...server.state.runs, consumer: [] };
    renderAt("/models/churn/versions/1.0");
    const consumed = await group("run-group", "consumer");
    const empty = await within(consumed).findByTestId("runs-empty");
    expect(empty.textContent).toBe('No run consumed this version yet; a pipeline with Model(name="churn", version=ModelStages.PRODUCTION) does once it holds production (it does now).');
    expect(within(consumed).getByTestId("run-group-count").textContent).toBe("0");
  });

  it("groups the artifacts by role with counts, the first visualization drawn and the others a click away", async () => {
    renderAt("/models/churn/versions/1.0?tab=artifacts");
    const model = await group("artifact-group", "model");
    await waitFor(() => expect(within(model).getByTestId("artifact-group-count").textContent).toBe("1"));
    const classifier = await within(model).findByTestId("version-artifact");
    expect(classifier.dataset.artifact).toBe("classifier");
    expect(within(classifier).getByText("classifier").closest("a")?.getAttribute("href")).toBe("/artifacts/classifier?version=1");
    expect(within(classifier).getByTestId("artifact-type").textContent).toBe("sklearn.linear_model.LogisticRegression");
    expect(within(classifier).getByTestId("artifact-size").textContent).toBe("2.0 KB");
    expect(classifier.textContent).toContain("No visualizations were saved with this version.");

    const data = await group("artifact-group", "data");
    await waitFor(() => expect(within(data).getAllByTestId("version-artifact")).toHaveLength(2));
    const [features, older] = within(data).getAllByTestId("version-artifact") as [HTMLElement, HTMLElement];
    await waitFor(() => expect(within(features).getAllByTestId("version-artifact-viz")).toHaveLength(1));
    await waitFor(() => expect(within(features).getByRole("heading", { name: "Summary of av-2" })).toBeTruthy());
    fireEvent.click(within(features).getByRole("button", { name: "Show 1 more visualization" }));
    await waitFor(() => expect(within(features).getAllByTestId("version-artifact-viz")).toHaveLength(2));
    // An older version of the same artifact folds its visualization until asked.
    expect(within(older).queryByTestId("version-artifact-viz")).toBeNull();
    fireEvent.click(within(older).getByRole("button", { name: "Show its visualization (an older version of features)" }));
    await waitFor(() => expect(within(older).getByRole("heading", { name: "Summary of av-4" })).toBeTruthy());

    const deployment = await group("artifact-group", "deployment");
    expect((await within(deployment).findByTestId("artifacts-empty")).textContent).toBe('No deployment artifact; link one with link_artifact_to_model(artifact_version, role="deployment").');
    expect(within(deployment).getByTestId("artifact-group-count").textContent).toBe("0");
    expect((await group("artifact-group", "other")).textContent).toContain("Nothing else is linked to this version.");
  });

  it("lists the version's metadata", async () => {
    renderAt("/models/churn/versions/1.0?tab=metadata");
    const table = await screen.findByTestId("version-metadata");
    expect(within(table).getAllByTestId("metadata-row").map((r) => r.dataset.key)).toEqual(["accuracy", "data_validation"]);
    expect(table.textContent).toContain("0.94");
    expect(server.state.asked.find((u) => u.pathname === "/api/v1/metadata")?.searchParams.get("model_version_id")).toBe("mv-1");
  });

  it("adds and removes tags through PATCH and shows the tags the server answers", async () => {
    renderAt("/models/churn/versions/1.0");
    const tags = await screen.findByTestId("version-tags");
    await waitFor(() => expect(within(tags).getByRole("button", { name: "+ Add tag" })).toBeTruthy());
    fireEvent.click(within(tags).getByRole("button", { name: "+ Add tag" }));
    fireEvent.change(within(tags).getByLabelText("New tag"), { target: { value: " reviewed " } });
    fireEvent.keyDown(within(tags).getByLabelText("New tag"), { key: "Enter" });
    await waitFor(() => expect(within(tags).getAllByTestId("version-tag").map((t) => t.dataset.tag)).toEqual(["baseline", "reviewed"]));
    expect(server.state.patches).toEqual([{ path: "/api/v1/models/m-1/versions/mv-1/tags", body: { add: ["reviewed"], remove: [] } }]);

    fireEvent.click(within(tags).getByRole("button", { name: "Remove tag baseline" }));
    await waitFor(() => expect(within(tags).getAllByTestId("version-tag").map((t) => t.dataset.tag)).toEqual(["reviewed"]));
    expect(server.state.patches.at(-1)?.body).toEqual({ add: [], remove: ["baseline"] });
  });

  it("shows the tags without controls to a viewer", async () => {
    server.state.me = server.viewer;
    renderAt("/models/churn/versions/1.0");
    const tags = await screen.findByTestId("version-tags");
    await accessLoaded();
    expect(within(tags).getAllByTestId("version-tag").map((t) => t.dataset.tag)).toEqual(["baseline"]);
    expect(within(tags).queryByRole("button")).toBeNull();
  });

  it("says which version of which model is missing, with a way back", async () => {
    renderAt("/models/churn/versions/7");
    const missing = await screen.findByTestId("version-missing");
    expect(within(missing).getByRole("heading").textContent).toBe("No version 7 of model churn");
    expect(missing.textContent).toContain("Model 'churn' has no version '7'; run `waypost model versions churn` to see its versions.");
    expect(within(missing).getByText("Back to churn").closest("a")?.getAttribute("href")).toBe("/models/churn");
  });
});

describe("timeAgo", () => {
  it("says how long ago in words", () => {
    const now = Date.parse("2026-11-10T12:00:00Z");
    expect(timeAgo("2026-11-10T11:59:30Z", now)).toBe("just now");
    expect(timeAgo("2026-11-10T11:55:00Z", now)).toBe("5 min ago");
    expect(timeAgo("2026-11-10T09:00:00Z", now)).toBe("3 h ago");
    expect(timeAgo("2026-11-09T12:00:00Z", now)).toBe("1 day ago");
    expect(timeAgo(null, now)).toBe("—");
  });
});

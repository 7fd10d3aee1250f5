// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

/** The server, faked at the one boundary outside the product: fetch. The routes' shapes are the API's. */
const server = vi.hoisted(() => {
  const at = "2026-11-01T10:00:00Z";
  const admin = { user: "admin", is_org_admin: true, organization: [] as string[], workspaces: [], projects: [], shares: [] };
  const state = {
    user: { id: "u1", name: "admin" },
    policy: { stages: [] as string[], approvals_required: 1, source: "none" },
    requests: [] as Record<string, unknown>[],
    rules: [] as Record<string, unknown>[],
    /** Requests the server made: method, path and body. */
    calls: [] as { method: string; path: string; body?: unknown }[],
    /** How a decision is answered; by default as the server does. */
    decide: undefined as undefined | (() => Response),
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const model = { id: "m-1", name: "iris_classifier", description: null, created_at: at, tags: [], latest_version: "2", version_count: 2, stages: { production: "1" }, metric_directions: {} };
  const row = (n: number, stage: string) => ({ id: `v${n}`, number: n, name: String(n), stage, stage_since: null, description: null, created_at: at, run: null, run_count: 0, tags: [], metrics: { accuracy: 0.8 + n / 100 } });
  const versionRead = (n: string, stage: string) => ({ id: `v${n}`, model_id: "m-1", model_name: "iris_classifier", number: Number(n), name: n, stage, created_at: at });
  const pending = (n: string, to: string, body: Record<string, unknown>) => ({
    id: `r-${state.requests.length + 1}`,
    model_id: "m-1",
    model_name: "iris_classifier",
    model_version_id: `v${n}`,
    version_name: n,
    version_number: Number(n),
    to_stage: to,
    force: !!body.force,
    reason: body.reason ?? null,
    requested_by: state.user.id,
    requested_by_name: state.user.name,
    requested_at: at,
    status: "pending",
    how: "manual",
    rule: null,
    approvals_required: state.policy.approvals_required,
    approvals: 0,
    votes: [],
  });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const path = decodeURIComponent(url.pathname);
    const body = input.method === "GET" || input.method === "DELETE" ? undefined : ((await input.json().catch(() => ({}))) as Record<string, unknown>);
    if (input.method !== "GET") state.calls.push({ method: input.method, path, body });
    if (path === "/api/v1/auth/me") return json({ user: { ...state.user, is_admin: true }, via: "session" });
    if (path === "/api/v1/access/me") return json(admin);
    if (path === "/api/v1/projects") return json([{ id: "p1", workspace_id: "w1", workspace: "default", name: "default", created_at: at }]);
    if (path === "/api/v1/model-requests") {
      const mine = url.searchParams.get("mine");
      const items = state.requests.filter(
        (r) => r.status === "pending" && (mine === "requested" ? r.requested_by === state.user.id : mine === "needs_approval" ? r.requested_by !== state.user.id : true),
      );
      return json({ items, total: items.length, page: 1, size: 200 });
    }
    const decision = /^\/api\/v1\/model-requests\/([^/]+)\/(approve|reject)$/.exec(path);
    if (decision) {
      if (state.decide) return state.decide();
      const r = state.requests.find((x) => x.id === decision[1]) as Record<string, unknown>;
      if (decision[2] === "approve" && r.requested_by === state.user.id) return json({ detail: "You asked for request r-1, so you cannot approve it." }, 403);
      const vote = { user_id: state.user.id, user_name: state.user.name, decision: decision[2], comment: body?.comment ?? null, created_at: at };
      const approvals = (r.approvals as number) + (decision[2] === "approve" ? 1 : 0);
      const status = decision[2] === "reject" ? "rejected" : approvals >= (r.approvals_required as number) ? "approved" : "pending";
      Object.assign(r, { approvals, status, votes: [...(r.votes as unknown[]), vote] });
      return json(r);
    }
    const m = /^\/api\/v1\/models\/(iris_classifier|m-1)(\/.*)?$/.exec(path);
    if (!m) return json({ detail: "Not Found" }, 404);
    const rest = m[2] ?? "";
    if (rest === "") return json(model);
    if (rest === "/versions-table") {
      return json({ model_id: "m-1", model_name: "iris_classifier", project_id: "p1", owner: "ada", metric_keys: [{ key: "accuracy", numeric: true }], metrics: ["accuracy"], items: [row(2, "none"), row(1, "production")], total: 2, page: 1, size: 50 });
    }
    if (rest === "/metric-series") return json({ keys: ["accuracy"], points: [] });
    if (rest === "/transitions") return json({ items: [], total: 0, page: 1, size: 50 });
    if (rest === "/approval-policy") return json(state.policy);
    const stage = /^\/versions\/([^/]+)\/stage$/.exec(rest);
    if (stage && body) {
      const n = state.policy.approvals_required;
      return json({ detail: `Putting version ${stage[1]} of model 'iris_classifier' in ${String(body.stage)} needs ${n} approval${n === 1 ? "" : "s"}; request it with \`waypost model request iris_classifier ${stage[1]} ${String(body.stage)}\` (Client().request_model_stage from Python).` }, 409);
    }
    const ask = /^\/versions\/([^/]+)\/stage-requests$/.exec(rest);
    if (ask && body) {
      const made = pending(ask[1] as string, body.stage as string, body);
      state.requests.push(made);
      return json({ outcome: "pending", request: made, version: versionRead(ask[1] as string, "none") });
    }
    if (rest === "/rules" && input.method === "POST" && body) {
      if (String(body.filter).includes(">>")) return json({ detail: "The filter 'metadata.accuracy>>0.9' does not parse at '>>': write KEY>=VALUE; see `waypost model rule add --help`." }, 422);
      const made = { id: `rule-${state.rules.length + 1}`, model_id: "m-1", model_name: "iris_classifier", beats: null, created_at: at, ...body };
      state.rules.push(made);
      return json(made, 201);
    }
    if (rest === "/rules") return json(state.rules);
    const dry = /^\/rules\/([^/]+)\/dry-run$/.exec(rest);
    if (dry) {
      return json({
        rule: dry[1],
        to_stage: "staging",
        checked: 2,
        matches: [{ version_id: "v2", version_name: "2", version_number: 2, stage: "none", metric: 0.82, holder: "1", holder_metric: 0.81 }],
      });
    }
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, json, pending, at };
});

const { at } = server;
const { App, createQueryClient } = await import("../../../app/App");
const { createAppRouter } = await import("../../../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

/** Open version `name`'s stage menu and pick `stage`; returns the dialog. */
async function pick(name: string, stage: string) {
  const table = await screen.findByTestId("model-versions-table");
  const row = within(table)
    .getAllByTestId("model-version-row")
    .find((r) => r.dataset.version === name) as HTMLElement;
  fireEvent.click(within(row).getByRole("button", { name: `Change the stage of version ${name}` }));
  fireEvent.click(await screen.findByRole("menuitem", { name: new RegExp(`^${stage}`) }));
  return screen.findByRole("dialog");
}

/** A pending request for version 2 to production, made by ada (not the caller). */
function adaAsked() {
  server.state.policy = { stages: ["production"], approvals_required: 1, source: "model" };
  const made = server.pending("2", "production", { reason: "better accuracy", force: true });
  Object.assign(made, { requested_by: "u2", requested_by_name: "ada" });
  server.state.requests = [made];
}

const posts = () => server.state.calls.filter((c) => c.method !== "GET");

beforeEach(() => {
  server.state.user = { id: "u1", name: "admin" };
  server.state.policy = { stages: [], approvals_required: 1, source: "none" };
  server.state.requests = [];
  server.state.rules = [];
  server.state.calls = [];
  server.state.decide = undefined;
});
afterEach(cleanup);

describe("approvals", { timeout: 20_000 }, () => {
  it("requests a stage that needs approval instead of setting it, with the reason", async () => {
    server.state.policy = { stages: ["production"], approvals_required: 2, source: "model" };
    renderAt("/models/iris_classifier");
    const dialog = await pick("2", "Production");
    await within(dialog).findByTestId("stage-needs-approval");
    expect(screen.getByRole("dialog", { name: "Request approval: version 2 to production" })).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: " beats 1 " } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Request production" }));
    expect((await within(dialog).findByTestId("stage-requested")).textContent).toBe("Requested: waiting for 2 approvals.");
    // Version 1 holds production: the request archives it once approved (force).
    expect(posts()).toEqual([{ method: "POST", path: "/api/v1/models/m-1/versions/2/stage-requests", body: { stage: "production", force: true, reason: "beats 1" } }]);
    fireEvent.click(within(dialog).getByRole("button", { name: "Close" }));
    // The request is pending on the model page; the caller asked, so no Approve.
    const panel = await screen.findByTestId("pending-requests");
    expect(within(panel).getByTestId("request-votes").textContent).toBe("0 / 2");
    expect(within(panel).queryByRole("button", { name: /^Approve/ })).toBeNull();
    expect(within(panel).getByRole("button", { name: /^Withdraw version 2/ })).toBeTruthy();
  });

  it("turns into a request when the server answers that the stage needs approval (409)", async () => {
    // The page read no policy requiring it; the server knows better.
    server.state.policy = { stages: [], approvals_required: 1, source: "none" };
    renderAt("/models/iris_classifier");
    const dialog = await pick("2", "Staging");
    server.state.policy = { stages: ["staging"], approvals_required: 1, source: "project" };
    fireEvent.click(within(dialog).getByRole("button", { name: "Move to staging" }));
    fireEvent.click(await within(dialog).findByRole("button", { name: "Request staging" }));
    expect((await within(dialog).findByTestId("stage-requested")).textContent).toBe("Requested: waiting for 1 approval.");
    expect(posts().map((c) => [c.method, c.path])).toEqual([
      ["PUT", "/api/v1/models/m-1/versions/2/stage"],
      ["POST", "/api/v1/models/m-1/versions/2/stage-requests"],
    ]);
  });

  it("approves another's request with a comment; the panel empties", async () => {
    adaAsked();
    renderAt("/models/iris_classifier");
    const panel = await screen.findByTestId("pending-requests");
    const row = within(panel).getByTestId("request-row");
    expect(row.textContent).toContain("ada");
    expect(row.textContent).toContain("better accuracy");
    expect(row.textContent).toContain("by hand");
    fireEvent.click(within(row).getByRole("button", { name: "Approve version 2 of iris_classifier to production" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("Your approval completes the request");
    fireEvent.change(within(dialog).getByLabelText(/Comment/), { target: { value: "checked the eval " } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Approve" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(posts()).toEqual([{ method: "POST", path: "/api/v1/model-requests/r-1/approve", body: { comment: "checked the eval" } }]);
    await waitFor(() => expect(screen.queryByTestId("pending-requests")).toBeNull());
  });

  it("shows the requester no Approve button", async () => {
    adaAsked();
    server.state.user = { id: "u2", name: "ada" };
    renderAt("/models/iris_classifier");
    const row = within(await screen.findByTestId("pending-requests")).getByTestId("request-row");
    expect(within(row).queryByRole("button", { name: /^Approve/ })).toBeNull();
    expect(within(row).getByRole("button", { name: /^Withdraw/ }).textContent).toBe("Withdraw");
  });

  it("shows the server's 409 in one line in the dialog", async () => {
    adaAsked();
    server.state.decide = () => server.json({ detail: "Request r-1 was approved already; nothing changed." }, 409);
    renderAt("/approvals");
    const row = await screen.findByTestId("request-row");
    expect(row.textContent).toContain("iris_classifier");
    fireEvent.click(within(row).getByRole("button", { name: /^Reject version 2/ }));
    const dialog = await screen.findByRole("dialog");
    fireEvent.click(within(dialog).getByRole("button", { name: "Reject" }));
    expect((await within(dialog).findByTestId("decision-error")).textContent).toBe("Request r-1 was approved already; nothing changed.");
    expect(posts()).toEqual([{ method: "POST", path: "/api/v1/model-requests/r-1/reject", body: {} }]);
  });

  it("counts the requests waiting for the caller in the header", async () => {
    adaAsked();
    renderAt("/runs");
    expect((await screen.findByTestId("nav-approvals-count")).textContent).toBe("1");
  });

  it("shows the server's 422 for a rule whose filter does not parse, and saves one that does", async () => {
    renderAt("/models/iris_classifier?tab=rules");
    await screen.findByTestId("rules-empty");
    fireEvent.click(screen.getByRole("button", { name: "Add rule" }));
    const dialog = await screen.findByRole("dialog", { name: "Add a promotion rule" });
    fireEvent.change(within(dialog).getByLabelText(/Name/), { target: { value: "accurate" } });
    fireEvent.change(within(dialog).getByLabelText(/Filter/), { target: { value: "metadata.accuracy>>0.9" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Add rule" }));
    expect((await within(dialog).findByTestId("rule-error")).textContent).toBe(
      "The filter 'metadata.accuracy>>0.9' does not parse at '>>': write KEY>=VALUE; see `waypost model rule add --help`.",
    );
    fireEvent.change(within(dialog).getByLabelText(/Filter/), { target: { value: "metadata.accuracy>=0.9" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Add rule" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    const row = await screen.findByTestId("rule-row");
    expect(row.textContent).toContain("metadata.accuracy>=0.9");
    expect(posts().at(-1)?.body).toEqual({ name: "accurate", filter: "metadata.accuracy>=0.9", to_stage: "staging", enabled: true });
  });

  it("dry runs a rule: the versions it would promote, the holder it beats", async () => {
    server.state.rules = [{ id: "rule-1", model_id: "m-1", model_name: "iris_classifier", name: "beats-prod", filter: "", to_stage: "staging", beats: { stage: "production", metric: "accuracy" }, enabled: true, created_at: at }];
    renderAt("/models/iris_classifier?tab=rules");
    fireEvent.click(await screen.findByRole("button", { name: "Dry run beats-prod" }));
    const result = await screen.findByTestId("dry-run");
    expect(within(result).getByTestId("dry-run-summary").textContent).toBe("2 versions matched the filter; 1 would go to staging. Nothing changed.");
    const row = within(result).getByTestId("dry-run-row");
    expect(row.dataset.version).toBe("2");
    expect(row.textContent).toContain("0.82");
    expect(row.textContent).toContain("version 1: 0.81");
    expect(posts()).toEqual([{ method: "POST", path: "/api/v1/models/m-1/rules/beats-prod/dry-run", body: {} }]);
  });
});

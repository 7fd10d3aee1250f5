// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { validateModelSearch } from "../search";
import { describePolicy, policyChange } from "./ApprovalPolicyForm";
import { changedKeys, directionKeys } from "./MetricDirectionsForm";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

/** The server, faked at the one boundary outside the product: fetch. The routes' shapes and rules are the API's. */
const server = vi.hoisted(() => {
  const at = "2026-11-01T10:00:00Z";
  const admin = { user: "admin", is_org_admin: true, organization: [] as string[], workspaces: [], projects: [], shares: [] };
  /** A Developer: changes the model, promotes, but approves nothing. */
  const developer = { user: "ada", is_org_admin: false, organization: [] as string[], workspaces: [], projects: [{ id: "p1", permissions: ["model:read", "model:update", "model:promote"] }], shares: [] };
  const viewer = { user: "vic", is_org_admin: false, organization: [] as string[], workspaces: [], projects: [{ id: "p1", permissions: ["model:read"] }], shares: [] };
  type Stages = string[];
  const state = {
    me: admin as unknown,
    /** The model's own policy (null: it follows the project's). */
    own: null as Stages | null,
    approvals: 1,
    project: { stages: ["staging"] as Stages, approvals_required: 1, source: "project" } as { stages: Stages; approvals_required: number; source: string },
    directions: {} as Record<string, string>,
    /** Writes the server took: method, path and body. */
    writes: [] as { method: string; path: string; body: unknown }[],
    /** The project header each read of the project's policy carried. */
    projectHeaders: [] as (string | null)[],
    /** How a write is answered instead, when set. */
    refuse: undefined as undefined | (() => Response),
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const policy = () => (state.own !== null ? { stages: state.own, approvals_required: state.approvals, source: "model" } : state.project);
  const model = () => ({ id: "m-1", name: "iris_classifier", description: null, created_at: at, tags: [], latest_version: "1", version_count: 1, stages: {}, metric_directions: state.directions });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const path = decodeURIComponent(url.pathname);
    const body = input.method === "GET" ? undefined : ((await input.json()) as Record<string, unknown>);
    if (body) {
      state.writes.push({ method: input.method, path, body });
      if (state.refuse) return state.refuse();
    }
    if (path === "/api/v1/auth/me") return json({ user: { id: "u1", name: "admin", is_admin: true }, via: "session" });
    if (path === "/api/v1/access/me") return json(state.me);
    if (path === "/api/v1/projects") return json([{ id: "p1", workspace_id: "w1", workspace: "default", name: "default", created_at: at }]);
    if (path === "/api/v1/model-requests") return json({ items: [], total: 0, page: 1, size: 200 });
    if (path === "/api/v1/model-approval-policy") {
      state.projectHeaders.push(input.headers.get("X-Waypost-Project"));
      return json(state.project);
    }
    const m = /^\/api\/v1\/models\/(iris_classifier|m-1)(\/.*)?$/.exec(path);
    if (!m) return json({ detail: "Not Found" }, 404);
    const rest = m[2] ?? "";
    if (rest === "" && body) {
      // ModelUpdate: metric_directions replaces the whole mapping.
      if (body.metric_directions) state.directions = body.metric_directions as Record<string, string>;
      return json(model());
    }
    if (rest === "") return json(model());
    if (rest === "/versions-table") {
      const metric_keys = [
        { key: "accuracy", numeric: true },
        { key: "data_validation", numeric: false },
        { key: "loss", numeric: true },
      ];
      return json({ model_id: "m-1", model_name: "iris_classifier", project_id: "p1", owner: "ada", metric_keys, metrics: [], items: [], total: 1, page: 1, size: 1 });
    }
    if (rest === "/approval-policy" && body) {
      if ("stages" in body) state.own = body.stages as Stages | null;
      state.approvals = body.approvals_required as number;
      return json(policy());
    }
    if (rest === "/approval-policy") return json(policy());
    if (rest === "/rules") return json([]);
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, json, admin, developer, viewer };
});

const { App, createQueryClient } = await import("../../../app/App");
const { createAppRouter } = await import("../../../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

const row = (key: string) => screen.getAllByTestId("metric-direction-row").find((r) => r.dataset.key === key) as HTMLElement;
/** Click `label` in the SegmentedControl named `group` (its options are radios). */
const choose = (group: string, label: string) => fireEvent.click(within(screen.getByRole("radiogroup", { name: group })).getByLabelText(label));

beforeEach(() => {
  server.state.me = server.admin;
  server.state.own = null;
  server.state.approvals = 1;
  server.state.project = { stages: ["staging"], approvals_required: 1, source: "project" };
  server.state.directions = {};
  server.state.writes = [];
  server.state.projectHeaders = [];
  server.state.refuse = undefined;
});
afterEach(cleanup);

describe("the settings tab", { timeout: 20_000 }, () => {
  it("opens from the model page's tabs and keeps ?tab=settings in the URL", async () => {
    const router = renderAt("/models/iris_classifier");
    fireEvent.click(await screen.findByRole("tab", { name: "Settings" }));
    await screen.findByTestId("model-settings");
    expect(router.state.location.search).toMatchObject({ tab: "settings" });
    expect(validateModelSearch({ tab: "settings" })).toEqual({ tab: "settings" });
  });

  it("sets the model's own policy: production needs 2 approvals", async () => {
    renderAt("/models/iris_classifier?tab=settings");
    const card = await screen.findByTestId("approval-policy");
    expect((await within(card).findByTestId("approval-policy-source")).textContent).toBe("project's policy");
    expect(within(card).getByTestId("approval-policy-summary").textContent).toContain("Moving a version to staging needs 1 approval.");
    // The project's policy is read for the model's project, whatever the header's switcher says.
    expect((await within(card).findByTestId("project-approval-policy")).textContent).toBe("The project's policy: Moving a version to staging needs 1 approval.");
    expect(server.state.projectHeaders).toContain("p1");
    const save = within(card).getByRole("button", { name: "Save policy" }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    fireEvent.click(within(card).getByLabelText("Set this model's own policy"));
    // Ticked as the project's policy to start from.
    expect((within(card).getByLabelText("Staging") as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(card).getByLabelText("Staging"));
    fireEvent.click(within(card).getByLabelText("Production"));
    fireEvent.change(within(card).getByLabelText(/^Approvals required/), { target: { value: "2" } });
    fireEvent.click(save);

    expect((await within(card).findByTestId("approval-policy-saved")).textContent).toBe("Saved: Moving a version to production needs 2 approvals.");
    expect(server.state.writes).toEqual([{ method: "PATCH", path: "/api/v1/models/m-1/approval-policy", body: { stages: ["production"], approvals_required: 2 } }]);
    await waitFor(() => expect(within(card).getByTestId("approval-policy-source").dataset.source).toBe("model"));
    expect(within(card).getByTestId("approval-policy-summary").textContent).toContain("Moving a version to production needs 2 approvals.");
    expect(within(card).getByTestId("approval-policy-summary").textContent).toContain("This model's own policy is in force");
    // Saved: nothing left to save.
    expect((within(card).getByRole("button", { name: "Save policy" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("goes back to the project's policy (stages: null)", async () => {
    server.state.own = ["production", "archived"];
    server.state.approvals = 3;
    server.state.project = { stages: [], approvals_required: 1, source: "none" };
    renderAt("/models/iris_classifier?tab=settings");
    const card = await screen.findByTestId("approval-policy");
    expect((await within(card).findByTestId("approval-policy-summary")).textContent).toContain("Moving a version to production or archived needs 3 approvals.");
    expect((within(card).getByLabelText("Set this model's own policy") as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(card).getByLabelText("Use the project's policy"));
    expect((await within(card).findByTestId("project-approval-policy")).textContent).toBe("The project has no policy: no stage change needs approval.");
    fireEvent.click(within(card).getByRole("button", { name: "Save policy" }));
    await within(card).findByTestId("approval-policy-saved");
    expect(server.state.writes).toEqual([{ method: "PATCH", path: "/api/v1/models/m-1/approval-policy", body: { stages: null, approvals_required: 3 } }]);
    await waitFor(() => expect(within(card).getByTestId("approval-policy-source").dataset.source).toBe("none"));
    expect(within(card).getByTestId("approval-policy-summary").textContent).toContain("No stage change needs approval.");
  });

  it("refuses approvals out of range before sending, and shows the server's refusal in the form", async () => {
    renderAt("/models/iris_classifier?tab=settings");
    const card = await screen.findByTestId("approval-policy");
    fireEvent.click(await within(card).findByLabelText("Set this model's own policy"));
    fireEvent.change(within(card).getByLabelText(/^Approvals required/), { target: { value: "25" } });
    expect(within(card).getByRole("alert").textContent).toBe("Approvals required must be a whole number from 1 to 20.");
    expect((within(card).getByRole("button", { name: "Save policy" }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(within(card).getByLabelText(/^Approvals required/), { target: { value: "2" } });
    const refusal = "You may not change the approval policy of model 'iris_classifier': it needs model:approve; ask an admin for it.";
    server.state.refuse = () => server.json({ detail: refusal }, 403);
    fireEvent.click(within(card).getByRole("button", { name: "Save policy" }));
    expect((await within(card).findByTestId("approval-policy-error")).textContent).toBe(refusal);
    expect(within(card).queryByTestId("approval-policy-saved")).toBeNull();
    expect(within(card).getByTestId("approval-policy-source").dataset.source).toBe("project");
  });

  it("sets and clears metric directions, sending the whole mapping", async () => {
    server.state.directions = { accuracy: "higher", old_metric: "lower" };
    renderAt("/models/iris_classifier?tab=settings");
    const card = await screen.findByTestId("metric-directions-settings");
    await within(card).findByTestId("metric-directions");
    // Numeric keys, and a key that has a direction though no version logs it now; not the text one.
    expect(within(card).getAllByTestId("metric-direction-row").map((r) => [r.dataset.key, r.dataset.direction])).toEqual([
      ["accuracy", "higher"],
      ["loss", "unset"],
      ["old_metric", "lower"],
    ]);
    expect(card.textContent).toContain("Not listed, having no numeric values: data_validation.");

    choose("Direction of loss", "Lower is better");
    choose("Direction of old_metric", "Not set");
    expect(row("loss").dataset.changed).toBe("true");
    fireEvent.click(within(card).getByRole("button", { name: "Save directions (2 changes)" }));

    expect((await within(card).findByTestId("metric-directions-saved")).textContent).toBe("Saved the direction of loss and old_metric.");
    expect(server.state.writes).toEqual([{ method: "PATCH", path: "/api/v1/models/m-1", body: { metric_directions: { accuracy: "higher", loss: "lower" } } }]);
    // The model is read again: old_metric is gone, nothing is left unsaved.
    await waitFor(() => expect(within(card).getAllByTestId("metric-direction-row").map((r) => r.dataset.key)).toEqual(["accuracy", "loss"]));
    expect(row("loss").dataset.changed).toBeUndefined();
    expect((within(card).getByRole("button", { name: "Save directions" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows the server's refusal of the directions in the form, keeping the change", async () => {
    renderAt("/models/iris_classifier?tab=settings");
    const card = await screen.findByTestId("metric-directions-settings");
    await within(card).findByTestId("metric-directions");
    choose("Direction of accuracy", "Higher is better");
    const refusal = "Model 'iris_classifier' is read-only while it is being migrated; try again in a minute.";
    server.state.refuse = () => server.json({ detail: refusal }, 409);
    fireEvent.click(within(card).getByRole("button", { name: "Save directions" }));
    expect((await within(card).findByTestId("metric-directions-error")).textContent).toBe(refusal);
    expect(row("accuracy").dataset.direction).toBe("higher");
    expect(row("accuracy").dataset.changed).toBe("true");
    // Discarding goes back to what the server holds, and clears the refusal.
    fireEvent.click(within(card).getByRole("button", { name: "Discard changes" }));
    expect(row("accuracy").dataset.direction).toBe("unset");
    expect(within(card).queryByTestId("metric-directions-error")).toBeNull();
    expect(within(card).queryByRole("button", { name: "Discard changes" })).toBeNull();
  });

  it("shows the policy read-only to a user without model:approve, who may still set directions", async () => {
    server.state.me = server.developer;
    server.state.own = ["production"];
    server.state.approvals = 2;
    renderAt("/models/iris_classifier?tab=settings");
    const card = await screen.findByTestId("approval-policy");
    expect((await within(card).findByTestId("approval-policy-summary")).textContent).toContain("Moving a version to production needs 2 approvals.");
    expect((await within(card).findByTestId("approval-policy-readonly")).textContent).toContain("Only users holding model:approve");
    expect(within(card).queryByRole("button", { name: "Save policy" })).toBeNull();
    expect(within(card).queryByRole("radio")).toBeNull();
    // The project's policy, which the model does not follow, is shown for what it is.
    expect((await within(card).findByTestId("project-approval-policy")).textContent).toContain("staging");
    const directions = screen.getByTestId("metric-directions-settings");
    expect(await within(directions).findByRole("radiogroup", { name: "Direction of loss" })).toBeTruthy();
  });

  it("shows everything read-only to a viewer", async () => {
    server.state.me = server.viewer;
    server.state.directions = { loss: "lower" };
    renderAt("/models/iris_classifier?tab=settings");
    await screen.findByTestId("approval-policy-readonly");
    const directions = screen.getByTestId("metric-directions-settings");
    await within(directions).findByTestId("metric-directions-readonly");
    expect(row("loss").textContent).toContain("lower is better");
    expect(row("accuracy").textContent).toContain("not set");
    expect(screen.queryByRole("button", { name: /^Save/ })).toBeNull();
    expect(screen.queryByRole("radiogroup")).toBeNull();
  });
});

describe("settings helpers", () => {
  it("describes a policy in a sentence", () => {
    expect(describePolicy({ stages: [], approvals_required: 1 })).toBe("No stage change needs approval.");
    expect(describePolicy({ stages: ["none", "staging", "production"], approvals_required: 2 })).toBe("Moving a version to production, staging or no stage needs 2 approvals.");
  });

  it("sends nothing for the policy in force", () => {
    const own = { stages: ["production" as const], approvals_required: 2, source: "model" as const };
    expect(policyChange(own, { follow: false, stages: ["production"], approvals: 2 })).toBeUndefined();
    expect(policyChange(own, { follow: false, stages: [], approvals: 2 })).toEqual({ stages: [], approvals_required: 2 });
    expect(policyChange({ ...own, source: "project" }, { follow: true, stages: ["production"], approvals: 2 })).toBeUndefined();
  });

  it("lists the keys a direction can be set for, and which changed", () => {
    expect(directionKeys([{ key: "b", numeric: true }, { key: "t", numeric: false }], { a: "lower" })).toEqual(["a", "b"]);
    expect(changedKeys({ a: "lower", b: "higher" }, { b: "lower", c: "higher" })).toEqual(["a", "b", "c"]);
  });
});

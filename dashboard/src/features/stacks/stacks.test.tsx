// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 6000 });
vi.setConfig({ testTimeout: 30_000 });

const at = "2026-11-01T10:00:00Z";

/** The server, faked at the one boundary outside the product: fetch. Shapes are the API's (schemas/stacks.py). */
const server = vi.hoisted(() => {
  const flavor = (type: string, name: string, more: Record<string, unknown> = {}) => ({
    type,
    name,
    description: `${name} ${type}`,
    config_schema: { type: "object", additionalProperties: false, properties: {} },
    requires: [],
    conflicts: [],
    connector_types: [],
    source: "builtin",
    ...more,
  });
  // The s3 flavor's schema as pydantic writes it (stacks/builtin/artifact_stores.py).
  const s3 = flavor("artifact_store", "s3", {
    connector_types: ["aws"],
    config_schema: {
      additionalProperties: false,
      properties: {
        path: { description: "The bucket and an optional prefix, e.g. s3://ml-artifacts/team-a.", pattern: "^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", title: "Path", type: "string" },
        endpoint_url: { anyOf: [{ maxLength: 2048, type: "string" }, { type: "null" }], default: null, description: "An S3-compatible endpoint.", title: "Endpoint Url" },
        region: { anyOf: [{ maxLength: 64, type: "string" }, { type: "null" }], default: null, description: "The bucket's region.", title: "Region" },
        key: { anyOf: [{ maxLength: 256, type: "string" }, { type: "null" }], default: null, description: "Access key id.", format: "password", secret: true, title: "Key", writeOnly: true },
        secret: { anyOf: [{ maxLength: 256, type: "string" }, { type: "null" }], default: null, description: "Secret access key.", format: "password", secret: true, title: "Secret", writeOnly: true },
      },
      required: ["path"],
      title: "S3 artifact store",
      type: "object",
    },
  });
  const flavors = [
    flavor("orchestrator", "local"),
    flavor("orchestrator", "kube", { requires: ["container_registry"] }),
    flavor("artifact_store", "local"),
    s3,
    flavor("container_registry", "hub"),
  ];
  const component = (type: string, name: string, flavorName: string, config: Record<string, unknown> = {}) => ({
    id: `c-${type}-${name}`,
    workspace_id: "w1",
    name,
    type,
    flavor: flavorName,
    config,
    connector_id: null,
    connector: null,
    description: null,
    created_by: "admin",
    created_at: "2026-11-01T10:00:00Z",
    updated_at: null,
    stacks: [],
  });
  const state = {
    calls: [] as { method: string; path: string; body: string }[],
    components: [] as ReturnType<typeof component>[],
    access: { user: "admin", is_org_admin: true, organization: [] as string[], workspaces: [] as unknown[], projects: [], shares: [] },
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const page = (items: unknown[]) => json({ items, total: items.length, page: 1, size: 1000 });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const body = input.method === "GET" ? "" : await input.text();
    const p = url.pathname;
    state.calls.push({ method: input.method, path: p, body });
    if (p === "/api/v1/auth/me") return json({ user: { id: "u1", name: state.access.user, is_admin: state.access.is_org_admin }, via: "session", has_password: true });
    if (p === "/api/v1/access/me") return json(state.access);
    if (p === "/api/v1/projects") return json([]);
    if (p === "/api/v1/flavors") return json(flavors);
    const one = /^\/api\/v1\/flavors\/([^/]+)\/([^/]+)$/.exec(p);
    if (one) return json(flavors.find((f) => f.type === one[1] && f.name === one[2]) ?? { detail: "Unknown flavor." }, 200);
    if (p === "/api/v1/components" && input.method === "GET") return page(state.components);
    if (p === "/api/v1/components" && input.method === "POST") {
      const asked = JSON.parse(body) as { type: string; name: string; flavor: string; config: Record<string, unknown> };
      const made = component(asked.type, asked.name, asked.flavor, asked.config);
      state.components.push(made);
      return json(made, 201);
    }
    const patch = /^\/api\/v1\/components\/([^/]+)$/.exec(p);
    if (patch && input.method === "PATCH") {
      const found = state.components.find((c) => c.id === patch[1]);
      return json({ ...found, ...(JSON.parse(body) as object) });
    }
    if (p === "/api/v1/components/verify") return json({ ok: true, message: "Reached s3://bucket.", resource: "s3://bucket", duration_ms: 12 });
    if (p === "/api/v1/stacks") {
      const stack = { id: "s1", workspace_id: "w1", name: "default", components: { orchestrator: component("orchestrator", "default", "local"), artifact_store: component("artifact_store", "default", "local") }, created_at: at, is_default: true, active_for: ["admin"] };
      return page([stack]);
    }
    if (p === "/api/v1/secrets") return page([{ id: "sec1", workspace_id: "w1", name: "aws", keys: ["key", "secret"], created_at: at }]);
    if (p === "/api/v1/connectors") return page([]);
    if (p === "/api/v1/runs") return page([]);
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, component };
});

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

const posts = (path: string) => server.state.calls.filter((c) => c.method !== "GET" && c.path === path);

/** Open a Mantine Select and click one of its own options (other selects' options are in the document too). */
async function choose(combobox: HTMLElement, name: string) {
  fireEvent.click(combobox);
  await waitFor(() => expect(document.getElementById(combobox.getAttribute("aria-controls") ?? "")).toBeTruthy());
  const listbox = document.getElementById(combobox.getAttribute("aria-controls") ?? "") as HTMLElement;
  fireEvent.click(within(listbox).getByRole("option", { name, hidden: true }));
}

/** The builder's option for a component (every slot's options are in the document, hidden but one). */
async function builderOption(id: string) {
  const inner = await screen.findByTestId(`option-${id}`);
  return inner.closest("[role=option]") as HTMLElement;
}

beforeEach(() => {
  server.state.calls = [];
  server.state.components = [
    server.component("orchestrator", "default", "local"),
    server.component("orchestrator", "cluster", "kube"),
    server.component("artifact_store", "default", "local"),
    server.component("container_registry", "hub", "hub"),
  ];
  server.state.access = { user: "admin", is_org_admin: true, organization: [], workspaces: [], projects: [], shares: [] };
});

afterEach(cleanup);

describe("the stack builder", () => {
  it("greys out a component whose flavor needs a type the stack lacks, with the reason, until that type is chosen", async () => {
    renderAt("/stacks?build=true");
    const builder = await screen.findByTestId("stack-builder");
    const orchestrator = within(builder).getByTestId("slot-orchestrator");
    fireEvent.click(within(orchestrator).getByRole("combobox"));
    const kube = await builderOption("c-orchestrator-cluster");
    expect(kube.getAttribute("data-combobox-disabled")).toBe("true");
    expect(kube.textContent).toContain("Unavailable: the kube flavor needs a container registry in the stack; pick one first");
    const local = await builderOption("c-orchestrator-default");
    expect(local.getAttribute("data-combobox-disabled")).toBeNull();
    fireEvent.click(within(orchestrator).getByRole("combobox"));

    // With a registry chosen, the kube orchestrator can be picked.
    fireEvent.click(within(within(builder).getByTestId("slot-container_registry")).getByRole("combobox"));
    fireEvent.click(await builderOption("c-container_registry-hub"));
    fireEvent.click(within(orchestrator).getByRole("combobox"));
    await waitFor(async () => expect((await builderOption("c-orchestrator-cluster")).getAttribute("data-combobox-disabled")).toBeNull());
  });

  it("says the orchestrator and artifact store are required, in place, and sends nothing", async () => {
    renderAt("/stacks?build=true");
    const builder = await screen.findByTestId("stack-builder");
    fireEvent.change(within(builder).getByRole("textbox", { name: /Name/ }), { target: { value: "fast" } });
    fireEvent.click(within(builder).getByRole("button", { name: "Create stack" }));
    expect(await within(builder).findByText("A stack needs an orchestrator; pick one.")).toBeTruthy();
    expect(within(builder).getByText("A stack needs an artifact store; pick one.")).toBeTruthy();
    expect(posts("/api/v1/stacks")).toHaveLength(0);
  });
});

describe("the component form", () => {
  it("checks a field against the flavor's schema as it is left, refuses to save while wrong, and sends only what was given", async () => {
    renderAt("/components");
    fireEvent.click(await screen.findByRole("button", { name: "Register a component" }));
    const form = await screen.findByTestId("component-form");
    await choose(within(form).getByRole("combobox", { name: "Type" }), "artifact store");
    await choose(within(form).getByRole("combobox", { name: "Flavor" }), "s3");
    fireEvent.change(within(form).getByRole("textbox", { name: /^Name/ }), { target: { value: "bucket-store" } });
    const path = await within(form).findByRole("textbox", { name: /^Path/ });
    fireEvent.change(path, { target: { value: "my-bucket" } });
    fireEvent.blur(path);
    await waitFor(() => expect(path.getAttribute("aria-invalid")).toBe("true"));
    const shown = document.getElementById(path.getAttribute("aria-describedby")?.split(" ").find((id) => id.endsWith("-error")) ?? "");
    expect(shown?.textContent).toBe("is not valid (The bucket and an optional prefix, e.g. s3://ml-artifacts/team-a)");
    // The optional fields are plain inputs, not a choice between a string and nothing.
    expect(within(form).getByRole("textbox", { name: /^Region/ })).toBeTruthy();

    fireEvent.click(within(form).getByRole("button", { name: "Register component" }));
    await new Promise((r) => setTimeout(r, 50));
    expect(posts("/api/v1/components")).toHaveLength(0);

    fireEvent.change(path, { target: { value: "s3://ml-artifacts/team-a" } });
    const key = within(form).getByLabelText(/^Key/);
    expect(key.getAttribute("type")).toBe("password");
    fireEvent.change(key, { target: { value: "AKIA-TYPED" } });
    await waitFor(() => expect(path.getAttribute("aria-invalid")).not.toBe("true"));
    fireEvent.click(within(form).getByRole("button", { name: "Register component" }));
    await waitFor(() => expect(posts("/api/v1/components")).toHaveLength(1));
    const sent = JSON.parse(posts("/api/v1/components")[0]?.body ?? "{}") as Record<string, unknown>;
    expect(sent).toMatchObject({ name: "bucket-store", type: "artifact_store", flavor: "s3", config: { path: "s3://ml-artifacts/team-a", key: "AKIA-TYPED" } });
    expect(Object.keys(sent.config as object).sort()).toEqual(["key", "path"]);
  });

  it("shows a stored secret as set without its value, keeps it unless replaced, and sends a new one only when typed", async () => {
    server.state.components.push(server.component("artifact_store", "bucket", "s3", { path: "s3://ml/a", key: "********", secret: "********" }));
    renderAt("/components?type=artifact_store");
    fireEvent.click(await screen.findByRole("button", { name: "Edit bucket" }));
    const form = await screen.findByTestId("component-form");
    const key = await within(form).findByLabelText(/^Key/);
    expect((key as HTMLInputElement).value).toBe("");
    expect(key.getAttribute("placeholder")).toBe("•••••••• (set; type to replace)");

    fireEvent.change(within(form).getByRole("textbox", { name: /^Region/ }), { target: { value: "eu-west-1" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(server.state.calls.filter((c) => c.method === "PATCH")).toHaveLength(1));
    const first = JSON.parse(server.state.calls.find((c) => c.method === "PATCH")?.body ?? "{}") as { config: Record<string, unknown> };
    expect(first.config).toEqual({ path: "s3://ml/a", region: "eu-west-1", key: "********", secret: "********" });

    fireEvent.click(await screen.findByRole("button", { name: "Edit bucket" }));
    const again = await screen.findByTestId("component-form");
    fireEvent.change(await within(again).findByLabelText(/^Secret/), { target: { value: "new-secret-value" } });
    fireEvent.click(within(again).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(server.state.calls.filter((c) => c.method === "PATCH")).toHaveLength(2));
    const second = JSON.parse(server.state.calls.filter((c) => c.method === "PATCH")[1]?.body ?? "{}") as { config: Record<string, unknown> };
    expect(second.config.secret).toBe("new-secret-value");
    expect(second.config.key).toBe("********");
  });

  it("verifies an unsaved component and shows the result in place", async () => {
    renderAt("/components");
    fireEvent.click(await screen.findByRole("button", { name: "Register a component" }));
    const form = await screen.findByTestId("component-form");
    fireEvent.change(within(form).getByRole("textbox", { name: /^Name/ }), { target: { value: "runner" } });
    const verify = await within(form).findByRole("button", { name: "Verify before saving" });
    await waitFor(() => expect((verify as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(verify);
    expect((await within(form).findByTestId("verify-result")).textContent).toBe("✓ Reached s3://bucket. (12 ms)");
    expect(posts("/api/v1/components")).toHaveLength(0);
  });
});

describe("who sees the controls", () => {
  it("hides create, edit and delete from a workspace Viewer", async () => {
    server.state.access = {
      user: "vi",
      is_org_admin: false,
      organization: [],
      workspaces: [{ id: "w1", name: "default", permissions: ["stack:read"] }],
      projects: [],
      shares: [],
    };
    renderAt("/components");
    expect(await screen.findByTestId("components-table")).toBeTruthy();
    expect(screen.getAllByRole("button", { name: /^Verify / }).length).toBeGreaterThan(0);
    expect(screen.queryByRole("button", { name: "Register a component" })).toBeNull();
    expect(screen.queryByRole("button", { name: /^Edit / })).toBeNull();
    expect(screen.queryByRole("button", { name: /^Delete / })).toBeNull();
  });
});

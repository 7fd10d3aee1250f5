import { describe, expect, it } from "vitest";

import type { AccessSource, MyAccess, Role } from "../../api/access";
import { accessTree, can, anywhere, canInProject, catalogue } from "./permissions";

const me = (over: Partial<MyAccess> = {}): MyAccess => ({ user: "ana", is_org_admin: false, organization: [], workspaces: [], projects: [], shares: [], ...over });
const role = (name: string, level: Role["level"], permissions: string[], builtin = true): Role => ({ id: `${level}-${name}`, name, level, builtin, permissions, created_at: "2026-01-01T00:00:00Z" });

describe("can", () => {
  it("holds organization-wide, in the workspace, the project or on the shared resource, as the server decides", () => {
    const access = me({
      organization: ["member:read"],
      workspaces: [{ id: "w1", name: "ml", permissions: ["run:share"] }],
      projects: [{ id: "p2", name: "ml/b", permissions: ["pipeline:share"] }],
      shares: [{ resource_type: "run", resource_id: "r9", permissions: ["run:read"] }],
    });
    expect(can(access, "member:read")).toBe(true);
    expect(can(access, "run:share")).toBe(false); // only in workspace ml
    expect(can(access, "run:share", { workspaceId: "w1", projectId: "p1" })).toBe(true);
    expect(can(access, "run:share", { workspaceId: "w2", projectId: "p1" })).toBe(false);
    expect(can(access, "pipeline:share", { workspaceId: "w2", projectId: "p2" })).toBe(true);
    expect(can(access, "run:read", { resource: { type: "run", id: "r9" } })).toBe(true);
    expect(can(access, "run:read", { resource: { type: "run", id: "r8" } })).toBe(false);
    expect(anywhere(access, "pipeline:share")).toBe(true);
    expect(anywhere(access, "audit_log:read")).toBe(false);
    expect(can(me({ is_org_admin: true }), "audit_log:read")).toBe(true);
    expect(can(undefined, "run:read")).toBe(false);
  });

  it("finds a resource's workspace through its project", () => {
    const access = me({ workspaces: [{ id: "w1", name: "ml", permissions: ["run:share"] }] });
    const projects = [{ id: "p1", workspace_id: "w1", workspace: "ml", name: "a", created_at: "" }];
    expect(canInProject(access, "run:share", "p1", projects)).toBe(true);
    expect(canInProject(access, "run:share", "p1", [])).toBe(false);
  });
});

describe("catalogue", () => {
  it("reads the server's permissions from the organization Admin, columns in the usual action order", () => {
    const c = catalogue([role("Admin", "organization", ["organization:read", "organization:update", "usage:read", "team:read", "team:manage_members", "model:approve"]), role("Viewer", "project", ["run:read"])]);
    expect(c.resources).toEqual(["organization", "usage", "team", "model", "run"]);
    expect(c.actions).toEqual(["read", "update", "approve", "manage_members"]);
    expect(c.has("usage", "read")).toBe(true);
    expect(c.has("usage", "update")).toBe(false);
  });

  it("knows which rows a level can use from its built-in roles (a project role's team:read grants nothing)", () => {
    const c = catalogue([role("Admin", "organization", ["team:read", "run:read"]), role("Viewer", "project", ["run:read"])]);
    expect(c.appliesAt("run", "project")).toBe(true);
    expect(c.appliesAt("team", "project")).toBe(false);
    expect(c.appliesAt("team", "organization")).toBe(true);
  });
});

describe("accessTree", () => {
  const source = (over: Partial<AccessSource>): AccessSource => ({ kind: "grant", role: "Viewer", level: "project", scope_type: "project", scope_id: "x", scope: "ml/a", via: "direct", permissions: ["run:read"], ...over });

  it("draws organization → workspace → project, shares apart, scopes with nothing of their own only as parents", () => {
    const tree = accessTree(
      [
        source({ role: "Member", level: "organization", scope_type: "organization", scope: "organization" }),
        source({ role: "Developer", level: "workspace", scope_type: "workspace", scope: "default", via: "team ml" }),
        source({ scope: "ml/b" }),
        source({ scope: "ml/a" }),
        source({ kind: "share", level: "resource", scope_type: "run", scope: "run r1" }),
      ],
      "Acme",
    );
    expect(tree.name).toBe("Acme");
    expect(tree.sources.map((s) => s.role)).toEqual(["Member"]);
    expect(tree.children.map((c) => `${c.kind}:${c.name}`)).toEqual(["workspace:default", "workspace:ml", "shared:Shared resources"]);
    const ml = tree.children[1]!;
    expect(ml.sources).toEqual([]);
    expect(ml.children.map((c) => c.name)).toEqual(["a", "b"]);
    expect(tree.children[0]!.sources[0]!.via).toBe("team ml");
  });
});

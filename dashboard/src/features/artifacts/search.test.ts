// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";

import { sortArtifactsPage } from "./ArtifactsPage";
import { MAX_DEPTH, TRACE_BACK, isArtifactServerSort, validateArtifactSearch, validateArtifactsSearch } from "./search";

describe("validateArtifactsSearch", () => {
  it("keeps a filter, known sorts and paging; drops the rest", () => {
    expect(validateArtifactsSearch({ q: "name~model", sort: "-versions", page: "3", size: 100 })).toEqual({ q: "name~model", sort: "-versions", page: 3, size: 100 });
    expect(validateArtifactsSearch({ q: "  ", sort: "bogus", page: 1, size: 50, cols: "x" })).toEqual({});
    expect(validateArtifactsSearch({ sort: "size" })).toEqual({ sort: "size" });
  });

  it("tells server sorts from page sorts", () => {
    expect(isArtifactServerSort("-created")).toBe(true);
    expect(isArtifactServerSort("size")).toBe(false);
    expect(isArtifactServerSort(undefined)).toBe(false);
  });
});

describe("validateArtifactSearch", () => {
  it("reads a version, a tab and lineage depths from a hand-edited URL", () => {
    expect(validateArtifactSearch({ version: "4", tab: "lineage", up: "7", down: 0 })).toEqual({ version: 4, tab: "lineage", up: 7, down: 0 });
  });

  it("drops nonsense and defaults, and caps the depth at the server's limit", () => {
    expect(validateArtifactSearch({ version: "0", tab: "overview", up: 3, down: 3 })).toEqual({});
    expect(validateArtifactSearch({ version: "x", tab: "nope", up: -1, down: "1.5" })).toEqual({});
    expect(validateArtifactSearch({ up: 999 })).toEqual({ up: MAX_DEPTH });
  });

  it("traces back upstream only", () => {
    expect(TRACE_BACK).toEqual({ tab: "lineage", up: MAX_DEPTH, down: 0 });
  });
});

describe("sortArtifactsPage", () => {
  const a = (name: string, size: number | null, type: string | null) =>
    ({ id: name, name, created_at: "2026-11-01T00:00:00Z", latest_version: 1, size, data_type: type, tags: [] }) as Parameters<typeof sortArtifactsPage>[0][number];
  const items = [a("b", 10, "builtins.dict"), a("a", null, null), a("c", 2, "pandas.DataFrame")];

  it("sorts by size either way, rows without one last", () => {
    expect(sortArtifactsPage(items, "size").map((x) => x.name)).toEqual(["c", "b", "a"]);
    expect(sortArtifactsPage(items, "-size").map((x) => x.name)).toEqual(["b", "c", "a"]);
  });

  it("sorts by type by name", () => {
    expect(sortArtifactsPage(items, "type").map((x) => x.name)).toEqual(["b", "c", "a"]);
  });
});

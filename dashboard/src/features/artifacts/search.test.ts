// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";

import { sortArtifactsPage } from "./ArtifactsPage";
import { suggest } from "../../lib/filter";
import {
  MAX_DEPTH,
  TRACE_BACK,
  artifactServerSuggestion,
  artifactVocabulary,
  isArtifactServerSort,
  termValue,
  validateArtifactSearch,
  validateArtifactsSearch,
  withTerm,
} from "./search";

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

describe("artifact filter suggestions", () => {
  it("asks the server for pipeline, type and tag values only", () => {
    expect(artifactServerSuggestion("name~x pipeline:tr")).toEqual({ key: "pipeline", prefix: "tr" });
    expect(artifactServerSuggestion("type:a,Data")).toEqual({ key: "type", prefix: "Data" });
    expect(artifactServerSuggestion("-tag:")).toEqual({ key: "tag", prefix: "" });
    expect(artifactServerSuggestion("name:mo")).toBeUndefined();
    expect(artifactServerSuggestion("pipe")).toBeUndefined();
  });

  it("offers the new keys and merges server values with the rows in view", () => {
    const rows = [{ id: "1", name: "m", created_at: "", latest_version: 1, pipeline_name: "etl", data_type: "builtins.dict", tags: ["gold"] }] as Parameters<typeof artifactVocabulary>[1];
    const vocabulary = artifactVocabulary(["m"], rows, { key: "type", values: ["pandas.core.frame.DataFrame"] });
    expect(suggest("pip", vocabulary)).toEqual(["pipeline:"]);
    expect(suggest("ty", vocabulary)).toEqual(["type:"]);
    expect(suggest("type:frame", vocabulary)).toEqual(["type:pandas.core.frame.DataFrame"]);
    expect(suggest("pipeline:", vocabulary)).toEqual(["pipeline:etl"]);
    expect(suggest("tag:g", vocabulary)).toEqual(["tag:gold"]);
  });
});

describe("quick filters edit one term of the query", () => {
  it("reads a single plain key:value term", () => {
    expect(termValue("name~x pipeline:train", "pipeline")).toBe("train");
    expect(termValue('type:"a b"', "type")).toBe("a b");
    expect(termValue("pipeline:a,b", "pipeline")).toBeUndefined();
    expect(termValue("-pipeline:a", "pipeline")).toBeUndefined();
    expect(termValue("pipeline:a pipeline:b", "pipeline")).toBeUndefined();
    expect(termValue('name:"open', "pipeline")).toBeUndefined();
  });

  it("replaces, adds and removes the term, leaving the rest as typed", () => {
    expect(withTerm("name~x pipeline:old created>7d", "pipeline", "new")).toBe("name~x created>7d pipeline:new");
    expect(withTerm("", "type", "pandas.DataFrame")).toBe("type:pandas.DataFrame");
    expect(withTerm("pipeline:a -pipeline:b", "pipeline", undefined)).toBe("-pipeline:b");
    expect(withTerm('name:"two  spaces" type:x', "type", "my type")).toBe('name:"two  spaces" type:"my type"');
    expect(withTerm('name:"open', "type", "x")).toBe('name:"open type:x');
  });
});

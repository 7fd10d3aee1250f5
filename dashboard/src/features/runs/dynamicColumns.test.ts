// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";

import { runsExportUrl, type Run } from "../../api/runs";
import { keyGroups } from "./ColumnMenu";
import { columnFor, dynamicLabel, formatValue, sortWithinPage } from "./columns";
import { COLUMNS, dynamicKeys, formatCols, isDynamicKey, isServerSort, parseCols, validateRunsSearch } from "./search";

const now = Date.parse("2026-11-01T11:00:00Z");
const run = (name: string, columns: Record<string, unknown> | null) =>
  ({ id: name, name, pipeline_name: "p", status: "completed", created_at: "2026-11-01T10:00:00Z", tags: [], columns }) as unknown as Run;

describe("parameter and metadata column keys", () => {
  it("knows param.NAME, step.STEP.NAME and metadata.KEY", () => {
    expect(isDynamicKey("param.lr")).toBe(true);
    expect(isDynamicKey("metadata.val.accuracy")).toBe(true);
    expect(isDynamicKey("step.train.epochs")).toBe(true);
    expect(isDynamicKey("step.train")).toBe(false);
    expect(isDynamicKey("step..x")).toBe(false);
    expect(isDynamicKey("param.")).toBe(false);
    expect(isDynamicKey("colour.x")).toBe(false);
    expect(isDynamicKey("metadata.a,b")).toBe(false); // a comma would split the URL's cols
  });

  it("keeps them in the URL after the built-in columns, in the order chosen", () => {
    expect(parseCols("status,metadata.accuracy,bogus,param.lr,metadata.accuracy")).toEqual(["name", "status", "metadata.accuracy", "param.lr"]);
    expect(formatCols(["metadata.accuracy", "name", "status", "param.lr"])).toBe("status,name,metadata.accuracy,param.lr");
    expect(formatCols([...COLUMNS, "metadata.accuracy"])).toBe(`${COLUMNS.join(",")},metadata.accuracy`);
    expect(formatCols([...COLUMNS])).toBeUndefined();
    expect(validateRunsSearch({ cols: "name,metadata.accuracy" })).toEqual({ cols: "name,metadata.accuracy" });
    expect(dynamicKeys(parseCols("name,step.train.k,param.lr"))).toEqual(["step.train.k", "param.lr"]);
  });

  it("has the server sort by metadata, and parameters within the page", () => {
    expect(validateRunsSearch({ sort: "-metadata.accuracy" })).toEqual({ sort: "-metadata.accuracy" });
    expect(isServerSort("-metadata.accuracy")).toBe(true);
    expect(isServerSort(`metadata.${"k".repeat(60)}`)).toBe(false); // longer than the server's sort parameter
    expect(isServerSort("param.lr")).toBe(false);
    expect(isServerSort("step.train.lr")).toBe(false);
    const runs = [run("none", {}), run("low", { "param.lr": 0.5 }), run("text", { "param.lr": "n/a" }), run("high", { "param.lr": 0.9 })];
    expect(sortWithinPage(runs, "-param.lr", now).map((r) => r.name)).toEqual(["text", "high", "low", "none"]);
    expect(sortWithinPage(runs, "param.lr", now).map((r) => r.name)).toEqual(["low", "high", "text", "none"]);
  });
});

describe("a parameter or metadata column", () => {
  it("labels, formats and exports values", () => {
    expect(dynamicLabel("metadata.accuracy")).toBe("accuracy");
    expect(dynamicLabel("param.lr")).toBe("lr");
    expect(dynamicLabel("step.train.v2.epochs")).toBe("train.v2 › epochs");
    expect(formatValue(0.123456789)).toBe("0.123457");
    expect(formatValue(3)).toBe("3");
    expect(formatValue([64, 32])).toBe("[64,32]");
    expect(formatValue(true)).toBe("true");
    const col = columnFor("param.layers");
    expect(col.csv.header).toBe("param.layers");
    expect(col.csv.value(run("a", { "param.layers": [64, 32] }), now)).toBe("[64,32]");
    expect(col.csv.value(run("a", { "param.layers": 0.1 }), now)).toBe(0.1);
    expect(col.csv.value(run("a", null), now)).toBeUndefined();
    expect(columnFor("status").label).toBe("Status");
  });
});

describe("the columns menu's groups", () => {
  const offered = { params: ["param.lr"], step_params: ["step.train.epochs"], metadata: ["metadata.accuracy", "metadata.AUC"] };

  it("groups what the server offers, metrics first, keeping chosen keys no run in view has", () => {
    expect(keyGroups(offered, ["name", "param.seed"], "")).toEqual([
      { title: "Metadata", keys: ["metadata.accuracy", "metadata.AUC"] },
      { title: "Parameters", keys: ["param.lr", "param.seed"] },
      { title: "Step parameters", keys: ["step.train.epochs"] },
    ]);
  });

  it("narrows by what is typed, any case", () => {
    expect(keyGroups(offered, [], "au")).toEqual([{ title: "Metadata", keys: ["metadata.AUC"] }]);
    expect(keyGroups(undefined, [], "")).toEqual([]);
  });
});

describe("runsExportUrl", () => {
  it("asks the server for every matching run with the columns shown", () => {
    const url = new URL(runsExportUrl({ q: "pipeline:train status:failed", sort: "-started", columns: ["name", "metadata.accuracy"] }));
    expect(url.pathname).toBe("/api/v1/runs/export");
    expect(url.searchParams.get("q")).toBe("pipeline:train status:failed");
    expect(url.searchParams.get("sort")).toBe("-started");
    expect(url.searchParams.get("columns")).toBe("name,metadata.accuracy");
    expect(new URL(runsExportUrl({ q: "", columns: [] })).searchParams.has("sort")).toBe(false);
  });
});

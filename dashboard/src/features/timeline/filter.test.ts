import { describe, expect, it } from "vitest";

import { criticalPath } from "./criticalPath";
import { NO_FILTER, chipCounts, criticalIn, filterTimeline } from "./filter";
import { buildTimeline } from "./model";
import { graph, step } from "./testGraph";

const run = () =>
  buildTimeline(
    graph([
      step("load_data", [0, 1]),
      step("split_data", [1, 2], ["load_data"]),
      step("train_a", [2, 10], ["split_data"]),
      step("train_b", [2, 4], ["split_data"], { status: "failed", error_type: "ValueError" }),
      step("report_b", null, ["train_b"], { status: "skipped" }),
      step("cached_prep", [0, 0.1], [], { status: "cached" }),
    ]),
  );

describe("filterTimeline", () => {
  it("keeps every row when nothing is asked", () => {
    const m = run();
    expect(filterTimeline(m, NO_FILTER)).toBe(m);
  });

  it("finds steps by part of their name, any case, and keeps the run's axis", () => {
    const m = run();
    const f = filterTimeline(m, { query: "TRAIN", chips: new Set() });
    expect(f.rows.map((r) => r.name)).toEqual(["train_a", "train_b"]);
    expect(f.rows.map((r) => r.index)).toEqual([0, 1]);
    expect(f.byName.get("train_b")).toBe(1);
    expect(f.origin).toBe(m.origin);
    expect(f.lastEnd).toBe(m.lastEnd);
    // Their dependency (split_data) is not shown: no link to draw.
    expect(f.rows.every((r) => r.deps.length === 0)).toBe(true);
  });

  it("shows only the statuses whose chips are on; failed covers crashed", () => {
    const m = run();
    const f = filterTimeline(m, { query: "", chips: new Set(["failed", "skipped"]) });
    expect(f.rows.map((r) => [r.name, r.status])).toEqual([
      ["train_b", "failed"],
      ["report_b", "skipped"],
    ]);
    expect(f.rows[1]!.deps).toEqual([0]);
    expect(filterTimeline(m, { query: "report", chips: new Set(["failed"]) }).rows).toEqual([]);
  });

  it("counts the rows behind each chip, leaving out chips with none", () => {
    expect(chipCounts(run())).toEqual([
      ["completed", 3],
      ["failed", 1],
      ["cached", 1],
      ["skipped", 1],
    ]);
  });

  it("maps the whole run's critical path onto the rows shown", () => {
    const m = run();
    const critical = criticalPath(m, Date.now());
    const f = filterTimeline(m, { query: "a", chips: new Set() });
    const mapped = criticalIn(critical, m, f);
    expect(mapped.rows.map((i) => f.rows[i]!.name)).toEqual(critical.rows.map((i) => m.rows[i]!.name).filter((n) => f.byName.has(n)));
    expect(mapped.span).toBe(critical.span);
  });
});

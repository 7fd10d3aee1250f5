// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";

import type { Run } from "../../api/runs";
import { durationSeconds, sortWithinPage } from "./columns";
import { runVocabulary } from "./RunsSearchBox";

const now = Date.parse("2026-11-01T11:00:00Z");
const run = (name: string, over: Partial<Run> = {}) =>
  ({ id: name, name, pipeline_name: "p", status: "completed", started_at: "2026-11-01T10:00:00Z", ended_at: "2026-11-01T10:00:10Z", created_at: "2026-11-01T10:00:00Z", tags: [], ...over }) as Run;

describe("durationSeconds", () => {
  it("counts to the end, or to now while going, and nothing before the start", () => {
    expect(durationSeconds(run("a"), now)).toBe(10);
    expect(durationSeconds(run("b", { ended_at: null, status: "running" }), now)).toBe(3600);
    expect(durationSeconds(run("c", { started_at: null }), now)).toBeUndefined();
  });
});

describe("sortWithinPage", () => {
  const runs = [
    run("short"),
    run("never", { started_at: null, ended_at: null }),
    run("long", { ended_at: "2026-11-01T10:05:00Z" }),
  ];

  it("sorts by duration both ways, runs that never started last either way", () => {
    expect(sortWithinPage(runs, "duration", now).map((r) => r.name)).toEqual(["short", "long", "never"]);
    expect(sortWithinPage(runs, "-duration", now).map((r) => r.name)).toEqual(["long", "short", "never"]);
  });

  it("sorts by text columns and leaves unknown keys alone", () => {
    const byPipeline = [run("x", { pipeline_name: "b" }), run("y", { pipeline_name: "a" })];
    expect(sortWithinPage(byPipeline, "pipeline", now).map((r) => r.name)).toEqual(["y", "x"]);
    expect(sortWithinPage(byPipeline, "-pipeline", now).map((r) => r.name)).toEqual(["x", "y"]);
    expect(sortWithinPage(byPipeline, "bogus", now).map((r) => r.name)).toEqual(["x", "y"]);
  });
});

describe("runVocabulary", () => {
  it("offers pipelines from the server and tags, users and stacks from the runs in view", () => {
    const v = runVocabulary(["iris"], [
      run("a", { tags: ["prod", "nightly"], user_name: "ana", stack_name: "gpu" }),
      run("b", { tags: ["prod"], user_name: null }),
    ]);
    expect(v.values?.pipeline).toEqual(["iris"]);
    expect(v.values?.tag).toEqual(["nightly", "prod"]);
    expect(v.values?.user).toEqual(["ana"]);
    expect(v.values?.stack).toEqual(["gpu"]);
    expect(v.keys).toContain("status");
  });
});

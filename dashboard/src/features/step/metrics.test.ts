import { describe, expect, it } from "vitest";

import { noSamplesReason, toMetrics } from "./metrics";

describe("toMetrics", () => {
  it("builds CPU, memory and per-GPU series relative to the first sample", () => {
    const m = toMetrics([
      { t: 101, cpu_percent: 50, rss_bytes: 2 * 1024 * 1024, gpu: [{ index: 1, util_percent: 80, mem_used_bytes: 1024 * 1024 * 1024 }, { index: 0, util_percent: 10 }] },
      { t: 100, cpu_percent: 100, rss_bytes: 1024 * 1024 },
      { bogus: true },
    ]);
    expect(m.cpu).toEqual([{ name: "CPU %", points: [[0, 100], [1, 50]] }]);
    expect(m.memory[0]?.points).toEqual([[0, 1], [1, 2]]);
    expect(m.gpuUtil.map((s) => s.name)).toEqual(["GPU 0", "GPU 1"]);
    expect(m.gpuMemory).toEqual([{ name: "GPU 1", points: [[1, 1024]] }]);
  });
  it("is empty without samples, and says why", () => {
    expect(toMetrics([])).toEqual({ cpu: [], memory: [], gpuUtil: [], gpuMemory: [] });
    expect(noSamplesReason("completed", true)).toMatch(/cache/);
    expect(noSamplesReason("running", false)).toMatch(/finishes/);
  });
});

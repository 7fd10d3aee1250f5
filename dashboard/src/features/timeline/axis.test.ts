import { describe, expect, it } from "vitest";

import { formatOffset, formatSpan, tickStep, ticks } from "./axis";

describe("axis", () => {
  it("picks round tick intervals at least minPx apart", () => {
    expect(tickStep(80 / 1000)).toBe(1000); // 80 px per second
    expect(tickStep(1 / 1000)).toBe(2 * 60_000); // 1 px per second: every 2 minutes
    expect(tickStep(80 / 30_000)).toBe(30_000);
    expect(tickStep(1e-9)).toBeGreaterThan(0);
  });

  it("lists the ticks inside a window", () => {
    expect(ticks(0, 100, 30)).toEqual([0, 30, 60, 90]);
    expect(ticks(45, 100, 30)).toEqual([60, 90]);
  });

  it("labels offsets from the start", () => {
    expect(formatOffset(0)).toBe("+0s");
    expect(formatOffset(500)).toBe("+500ms");
    expect(formatOffset(30_000)).toBe("+30s");
    expect(formatOffset(2_500)).toBe("+2.5s");
    expect(formatOffset(60_000)).toBe("+1m");
    expect(formatOffset(90_000)).toBe("+1m30s");
    expect(formatOffset(2 * 3_600_000 + 15 * 60_000)).toBe("+2h15m");
    expect(formatOffset(86_400_000)).toBe("+1d");
    expect(formatOffset(1_050, 50)).toBe("+1.05s");
    expect(formatOffset(1_100, 50)).toBe("+1.1s");
  });

  it("formats durations", () => {
    expect(formatSpan(12)).toBe("12ms");
    expect(formatSpan(4_200)).toBe("4.2s");
    expect(formatSpan(185_000)).toBe("3m 05s");
    expect(formatSpan(3_720_000)).toBe("1h 02m");
    expect(formatSpan(Number.NaN)).toBe("—");
  });
});

import { describe, expect, it } from "vitest";

import { formatDuration } from "./format";

describe("formatDuration", () => {
  const start = "2026-11-01T10:00:00Z";
  it.each([
    ["2026-11-01T10:00:00.400Z", "0.4s"],
    ["2026-11-01T10:00:42Z", "42s"],
    ["2026-11-01T10:03:05Z", "3m 05s"],
    ["2026-11-01T11:02:00Z", "1h 02m"],
  ])("from 10:00 to %s is %s", (end, text) => {
    expect(formatDuration(start, end)).toBe(text);
  });

  it("counts a running run until now", () => {
    expect(formatDuration(start, null, Date.parse("2026-11-01T10:00:30Z"))).toBe("30s");
  });

  it("shows a dash without a start", () => {
    expect(formatDuration(null, null)).toBe("—");
  });
});

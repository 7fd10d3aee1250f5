import { describe, expect, it } from "vitest";

import { flatten, formatBytes, formatValue } from "./format";

describe("step formatting", () => {
  it("formats bytes", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(200 * 1024 * 1024)).toBe("200 MB");
    expect(formatBytes(undefined)).toBe("—");
  });
  it("formats values on one line", () => {
    expect(formatValue("lr")).toBe("lr");
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(formatValue(null)).toBe("null");
  });
  it("flattens nested settings to dotted keys", () => {
    expect(flatten({ retry: { max: 3, delay: 1 }, tags: ["a"], empty: {}, cache: true })).toEqual([
      ["retry.max", 3],
      ["retry.delay", 1],
      ["tags", ["a"]],
      ["empty", {}],
      ["cache", true],
    ]);
  });
});

import { describe, expect, it } from "vitest";

import { cycleSort as nextSort } from "../../components/SortHeader";
import { COLUMNS, formatCols, isServerSort, parseCols, validateRunsSearch } from "./search";

describe("validateRunsSearch", () => {
  it("keeps valid values and drops defaults", () => {
    expect(validateRunsSearch({ q: "status:failed", sort: "-started", page: 3, size: 100 })).toEqual({
      q: "status:failed",
      sort: "-started",
      page: 3,
      size: 100,
    });
    expect(validateRunsSearch({ q: " ", page: 1, size: 50 })).toEqual({});
  });

  it("drops nonsense from a hand-edited URL", () => {
    expect(validateRunsSearch({ sort: "colour", page: -2, size: 5000 })).toEqual({});
    expect(validateRunsSearch({ q: 42, page: "2" })).toEqual({ q: "42", page: 2 });
  });
});

describe("nextSort", () => {
  it("cycles ascending, descending, default", () => {
    expect(nextSort(undefined, "name")).toBe("name");
    expect(nextSort("name", "name")).toBe("-name");
    expect(nextSort("-name", "name")).toBeUndefined();
    expect(nextSort("-started", "name")).toBe("name");
  });
});

describe("columns in the URL", () => {
  it("reads known columns in order, always with the name", () => {
    expect(parseCols(undefined)).toEqual([...COLUMNS]);
    expect(parseCols("status,bogus,started,status")).toEqual(["name", "status", "started"]);
  });

  it("keeps the default set out of the URL and writes others in table order", () => {
    expect(formatCols([...COLUMNS])).toBeUndefined();
    expect(formatCols(["tags", "name", "status"])).toBe("status,name,tags");
    expect(validateRunsSearch({ cols: "name,status" })).toEqual({ cols: "status,name" });
    expect(validateRunsSearch({ cols: COLUMNS.join(",") })).toEqual({});
  });

  it("accepts page-sorted columns and tells them from server sorts", () => {
    expect(validateRunsSearch({ sort: "-duration" })).toEqual({ sort: "-duration" });
    expect(isServerSort("-started")).toBe(true);
    expect(isServerSort("tags")).toBe(false);
    expect(isServerSort(undefined)).toBe(false);
  });
});

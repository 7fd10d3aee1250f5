import { describe, expect, it } from "vitest";

import { nextSort, validateRunsSearch } from "./search";

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

import { describe, expect, it } from "vitest";

import { pageState, togglePage, toggleSelection } from "./selection";

describe("selection", () => {
  const order = ["a", "b", "c", "d", "e"];

  it("ticks one row, then a shift-click ticks the range from the last click", () => {
    let picked = toggleSelection([], order, "b", undefined, false, 100);
    expect(picked).toEqual(["b"]);
    picked = toggleSelection(picked, order, "e", "b", true, 100);
    expect(picked).toEqual(["b", "c", "d", "e"]);
    picked = toggleSelection(picked, order, "c", "e", true, 100); // c was on: the range c..e goes off
    expect(picked).toEqual(["b"]);
  });

  it("keeps at most max, the earliest ticked first", () => {
    const many = Array.from({ length: 150 }, (_, i) => `r${i}`);
    expect(toggleSelection([], many, "r149", "r0", true, 100)).toHaveLength(100);
    expect(togglePage(["x"], many, 100)).toEqual(["x", ...many.slice(0, 99)]);
  });

  it("the header box ticks the page, unticks it when all were, and says when some are", () => {
    expect(pageState([], order)).toBe("none");
    expect(pageState(["c", "z"], order)).toBe("some");
    const all = togglePage(["z"], order, 100);
    expect(all).toEqual(["z", ...order]);
    expect(pageState(all, order)).toBe("all");
    expect(togglePage(all, order, 100)).toEqual(["z"]); // another page's ticks stay
  });
});

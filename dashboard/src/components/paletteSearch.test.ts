import { describe, expect, it } from "vitest";

import { matchScore, moveIndex, rankItems } from "./paletteSearch";

describe("matchScore", () => {
  it("ranks whole, prefix, word start, substring, then letters in order", () => {
    const s = (label: string) => matchScore(label, "train");
    expect(s("train")).toBeGreaterThan(s("training"));
    expect(s("training")).toBeGreaterThan(s("iris_train"));
    expect(s("iris_train")).toBeGreaterThan(s("pretrain"));
    expect(s("pretrain")).toBeGreaterThan(s("t-r-a-i-n"));
    expect(s("evaluate")).toBe(-1);
  });

  it("is case-blind and matches everything when nothing is typed", () => {
    expect(matchScore("Runs", "ru")).toBeGreaterThan(0);
    expect(matchScore("anything", "  ")).toBe(1);
  });
});

describe("rankItems", () => {
  it("keeps matches, best first, ties in their order, up to the limit", () => {
    const items = ["load_data", "train_model", "evaluate", "model_train", "train"];
    expect(rankItems(items, "train", (x) => x, 3)).toEqual(["train", "train_model", "model_train"]);
    expect(rankItems(items, "", (x) => x, 2)).toEqual(["load_data", "train_model"]);
  });
});

describe("moveIndex", () => {
  it("wraps around with the arrows and jumps with Home/End", () => {
    expect(moveIndex(0, 3, "ArrowDown")).toBe(1);
    expect(moveIndex(2, 3, "ArrowDown")).toBe(0);
    expect(moveIndex(0, 3, "ArrowUp")).toBe(2);
    expect(moveIndex(1, 3, "End")).toBe(2);
    expect(moveIndex(2, 3, "Home")).toBe(0);
    expect(moveIndex(1, 3, "a")).toBe(1);
    expect(moveIndex(0, 0, "ArrowDown")).toBe(0);
  });
});

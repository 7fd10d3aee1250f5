import { describe, expect, it } from "vitest";

import { benchGraph } from "./fixtures";
import { findSteps } from "./FindStep";

describe("findSteps", () => {
  const steps = benchGraph().steps;
  it("puts names that start with the query first, then names or step functions that contain it", () => {
    expect(findSteps(steps, "stage_25").map((s) => s.name)).toEqual(["stage_25", "stage_250", "stage_251", "stage_252", "stage_253", "stage_254", "stage_255", "stage_256"]);
    expect(findSteps(steps, "SOURCE")[0]?.name).toBe("source");
    expect(findSteps(steps, "rain_49", 3).map((s) => s.name)).toEqual(["train_49", "train_490", "train_491"]);
    expect(findSteps(steps, "nope")).toEqual([]);
  });
});

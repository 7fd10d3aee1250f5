import { describe, expect, it } from "vitest";

import { cacheState, notRun } from "./stepState";

describe("notRun", () => {
  it("names the upstream step a skipped step waited for", () => {
    expect(notRun({ status: "skipped", error_message: "Skipped: upstream step 'check_labels' failed." })).toEqual({
      kind: "skipped",
      upstream: "check_labels",
      upstreamStatus: "failed",
      message: null,
    });
    expect(notRun({ status: "skipped", error_message: "Skipped: upstream step 'a.b' did not run." })?.upstreamStatus).toBe("did not run");
  });

  it("keeps an unrecognised reason verbatim", () => {
    expect(notRun({ status: "skipped", error_message: "operator skipped it" })).toEqual({ kind: "skipped", upstream: null, upstreamStatus: null, message: "operator skipped it" });
  });

  it("treats a step stopped with its run as not run, and a failure as an error", () => {
    expect(notRun({ status: "stopped", error_message: "The run was stopped." })?.kind).toBe("stopped");
    expect(notRun({ status: "stopped", error_type: "KeyboardInterrupt", traceback: "Traceback…" })).toBeUndefined();
    expect(notRun({ status: "failed", error_type: "ValueError", error_message: "bad" })).toBeUndefined();
    expect(notRun({ status: "completed" })).toBeUndefined();
  });
});

describe("cacheState", () => {
  it("reports a hit with where it came from", () => {
    expect(cacheState({ status: "cached", cached_from_run_id: "r1", cached_from_step_run_id: "s1" })).toEqual({ kind: "hit", runId: "r1", stepRunId: "s1" });
  });

  it("says caching was off rather than calling it a miss", () => {
    expect(cacheState({ status: "completed", cache_key: "k", cache_miss_reason: "Caching is disabled for this step." })).toEqual({ kind: "disabled" });
    expect(cacheState({ status: "completed", cache_key: null, cache_miss_reason: null })).toEqual({ kind: "disabled" });
  });

  it("reports a real miss with its reason", () => {
    expect(cacheState({ status: "completed", cache_key: "k", cache_miss_reason: "Parameter 'lr' changed (0.1 -> 0.2)." })).toEqual({
      kind: "miss",
      reason: "Parameter 'lr' changed (0.1 -> 0.2).",
    });
  });

  it("does not call a skipped step a miss", () => {
    expect(cacheState({ status: "skipped", cache_key: null, cache_miss_reason: null })).toEqual({ kind: "not-checked" });
  });
});

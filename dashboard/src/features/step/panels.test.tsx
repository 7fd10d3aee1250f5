// @vitest-environment happy-dom
import { MantineProvider } from "@mantine/core";
import { cleanup, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";

import type { StepRun } from "../../api/steps";
import { CodeTab } from "./CodeTab";
import { MetricsTab } from "./MetricsTab";
import { StepError } from "./StepNotices";

afterEach(cleanup);

function wrap(node: ReactNode) {
  return render(<MantineProvider>{node}</MantineProvider>);
}

function stepRun(overrides: Partial<StepRun> = {}): StepRun {
  return {
    id: "00000000-0000-0000-0000-000000000001",
    run_id: "00000000-0000-0000-0000-000000000002",
    name: "train",
    step_name: "train",
    status: "completed",
    cache_key: null,
    cache_components: {},
    cache_miss_reason: null,
    cached_from_step_run_id: null,
    cached_from_run_id: null,
    parameters: {},
    config: {},
    source_code: "",
    source_hash: "abc123",
    docstring: null,
    upstream: [],
    log_uri: null,
    error_type: null,
    error_message: null,
    traceback: null,
    resource_samples: [],
    created_at: "2026-01-01T00:00:00Z",
    started_at: null,
    ended_at: null,
    ...overrides,
  } as StepRun;
}

describe("StepError", () => {
  it("shows the error type, message and traceback of a failed step", () => {
    wrap(
      <StepError
        step={stepRun({
          status: "failed",
          error_type: "RuntimeError",
          error_message: "training diverged",
          traceback: 'Traceback (most recent call last):\n  File "x.py", line 1\nRuntimeError: training diverged',
        })}
      />,
    );
    expect(screen.getByRole("alert").textContent).toContain("RuntimeError");
    expect(screen.getByText("training diverged")).toBeTruthy();
    expect(screen.getByTestId("step-traceback").textContent).toContain('File "x.py", line 1');
  });
  it("shows a skipped step's reason neutrally, not as an error", () => {
    wrap(<StepError step={stepRun({ status: "skipped", error_message: "skipped by the operator" })} />);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByTestId("step-error")).toBeNull();
    expect(screen.getByTestId("step-not-run").textContent).toContain("skipped by the operator");
  });
  it("shows nothing for a step without an error", () => {
    wrap(<StepError step={stepRun()} />);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("CodeTab", () => {
  it("numbers the source lines, docstring above", () => {
    wrap(<CodeTab step={stepRun({ source_code: "def train():\n    return 1\n", docstring: "Train it." })} />);
    expect(screen.getByTestId("step-docstring").textContent).toBe("Train it.");
    const lines = screen.getByTestId("step-source").querySelectorAll(".wp-code-line");
    expect(lines).toHaveLength(2);
    expect(lines[1]?.textContent).toBe("2    return 1");
  });
  it("says when no source was recorded", () => {
    wrap(<CodeTab step={stepRun()} />);
    expect(screen.getByText(/No source was recorded/)).toBeTruthy();
  });
});

describe("MetricsTab", () => {
  it("explains an empty cached step", () => {
    wrap(<MetricsTab step={stepRun({ status: "cached", cached_from_step_run_id: "00000000-0000-0000-0000-000000000003" })} />);
    expect(screen.getByTestId("metrics-empty").textContent).toMatch(/No samples recorded.*cache/);
  });
});

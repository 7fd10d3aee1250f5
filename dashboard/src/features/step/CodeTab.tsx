import { Stack, Text } from "@mantine/core";

import type { StepRun } from "../../api/steps";
import "./logs.css";

/** The step function's source as it ran (docstring above), with line numbers. */
export function CodeTab({ step }: { step: StepRun }) {
  if (!step.source_code) {
    return (
      <Text fz="sm" c="dimmed">
        No source was recorded for this step (it was defined where Python cannot read its source, e.g. a REPL).
      </Text>
    );
  }
  const lines = step.source_code.replace(/\n$/, "").split("\n");
  return (
    <Stack gap="xs" style={{ flex: 1, minHeight: 0 }}>
      {step.docstring && (
        <Text fz="sm" style={{ whiteSpace: "pre-wrap" }} data-testid="step-docstring">
          {step.docstring}
        </Text>
      )}
      <Text fz="xs" c="dimmed">
        {lines.length} lines · source hash <span style={{ fontFamily: "var(--mantine-font-family-monospace)" }}>{step.source_hash.slice(0, 12)}</span>
      </Text>
      <pre className="wp-code" data-testid="step-source" aria-label="Source code" style={{ flex: 1, minHeight: 0 }}>
        {lines.map((line, i) => (
          <div key={i} className="wp-code-line">
            <span className="wp-code-num">{i + 1}</span>
            <span>{line || " "}</span>
          </div>
        ))}
      </pre>
    </Stack>
  );
}

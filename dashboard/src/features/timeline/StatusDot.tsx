import type { StepStatus } from "../../api/graph";
import { stepColor } from "../../components/StepStatusBadge";

/** A status as the chart draws it: a filled dot, hollow while pending, a diamond for a cache hit. */
export function StatusDot({ status }: { status: StepStatus }) {
  const color = `var(--mantine-color-${stepColor(status)}-filled)`;
  const cached = status === "cached";
  return (
    <span
      aria-hidden
      style={{
        display: "inline-block",
        flex: "none",
        width: 8,
        height: 8,
        borderRadius: cached ? 1 : 4,
        transform: cached ? "rotate(45deg) scale(0.85)" : undefined,
        background: status === "pending" ? "transparent" : color,
        border: `1.5px solid ${color}`,
      }}
    />
  );
}

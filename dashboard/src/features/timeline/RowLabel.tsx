import { memo } from "react";

import { ROW_H } from "./draw";
import type { TimelineRow } from "./model";
import { StatusDot } from "./StatusDot";

/** The critical path's accent, matched by the canvas outline (see palette.ts). */
export const CRITICAL_CSS = "light-dark(var(--mantine-color-orange-7), var(--mantine-color-yellow-4))";

interface Props {
  row: TimelineRow;
  id: string;
  top: number;
  selected: boolean;
  hovered: boolean;
  /** On the critical path (said to screen readers and tests whether or not it is drawn). */
  critical: boolean;
  /** The critical path is switched on: its rows are marked, the others faded. */
  showCritical: boolean;
  onSelect: (name: string) => void;
  onHover: (index: number | null) => void;
}

/** One step's name in the left column: its status dot and name; a click selects it. */
export const RowLabel = memo(function RowLabel({ row, id, top, selected, hovered, critical, showCritical, onSelect, onHover }: Props) {
  const pending = row.status === "pending";
  return (
    <div
      id={id}
      role="option"
      aria-selected={selected}
      aria-label={`${row.name}, ${row.status}${critical ? ", on the critical path" : ""}`}
      data-testid="timeline-row"
      data-step={row.name}
      data-status={row.status}
      data-critical={critical ? "true" : undefined}
      title={row.name === row.step.step_name ? row.name : `${row.name} (${row.step.step_name})`}
      onClick={() => onSelect(row.name)}
      onMouseEnter={() => onHover(row.index)}
      onMouseLeave={() => onHover(null)}
      style={{
        position: "absolute",
        left: 0,
        right: 0,
        top,
        height: ROW_H,
        display: "flex",
        alignItems: "center",
        gap: 8,
        padding: "0 8px 0 10px",
        cursor: "pointer",
        background: selected ? "var(--mantine-primary-color-light)" : hovered ? "var(--mantine-color-default-hover)" : undefined,
        opacity: showCritical && !critical ? 0.4 : undefined,
        boxShadow: showCritical && critical ? `inset 3px 0 0 ${CRITICAL_CSS}` : undefined,
      }}
    >
      <StatusDot status={row.status} />
      <span
        style={{
          fontFamily: "var(--mantine-font-family-monospace)",
          fontSize: 12,
          fontWeight: selected ? 600 : undefined,
          color: pending ? "var(--mantine-color-dimmed)" : undefined,
          overflow: "hidden",
          textOverflow: "ellipsis",
          whiteSpace: "nowrap",
        }}
      >
        {row.name}
      </span>
    </div>
  );
});

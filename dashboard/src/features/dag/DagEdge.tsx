import { type Edge, type EdgeProps, getBezierPath } from "@xyflow/react";
import { memo } from "react";

import type { EdgeModel } from "./model";

export type DagEdgeData = { kind: EdgeModel["kind"]; count: number; highlight: boolean };
export type DagFlowEdge = Edge<DagEdgeData, "dag">;

/** A data or ordering edge; its path carries the ids tests and benchmarks look edges up by. */
export const DagEdge = memo(function DagEdge(props: EdgeProps<DagFlowEdge>) {
  const [d] = getBezierPath(props);
  const merged = props.data?.count ?? 1;
  return (
    <path
      className="react-flow__edge-path"
      d={d}
      fill="none"
      markerEnd={props.markerEnd}
      data-testid="dag-edge"
      data-source={props.source}
      data-target={props.target}
      data-kind={props.data?.kind}
      data-count={merged}
      data-highlight={props.data?.highlight ?? false}
      // Merged edges (a folded group's many calls) are drawn heavier, growing slowly with the count.
      style={{
        strokeDasharray: props.data?.kind === "after" ? "6 4" : undefined,
        strokeWidth: merged > 1 ? Math.min(1 + Math.log2(merged), 6) : undefined,
      }}
    />
  );
});

export const edgeTypes = { dag: DagEdge };

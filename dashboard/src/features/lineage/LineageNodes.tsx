import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import { type CSSProperties, type KeyboardEvent, memo } from "react";

import type { LineageNode } from "../../api/artifacts";
import type { StepStatus } from "../../api/graph";
import { statusVar } from "../dag/nodes";

export type LineageNodeData = LineageNode & { root: boolean; distance: number | undefined; open: () => void };
export type LineageStepFlowNode = Node<LineageNodeData, "lineageStep">;
export type LineageArtifactFlowNode = Node<LineageNodeData, "lineageArtifact">;
export type LineageFlowNode = LineageStepFlowNode | LineageArtifactFlowNode;

function Handles() {
  return (
    <>
      <Handle className="dag-handle" type="target" position={Position.Left} isConnectable={false} />
      <Handle className="dag-handle" type="source" position={Position.Right} isConnectable={false} />
    </>
  );
}

const STATUSES = new Set(["pending", "initializing", "running", "completed", "failed", "cached", "skipped", "stopped", "crashed"]);
/** Enter or Space on a focused node opens it, as a click does. */
function keys(open: () => void) {
  return {
    role: "link",
    tabIndex: 0,
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        open();
      }
    },
  };
}

const asStatus = (s: string | null): StepStatus => (s && STATUSES.has(s) ? (s as StepStatus) : "pending");

/** A step run, styled as in the run DAG, naming the run it belongs to. */
const LineageStep = memo(function LineageStep({ data }: NodeProps<LineageStepFlowNode>) {
  const status = asStatus(data.status ?? null);
  return (
    <div
      className="dag-node lineage-node"
      data-testid="lineage-node"
      data-kind="step"
      data-id={data.id}
      data-status={status}
      data-root={data.root}
      {...keys(data.open)}
      style={{ "--dag-c": statusVar(status) } as CSSProperties}
      title={`Step ${data.name}${data.step && data.step !== data.name ? ` (${data.step})` : ""} of run ${data.run_name ?? "?"}: ${status}. Click to open it in its run.`}
    >
      <Handles />
      <div className="dag-line dag-name">{data.name}</div>
      <div className="dag-line">
        <span style={{ color: status === "pending" ? undefined : statusVar(status), fontWeight: 600 }}>{status}</span>
      </div>
      <div className="dag-line dag-dim">run {data.run_name ?? "?"}</div>
    </div>
  );
});

/** An artifact version: name and version, its type, and the run that wrote it. */
const LineageArtifact = memo(function LineageArtifact({ data }: NodeProps<LineageArtifactFlowNode>) {
  return (
    <div
      className="dag-artifact lineage-artifact lineage-node"
      data-testid="lineage-node"
      data-kind="artifact"
      data-id={data.id}
      data-root={data.root}
      {...keys(data.open)}
      title={`${data.name}${data.version !== null ? ` v${data.version}` : ""}: ${data.data_type ?? "unknown type"}, ${data.run_name ? `from run ${data.run_name}` : "uploaded outside a run"}. Click to open it.`}
    >
      <Handles />
      <div className="dag-line">
        <b>{data.name}</b>
        {data.version !== null && <span className="dag-dim"> · v{data.version}</span>}
        {data.data_type && <span className="dag-dim"> · {data.data_type.split(".").pop()}</span>}
      </div>
      <div className="dag-line dag-dim">{data.run_name ? `run ${data.run_name}` : "uploaded"}</div>
    </div>
  );
});

export const lineageNodeTypes = { lineageStep: LineageStep, lineageArtifact: LineageArtifact };

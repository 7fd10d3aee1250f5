import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import { type CSSProperties, memo, useEffect, useState } from "react";

import { isActive, type StepStatus } from "../../api/graph";
import { stepColor } from "../../components/StepStatusBadge";
import { formatDuration } from "../runs/format";
import { type ArtifactNodeModel, type GroupNodeModel, STATUS_ORDER, type StepNodeModel } from "./model";

export type StepNodeData = StepNodeModel & { selected: boolean };
export type GroupNodeData = GroupNodeModel & { selected: string | undefined };
export type ArtifactNodeData = ArtifactNodeModel & { selected: boolean };

export type StepFlowNode = Node<StepNodeData, "step">;
// Not "group": that is one of xyflow's built-in node types.
export type GroupFlowNode = Node<GroupNodeData, "stepGroup">;
export type ArtifactFlowNode = Node<ArtifactNodeData, "artifact">;
export type DagFlowNode = StepFlowNode | GroupFlowNode | ArtifactFlowNode;

export const statusVar = (status: StepStatus) => `var(--mantine-color-${stepColor(status)}-filled)`;

/** The time now, ticking each second only while `live` (a running step's duration). */
function useNow(live: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live]);
  return now;
}

function Handles() {
  return (
    <>
      <Handle className="dag-handle" type="target" position={Position.Left} isConnectable={false} />
      <Handle className="dag-handle" type="source" position={Position.Right} isConnectable={false} />
    </>
  );
}

export const StepNode = memo(function StepNode({ data }: NodeProps<StepFlowNode>) {
  const s = data.step;
  const status: StepStatus = s.status ?? "pending";
  const live = isActive(s.status) && !s.ended_at;
  const now = useNow(live);
  const duration = s.started_at ? formatDuration(s.started_at, s.ended_at, now) : null;
  // Why a step ran or came from the cache is said once, in the step panel's Cache section: the
  // same sentence on every node of a first run ("no earlier run…") buried the errors.
  const third = s.error_type ?? (s.step_name !== s.name ? s.step_name : null);
  return (
    <div
      className="dag-node"
      data-testid="dag-node"
      data-step={s.name}
      data-status={status}
      data-selected={data.selected}
      style={{ "--dag-c": statusVar(status) } as CSSProperties}
      title={`${s.name} (${s.step_name}): ${status}${s.error_type ? ` — ${s.error_type}` : ""}${s.cache_miss_reason ? `\n${s.cache_miss_reason}` : ""}`}
    >
      <Handles />
      <div className="dag-line dag-name">{s.name}</div>
      <div className="dag-line">
        {/* Pending and skipped read dimmed: grey's filled shade is near-invisible on a dark node. */}
        <span style={{ color: status === "pending" || status === "skipped" ? "var(--mantine-color-dimmed)" : statusVar(status), fontWeight: 600 }}>{status}</span>
        {duration && <span className="dag-dim"> · {duration}</span>}
      </div>
      {third && <div className={`dag-line ${s.error_type ? "dag-error" : "dag-dim"}`}>{third}</div>}
    </div>
  );
});

export const GroupNode = memo(function GroupNode({ data }: NodeProps<GroupFlowNode>) {
  const n = data.members.length;
  const parts = STATUS_ORDER.flatMap((st) => (data.counts[st] ? [[st, data.counts[st]] as const] : []));
  const chosen = data.selected ? data.members.find((m) => m.name === data.selected) : undefined;
  const firstError = data.members.find((m) => m.error_type)?.error_type;
  return (
    <div
      className="dag-group"
      data-testid="dag-group"
      data-step-name={data.group.stepName}
      data-count={n}
      data-selected={chosen !== undefined}
      data-failed={!!(data.counts.failed || data.counts.crashed)}
      data-running={!!(data.counts.running || data.counts.initializing)}
      title={`${n} calls of ${data.group.stepName} — click to expand`}
    >
      <Handles />
      <div className="dag-line">
        <span className="dag-name">{data.group.stepName}</span> <span className="dag-dim">×{n}</span>
      </div>
      <div className="dag-bar" role="img" aria-label={parts.map(([st, c]) => `${c} ${st}`).join(", ")}>
        {parts.map(([st, c]) => (
          <div key={st} style={{ width: `${(100 * c) / n}%`, background: st === "pending" ? "var(--mantine-color-gray-4)" : statusVar(st) }} />
        ))}
      </div>
      <div className="dag-line dag-dim">{parts.map(([st, c]) => `${c} ${st}`).join(" · ")}</div>
      {chosen ? (
        <div className={`dag-line ${chosen.error_type ? "dag-error" : ""}`}>
          ▸ {chosen.name} · {chosen.status ?? "pending"}
          {chosen.error_type ? ` · ${chosen.error_type}` : ""}
        </div>
      ) : (
        firstError && <div className="dag-line dag-error">{firstError}</div>
      )}
    </div>
  );
});

export const ArtifactNode = memo(function ArtifactNode({ data }: NodeProps<ArtifactFlowNode>) {
  const produced = data.count > 1 || data.version !== null;
  return (
    <div
      className="dag-artifact dag-line"
      data-testid="dag-artifact"
      data-id={data.id}
      data-produced={produced}
      title={`${data.output}: ${data.dataType}${data.version !== null ? `, version ${data.version}` : ""}${data.count > 1 ? ` (${data.count} calls)` : ""}`}
    >
      <Handles />
      <b>{data.output}</b>
      {data.count > 1 && <span> ×{data.count}</span>}
      <span className="dag-dim"> · {data.dataType}</span>
      {data.version !== null && <span className="dag-dim"> · v{data.version}</span>}
    </div>
  );
});

export const nodeTypes = { step: StepNode, stepGroup: GroupNode, artifact: ArtifactNode };

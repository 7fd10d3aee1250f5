import "@xyflow/react/dist/style.css";

import { Badge, Box, Group, Loader, Text, useComputedColorScheme } from "@mantine/core";
import { type Edge, type EdgeProps, Handle, type Node, type NodeProps, Position, ReactFlow, ReactFlowProvider, getBezierPath } from "@xyflow/react";
import { memo, useMemo } from "react";

import { useLayout } from "../dag/useLayout";
import { type DiffEdge, type DiffNode, NODE_SIZE, type StepChange, diffGraph, diffLayoutRequest } from "./diffGraph";

/** How each kind of change is drawn, in the graph and in the legend. */
export const CHANGE_STYLE: Record<StepChange, { color: string; label: string; dash?: string }> = {
  added: { color: "green", label: "added" },
  removed: { color: "red", label: "removed", dash: "6 4" },
  rewired: { color: "violet", label: "re-wired" },
  changed: { color: "orange", label: "changed" },
  same: { color: "gray", label: "unchanged" },
};

// xyflow wants its data as records: the diff's own shapes, widened.
type NodeData = Record<string, unknown> & DiffNode & { picked: boolean };
type EdgeData = Record<string, unknown> & DiffEdge;
type StepFlowNode = Node<NodeData, "diffStep">;
type StepFlowEdge = Edge<EdgeData, "diffEdge">;

const StepNode = memo(function StepNode({ data }: NodeProps<StepFlowNode>) {
  const style = CHANGE_STYLE[data.change];
  const color = `var(--mantine-color-${style.color}-filled)`;
  return (
    <Box
      data-testid="diff-node"
      data-step={data.id}
      data-change={data.change}
      style={{
        width: NODE_SIZE.width,
        height: NODE_SIZE.height,
        border: `2px ${style.dash ? "dashed" : "solid"} ${color}`,
        borderRadius: 8,
        background: data.picked ? `var(--mantine-color-${style.color}-light)` : "var(--mantine-color-body)",
        padding: "6px 10px",
        opacity: data.change === "removed" ? 0.75 : 1,
      }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} style={{ opacity: 0 }} />
      <Text fz="sm" fw={600} truncate="end" title={data.id} td={data.change === "removed" ? "line-through" : undefined}>
        {data.id}
      </Text>
      <Group gap={4} mt={4} wrap="nowrap">
        {data.change !== "same" && (
          <Badge size="xs" color={style.color} variant="light">
            {style.label}
          </Badge>
        )}
        {data.codeChanged && data.change !== "added" && data.change !== "removed" && (
          <Badge size="xs" color="orange" variant="outline">
            code
          </Badge>
        )}
        {data.cacheFlipped && (
          <Badge size="xs" color="teal" variant="outline">
            cache
          </Badge>
        )}
      </Group>
      <Handle type="source" position={Position.Right} isConnectable={false} style={{ opacity: 0 }} />
    </Box>
  );
});

const EDGE_COLOR: Record<DiffEdge["state"], string> = {
  added: "var(--mantine-color-green-filled)",
  removed: "var(--mantine-color-red-filled)",
  kept: "var(--mantine-color-gray-5)",
};

const DiffEdgeView = memo(function DiffEdgeView(props: EdgeProps<StepFlowEdge>) {
  const [d] = getBezierPath(props);
  const state = props.data?.state ?? "kept";
  return (
    <path
      d={d}
      fill="none"
      data-testid="diff-edge"
      data-state={state}
      data-source={props.source}
      data-target={props.target}
      stroke={EDGE_COLOR[state]}
      strokeWidth={state === "kept" ? 1.5 : 2.5}
      strokeDasharray={state === "removed" || props.data?.label === "after" ? "6 4" : undefined}
    >
      <title>{`${props.source} → ${props.target}: ${props.data?.label ?? ""} (${state})`}</title>
    </path>
  );
});

const nodeTypes = { diffStep: StepNode };
const edgeTypes = { diffEdge: DiffEdgeView };

interface Props {
  steps: Parameters<typeof diffGraph>[0];
  picked: string | undefined;
  onPick: (step: string) => void;
}

function Canvas({ steps, picked, onPick }: Props) {
  const colorMode = useComputedColorScheme("light");
  const graph = useMemo(() => diffGraph(steps), [steps]);
  const request = useMemo(() => diffLayoutRequest(graph), [graph]);
  const { layout, error } = useLayout(request);
  const nodes = useMemo<StepFlowNode[]>(
    () =>
      layout
        ? graph.nodes.map((n) => ({ id: n.id, type: "diffStep", position: layout.positions[n.id] ?? { x: 0, y: 0 }, data: { ...n, picked: n.id === picked } as NodeData, draggable: false }))
        : [],
    [graph, layout, picked],
  );
  const edges = useMemo<StepFlowEdge[]>(() => graph.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, type: "diffEdge", data: { ...e } as EdgeData })), [graph]);
  if (error) return <Text c="red">The graph could not be laid out: {error}</Text>;
  if (!layout) return <Loader aria-label="Laying out the graph" />;
  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      colorMode={colorMode}
      fitView
      fitViewOptions={{ maxZoom: 1, padding: 0.15 }}
      minZoom={0.1}
      nodesConnectable={false}
      proOptions={{ hideAttribution: true }}
      onNodeClick={(_, node) => onPick(node.id)}
    />
  );
}

/** Both runs' steps on one graph: added green, removed red and dashed, re-wired violet, changed orange; edges likewise. */
export function DiffGraph(props: Props) {
  return (
    <Box h={Math.min(520, 140 + props.steps.length * 40)} data-testid="diff-graph" style={{ border: "1px solid var(--mantine-color-default-border)", borderRadius: 4 }}>
      <ReactFlowProvider>
        <Canvas {...props} />
      </ReactFlowProvider>
    </Box>
  );
}

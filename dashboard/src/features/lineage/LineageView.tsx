import "@xyflow/react/dist/style.css";
import "../dag/dag.css";
import "./lineage.css";

import { Alert, Button, Center, Group, Loader, NumberInput, Stack, Text } from "@mantine/core";
import { useComputedColorScheme } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { Controls, MiniMap, Panel, ReactFlow, ReactFlowProvider } from "@xyflow/react";
import { useEffect, useMemo, useRef, useState } from "react";

import { type LineageGraph, artifactQueries } from "../../api/artifacts";
import { ApiError } from "../../api/client";
import { type DagFlowEdge, edgeTypes } from "../dag/DagEdge";
import { Relayout } from "../dag/DagPanels";
import { useLayout } from "../dag/useLayout";
import { MAX_DEPTH } from "../artifacts/search";
import { type LineageFlowNode, lineageNodeTypes } from "./LineageNodes";
import { LINEAGE_SIZES, buildLineageModel, lineageLayoutRequest, runCount } from "./model";

export interface LineageViewProps {
  versionId: string;
  up: number;
  down: number;
  onDepth: (up: number, down: number) => void;
}

/**
 * Where an artifact version came from and where it went, across runs: producers and their
 * inputs upstream, consumers and their outputs downstream. Laid out like the run DAG (same ELK
 * worker, edges and node styles); a click opens the artifact version or the step in its run.
 */
export default function LineageView(props: LineageViewProps) {
  const { versionId, up, down, onDepth } = props;
  const lineage = useQuery(artifactQueries.lineage(versionId, up, down));
  const data = lineage.data && lineage.data.root === versionId ? lineage.data : undefined;

  return (
    <Stack gap="xs">
      <Group gap="md" align="flex-end" wrap="wrap">
        <NumberInput
          label="Upstream hops"
          description="toward producers and raw inputs"
          size="xs"
          w={170}
          min={0}
          max={MAX_DEPTH}
          value={up}
          onChange={(v) => typeof v === "number" && onDepth(clamp(v), down)}
          data-testid="lineage-up"
        />
        <NumberInput
          label="Downstream hops"
          description="toward consumers"
          size="xs"
          w={170}
          min={0}
          max={MAX_DEPTH}
          value={down}
          onChange={(v) => typeof v === "number" && onDepth(up, clamp(v))}
          data-testid="lineage-down"
        />
        <Button size="xs" variant="default" onClick={() => onDepth(MAX_DEPTH, 0)} data-testid="lineage-trace-back">
          Trace back to raw inputs
        </Button>
        <Button size="xs" variant="default" onClick={() => onDepth(0, MAX_DEPTH)}>
          Follow downstream
        </Button>
        {lineage.isFetching && <Loader size="xs" aria-label="Loading lineage" />}
      </Group>
      {data && <Summary graph={data} />}
      <div style={{ position: "relative", height: "min(70vh, 720px)", minHeight: 360, border: "1px solid var(--mantine-color-default-border)", borderRadius: 8 }}>
        {lineage.error && !data ? (
          <Center h="100%" data-testid="lineage" data-state="error">
            <Alert color="red" title="Could not load the lineage" maw={480} role="alert">
              <Text fz="sm">
                {lineage.error instanceof ApiError
                  ? lineage.error.status === 404
                    ? "The server has no lineage for this version (it may be older than the lineage API, or the version was deleted)."
                    : lineage.error.message
                  : "The Waypost server did not answer; is `waypost up` running?"}
              </Text>
              <Button mt="sm" size="xs" variant="light" onClick={() => void lineage.refetch()}>
                Retry
              </Button>
            </Alert>
          </Center>
        ) : !data ? (
          <Center h="100%" data-testid="lineage" data-state="loading">
            <Loader aria-label="Loading lineage" />
          </Center>
        ) : (
          <ReactFlowProvider>
            <LineageCanvas graph={data} />
          </ReactFlowProvider>
        )}
      </div>
    </Stack>
  );
}

const clamp = (n: number) => Math.max(0, Math.min(MAX_DEPTH, Math.round(n)));

function Summary({ graph }: { graph: LineageGraph }) {
  const artifacts = graph.nodes.filter((n) => n.kind === "artifact").length;
  const steps = graph.nodes.length - artifacts;
  const runs = runCount(graph);
  return (
    <Group gap="xs">
      <Text fz="xs" c="dimmed" data-testid="lineage-summary">
        {artifacts} artifact version{artifacts === 1 ? "" : "s"} · {steps} step{steps === 1 ? "" : "s"} · across {runs} run{runs === 1 ? "" : "s"}
      </Text>
      <Text fz="xs" c="dimmed">
        · click an artifact to open that version, a step to open it in its run
      </Text>
      {graph.truncated && (
        <Text fz="xs" c="orange" fw={600} data-testid="lineage-truncated">
          Truncated: the graph is too big to show whole; fewer hops show the rest.
        </Text>
      )}
    </Group>
  );
}

function LineageCanvas({ graph }: { graph: LineageGraph }) {
  const navigate = useNavigate();
  const colorMode = useComputedColorScheme("light");
  const rootRef = useRef<HTMLDivElement>(null);
  const model = useMemo(() => buildLineageModel(graph), [graph]);
  const request = useMemo(() => lineageLayoutRequest(model), [model]);
  const { layout, error, retry } = useLayout(request);
  const positions = layout?.positions;

  const nodes = useMemo<LineageFlowNode[]>(() => {
    if (!positions) return [];
    return model.nodes.flatMap((n) => {
      const position = positions[n.id];
      if (!position) return [];
      const open = () => {
        if (n.kind === "artifact") void navigate({ to: "/artifacts/$artifact", params: { artifact: n.name }, search: n.version !== null ? { version: n.version } : {} });
        else if (n.run_id) void navigate({ to: "/runs/$runId", params: { runId: n.run_id }, search: { step: n.name } });
      };
      const data = { ...n, root: n.id === graph.root, distance: model.distance.get(n.id), open };
      const base = { id: n.id, position, ...LINEAGE_SIZES[n.kind], draggable: false, connectable: false };
      return [n.kind === "step" ? { ...base, type: "lineageStep" as const, data } : { ...base, type: "lineageArtifact" as const, data }];
    });
  }, [model, positions, graph.root, navigate]);

  const edges = useMemo<DagFlowEdge[]>(
    () =>
      model.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        type: "dag",
        focusable: false,
        data: { kind: "data", count: 1, highlight: e.source === graph.root || e.target === graph.root },
      })),
    [model, graph.root],
  );

  // "ready" once the laid-out nodes are in the page, a frame after xyflow renders them.
  const [painted, setPainted] = useState<string>();
  useEffect(() => {
    if (!layout || painted === layout.key) return;
    let frames = 0;
    let id = requestAnimationFrame(function check() {
      if (rootRef.current?.querySelector(".react-flow__node") !== null || ++frames > 60) id = requestAnimationFrame(() => setPainted(layout.key));
      else id = requestAnimationFrame(check);
    });
    return () => cancelAnimationFrame(id);
  }, [layout, painted]);

  const state = error ? "error" : layout && painted === layout.key && layout.key === model.key ? "ready" : "layout";
  return (
    <div ref={rootRef} className="dag-root" data-testid="lineage" data-state={state} aria-label="Lineage graph">
      <ReactFlow<LineageFlowNode, DagFlowEdge>
        key={layout?.key}
        nodes={nodes}
        edges={edges}
        nodeTypes={lineageNodeTypes}
        edgeTypes={edgeTypes}
        colorMode={colorMode}
        fitView
        fitViewOptions={{ padding: 0.1, maxZoom: 1, minZoom: 0.3 }}
        minZoom={0.05}
        maxZoom={2}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        onNodeClick={(_, node) => node.data.open()}
      >
        <Controls showInteractive={false} fitViewOptions={{ padding: 0.1 }} />
        {model.nodes.length > 12 && <MiniMap pannable zoomable nodeStrokeWidth={0} ariaLabel="Overview of the lineage" />}
        <Panel position="top-left">{positions && !layout && !error && <Relayout />}</Panel>
      </ReactFlow>
      {!positions && !error && (
        <Center pos="absolute" inset={0} style={{ pointerEvents: "none" }}>
          <Loader size="sm" aria-label="Laying out the lineage" />
        </Center>
      )}
      {error && (
        <Center pos="absolute" inset={0}>
          <Alert color="red" title="Could not lay out the lineage" maw={460}>
            <Text fz="sm">{error}</Text>
            <Button mt="sm" size="xs" variant="light" onClick={retry}>
              Try again
            </Button>
          </Alert>
        </Center>
      )}
    </div>
  );
}

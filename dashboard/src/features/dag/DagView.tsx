import "@xyflow/react/dist/style.css";
import "./dag.css";

import { Button, Center, Kbd, Stack, Text } from "@mantine/core";
import { useComputedColorScheme } from "@mantine/core";
import { Controls, MiniMap, type Node, Panel, ReactFlow, ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { type KeyboardEvent, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import type { GraphViewProps } from "../run/views";
import { type DagFlowEdge, edgeTypes } from "./DagEdge";
import { ExpandedGroups, LayingOut, LayoutFailed, Relayout } from "./DagPanels";
import { FindStep } from "./FindStep";
import { foldSteps } from "./fold";
import { SIZES, layoutRequest } from "./layout";
import { type NodeModel, STATUS_ORDER, artifactId, buildModel } from "./model";
import { type DagFlowNode, nodeTypes, statusVar } from "./nodes";
import { cachedLayout, useLayout, warmLayoutWorker } from "./useLayout";
import { READABLE_ZOOM, boundsOf, openingViewport, panToShow, shownNodeOf, viewportFor } from "./viewport";

// This chunk loads only to draw a DAG: start the layout worker now, while React renders.
warmLayoutWorker();

/** The run's DAG: steps, folded groups and artifacts, laid out by ELK in a worker. */
export function DagView(props: GraphViewProps) {
  if (props.graph.steps.length === 0) {
    return (
      <Center data-testid="dag" data-state="ready" h="100%">
        <Stack align="center" gap={4}>
          <Text fw={600}>This run has no steps</Text>
          <Text c="dimmed" fz="sm" maw={420} ta="center">
            Steps appear here as soon as the run plans them. A run that stopped before planning any has nothing to draw: its status above says how it ended.
          </Text>
        </Stack>
      </Center>
    );
  }
  return (
    <ReactFlowProvider>
      <DagCanvas {...props} />
    </ReactFlowProvider>
  );
}

/** The largest group a selection opens by itself (a bigger one stays folded, naming the call). */
const AUTO_EXPAND_MAX = 100;

function minimapColor(node: Node): string {
  const d = (node as DagFlowNode).data as NodeModel;
  if (d.kind === "step") return statusVar(d.step.status ?? "pending");
  // A group shows its most urgent status: a failure first, then work in progress.
  if (d.kind === "group") return statusVar(STATUS_ORDER.find((st) => d.counts[st]) ?? "pending");
  return "var(--mantine-color-gray-5)";
}

function DagCanvas({ graph, selected, onSelect }: GraphViewProps) {
  const flow = useReactFlow<DagFlowNode, DagFlowEdge>();
  const colorMode = useComputedColorScheme("light");
  const rootRef = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  // Groups the user folded back: a selection inside them no longer opens them by itself.
  const [folded, setFolded] = useState<ReadonlySet<string>>(() => new Set());
  const [finding, setFinding] = useState(false);

  const folding = useMemo(() => foldSteps(graph.steps), [graph.steps]);
  // A step selected from outside (the failing step a failed run opens on, a Timeline bar) is
  // drawn as itself when its group is small enough to open cheaply; bigger groups stay folded and
  // name the selected call on the group node. Decided while rendering, so the first layout is
  // already the opened one, then remembered so the group stays open when the selection moves on.
  const autoGroup = selected ? folding.groupOf.get(selected) : undefined;
  const auto = autoGroup && !folded.has(autoGroup) && (folding.groups.get(autoGroup)?.members.length ?? Infinity) <= AUTO_EXPAND_MAX ? autoGroup : undefined;
  const shownExpanded = useMemo(() => (auto && !expanded.has(auto) ? new Set([...expanded, auto]) : expanded), [expanded, auto]);
  useEffect(() => {
    if (shownExpanded !== expanded) setExpanded(shownExpanded);
  }, [shownExpanded, expanded]);
  const model = useMemo(() => buildModel(graph, shownExpanded, folding), [graph, shownExpanded, folding]);
  const request = useMemo(() => layoutRequest(model), [model]);
  const { layout, error, retry } = useLayout(request);

  // While a new structure (a group expanded) is being laid out, the previous drawing stays.
  const [shownKey, setShownKey] = useState<string>();
  useEffect(() => {
    if (layout) setShownKey(layout.key);
  }, [layout]);
  const positions = (layout ?? (shownKey ? cachedLayout(shownKey) : undefined))?.positions;

  const has = useCallback((id: string) => positions?.[id] !== undefined && model.nodes.some((n) => n.id === id), [positions, model]);
  const selectedNode = shownNodeOf(model, selected, (id) => positions?.[id] !== undefined);

  const nodes = useMemo<DagFlowNode[]>(() => {
    if (!positions) return [];
    const out: DagFlowNode[] = [];
    for (const n of model.nodes) {
      const position = positions[n.id];
      if (!position) continue;
      const base = { id: n.id, position, ...SIZES[n.kind], draggable: false, connectable: false };
      if (n.kind === "step") out.push({ ...base, type: "step", data: { ...n, selected: n.id === selected } });
      else if (n.kind === "group") out.push({ ...base, type: "stepGroup", data: { ...n, selected: n.id === selectedNode ? selected : undefined } });
      else out.push({ ...base, type: "artifact", data: { ...n, selected: false } });
    }
    return out;
  }, [model, positions, selected, selectedNode]);

  const edges = useMemo<DagFlowEdge[]>(() => {
    if (!positions) return [];
    const outOfSelected = selectedNode ? artifactId(selectedNode, "") : undefined;
    return model.edges
      .filter((e) => positions[e.source] && positions[e.target])
      .map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        type: "dag",
        focusable: false,
        data: {
          kind: e.kind,
          count: e.count,
          highlight: !!selectedNode && (e.source === selectedNode || e.target === selectedNode || (!!outOfSelected && e.source.startsWith(outOfSelected))),
        },
      }));
  }, [model, positions, selectedNode]);

  // Where the view goes next: set by a selection from outside, an expand or a fold, and acted on
  // once the current structure's layout is known.
  const centeredOn = useRef<string | undefined>(undefined);
  const focusNext = useRef<{ ids: ReadonlySet<string> } | undefined>(undefined);
  const initialised = useRef(false);
  const [painted, setPainted] = useState<string>();
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    const el = rootRef.current;
    if (!layout || layout.key !== model.structureKey || !el) return;
    const pane = { w: el.clientWidth, h: el.clientHeight };
    const target = shownNodeOf(model, selected, (id) => layout.positions[id] !== undefined);
    const first = !initialised.current;
    if (first) {
      // The whole graph when its titles stay readable, else its start or the selected (failing) step.
      initialised.current = true;
      centeredOn.current = selected;
      const opening = openingViewport(model, layout, pane.w, pane.h, target);
      if (opening) void flow.setViewport(opening);
    } else if (focusNext.current) {
      const around = boundsOf(model, layout, focusNext.current.ids);
      focusNext.current = undefined;
      if (around) void flow.setViewport(viewportFor(around, pane.w, pane.h, flow.getZoom()), { duration: 300 });
    } else if (selected !== centeredOn.current && target) {
      const p = layout.positions[target];
      const kind = model.nodes.find((n) => n.id === target)?.kind ?? "step";
      // A selection from outside keeps the user's zoom unless it is unreadable.
      const zoom = Math.max(flow.getZoom(), READABLE_ZOOM);
      if (p) void flow.setCenter(p.x + SIZES[kind].width / 2, p.y + SIZES[kind].height / 2, { zoom, duration: 400 });
    }
    centeredOn.current = selected;
  }, [layout, model, selected, flow, painted, nonce]);

  // The step panel opens beside the DAG and narrows it: the selected node, which may have been at
  // the right of the wider pane, is panned back into view rather than left under the panel's edge.
  const keepSelectedInView = useRef<() => void>(() => undefined);
  useLayoutEffect(() => {
    keepSelectedInView.current = () => {
      const el = rootRef.current;
      const p = selectedNode ? positions?.[selectedNode] : undefined;
      if (!el || !p || !selectedNode || el.clientWidth === 0) return;
      const kind = model.nodes.find((n) => n.id === selectedNode)?.kind ?? "step";
      const next = panToShow(flow.getViewport(), { ...p, ...SIZES[kind] }, el.clientWidth, el.clientHeight);
      if (next) void flow.setViewport(next, { duration: 200 });
    };
  });
  useEffect(() => {
    const el = rootRef.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => keepSelectedInView.current());
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // "ready" means the laid-out nodes are in the page: xyflow renders them a commit or two after
  // it receives them, so wait (a frame at a time) until some are there, then one more frame.
  useEffect(() => {
    if (!layout || layout.key !== model.structureKey || painted === layout.key) return;
    let frames = 0;
    let id = requestAnimationFrame(function check() {
      const drawn = rootRef.current?.querySelector(".react-flow__node") !== null;
      if (drawn || ++frames > 60) {
        id = requestAnimationFrame(() => {
          performance.mark("dag:painted");
          setPainted(layout.key);
        });
      } else id = requestAnimationFrame(check);
    });
    return () => cancelAnimationFrame(id);
  }, [layout, model.structureKey, painted]);

  const toggleGroup = (id: string, expand: boolean) => {
    const members = model.folding.groups.get(id)?.members ?? [];
    focusNext.current = { ids: new Set(expand ? members : [id]) };
    const change = (prev: ReadonlySet<string>, add: boolean) => {
      const next = new Set(prev);
      if (add) next.add(id);
      else next.delete(id);
      return next;
    };
    setExpanded((prev) => change(prev, expand));
    setFolded((prev) => change(prev, !expand));
  };

  const closeFind = (refocus = true) => {
    setFinding(false);
    if (refocus) rootRef.current?.focus({ preventScroll: true });
  };

  const pick = (name: string) => {
    closeFind();
    // Asking for a call by name undoes "fold back" on its group, so the selection opens it again
    // when it is small enough; a big group stays folded, centred, and names the call.
    const g = folding.groupOf.get(name);
    if (g) setFolded((prev) => new Set([...prev].filter((x) => x !== g)));
    centeredOn.current = undefined;
    setNonce((n) => n + 1);
    onSelect(name);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
    // Ctrl/⌘-K is the app's command palette everywhere else; here, with the DAG focused, it finds
    // a step. Stopping it here keeps the palette (listening on window) from opening too.
    if ((e.key === "k" || e.key === "K") && (e.metaKey || e.ctrlKey)) {
      e.preventDefault();
      e.stopPropagation();
      setFinding(true);
    } else if (e.key === "/" && !typing) {
      e.preventDefault();
      e.stopPropagation();
      setFinding(true);
    }
  };

  // "error" lets a test or a benchmark fail at once instead of waiting out its timeout.
  const state = error ? "error" : layout && layout.key === model.structureKey && painted === layout.key ? "ready" : "layout";
  const expandedGroups = [...shownExpanded].flatMap((id) => model.folding.groups.get(id) ?? []);

  return (
    <div
      ref={rootRef}
      className="dag-root"
      data-testid="dag"
      data-state={state}
      tabIndex={0}
      aria-label="Run DAG. Press / or Ctrl+K to find a step."
      onKeyDown={onKeyDown}
      // Hovering the DAG gives it the keyboard only when nothing else has it (never steals a field's focus).
      onMouseEnter={() => {
        if (document.activeElement === document.body) rootRef.current?.focus({ preventScroll: true });
      }}
    >
      <ReactFlow<DagFlowNode, DagFlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        colorMode={colorMode}
        onlyRenderVisibleElements
        minZoom={0.02}
        maxZoom={2}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        onNodeClick={(_, node) => {
          if (node.type === "stepGroup") return toggleGroup(node.id, true);
          const name = node.type === "artifact" ? node.data.producer : node.id;
          if (!has(name) || model.folding.groups.has(name)) return;
          centeredOn.current = name; // a click inside the DAG selects without moving the view…
          onSelect(name);
          // …unless the node is cut off at the pane's edge once the panel is there.
          requestAnimationFrame(() => requestAnimationFrame(() => keepSelectedInView.current()));
        }}
      >
        <Controls showInteractive={false} fitViewOptions={{ padding: 0.05 }} />
        <MiniMap pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={0} ariaLabel="Overview of the DAG" />
        <Panel position="top-left">
          <Button size="compact-sm" variant="default" onClick={() => setFinding(true)} rightSection={<Kbd size="xs">/</Kbd>} data-testid="dag-find-button">
            Find step
          </Button>
          {positions && !layout && !error && <Relayout />}
          {finding && (
            <div style={{ marginTop: 6 }}>
              <FindStep steps={graph.steps} onPick={pick} onClose={closeFind} />
            </div>
          )}
        </Panel>
        <ExpandedGroups groups={expandedGroups} onFold={(id) => toggleGroup(id, false)} />
      </ReactFlow>
      {!positions && !error && <LayingOut nodes={model.nodes.length} />}
      {error && <LayoutFailed error={error} onRetry={retry} />}
    </div>
  );
}

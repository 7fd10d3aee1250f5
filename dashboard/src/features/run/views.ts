import type { RunGraph } from "../../api/graph";

/** What the DAG and the Timeline get: the graph, the selected step, and how to select one. */
export interface GraphViewProps {
  graph: RunGraph;
  selected: string | undefined;
  onSelect: (step: string | undefined) => void;
}

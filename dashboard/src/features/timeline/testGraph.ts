import type { GraphStep, RunGraph } from "../../api/graph";

const T0 = Date.parse("2026-11-01T10:00:00Z");

/** An ISO time `s` seconds after a fixed origin (test data reads in seconds). */
export const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
export const ms = (s: number): number => T0 + s * 1000;

/**
 * A step for tests: `[start, end]` in seconds from the origin (`end` null: still going; no times:
 * not started), and the steps it read from.
 */
export function step(name: string, times: [number, number | null] | null, from: string[] = [], extra: Partial<GraphStep> = {}): GraphStep {
  return {
    name,
    step_name: name.replace(/_\d+$/, ""),
    status: times ? (times[1] === null ? "running" : "completed") : null,
    started_at: times ? at(times[0]) : null,
    ended_at: times && times[1] !== null ? at(times[1]) : null,
    after: [],
    inputs: from.map((s) => ({ name: `in_${s}`, step: s, output: "output", version_id: null })),
    outputs: [{ name: "output", data_type: "int", version_id: null }],
    ...extra,
  };
}

export function graph(steps: GraphStep[], over: Partial<RunGraph> = {}): RunGraph {
  const running = steps.some((s) => s.status === "running");
  return {
    run_id: "3f1c0d7e-0000-4000-8000-000000000001",
    status: running ? "running" : "completed",
    started_at: steps.length ? at(0) : null,
    ended_at: running || !steps.length ? null : at(Math.max(0, ...steps.map((s) => (s.ended_at ? (Date.parse(s.ended_at) - T0) / 1000 : 0)))),
    steps,
    ...over,
  };
}

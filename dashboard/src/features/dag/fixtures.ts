import type { GraphStep, RunGraph } from "../../api/graph";

type Status = GraphStep["status"];

/** A step with one output named `out`, reading `out` of each parent. */
export function fixtureStep(name: string, stepName: string, parents: string[] = [], status: Status = "completed", extra: Partial<GraphStep> = {}): GraphStep {
  const started = status ? "2026-01-01T00:00:00Z" : null;
  const ended = status && status !== "running" && status !== "initializing" ? "2026-01-01T00:00:02Z" : null;
  return {
    name,
    step_name: stepName,
    status,
    started_at: started,
    ended_at: ended,
    cache_miss_reason: null,
    error_type: status === "failed" ? "ValueError" : null,
    after: [],
    inputs: parents.map((p, i) => ({ name: parents.length > 1 ? `x${i}` : "x", step: p, output: "out", version_id: null })),
    outputs: [{ name: "out", data_type: "int", version_id: null, artifact_name: null, version: status === "completed" ? 1 : null }],
    ...extra,
  };
}

export function fixtureGraph(steps: GraphStep[], status: RunGraph["status"] = "completed"): RunGraph {
  return { run_id: "00000000-0000-4000-8000-000000000000", status, started_at: "2026-01-01T00:00:00Z", ended_at: null, steps };
}

/**
 * The run `make bench` draws (1,000 steps): `source`, then 499 calls of `train` each reading
 * source's output, then 10 chains of 50 `stage` calls, each chain starting from source's output.
 * `statusOf` lets tests and the live-update check vary statuses without changing the structure.
 */
export function benchGraph(statusOf: (name: string, index: number) => Status = () => "completed"): RunGraph {
  const steps: GraphStep[] = [fixtureStep("source", "source", [], statusOf("source", 0))];
  for (let i = 1; i <= 499; i++) steps.push(fixtureStep(`train_${i}`, "train", ["source"], statusOf(`train_${i}`, steps.length)));
  for (let k = 1; k <= 10; k++) {
    let prev = "source";
    for (let j = 1; j <= 50; j++) {
      const name = `stage_${(k - 1) * 50 + j}`;
      steps.push(fixtureStep(name, "stage", [prev], statusOf(name, steps.length)));
      prev = name;
    }
  }
  return fixtureGraph(steps);
}

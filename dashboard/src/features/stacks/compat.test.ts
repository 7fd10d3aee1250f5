// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";

import type { ComponentType, Flavor, StackComponent } from "../../api/stacks";
import { flavorIndex, incompatibility, stackProblems } from "./compat";

const flavor = (type: ComponentType, name: string, more: Partial<Flavor> = {}): Flavor => ({ type, name, description: "", config_schema: {}, requires: [], conflicts: [], connector_types: [], source: "builtin", ...more });

const component = (type: ComponentType, name: string, flavorName: string): StackComponent => ({
  id: `${type}-${name}`,
  workspace_id: "w1",
  name,
  type,
  flavor: flavorName,
  config: {},
  created_at: "2026-11-01T10:00:00Z",
  stacks: [],
});

const index = flavorIndex([
  flavor("orchestrator", "local"),
  flavor("orchestrator", "kube", { requires: ["container_registry"] }),
  flavor("artifact_store", "local"),
  flavor("container_registry", "hub"),
  flavor("step_operator", "inline", { conflicts: ["container_registry"] }),
  flavor("alerter", "quiet", { conflicts: ["experiment_tracker"] }),
  flavor("experiment_tracker", "mlflow"),
]);

const local = component("orchestrator", "default", "local");
const kube = component("orchestrator", "cluster", "kube");
const store = component("artifact_store", "default", "local");
const registry = component("container_registry", "hub", "hub");
const inline = component("step_operator", "inline", "inline");
const quiet = component("alerter", "quiet", "quiet");
const tracker = component("experiment_tracker", "mlflow", "mlflow");

describe("incompatibility", () => {
  it("greys out a component whose flavor needs a type the stack lacks, until one is chosen", () => {
    expect(incompatibility(kube, { orchestrator: local, artifact_store: store }, index)).toBe(
      "the kube flavor needs a container registry in the stack; pick one first",
    );
    expect(incompatibility(kube, { orchestrator: local, artifact_store: store, container_registry: registry }, index)).toBeUndefined();
  });

  it("greys out a component whose flavor conflicts with a chosen type, naming the chosen one", () => {
    expect(incompatibility(inline, { orchestrator: local, container_registry: registry }, index)).toBe(
      "the inline flavor cannot work with a container registry ('hub'); remove it first",
    );
  });

  it("greys out every component of a type a chosen component's flavor cannot work with", () => {
    expect(incompatibility(registry, { orchestrator: local, step_operator: inline }, index)).toBe(
      "the step operator 'inline' (inline) cannot work with a container registry",
    );
    expect(incompatibility(tracker, { alerter: quiet }, index)).toBe("the alerter 'quiet' (quiet) cannot work with an experiment tracker");
  });

  it("says when a component's flavor is not installed", () => {
    expect(incompatibility(component("orchestrator", "x", "gone"), {}, index)).toBe("its flavor 'gone' is not installed on the server");
  });

  it("lets a component replace the one of its own type", () => {
    expect(incompatibility(local, { orchestrator: kube, artifact_store: store }, index)).toBeUndefined();
  });
});

describe("stackProblems", () => {
  it("names the required types missing and a dependency removed", () => {
    expect(stackProblems({}, index)).toEqual({
      orchestrator: "A stack needs an orchestrator; pick one.",
      artifact_store: "A stack needs an artifact store; pick one.",
    });
    expect(stackProblems({ orchestrator: kube, artifact_store: store }, index)).toEqual({
      container_registry: "The orchestrator 'cluster' (kube) needs a container registry; pick one.",
    });
    expect(stackProblems({ orchestrator: kube, artifact_store: store, container_registry: registry }, index)).toEqual({});
  });
});

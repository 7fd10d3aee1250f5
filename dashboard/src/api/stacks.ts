import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import type { components } from "./schema";

type S = components["schemas"];
export type ComponentType = S["ComponentType"];
export type ConnectorType = S["ConnectorType"];
export type Flavor = S["FlavorRead"];
export type StackComponent = S["ComponentRead"];
export type ComponentCreate = S["ComponentCreate"];
export type ComponentUpdate = S["ComponentUpdate"];
export type Stack = S["StackRead"];
export type StackCreate = S["StackCreate"];
export type StackUpdate = S["StackUpdate"];
export type Secret = S["SecretRead"];
export type SecretCreate = S["SecretCreate"];
export type SecretUpdate = S["SecretUpdate"];
export type Connector = S["ConnectorRead"];
export type ConnectorCreate = S["ConnectorCreate"];
export type ConnectorUpdate = S["ConnectorUpdate"];
export type VerifyResult = S["VerifyResult"];
export type StackSnapshot = S["StackSnapshot"];

/** Every component type, in the order a stack is drawn and built (the server's ComponentType). */
export const COMPONENT_TYPES: readonly ComponentType[] = [
  "orchestrator",
  "artifact_store",
  "container_registry",
  "step_operator",
  "experiment_tracker",
  "alerter",
  "model_deployer",
  "data_validator",
];

/** Every stack holds these (schemas/stacks.py REQUIRED_TYPES). */
export const REQUIRED_TYPES: readonly ComponentType[] = ["orchestrator", "artifact_store"];

export const CONNECTOR_TYPES: readonly ConnectorType[] = ["aws", "bearer", "basic"];

/** What a secret-marked field shows for a stored value (references.py MASK); sent back unchanged, it keeps the value. */
export const MASK = "********";

/** "artifact_store" → "artifact store". */
export const typeLabel = (type: string) => type.replace(/_/g, " ");

/** One page holds a workspace's components, stacks, secrets or connectors (tens, not thousands). */
const ALL = 1000;

/**
 * Query keys: every list is for the workspace of the project picked in the header (the API
 * client sends it); a change to any stacks-related thing invalidates `all`, since each page shows several.
 */
export const stackKeys = {
  all: ["stacks"] as const,
  flavors: () => [...stackKeys.all, "flavors"] as const,
  flavor: (type: string, name: string) => [...stackKeys.flavors(), type, name] as const,
  components: () => [...stackKeys.all, "components"] as const,
  stacks: () => [...stackKeys.all, "list"] as const,
  stack: (name: string) => [...stackKeys.all, "detail", name] as const,
  active: () => [...stackKeys.all, "active"] as const,
  secrets: () => [...stackKeys.all, "secrets"] as const,
  connectors: () => [...stackKeys.all, "connectors"] as const,
  runStack: (run: string) => ["runs", "detail", run, "stack"] as const,
};

export const stackQueries = {
  /** Every flavor of every type (a few dozen at most): the builder needs all their needs and conflicts. */
  flavors: () =>
    queryOptions({
      queryKey: stackKeys.flavors(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/flavors", { signal })),
      staleTime: 5 * 60_000,
    }),
  flavor: (type: ComponentType, name: string) =>
    queryOptions({
      queryKey: stackKeys.flavor(type, name),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/flavors/{type}/{name}", { params: { path: { type, name } }, signal })),
      staleTime: 5 * 60_000,
    }),
  components: () =>
    queryOptions({
      queryKey: stackKeys.components(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/components", { params: { query: { size: ALL } }, signal })).items,
    }),
  stacks: () =>
    queryOptions({
      queryKey: stackKeys.stacks(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/stacks", { params: { query: { size: ALL } }, signal })).items,
    }),
  stack: (name: string) =>
    queryOptions({
      queryKey: stackKeys.stack(name),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/stacks/{stack}", { params: { path: { stack: name } }, signal })),
    }),
  active: () =>
    queryOptions({
      queryKey: stackKeys.active(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/stacks/active", { signal })),
    }),
  secrets: () =>
    queryOptions({
      queryKey: stackKeys.secrets(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/secrets", { params: { query: { size: ALL } }, signal })).items,
    }),
  connectors: () =>
    queryOptions({
      queryKey: stackKeys.connectors(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/connectors", { params: { query: { size: ALL } }, signal })).items,
    }),
  /** The stack a run used, as it was then; null when the run recorded none. */
  runStack: (run: string) =>
    queryOptions({
      queryKey: stackKeys.runStack(run),
      queryFn: async ({ signal }) => {
        const answer = await api.GET("/api/v1/runs/{run}/stack", { params: { path: { run } }, signal });
        if (answer.response.status === 404) return null;
        return unwrap(answer);
      },
      staleTime: Infinity,
    }),
};

/** Nothing back: a 2xx, or an ApiError with the server's one line. */
async function done(result: Promise<{ error?: unknown; response: Response }>): Promise<void> {
  const answer = await result;
  if (!answer.response.ok) unwrap({ ...answer, data: undefined });
}

// -- components --

export async function createComponent(body: ComponentCreate): Promise<StackComponent> {
  return unwrap(await api.POST("/api/v1/components", { body }));
}

/** By id: names repeat across types. */
export async function updateComponent(id: string, body: ComponentUpdate): Promise<StackComponent> {
  return unwrap(await api.PATCH("/api/v1/components/{component}", { params: { path: { component: id } }, body }));
}

export async function deleteComponent(id: string): Promise<void> {
  await done(api.DELETE("/api/v1/components/{component}", { params: { path: { component: id } } }));
}

/** A component not saved yet: its config must validate (a 422 says which field), then it is reached. */
export async function verifyUnsavedComponent(body: ComponentCreate): Promise<VerifyResult> {
  return unwrap(await api.POST("/api/v1/components/verify", { body }));
}

export async function verifyComponent(id: string): Promise<VerifyResult> {
  return unwrap(await api.POST("/api/v1/components/{component}/verify", { params: { path: { component: id } } }));
}

// -- stacks --

export async function createStack(body: StackCreate): Promise<Stack> {
  return unwrap(await api.POST("/api/v1/stacks", { body }));
}

export async function updateStack(stack: string, body: StackUpdate): Promise<Stack> {
  return unwrap(await api.PATCH("/api/v1/stacks/{stack}", { params: { path: { stack } }, body }));
}

export async function copyStack(stack: string, name: string): Promise<Stack> {
  return unwrap(await api.POST("/api/v1/stacks/{stack}/copy", { params: { path: { stack } }, body: { name } }));
}

export async function deleteStack(stack: string): Promise<void> {
  await done(api.DELETE("/api/v1/stacks/{stack}", { params: { path: { stack } } }));
}

/** Each component's result by type: ok, or the exact failure. */
export async function verifyStack(stack: string): Promise<Record<string, VerifyResult>> {
  return unwrap(await api.POST("/api/v1/stacks/{stack}/verify", { params: { path: { stack } } }));
}

export async function setActiveStack(stack: string): Promise<Stack> {
  return unwrap(await api.PUT("/api/v1/stacks/active", { body: { stack } }));
}

// -- secrets --

export async function createSecret(body: SecretCreate): Promise<Secret> {
  return unwrap(await api.POST("/api/v1/secrets", { body }));
}

export async function updateSecret(secret: string, body: SecretUpdate): Promise<Secret> {
  return unwrap(await api.PATCH("/api/v1/secrets/{secret}", { params: { path: { secret } }, body }));
}

export async function deleteSecret(secret: string): Promise<void> {
  await done(api.DELETE("/api/v1/secrets/{secret}", { params: { path: { secret } } }));
}

// -- connectors --

export async function createConnector(body: ConnectorCreate): Promise<Connector> {
  return unwrap(await api.POST("/api/v1/connectors", { body }));
}

export async function updateConnector(connector: string, body: ConnectorUpdate): Promise<Connector> {
  return unwrap(await api.PATCH("/api/v1/connectors/{connector}", { params: { path: { connector } }, body }));
}

export async function deleteConnector(connector: string): Promise<void> {
  await done(api.DELETE("/api/v1/connectors/{connector}", { params: { path: { connector } } }));
}

export async function verifyConnector(connector: string, resource?: string): Promise<VerifyResult> {
  return unwrap(
    await api.POST("/api/v1/connectors/{connector}/verify", { params: { path: { connector } }, body: resource ? { resource } : null }),
  );
}

export async function verifyUnsavedConnector(body: ConnectorCreate & { resource?: string | null }): Promise<VerifyResult> {
  return unwrap(await api.POST("/api/v1/connectors/verify", { body }));
}

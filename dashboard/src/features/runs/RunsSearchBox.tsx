import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import { type Run, runQueries } from "../../api/runs";
import { STATUSES } from "../../components/StatusBadge";
import { type FilterVocabulary, completing, distinct } from "../../lib/filter";
import { FilterBox } from "./FilterBox";
import { useDebouncedAsk } from "./useDebouncedAsk";

/** Keys the server's runs filter understands (FilterSpec of runs in the store). */
export const RUN_FILTER_KEYS = [
  "status",
  "name",
  "pipeline",
  "user",
  "stack",
  "tag",
  "model",
  "orchestrator",
  "created",
  "started",
  "ended",
  "id",
  "metadata.",
] as const;

const AGES = ["1h", "24h", "7d", "30d"];

/** Keys whose values the server can complete from everything stored (GET /runs/suggest). */
const SERVER_SUGGESTED = new Set(["pipeline", "tag", "user", "stack"]);

/** The server's question for what is being typed: a value of a key it knows, or a metadata key. */
export function serverSuggestion(draft: string): { key: string; prefix: string } | undefined {
  const { key, typed } = completing(draft);
  if (key && SERVER_SUGGESTED.has(key)) return { key, prefix: typed };
  if (!key && typed.toLowerCase().startsWith("metadata.")) return { key: "metadata", prefix: typed.slice("metadata.".length) };
  return undefined;
}

/**
 * What to suggest: fixed statuses and ages; pipelines, tags, users, stacks and metadata keys
 * from the server as one types (`fromServer`), merged with those of the runs in view.
 */
export function runVocabulary(
  pipelines: readonly string[],
  runs: readonly Run[],
  fromServer?: { key: string; values: readonly string[] },
): FilterVocabulary {
  const extra = (key: string) => (fromServer?.key === key ? fromServer.values : []);
  return {
    keys: [...RUN_FILTER_KEYS, ...extra("metadata").map((k) => `metadata.${k}`)],
    values: {
      status: STATUSES,
      pipeline: distinct([...pipelines, ...extra("pipeline")]),
      tag: distinct([...runs.flatMap((r) => r.tags ?? []), ...extra("tag")]),
      user: distinct([...runs.map((r) => r.user_name), ...extra("user")]),
      stack: distinct([...runs.map((r) => r.stack_name), ...extra("stack")]),
      orchestrator: distinct(runs.map((r) => r.orchestrator)),
      created: AGES,
      started: AGES,
      ended: AGES,
    },
  };
}

interface Props {
  query: string;
  error: string | undefined;
  onSearch: (query: string) => void;
  pipelines: readonly string[];
  runs: readonly Run[];
}

/** The runs filter box. */
export function RunsSearchBox({ query, error, onSearch, pipelines, runs }: Props) {
  const [draft, setDraft] = useState(query);
  const asked = useDebouncedAsk(serverSuggestion(draft));
  const fromServer = useQuery({ ...runQueries.suggest(asked?.key ?? "", asked?.prefix ?? ""), enabled: asked !== undefined });
  const vocabulary = useMemo(
    () => runVocabulary(pipelines, runs, asked && fromServer.data ? { key: asked.key, values: fromServer.data } : undefined),
    [pipelines, runs, asked, fromServer.data],
  );
  return (
    <FilterBox
      label="Filter runs"
      placeholder="Filter runs: status:failed pipeline:train tag:prod created>7d"
      query={query}
      vocabulary={vocabulary}
      error={error}
      onSearch={onSearch}
      onDraftChange={setDraft}
    />
  );
}

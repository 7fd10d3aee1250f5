import { useMemo } from "react";

import type { Run } from "../../api/runs";
import { STATUSES } from "../../components/StatusBadge";
import type { FilterVocabulary } from "../../lib/filter";
import { FilterBox } from "./FilterBox";

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

const distinct = (values: Iterable<string | null | undefined>) => [...new Set([...values].filter((v): v is string => !!v))].sort();

/** What to suggest: fixed statuses and ages, pipeline names from the server, the rest from the runs in view. */
export function runVocabulary(pipelines: readonly string[], runs: readonly Run[]): FilterVocabulary {
  return {
    keys: RUN_FILTER_KEYS,
    values: {
      status: STATUSES,
      pipeline: pipelines,
      tag: distinct(runs.flatMap((r) => r.tags ?? [])),
      user: distinct(runs.map((r) => r.user_name)),
      stack: distinct(runs.map((r) => r.stack_name)),
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
  const vocabulary = useMemo(() => runVocabulary(pipelines, runs), [pipelines, runs]);
  return (
    <FilterBox
      label="Filter runs"
      placeholder="Filter runs: status:failed pipeline:train tag:prod created>7d"
      query={query}
      vocabulary={vocabulary}
      error={error}
      onSearch={onSearch}
    />
  );
}

import { Group, Select } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import { type Artifact, type ArtifactSuggestKey, artifactQueries } from "../../api/artifacts";
import { FilterBox } from "../runs/FilterBox";
import { useDebouncedAsk } from "../runs/useDebouncedAsk";
import { artifactServerSuggestion, artifactVocabulary, termValue, withTerm } from "./search";

const NO_NAMES: string[] = [];
const NONE: string[] = [];

interface Props {
  query: string;
  error: string | undefined;
  onSearch: (query: string) => void;
  rows: readonly Artifact[];
}

/** The artifacts filter box: pipelines, types and tags are completed from everything stored as one types. */
function ArtifactsSearchBox({ query, error, onSearch, rows }: Props) {
  const [draft, setDraft] = useState(query);
  const names = useQuery(artifactQueries.names());
  const asked = useDebouncedAsk(artifactServerSuggestion(draft));
  const fromServer = useQuery({ ...artifactQueries.suggest(asked?.key ?? "pipeline", asked?.prefix ?? ""), enabled: asked !== undefined });
  const vocabulary = useMemo(
    () => artifactVocabulary(names.data ?? NO_NAMES, rows, asked && fromServer.data ? { key: asked.key, values: fromServer.data } : undefined),
    [names.data, rows, asked, fromServer.data],
  );
  return (
    <FilterBox
      label="Filter artifacts"
      placeholder="Filter artifacts: pipeline:train type:DataFrame name~model created>7d"
      query={query}
      vocabulary={vocabulary}
      error={error}
      onSearch={onSearch}
      onDraftChange={setDraft}
    />
  );
}

/** A select that sets the query's one `key:value` term; what the box says stays the truth. */
function QuickFilter({ label, filterKey, query, onSearch }: { label: string; filterKey: ArtifactSuggestKey; query: string; onSearch: (q: string) => void }) {
  const placeholder = `Any ${label.toLowerCase()}`;
  const [open, setOpen] = useState(false);
  // Asked once the select opens: a list page should not load every pipeline name up front.
  const values = useQuery({ ...artifactQueries.suggest(filterKey, ""), enabled: open });
  const current = termValue(query, filterKey) ?? null;
  const data = useMemo(() => {
    const known = values.data ?? NONE;
    return current && !known.includes(current) ? [current, ...known] : known;
  }, [values.data, current]);
  return (
    <Select
      size="sm"
      w={220}
      aria-label={label}
      placeholder={placeholder}
      data={data}
      value={current}
      onDropdownOpen={() => setOpen(true)}
      onChange={(value) => onSearch(withTerm(query, filterKey, value ?? undefined))}
      nothingFoundMessage={values.isFetching ? "Loading…" : "None stored"}
      searchable
      clearable
      comboboxProps={{ withinPortal: false }}
      styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
      data-testid={`quick-filter-${filterKey}`}
    />
  );
}

/** The artifacts list's filters: the filter-language box, and quick selects for pipeline and type. */
export function ArtifactsFilters(props: Props) {
  return (
    <Group align="flex-start" gap="sm" wrap="wrap">
      <div style={{ flex: "1 1 420px", minWidth: 0 }}>
        <ArtifactsSearchBox {...props} />
      </div>
      <QuickFilter label="Pipeline" filterKey="pipeline" query={props.query} onSearch={props.onSearch} />
      <QuickFilter label="Type" filterKey="type" query={props.query} onSearch={props.onSearch} />
    </Group>
  );
}

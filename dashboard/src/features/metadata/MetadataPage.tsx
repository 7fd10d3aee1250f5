import { Alert, Anchor, Group, Pagination, SegmentedControl, Stack, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useCallback, useEffect, useMemo, useState } from "react";

import { ApiError } from "../../api/client";
import { type MetadataEntity, type MetadataKeyStats, metadataQueries } from "../../api/metadataExplorer";
import { pipelineQueries } from "../../api/pipelines";
import { type SavedView, viewQueries } from "../../api/savedViews";
import { ListStates } from "../../components/ListStates";
import { RunsSearchBox } from "../runs/RunsSearchBox";
import { KeyHistory } from "./KeyHistory";
import { KeysTable } from "./KeysTable";
import { ViewsMenu } from "./ViewsMenu";
import { DEFAULT_SORT, ENTITIES, ENTITY_LABELS, type MetadataSearch, PAGE_SIZE, isBareView, matchesView, searchOfView, viewStateOf } from "./search";

const route = getRouteApi("/metadata");
const EMPTY: MetadataKeyStats[] = [];
const NO_NAMES: string[] = [];
const ENTITY_DATA = [{ value: "all", label: "All" }, ...ENTITIES.map((e) => ({ value: e, label: `${ENTITY_LABELS[e][0]?.toUpperCase()}${ENTITY_LABELS[e].slice(1)}s` }))];

/** Whether an error is the server refusing the filter (a one-line reason to show under the box). */
const isFilterError = (e: unknown): e is ApiError => e instanceof ApiError && (e.status === 400 || e.status === 422);

/** The name filter: typed freely, sent to the URL once typing pauses. */
function ContainsBox({ value, onChange }: { value: string; onChange: (contains: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const send = useDebouncedCallback((next: string) => onChange(next), 250);
  return (
    <TextInput
      aria-label="Keys containing"
      placeholder="Key contains…"
      value={draft}
      onChange={(e) => {
        setDraft(e.currentTarget.value);
        send(e.currentTarget.value);
      }}
      maxLength={255}
      w={260}
      spellCheck={false}
      styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
    />
  );
}

/** Every metadata key across runs, steps, artifacts and model versions; a key's history; saved views. */
export function MetadataPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const q = search.q ?? "";
  const sort = search.sort ?? DEFAULT_SORT;
  const page = search.page ?? 1;
  const keys = useQuery(metadataQueries.keys({ entity: search.entity, contains: search.contains ?? "", q, sort, page, size: PAGE_SIZE }));
  const pipelines = useQuery(pipelineQueries.names());
  const view = useQuery({ ...viewQueries.detail(search.view ?? ""), enabled: search.view !== undefined });

  const set = useCallback((change: Partial<MetadataSearch>, replace = false) => void navigate({ search: (prev) => ({ ...prev, ...change }), replace }), [navigate]);
  // A link of a view alone (`?view=ID`) shows what the view saved.
  const bare = isBareView(search);
  useEffect(() => {
    if (bare && view.data && view.data.id === search.view) void navigate({ search: searchOfView(view.data.id, view.data.state), replace: true });
  }, [bare, view.data, search.view, navigate]);

  const filterError = isFilterError(keys.error) ? keys.error.message : undefined;
  const otherError = keys.error && !filterError && !(keys.error instanceof ApiError && keys.error.status === 401) ? keys.error : undefined;
  const data = filterError ? undefined : keys.data;
  const rows = data?.items ?? EMPTY;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.size)) : 1;
  const filtered = !!(q || search.contains || search.entity);
  const state = useMemo(() => viewStateOf(search), [search]);
  const current: SavedView | undefined = search.view && view.data?.id === search.view ? view.data : undefined;
  const changed = current !== undefined && !bare && !matchesView(search, current.state);

  const select = useCallback((key: string) => set({ key }), [set]);
  const open = (v: SavedView) => void navigate({ search: searchOfView(v.id, v.state) });

  return (
    <Stack data-testid="metadata-page">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Stack gap={2}>
          <Title order={2}>Metadata</Title>
          <Text fz="sm" c="dimmed">
            Every key logged on runs, steps, artifacts and model versions; pick one to see its values over time.
          </Text>
        </Stack>
        <ViewsMenu state={state} current={current} changed={changed} onOpen={open} onDeleted={(id) => id === search.view && set({ view: undefined }, true)} />
      </Group>
      {view.error && (
        <Alert color="yellow" role="alert" py="xs">
          <Group gap="xs">
            <Text fz="sm">Saved view: {view.error instanceof ApiError ? view.error.message : "the server did not answer."}</Text>
            <Anchor component="button" fz="sm" onClick={() => set({ view: undefined })}>
              Dismiss
            </Anchor>
          </Group>
        </Alert>
      )}
      <RunsSearchBox query={q} error={filterError} onSearch={(next) => set({ q: next || undefined, page: undefined })} pipelines={pipelines.data ?? NO_NAMES} runs={[]} />
      <Group gap="md" wrap="wrap">
        <ContainsBox value={search.contains ?? ""} onChange={(next) => set({ contains: next.trim() ? next : undefined, page: undefined }, true)} />
        <SegmentedControl
          size="xs"
          aria-label="Logged on"
          data={ENTITY_DATA}
          value={search.entity ?? "all"}
          onChange={(v) => set({ entity: v === "all" ? undefined : (v as MetadataEntity), page: undefined })}
        />
      </Group>
      {search.key && (
        <KeyHistory
          metadataKey={search.key}
          pipeline={search.pipeline}
          q={q}
          onPipeline={(pipeline) => set({ pipeline })}
          onClose={() => set({ key: undefined, pipeline: undefined })}
        />
      )}
      <ListStates
        noun="metadata keys"
        error={otherError}
        onRetry={() => void keys.refetch()}
        pending={keys.isPending}
        empty={!!data && data.total === 0}
        filtered={filtered}
        onClearFilter={() => set({ q: undefined, contains: undefined, entity: undefined, page: undefined })}
        emptyHint={<>No metadata yet — log_metadata(metadata={"{"}"accuracy": 0.95{"}"}) in a step records some.</>}
      />
      {data && data.total > 0 && (
        <>
          <Text fz="sm" c="dimmed" data-testid="metadata-keys-total">
            {data.total.toLocaleString()} key{data.total === 1 ? "" : "s"}
            {q ? " in the runs matching the filter" : ""}
          </Text>
          <KeysTable rows={rows} selected={search.key} sort={sort} onSort={(s) => set({ sort: s === DEFAULT_SORT ? undefined : s, page: undefined })} onSelect={select} stale={keys.isPlaceholderData} />
          {pages > 1 && (
            <Group justify="flex-end">
              <Pagination total={pages} value={Math.min(page, pages)} onChange={(p) => set({ page: p > 1 ? p : undefined })} />
            </Group>
          )}
        </>
      )}
    </Stack>
  );
}

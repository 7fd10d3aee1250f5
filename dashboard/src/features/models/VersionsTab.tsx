import { Button, Card, Group, MultiSelect, Pagination, Select, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo, useRef, useState } from "react";

import { ApiError } from "../../api/client";
import { type Model, type ModelMetricKey, type ModelVersionRow, modelQueries } from "../../api/models";
import { ListStates } from "../../components/ListStates";
import { downloadCsv, toCsv } from "../../lib/csv";
import { FilterBox } from "../runs/FilterBox";
import { MAX_COMPARED, toggleSelection } from "./compare";
import { MetricChart } from "./MetricChart";
import { DEFAULT_VERSION_SIZE, type ModelSearch, VERSION_PAGE_SIZES, parseMetricCols, versionVocabulary } from "./search";
import { VersionsTable } from "./VersionsTable";
import { versionsCsv } from "./versions";

const NO_ROWS: ModelVersionRow[] = [];
const NO_KEYS: ModelMetricKey[] = [];
const NO_METRICS: string[] = [];

interface Props {
  model: Model;
  search: ModelSearch;
  /** Change the page's search params (the versions table's state lives in the URL). */
  onSearch: (change: Partial<ModelSearch>) => void;
  canPromote: boolean;
}

/** The versions tab: a metric across versions, then the filterable, sortable, paged versions table. */
export function VersionsTab({ model, search, onSearch, canPromote }: Props) {
  const q = search.q ?? "";
  const page = search.page ?? 1;
  const size = search.size ?? DEFAULT_VERSION_SIZE;
  const chosen = parseMetricCols(search.cols);
  const table = useQuery(modelQueries.table(model.id, { q, sort: search.sort, page, size, metrics: chosen }));
  const filterError = table.error instanceof ApiError && (table.error.status === 400 || table.error.status === 422) ? table.error.message : undefined;
  const otherError = table.error && !filterError && !(table.error instanceof ApiError && table.error.status === 401) ? table.error : undefined;
  const data = filterError ? undefined : table.data;
  const rows = data?.items ?? NO_ROWS;
  const metricKeys = data?.metric_keys ?? NO_KEYS;
  const metrics = data?.metrics ?? NO_METRICS;
  const allKeys = useMemo(() => metricKeys.map((k) => k.key), [metricKeys]);
  const vocabulary = useMemo(() => versionVocabulary(allKeys, rows), [allKeys, rows]);
  const pages = data ? Math.max(1, Math.ceil(data.total / data.size)) : 1;
  const holders = (model.stages ?? {}) as Record<string, string>;
  const directions = (model.metric_directions ?? {}) as Record<string, string>;

  // Versions picked to compare (names), kept across pages; the compare page takes them oldest first.
  const [picked, setPicked] = useState<string[]>([]);
  const numbers = useRef(new Map<string, number>());
  const lastPicked = useRef<string | undefined>(undefined);
  const onPick = (v: ModelVersionRow, shift: boolean) => {
    for (const r of rows) numbers.current.set(r.name, r.number);
    const last = lastPicked.current; // read now: the updater runs later
    setPicked((prev) => toggleSelection(prev, rows.map((r) => r.name), v.name, last, shift));
    lastPicked.current = v.name;
  };
  const compareVersions = [...picked].sort((a, b) => (numbers.current.get(a) ?? 0) - (numbers.current.get(b) ?? 0)).join(",");

  const exportCsv = () => {
    const csv = versionsCsv(rows, metrics);
    downloadCsv(`${model.name}-versions.csv`, toCsv(csv.header, csv.rows));
  };

  return (
    <Stack gap="sm">
      {metricKeys.length > 0 && (
        <Card withBorder padding="sm">
          <MetricChart model={model.id} metricKeys={metricKeys} chosen={search.chart} onChoose={(chart) => onSearch({ chart })} />
        </Card>
      )}
      <Group align="flex-end" gap="sm" wrap="wrap">
        <div style={{ flex: "1 1 380px", minWidth: 0 }}>
          <FilterBox
            label="Filter versions"
            placeholder="Filter versions: stage:production metadata.accuracy>0.9 number>10"
            query={q}
            vocabulary={vocabulary}
            error={filterError}
            onSearch={(next) => onSearch({ q: next || undefined, page: undefined })}
          />
        </div>
        <MultiSelect
          w={440}
          size="sm"
          aria-label="Metric columns"
          placeholder={metrics.length ? undefined : "Metric columns"}
          data={allKeys}
          value={[...metrics]}
          onChange={(cols) => onSearch({ cols: cols.join(","), page: undefined })}
          searchable
          clearable
          maxDropdownHeight={280}
          limit={200}
          comboboxProps={{ withinPortal: true }}
          styles={{ pillsList: { maxHeight: 64, overflowY: "auto" } }}
        />
      </Group>
      <ListStates
        noun="versions"
        error={otherError}
        onRetry={() => void table.refetch()}
        pending={table.isPending}
        empty={!!data && data.total === 0}
        filtered={!!q}
        onClearFilter={() => onSearch({ q: undefined, page: undefined })}
        emptyHint={<>No versions yet — each run of a pipeline with model=Model(name=&quot;{model.name}&quot;) registers one.</>}
      />
      {data && data.total > 0 && (
        <>
          <Group justify="space-between">
            <Text fz="sm" c="dimmed">
              {data.total} version{data.total === 1 ? "" : "s"}
              {metrics.length > 0 ? ` · ${metrics.length} metric column${metrics.length === 1 ? "" : "s"}` : ""}
              {Object.keys(directions).length > 0 ? " · best value on this page in bold" : ""}
            </Text>
            <Group gap="xs">
              {picked.length > 0 && (
                <Button size="xs" variant="subtle" onClick={() => setPicked([])}>
                  Clear
                </Button>
              )}
              <Button
                size="xs"
                data-testid="compare-button"
                disabled={picked.length < 2}
                title={picked.length < 2 ? `Tick two or more versions (up to ${MAX_COMPARED}; shift-click for a range)` : undefined}
                renderRoot={(props) => <Link {...props} to="/models/$model/compare" params={{ model: model.name }} search={{ versions: compareVersions }} />}
              >
                Compare ({picked.length})
              </Button>
              <Button size="xs" variant="default" onClick={exportCsv}>
                Export CSV
              </Button>
            </Group>
          </Group>
          <VersionsTable
            model={model.id}
            rows={rows}
            metrics={metrics}
            directions={directions}
            holders={holders}
            sort={search.sort}
            onSort={(sort) => onSearch({ sort, page: undefined })}
            canPromote={canPromote}
            dimmed={table.isPlaceholderData}
            picked={picked}
            onPick={onPick}
          />
          <Group justify="space-between">
            <Select
              size="xs"
              w={130}
              aria-label="Versions per page"
              data={VERSION_PAGE_SIZES.map((n) => ({ value: String(n), label: `${n} per page` }))}
              value={String(size)}
              onChange={(v) => v && onSearch({ size: Number(v) === DEFAULT_VERSION_SIZE ? undefined : Number(v), page: undefined })}
              allowDeselect={false}
            />
            {pages > 1 && <Pagination size="sm" total={pages} value={page} onChange={(p) => onSearch({ page: p > 1 ? p : undefined })} />}
          </Group>
        </>
      )}
    </Stack>
  );
}

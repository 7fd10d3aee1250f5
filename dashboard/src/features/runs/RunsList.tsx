import { Alert, Anchor, Button, Center, Checkbox, Group, Loader, Menu, Pagination, Select, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useEffect, useMemo, useState } from "react";

import { ApiError } from "../../api/client";
import { pipelineQueries } from "../../api/pipelines";
import { MAX_EXPORT_ROWS, type Run, runQueries, runsExportUrl } from "../../api/runs";
import { SortHeader } from "../../components/SortHeader";
import { downloadCsv, toCsv } from "../../lib/csv";
import { pageState, togglePage, toggleSelection } from "../../lib/selection";
import { ColumnMenu } from "./ColumnMenu";
import { columnFor, sortWithinPage } from "./columns";
import { RunsSearchBox } from "./RunsSearchBox";
import { MAX_COMPARED_RUNS, SelectionBar } from "./SelectionBar";
import { COLUMNS, type ColumnId, DEFAULT_SIZE, PAGE_SIZES, type RunsSearch, dynamicKeys, formatCols, isServerSort, parseCols } from "./search";

const EMPTY: Run[] = [];
const ACTIVE = new Set(["initializing", "running"]);

/** Re-render every second while a run in view is going, so its duration counts up. */
function useTicking(active: boolean) {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [active]);
}
const NO_NAMES: string[] = [];

interface Props {
  search: RunsSearch;
  /** Apply a change to the URL's search params (undefined removes one). */
  onChange: (patch: Partial<RunsSearch>) => void;
  /** A filter always applied, such as `pipeline:train` on a pipeline's page. */
  scope?: string;
  /** Columns that say nothing here (the pipeline, on its own page). */
  hide?: readonly ColumnId[];
  /** The CSV file's name, without extension. */
  exportName: string;
  /** What to say when there are no runs at all. */
  empty: ReactNode;
}

/** Runs in a table: filter box with suggestions, sort on every column, columns menu, CSV export and paging, all kept in the URL. */
export function RunsList({ search, onChange, scope, hide = [], exportName, empty }: Props) {
  const q = search.q ?? "";
  const page = search.page ?? 1;
  const size = search.size ?? DEFAULT_SIZE;
  const serverSort = isServerSort(search.sort) ? search.sort : undefined;
  const fullQuery = [scope, q].filter(Boolean).join(" ");
  const visible = parseCols(search.cols).filter((c) => !(hide as readonly string[]).includes(c));
  // Sorted: the server answers a set of keys, so choosing the same ones in another order finds the cached page.
  const extra = dynamicKeys(visible).sort();
  const runs = useQuery(runQueries.list({ q: fullQuery, sort: serverSort, page, size, columns: extra }));
  const pipelines = useQuery(pipelineQueries.names());

  const filterError = runs.error instanceof ApiError && (runs.error.status === 400 || runs.error.status === 422) ? runs.error.message : undefined;
  const otherError = runs.error && !filterError && !(runs.error instanceof ApiError && runs.error.status === 401) ? runs.error : undefined;
  const data = filterError ? undefined : runs.data;
  const items = data?.items ?? EMPTY;
  useTicking(items.some((r) => ACTIVE.has(r.status)));
  const available = COLUMNS.filter((c) => !hide.includes(c));
  const columns = visible.map(columnFor);
  const pageSorted = search.sort !== undefined && !serverSort;
  const rows = useMemo(() => (pageSorted && search.sort ? sortWithinPage(items, search.sort, Date.now()) : items), [items, pageSorted, search.sort]);
  const pages = data ? Math.max(1, Math.ceil(data.total / data.size)) : 1;
  // Ticked runs stay ticked across pages and filters until cleared; shift-click ticks a range of this page.
  const [selected, setSelected] = useState<string[]>([]);
  const [lastClicked, setLastClicked] = useState<string>();
  const order = useMemo(() => rows.map((r) => r.id), [rows]);
  const headState = pageState(selected, order);

  const exportCsv = () => {
    const now = Date.now();
    const csv = toCsv(
      ["id", ...columns.map((c) => c.csv.header)],
      rows.map((r) => [r.id, ...columns.map((c) => c.csv.value(r, now))]),
    );
    downloadCsv(`${exportName}.csv`, csv);
  };
  // Every matching run, streamed by the server straight to a file (the page sort, if any, is the browser's own).
  const exportAll = () => {
    const a = document.createElement("a");
    a.href = runsExportUrl({ q: fullQuery, sort: serverSort, columns: visible });
    a.download = `${exportName}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
  };

  return (
    <Stack>
      <RunsSearchBox
        query={q}
        error={filterError}
        pipelines={pipelines.data ?? NO_NAMES}
        runs={items}
        onSearch={(next) => onChange({ q: next || undefined, page: undefined })}
      />
      {otherError && (
        <Alert color="red" title="Could not load runs" role="alert">
          <Stack gap="xs" align="flex-start">
            <Text fz="sm">{otherError instanceof ApiError ? otherError.message : "The Waypost server did not answer; is `waypost up` running?"}</Text>
            <Button size="xs" variant="light" onClick={() => void runs.refetch()}>
              Retry
            </Button>
          </Stack>
        </Alert>
      )}
      {runs.isPending && (
        <Center py="xl">
          <Loader aria-label="Loading runs" />
        </Center>
      )}
      {data && data.total === 0 && (
        <Center py="xl">
          {q ? (
            <Stack align="center" gap="xs">
              <Text>No runs match this filter.</Text>
              <Anchor component="button" onClick={() => onChange({ q: undefined, page: undefined })}>
                Clear the filter
              </Anchor>
            </Stack>
          ) : (
            empty
          )}
        </Center>
      )}
      {data && data.total > 0 && (
        <>
          <Group justify="space-between">
            <Text fz="sm" c="dimmed">
              {data.total} run{data.total === 1 ? "" : "s"}
              {pageSorted && pages > 1 ? " · sorted within this page (the server cannot sort by this column yet)" : ""}
            </Text>
            <Group gap="xs">
              <ColumnMenu visible={visible} available={available} query={fullQuery} onChange={(cols) => onChange({ cols: formatCols(cols) })} />
              <Menu position="bottom-end" shadow="md" withArrow>
                <Menu.Target>
                  <Button size="xs" variant="default">
                    Export CSV
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Label>With the columns shown</Menu.Label>
                  <Menu.Item onClick={exportCsv}>
                    This page ({rows.length} run{rows.length === 1 ? "" : "s"})
                  </Menu.Item>
                  <Menu.Item
                    onClick={exportAll}
                    disabled={data.total > MAX_EXPORT_ROWS}
                    title={data.total > MAX_EXPORT_ROWS ? `An export holds at most ${MAX_EXPORT_ROWS.toLocaleString()} runs: narrow the filter.` : undefined}
                  >
                    Export all {data.total.toLocaleString()} matching
                    {pageSorted ? <Text fz="xs" c="dimmed">in the server's order (newest first)</Text> : null}
                    {data.total > MAX_EXPORT_ROWS ? <Text fz="xs" c="dimmed">more than {MAX_EXPORT_ROWS.toLocaleString()}: narrow the filter</Text> : null}
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Group>
          </Group>
          <SelectionBar selected={selected} onSelect={setSelected} query={fullQuery} sort={serverSort} total={data.total} />
          <Table.ScrollContainer minWidth={Math.max(480, columns.length * 120)}>
            <Table
              data-testid="runs-table"
              striped
              highlightOnHover
              verticalSpacing="xs"
              style={{ opacity: runs.isPlaceholderData ? 0.6 : 1, transition: "opacity 150ms" }}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={36}>
                    <Checkbox
                      aria-label="Select the runs of this page"
                      size="xs"
                      checked={headState === "all"}
                      indeterminate={headState === "some"}
                      onChange={() => setSelected((prev) => togglePage(prev, order, MAX_COMPARED_RUNS))}
                    />
                  </Table.Th>
                  {columns.map((c) => (
                    <SortHeader key={c.id} sortKey={c.sortKey} label={c.label} sort={search.sort} onSort={(sort) => onChange({ sort, page: undefined })} />
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((run) => (
                  <Table.Tr key={run.id} data-selected={selected.includes(run.id) || undefined} bg={selected.includes(run.id) ? "var(--mantine-primary-color-light)" : undefined}>
                    <Table.Td>
                      <Checkbox
                        aria-label={`Select run ${run.name}`}
                        size="xs"
                        checked={selected.includes(run.id)}
                        onChange={() => undefined}
                        onClick={(e) => {
                          const shift = e.shiftKey;
                          setSelected((prev) => toggleSelection(prev, order, run.id, lastClicked, shift, MAX_COMPARED_RUNS));
                          setLastClicked(run.id);
                        }}
                      />
                    </Table.Td>
                    {columns.map((c) => (
                      <Table.Td key={c.id}>{c.render(run)}</Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="flex-end">
            <Select
              aria-label="Runs per page"
              w={110}
              data={PAGE_SIZES.map((n) => ({ value: String(n), label: `${n} / page` }))}
              value={String(size)}
              onChange={(v) => onChange({ size: v && Number(v) !== DEFAULT_SIZE ? Number(v) : undefined, page: undefined })}
              allowDeselect={false}
            />
            <Pagination total={pages} value={page} onChange={(p) => onChange({ page: p > 1 ? p : undefined })} />
          </Group>
        </>
      )}
    </Stack>
  );
}

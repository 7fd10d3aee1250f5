import { Anchor, Button, Group, Pagination, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";
import { useMemo } from "react";

import { ApiError } from "../../api/client";
import { type Pipeline, pipelineQueries } from "../../api/pipelines";
import { StatusBadge } from "../../components/StatusBadge";
import { downloadCsv, toCsv } from "../../lib/csv";
import type { FilterVocabulary } from "../../lib/filter";
import { ListStates } from "../../components/ListStates";
import { SortHeader } from "../../components/SortHeader";
import { FilterBox } from "../runs/FilterBox";
import { formatTime } from "../runs/format";
import { DEFAULT_SIZE, PIPELINE_SERVER_SORTS } from "./search";

const route = getRouteApi("/pipelines");
const NO_NAMES: string[] = [];
const EMPTY: Pipeline[] = [];


const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : -Infinity);

/** Orders within the page for what the server does not sort by. */
function sortPage(items: readonly Pipeline[], sort: string): Pipeline[] {
  const desc = sort.startsWith("-");
  const key = sort.replace(/^[-+]/, "");
  const cmp = key === "runs" ? (a: Pipeline, b: Pipeline) => a.run_count - b.run_count : (a: Pipeline, b: Pipeline) => time(a.latest_run_at) - time(b.latest_run_at);
  return [...items].sort((a, b) => (desc ? -cmp(a, b) : cmp(a, b)));
}

/** Every pipeline with its run count and latest run; filter, sort and paging in the URL. */
export function PipelinesPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const q = search.q ?? "";
  const page = search.page ?? 1;
  const size = search.size ?? DEFAULT_SIZE;
  const serverSort = search.sort && (PIPELINE_SERVER_SORTS as readonly string[]).includes(search.sort.replace(/^[-+]/, "")) ? search.sort : undefined;
  const list = useQuery(pipelineQueries.list({ q, sort: serverSort, page, size }));
  const names = useQuery(pipelineQueries.names());
  const vocabulary: FilterVocabulary = useMemo(
    () => ({ keys: ["name", "created"], values: { name: names.data ?? NO_NAMES, created: ["1h", "24h", "7d", "30d"] } }),
    [names.data],
  );

  const filterError = list.error instanceof ApiError && (list.error.status === 400 || list.error.status === 422) ? list.error.message : undefined;
  const otherError = list.error && !filterError && !(list.error instanceof ApiError && list.error.status === 401) ? list.error : undefined;
  const data = filterError ? undefined : list.data;
  const items = data?.items ?? EMPTY;
  const rows = useMemo(() => (search.sort && !serverSort ? sortPage(items, search.sort) : items), [items, search.sort, serverSort]);
  const pages = data ? Math.max(1, Math.ceil(data.total / data.size)) : 1;
  const setSort = (sort: string | undefined) => void navigate({ search: (prev) => ({ ...prev, sort, page: undefined }) });

  const exportCsv = () =>
    downloadCsv(
      "pipelines.csv",
      toCsv(
        ["id", "name", "runs", "latest_run_status", "latest_run_at", "created"],
        rows.map((p) => [p.id, p.name, p.run_count, p.latest_run_status, p.latest_run_at, p.created_at]),
      ),
    );

  return (
    <Stack>
      <Title order={2}>Pipelines</Title>
      <FilterBox
        label="Filter pipelines"
        placeholder="Filter pipelines: name~train created>30d"
        query={q}
        vocabulary={vocabulary}
        error={filterError}
        onSearch={(next) => void navigate({ search: (prev) => ({ ...prev, q: next || undefined, page: undefined }) })}
      />
      <ListStates
        noun="pipelines"
        error={otherError}
        onRetry={() => void list.refetch()}
        pending={list.isPending}
        empty={!!data && data.total === 0}
        filtered={!!q}
        onClearFilter={() => void navigate({ search: (prev) => ({ ...prev, q: undefined, page: undefined }) })}
        emptyHint={<>
              No pipelines yet — a pipeline appears here the first time it runs (try <code>make run</code>).
            </>}
      />
      {data && data.total > 0 && (
        <>
          <Group justify="space-between">
            <Text fz="sm" c="dimmed">
              {data.total} pipeline{data.total === 1 ? "" : "s"}
              {search.sort && !serverSort && pages > 1 ? " · sorted within this page" : ""}
            </Text>
            <Button size="xs" variant="default" onClick={exportCsv}>
              Export CSV
            </Button>
          </Group>
          <Table.ScrollContainer minWidth={600}>
            <Table data-testid="pipelines-table" striped highlightOnHover verticalSpacing="xs" style={{ opacity: list.isPlaceholderData ? 0.6 : 1 }}>
              <Table.Thead>
                <Table.Tr>
                  <SortHeader sortKey="name" label="Name" sort={search.sort} onSort={setSort} />
                  <SortHeader sortKey="runs" label="Runs" sort={search.sort} onSort={setSort} />
                  <SortHeader sortKey="latest" label="Latest run" sort={search.sort} onSort={setSort} />
                  <SortHeader sortKey="created" label="Created" sort={search.sort} onSort={setSort} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((p) => (
                  <Table.Tr key={p.name}>
                    <Table.Td>
                      <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/pipelines/$pipeline" params={{ pipeline: p.name }} />}>
                        {p.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td style={{ fontVariantNumeric: "tabular-nums" }}>{p.run_count}</Table.Td>
                    <Table.Td>
                      {p.latest_run_status ? (
                        <Group gap="xs" wrap="nowrap">
                          <StatusBadge status={p.latest_run_status} />
                          <Text fz="sm" c="dimmed">
                            {formatTime(p.latest_run_at)}
                          </Text>
                        </Group>
                      ) : (
                        <Text fz="sm" c="dimmed">
                          never run
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text fz="sm">{formatTime(p.created_at)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {pages > 1 && (
            <Group justify="flex-end">
              <Pagination total={pages} value={page} onChange={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />
            </Group>
          )}
        </>
      )}
    </Stack>
  );
}

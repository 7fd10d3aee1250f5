import { Anchor, Badge, Button, Group, Pagination, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";
import { useMemo } from "react";

import { type Artifact, artifactQueries } from "../../api/artifacts";
import { ApiError } from "../../api/client";
import { downloadCsv, toCsv } from "../../lib/csv";
import { ListStates } from "../../components/ListStates";
import { SortHeader } from "../../components/SortHeader";
import { formatTime } from "../runs/format";
import { formatBytes } from "../step/format";
import { ArtifactsFilters } from "./ArtifactsFilters";
import { DEFAULT_SIZE, isArtifactServerSort } from "./search";

const route = getRouteApi("/artifacts");
const EMPTY: Artifact[] = [];


/** Orders the page shown by what the server cannot sort on; rows without a value go last. */
export function sortArtifactsPage(items: readonly Artifact[], sort: string): Artifact[] {
  const desc = sort.startsWith("-");
  const key = sort.replace(/^[-+]/, "");
  const value = (a: Artifact): string | number | null =>
    key === "type" ? (a.data_type ?? null) : key === "size" ? (a.size ?? null) : key === "pipeline" ? (a.pipeline_name ?? null) : null;
  return [...items].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return desc ? -c : c;
  });
}

/** Every artifact with its latest version's facts; filter, sort and paging in the URL. */
export function ArtifactsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const q = search.q ?? "";
  const page = search.page ?? 1;
  const size = search.size ?? DEFAULT_SIZE;
  const serverSort = isArtifactServerSort(search.sort) ? search.sort : undefined;
  const list = useQuery(artifactQueries.list({ q, sort: serverSort, page, size }));

  const filterError = list.error instanceof ApiError && (list.error.status === 400 || list.error.status === 422) ? list.error.message : undefined;
  const otherError = list.error && !filterError && !(list.error instanceof ApiError && list.error.status === 401) ? list.error : undefined;
  const data = filterError ? undefined : list.data;
  const items = data?.items ?? EMPTY;
  const rows = useMemo(() => (search.sort && !serverSort ? sortArtifactsPage(items, search.sort) : items), [items, search.sort, serverSort]);
  const pages = data ? Math.max(1, Math.ceil(data.total / data.size)) : 1;
  const setSort = (sort: string | undefined) => void navigate({ search: (prev) => ({ ...prev, sort, page: undefined }) });

  const exportCsv = () =>
    downloadCsv(
      "artifacts.csv",
      toCsv(
        ["id", "name", "latest_version", "latest_version_id", "data_type", "size_bytes", "pipeline", "tags", "created"],
        rows.map((a) => [a.id, a.name, a.latest_version, a.latest_version_id, a.data_type, a.size, a.pipeline_name, (a.tags ?? []).join(" "), a.created_at]),
      ),
    );

  return (
    <Stack data-testid="artifacts-page">
      <Title order={2}>Artifacts</Title>
      <ArtifactsFilters
        query={q}
        rows={items}
        error={filterError}
        onSearch={(next) => void navigate({ search: (prev) => ({ ...prev, q: next || undefined, page: undefined }) })}
      />
      <ListStates
        noun="artifacts"
        error={otherError}
        onRetry={() => void list.refetch()}
        pending={list.isPending}
        empty={!!data && data.total === 0}
        filtered={!!q}
        onClearFilter={() => void navigate({ search: (prev) => ({ ...prev, q: undefined, page: undefined }) })}
        emptyHint={<>No artifacts yet — each step output is saved as an artifact version when its step succeeds.</>}
      />
      {data && data.total > 0 && (
        <>
          <Group justify="space-between">
            <Text fz="sm" c="dimmed">
              {data.total} artifact{data.total === 1 ? "" : "s"}
              {search.sort && !serverSort && pages > 1 ? " · sorted within this page" : ""}
            </Text>
            <Button size="xs" variant="default" onClick={exportCsv}>
              Export CSV
            </Button>
          </Group>
          <Table.ScrollContainer minWidth={760}>
            <Table data-testid="artifacts-table" striped highlightOnHover verticalSpacing="xs" style={{ opacity: list.isPlaceholderData ? 0.6 : 1 }}>
              <Table.Thead>
                <Table.Tr>
                  <SortHeader sortKey="name" label="Name" sort={search.sort} onSort={setSort} />
                  <SortHeader sortKey="versions" label="Latest" sort={search.sort} onSort={setSort} />
                  <SortHeader sortKey="type" label="Type" sort={search.sort} onSort={setSort} />
                  <SortHeader sortKey="size" label="Size" sort={search.sort} onSort={setSort} />
                  <SortHeader sortKey="pipeline" label="Pipeline" sort={search.sort} onSort={setSort} />
                  <Table.Th>Tags</Table.Th>
                  <SortHeader sortKey="created" label="Created" sort={search.sort} onSort={setSort} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((a) => (
                  <Table.Tr key={a.id} data-testid="artifact-row">
                    <Table.Td>
                      <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/artifacts/$artifact" params={{ artifact: a.name }} />}>
                        {a.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td style={{ fontVariantNumeric: "tabular-nums" }}>
                      {a.latest_version > 0 ? (
                        <Anchor
                          fz="sm"
                          renderRoot={(props) => <Link {...props} to="/artifacts/$artifact" params={{ artifact: a.name }} search={{ version: a.latest_version }} />}
                        >
                          v{a.latest_version}
                        </Anchor>
                      ) : (
                        <Text fz="sm" c="dimmed">
                          none
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ff="monospace" fz="xs" style={{ overflowWrap: "anywhere" }}>
                      {a.data_type ?? ""}
                    </Table.Td>
                    <Table.Td fz="sm" style={{ whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" }}>
                      {a.size === null || a.size === undefined ? "" : formatBytes(a.size)}
                    </Table.Td>
                    <Table.Td>
                      {a.pipeline_name ? (
                        <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/pipelines/$pipeline" params={{ pipeline: a.pipeline_name ?? "" }} />}>
                          {a.pipeline_name}
                        </Anchor>
                      ) : (
                        <Text fz="sm" c="dimmed">
                          —
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {(a.tags ?? []).map((t) => (
                          <Badge key={t} size="sm" variant="light" tt="none">
                            {t}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text fz="sm" style={{ whiteSpace: "nowrap" }}>
                        {formatTime(a.created_at)}
                      </Text>
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

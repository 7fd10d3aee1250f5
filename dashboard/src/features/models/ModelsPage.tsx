import { Anchor, Badge, Button, Group, Pagination, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";
import { useMemo } from "react";

import { ApiError } from "../../api/client";
import { type Model, modelQueries } from "../../api/models";
import { ListStates } from "../../components/ListStates";
import { SortHeader } from "../../components/SortHeader";
import { downloadCsv, toCsv } from "../../lib/csv";
import { FilterBox } from "../runs/FilterBox";
import { formatTime } from "../runs/format";
import { DEFAULT_SIZE, isModelServerSort, modelVocabulary, sortModelsPage } from "./search";
import { plainSummary } from "./versions";

const route = getRouteApi("/models");
const EMPTY: Model[] = [];
const NO_NAMES: string[] = [];

function VersionLink({ model, version, stage }: { model: string; version: string | null | undefined; stage?: string }) {
  if (!version) {
    return (
      <Text fz="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Anchor fz="sm" ff="monospace" data-testid={stage ? `holder-${stage}` : undefined} renderRoot={(props) => <Link {...props} to="/models/$model" params={{ model }} />}>
      {version}
    </Anchor>
  );
}

/** Every registered model with its latest version and stage holders; filter, sort and paging in the URL. */
export function ModelsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const q = search.q ?? "";
  const page = search.page ?? 1;
  const size = search.size ?? DEFAULT_SIZE;
  const serverSort = isModelServerSort(search.sort) ? search.sort : undefined;
  const list = useQuery(modelQueries.list({ q, sort: serverSort, page, size }));
  const names = useQuery(modelQueries.names());

  const filterError = list.error instanceof ApiError && (list.error.status === 400 || list.error.status === 422) ? list.error.message : undefined;
  const otherError = list.error && !filterError && !(list.error instanceof ApiError && list.error.status === 401) ? list.error : undefined;
  const data = filterError ? undefined : list.data;
  const items = data?.items ?? EMPTY;
  const rows = useMemo(() => (search.sort && !serverSort ? sortModelsPage(items, search.sort) : items), [items, search.sort, serverSort]);
  const vocabulary = useMemo(() => modelVocabulary(names.data ?? NO_NAMES, items), [names.data, items]);
  const pages = data ? Math.max(1, Math.ceil(data.total / data.size)) : 1;
  const setSort = (sort: string | undefined) => void navigate({ search: (prev) => ({ ...prev, sort, page: undefined }) });

  const exportCsv = () =>
    downloadCsv(
      "models.csv",
      toCsv(
        ["id", "name", "latest_version", "production", "staging", "versions", "tags", "created"],
        rows.map((m) => [m.id, m.name, m.latest_version, m.stages?.production, m.stages?.staging, m.version_count ?? 0, (m.tags ?? []).join(" "), m.created_at]),
      ),
    );

  return (
    <Stack data-testid="models-page">
      <Title order={2}>Models</Title>
      <FilterBox
        label="Filter models"
        placeholder="Filter models: name~iris tag:prod created>30d"
        query={q}
        vocabulary={vocabulary}
        error={filterError}
        onSearch={(next) => void navigate({ search: (prev) => ({ ...prev, q: next || undefined, page: undefined }) })}
      />
      <ListStates
        noun="models"
        error={otherError}
        onRetry={() => void list.refetch()}
        pending={list.isPending}
        empty={!!data && data.total === 0}
        filtered={!!q}
        onClearFilter={() => void navigate({ search: (prev) => ({ ...prev, q: undefined, page: undefined }) })}
        emptyHint={<>No models yet — a pipeline declared with model=Model(name=…) registers a version of it each run.</>}
      />
      {data && data.total > 0 && (
        <>
          <Group justify="space-between">
            <Text fz="sm" c="dimmed">
              {data.total} model{data.total === 1 ? "" : "s"}
              {search.sort && !serverSort && pages > 1 ? " · sorted within this page" : ""}
            </Text>
            <Button size="xs" variant="default" onClick={exportCsv}>
              Export CSV
            </Button>
          </Group>
          <Table.ScrollContainer minWidth={760}>
            <Table data-testid="models-table" striped highlightOnHover verticalSpacing="xs" style={{ opacity: list.isPlaceholderData ? 0.6 : 1 }}>
              <Table.Thead>
                <Table.Tr>
                  <SortHeader sortKey="name" label="Name" sort={search.sort} onSort={setSort} />
                  <SortHeader sortKey="latest" label="Latest" sort={search.sort} onSort={setSort} />
                  <Table.Th>Production</Table.Th>
                  <Table.Th>Staging</Table.Th>
                  <SortHeader sortKey="versions" label="Versions" sort={search.sort} onSort={setSort} />
                  <Table.Th>Tags</Table.Th>
                  <SortHeader sortKey="created" label="Created" sort={search.sort} onSort={setSort} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((m) => (
                  <Table.Tr key={m.id} data-testid="model-row" data-model={m.name}>
                    <Table.Td>
                      <Anchor fz="sm" ff="monospace" fw={600} renderRoot={(props) => <Link {...props} to="/models/$model" params={{ model: m.name }} />}>
                        {m.name}
                      </Anchor>
                      {m.description && (
                        <Text fz="xs" c="dimmed" lineClamp={1} maw={360}>
                          {plainSummary(m.description)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <VersionLink model={m.name} version={m.latest_version} />
                    </Table.Td>
                    <Table.Td>
                      <VersionLink model={m.name} version={m.stages?.production} stage="production" />
                    </Table.Td>
                    <Table.Td>
                      <VersionLink model={m.name} version={m.stages?.staging} stage="staging" />
                    </Table.Td>
                    <Table.Td fz="sm" style={{ fontVariantNumeric: "tabular-nums" }}>
                      {m.version_count ?? 0}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {(m.tags ?? []).map((t) => (
                          <Badge key={t} size="sm" variant="light" tt="none">
                            {t}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text fz="sm" style={{ whiteSpace: "nowrap" }}>
                        {formatTime(m.created_at)}
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

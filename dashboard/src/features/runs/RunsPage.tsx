import { Alert, Anchor, Button, Center, Group, Loader, Pagination, Select, Stack, Table, Text, Title, UnstyledButton } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";

import { ApiError } from "../../api/client";
import { type Run, runQueries } from "../../api/runs";
import { StatusBadge } from "../../components/StatusBadge";
import { formatDuration, formatTime } from "./format";
import { RunsSearchBox } from "./RunsSearchBox";
import { DEFAULT_SIZE, PAGE_SIZES, type SortKey, nextSort } from "./search";

const route = getRouteApi("/runs");

function SortHeader({ label, sortKey, sort, onSort }: { label: string; sortKey: SortKey; sort: string | undefined; onSort: (s: string | undefined) => void }) {
  const mark = sort === sortKey ? " ▲" : sort === `-${sortKey}` ? " ▼" : "";
  const aria = sort === sortKey ? "ascending" : sort === `-${sortKey}` ? "descending" : "none";
  return (
    <Table.Th aria-sort={aria}>
      <UnstyledButton fw={600} fz="sm" onClick={() => onSort(nextSort(sort, sortKey))}>
        {label}
        {mark}
      </UnstyledButton>
    </Table.Th>
  );
}

function RunRow({ run }: { run: Run }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: run.id }} />}>
          {run.name}
        </Anchor>
      </Table.Td>
      <Table.Td>{run.pipeline_name}</Table.Td>
      <Table.Td>
        <StatusBadge status={run.status} />
      </Table.Td>
      <Table.Td>{formatTime(run.started_at ?? run.created_at)}</Table.Td>
      <Table.Td>{formatDuration(run.started_at, run.ended_at)}</Table.Td>
      <Table.Td>{run.user_name ?? "—"}</Table.Td>
      <Table.Td>{run.stack_name ?? "—"}</Table.Td>
      <Table.Td>
        <Text fz="xs" c="dimmed">
          {(run.tags ?? []).join(", ")}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

/** All runs across pipelines: filter, sort and paging live in the URL. */
export function RunsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const q = search.q ?? "";
  const page = search.page ?? 1;
  const size = search.size ?? DEFAULT_SIZE;
  const runs = useQuery(runQueries.list({ q, sort: search.sort, page, size }));

  const filterError = runs.error instanceof ApiError && (runs.error.status === 400 || runs.error.status === 422) ? runs.error.message : undefined;
  const otherError = runs.error && !filterError && !(runs.error instanceof ApiError && runs.error.status === 401) ? runs.error : undefined;
  const data = filterError ? undefined : runs.data;
  const setSort = (sort: string | undefined) => void navigate({ search: (prev) => ({ ...prev, sort, page: undefined }) });
  const pages = data ? Math.max(1, Math.ceil(data.total / data.size)) : 1;

  return (
    <Stack>
      <Title order={2}>Runs</Title>
      <RunsSearchBox
        query={q}
        error={filterError}
        onSearch={(next) => void navigate({ search: (prev) => ({ ...prev, q: next || undefined, page: undefined }) })}
      />
      {otherError && (
        <Alert color="red" title="Could not load runs" role="alert">
          <Stack gap="xs" align="flex-start">
            <Text fz="sm">
              {otherError instanceof ApiError ? otherError.message : "The Waypost server did not answer; is `waypost up` running?"}
            </Text>
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
              <Anchor component="button" onClick={() => void navigate({ search: (prev) => ({ ...prev, q: undefined, page: undefined }) })}>
                Clear the filter
              </Anchor>
            </Stack>
          ) : (
            <Text>
              No runs yet — run <code>make run</code>
            </Text>
          )}
        </Center>
      )}
      {data && data.total > 0 && (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover verticalSpacing="xs" style={{ opacity: runs.isPlaceholderData ? 0.6 : 1 }}>
              <Table.Thead>
                <Table.Tr>
                  <SortHeader label="Name" sortKey="name" sort={search.sort} onSort={setSort} />
                  <Table.Th>Pipeline</Table.Th>
                  <SortHeader label="Status" sortKey="status" sort={search.sort} onSort={setSort} />
                  <SortHeader label="Started" sortKey="started" sort={search.sort} onSort={setSort} />
                  <Table.Th>Duration</Table.Th>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Stack</Table.Th>
                  <Table.Th>Tags</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((run) => (
                  <RunRow key={run.id} run={run} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="space-between">
            <Text fz="sm" c="dimmed">
              {data.total} run{data.total === 1 ? "" : "s"}
            </Text>
            <Group>
              <Select
                aria-label="Runs per page"
                w={110}
                data={PAGE_SIZES.map((n) => ({ value: String(n), label: `${n} / page` }))}
                value={String(size)}
                onChange={(v) => void navigate({ search: (prev) => ({ ...prev, size: v && Number(v) !== DEFAULT_SIZE ? Number(v) : undefined, page: undefined }) })}
                allowDeselect={false}
              />
              <Pagination
                total={pages}
                value={page}
                onChange={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })}
              />
            </Group>
          </Group>
        </>
      )}
    </Stack>
  );
}

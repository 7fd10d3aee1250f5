import { Alert, Anchor, Button, Center, Code, Group, Loader, Pagination, Select, Stack, Table, Tabs, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";
import { type ReactNode, Suspense, lazy, useState } from "react";

import { VERSIONS_PAGE, artifactQueries, downloadUrl } from "../../api/artifacts";
import { ApiError } from "../../api/client";
import { ShareButton } from "../access/ShareButton";
import { formatTime } from "../runs/format";
import { formatBytes } from "../step/format";
import { RunStepLink, Tags, VersionOverview } from "./ArtifactOverview";
import { type ArtifactTab, DEFAULT_DOWN, DEFAULT_UP, TRACE_BACK } from "./search";

const route = getRouteApi("/artifacts/$artifact");
// The graph and its layout worker load only when the lineage tab opens.
const LineageView = lazy(() => import("../lineage/LineageView"));

const mono = { fontFamily: "var(--mantine-font-family-monospace)" };

function VersionsTable({ artifact, selected }: { artifact: string; selected: number | undefined }) {
  const [page, setPage] = useState(1);
  const versions = useQuery(artifactQueries.versions(artifact, page));
  if (versions.error) return <Text c="red" fz="sm">{versions.error instanceof ApiError ? versions.error.message : "Could not load the versions."}</Text>;
  if (!versions.data) return <Loader aria-label="Loading versions" />;
  const pages = Math.max(1, Math.ceil(versions.data.total / VERSIONS_PAGE));
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={760}>
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="versions-table" style={{ opacity: versions.isPlaceholderData ? 0.6 : 1 }}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Produced by</Table.Th>
              <Table.Th>Tags</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {versions.data.items.map((v) => (
              <Table.Tr key={v.id} data-testid="version-row" data-version={v.version} style={v.version === selected ? { fontWeight: 700 } : undefined}>
                <Table.Td>
                  <Anchor fz="sm" renderRoot={(props) => <Link {...props} to="/artifacts/$artifact" params={{ artifact }} search={{ version: v.version }} />}>
                    v{v.version}
                  </Anchor>
                </Table.Td>
                <Table.Td fz="sm" style={{ whiteSpace: "nowrap" }}>
                  {formatTime(v.created_at)}
                </Table.Td>
                <Table.Td fz="sm" style={{ whiteSpace: "nowrap" }}>
                  {formatBytes(v.size)}
                </Table.Td>
                <Table.Td fz="xs" ff="monospace" style={{ overflowWrap: "anywhere" }}>
                  {v.data_type}
                </Table.Td>
                <Table.Td>{v.producer_run_id ? <RunStepLink runId={v.producer_run_id} stepRunId={v.producer_step_run_id} /> : <Text fz="sm" c="dimmed">outside a run</Text>}</Table.Td>
                <Table.Td>
                  <Tags tags={v.tags ?? []} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {pages > 1 && (
        <Group justify="flex-end">
          <Pagination size="sm" total={pages} value={page} onChange={setPage} />
        </Group>
      )}
    </Stack>
  );
}

function Missing({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack align="center" py="xl" gap="xs" data-testid="artifact-missing">
      <Title order={3}>{title}</Title>
      {children}
      <Anchor renderRoot={(props) => <Link {...props} to="/artifacts" />}>Back to the artifacts</Anchor>
    </Stack>
  );
}

/** One artifact: its versions, the selected version's facts, visualizations, consumers and lineage. */
export function ArtifactPage() {
  const { artifact } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const detail = useQuery(artifactQueries.detail(artifact));
  const a = detail.data;
  const number = search.version ?? (a && a.latest_version > 0 ? a.latest_version : undefined);
  const version = useQuery({ ...artifactQueries.version(`${a?.name ?? artifact}:${number ?? 0}`), enabled: !!a && number !== undefined });
  const tab: ArtifactTab = search.tab ?? "overview";
  const v = version.data;

  if (detail.error) {
    if (detail.error instanceof ApiError && detail.error.status === 404)
      return (
        <Missing title="No such artifact">
          <Text c="dimmed">
            There is no artifact named <Code>{artifact}</Code>. It may be mistyped, or its runs were deleted.
          </Text>
        </Missing>
      );
    return (
      <Alert color="red" title="Could not load this artifact" role="alert">
        <Text fz="sm">{detail.error instanceof ApiError ? detail.error.message : "The Waypost server did not answer; is `waypost up` running?"}</Text>
        <Button mt="xs" size="xs" variant="light" onClick={() => void detail.refetch()}>
          Retry
        </Button>
      </Alert>
    );
  }
  if (!a)
    return (
      <Center py="xl">
        <Loader aria-label="Loading the artifact" />
      </Center>
    );

  const versionOptions = Array.from({ length: a.latest_version }, (_, i) => String(a.latest_version - i));
  const setTab = (next: string | null) =>
    void navigate({ search: (prev) => ({ ...prev, tab: next && next !== "overview" ? (next as ArtifactTab) : undefined }), replace: true });

  return (
    <Stack data-testid="artifact-page" data-artifact={a.name} data-version={number}>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Stack gap={2}>
          <Anchor fz="sm" c="dimmed" renderRoot={(props) => <Link {...props} to="/artifacts" />}>
            ← Artifacts
          </Anchor>
          <Group gap="sm" align="baseline">
            <Title order={2} style={mono}>
              {a.name}
            </Title>
            {number !== undefined && (
              <Text fz="lg" c="dimmed" data-testid="artifact-version">
                v{number}
                {number === a.latest_version ? " (latest)" : ` of ${a.latest_version}`}
              </Text>
            )}
          </Group>
          {a.pipeline_name && (
            <Text fz="sm" c="dimmed">
              from pipeline{" "}
              <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/pipelines/$pipeline" params={{ pipeline: a.pipeline_name ?? "" }} />}>
                {a.pipeline_name}
              </Anchor>
            </Text>
          )}
        </Stack>
        <Group gap="xs">
          <ShareButton type="artifact" id={a.id} name={a.name} projectId={a.project_id} />
          {versionOptions.length > 1 && (
            <Select
              size="xs"
              w={120}
              aria-label="Version"
              data={versionOptions.map((n) => ({ value: n, label: `v${n}` }))}
              value={number !== undefined ? String(number) : null}
              onChange={(n) => n && void navigate({ search: (prev) => ({ ...prev, version: Number(n) }) })}
              allowDeselect={false}
              searchable
              // An artifact written every hour has thousands of versions: draw a few, type to find one.
              limit={50}
            />
          )}
          {v && (
            <>
              <Button size="xs" variant="default" onClick={() => void navigate({ search: (prev) => ({ ...prev, ...TRACE_BACK }) })} data-testid="trace-back">
                Trace back
              </Button>
              <Button size="xs" component="a" href={downloadUrl(v.id)} download data-testid="artifact-download">
                Download
              </Button>
            </>
          )}
        </Group>
      </Group>
      {number === undefined ? (
        <Text c="dimmed">This artifact has no versions yet.</Text>
      ) : version.error ? (
        version.error instanceof ApiError && version.error.status === 404 ? (
          <Missing title={`No version ${number} of ${a.name}`}>
            <Text c="dimmed">The latest is v{a.latest_version}.</Text>
            <Anchor renderRoot={(props) => <Link {...props} to="/artifacts/$artifact" params={{ artifact: a.name }} />}>Open the latest version</Anchor>
          </Missing>
        ) : (
          <Alert color="red" title="Could not load this version" role="alert">
            <Text fz="sm">{version.error instanceof ApiError ? version.error.message : "The Waypost server did not answer."}</Text>
            <Button mt="xs" size="xs" variant="light" onClick={() => void version.refetch()}>
              Retry
            </Button>
          </Alert>
        )
      ) : (
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="overview">Overview</Tabs.Tab>
            <Tabs.Tab value="versions">Versions ({a.latest_version})</Tabs.Tab>
            <Tabs.Tab value="lineage">Lineage</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="overview" pt="md">
            {v ? <VersionOverview v={v} /> : <Loader aria-label="Loading the version" />}
          </Tabs.Panel>
          <Tabs.Panel value="versions" pt="md">
            <VersionsTable artifact={a.name} selected={number} />
          </Tabs.Panel>
          <Tabs.Panel value="lineage" pt="md">
            {v ? (
              <Suspense fallback={<Loader aria-label="Loading the lineage view" />}>
                <LineageView
                  versionId={v.id}
                  up={search.up ?? DEFAULT_UP}
                  down={search.down ?? DEFAULT_DOWN}
                  onDepth={(up, down) =>
                    void navigate({ search: (prev) => ({ ...prev, up: up === DEFAULT_UP ? undefined : up, down: down === DEFAULT_DOWN ? undefined : down }), replace: true })
                  }
                />
              </Suspense>
            ) : (
              <Loader aria-label="Loading the version" />
            )}
          </Tabs.Panel>
        </Tabs>
      )}
    </Stack>
  );
}

import { Alert, Anchor, Button, Center, Code, Group, Loader, Stack, Tabs, Text, Title, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";

import { accessQueries } from "../../../api/access";
import { ApiError } from "../../../api/client";
import { type ModelVersion, modelQueries } from "../../../api/models";
import { modelVersionKeys, modelVersionQueries } from "../../../api/modelVersions";
import { canInProject } from "../../access/permissions";
import { useAccess } from "../../access/useAccess";
import { formatTime } from "../../runs/format";
import { StageBadge } from "../StageBadge";
import { VERSION_LINEAGE_DOWN, VERSION_LINEAGE_UP, type VersionSearch, type VersionTab } from "./search";
import { timeAgo } from "./time";
import { VersionArtifacts } from "./VersionArtifacts";
import { VersionLineage } from "./VersionLineage";
import { VersionMetadata } from "./VersionMetadata";
import { VersionRuns } from "./VersionRuns";
import { VersionTags } from "./VersionTags";

const route = getRouteApi("/models/$model/versions/$version");

const sum = (counts: Record<string, number> | undefined) => (counts ? Object.values(counts).reduce((a, b) => a + b, 0) : undefined);

function Missing({ model, version, message }: { model: string; version: string; message: string }) {
  return (
    <Stack align="center" py="xl" gap="xs" data-testid="version-missing">
      <Title order={3}>
        No version {version} of model {model}
      </Title>
      <Text c="dimmed" ta="center" maw={640}>
        {message}
      </Text>
      <Group gap="md">
        <Anchor renderRoot={(props) => <Link {...props} to="/models/$model" params={{ model }} />}>Back to {model}</Anchor>
        <Anchor renderRoot={(props) => <Link {...props} to="/models" />}>All models</Anchor>
      </Group>
    </Stack>
  );
}

function Header({ v, model, canUpdate, queryKey }: { v: ModelVersion; model: string; canUpdate: boolean; queryKey: ReturnType<typeof modelVersionKeys.detail> }) {
  const inStage = v.stage === "production" || v.stage === "staging" || v.stage === "archived";
  return (
    <Stack gap={6}>
      <Anchor fz="sm" c="dimmed" w="fit-content" renderRoot={(props) => <Link {...props} to="/models/$model" params={{ model }} />} data-testid="back-to-model">
        ← {v.model_name}
      </Anchor>
      <Group gap="sm" align="center" wrap="wrap">
        <Title order={2} ff="monospace" data-testid="version-title">
          <Anchor inherit c="inherit" renderRoot={(props) => <Link {...props} to="/models/$model" params={{ model }} />}>
            {v.model_name}
          </Anchor>
          <Text span inherit c="dimmed" mx={8}>
            ›
          </Text>
          {v.name}
          {v.name !== String(v.number) && (
            <Text span c="dimmed" fz="lg" ml={8}>
              #{v.number}
            </Text>
          )}
        </Title>
        <StageBadge stage={v.stage} />
      </Group>
      <Text fz="sm" c="dimmed">
        {inStage && v.stage_since && (
          <>
            <Tooltip label={formatTime(v.stage_since)}>
              <Text span inherit data-testid="stage-since">
                in {v.stage} since {timeAgo(v.stage_since)}
              </Text>
            </Tooltip>
            {" · "}
          </>
        )}
        created {formatTime(v.created_at)} · load it with <Code fz="xs">{`Model(name="${v.model_name}", version="${v.name}")`}</Code>
      </Text>
      {v.description && (
        <Text fz="sm" maw={820} lineClamp={3} style={{ whiteSpace: "pre-wrap" }} data-testid="version-description">
          {v.description}
        </Text>
      )}
      <VersionTags version={v} queryKey={queryKey} canUpdate={canUpdate} />
    </Stack>
  );
}

/** One version of a model: who made, named and consumed it, its artifacts by role, its metadata and lineage. */
export function ModelVersionPage() {
  const { model, version } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const detail = useQuery(modelVersionQueries.detail(model, version));
  const v = detail.data;
  // Every list asks by the version's id: a stage in the URL (…/versions/production) changing hands meanwhile changes nothing here.
  const counts = useQuery({ ...modelVersionQueries.counts(model, v?.id ?? ""), enabled: !!v });
  // The model's project (for permissions), from one row of its versions table, as the model page reads it.
  const meta = useQuery({ ...modelQueries.table(model, { q: "", page: 1, size: 1, metrics: [] }), placeholderData: undefined });
  const access = useAccess();
  const projects = useQuery(accessQueries.projects());
  const tab: VersionTab = search.tab ?? "runs";
  const onSearch = (change: Partial<VersionSearch>) => void navigate({ search: (prev) => ({ ...prev, ...change }), replace: true });

  if (detail.error) {
    if (detail.error instanceof ApiError && detail.error.status === 404) return <Missing model={model} version={version} message={detail.error.message} />;
    return (
      <Alert color="red" title="Could not load the version" role="alert">
        <Text fz="sm">{detail.error instanceof ApiError ? detail.error.message : "The Waypost server did not answer; is `waypost up` running?"}</Text>
        <Button mt="xs" size="xs" variant="light" onClick={() => void detail.refetch()}>
          Retry
        </Button>
      </Alert>
    );
  }
  if (!v)
    return (
      <Center py="xl">
        <Loader aria-label="Loading the version" />
      </Center>
    );

  const projectId = meta.data?.project_id;
  const canUpdate = !!projectId && canInProject(access.me, "model:update", projectId, projects.data, { type: "model", id: v.model_id });
  const runCounts = counts.data?.runs;
  const artifactCounts = counts.data?.artifacts;
  const runTotal = sum(runCounts);
  const artifactTotal = sum(artifactCounts);
  const target = { model, versionName: v.name, versionId: v.id, stage: v.stage };

  return (
    <Stack gap="md" data-testid="model-version-page" data-version={v.name} data-number={v.number} data-stage={v.stage}>
      <Header v={v} model={model} canUpdate={canUpdate} queryKey={modelVersionKeys.detail(model, version)} />
      {counts.error && (
        <Text fz="sm" c="red" role="alert">
          {counts.error instanceof ApiError ? counts.error.message : "Could not count the version's links."}
        </Text>
      )}
      <Tabs
        value={tab}
        onChange={(t) => onSearch({ tab: t === "runs" || !t ? undefined : (t as VersionTab), role: undefined })}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="runs">Runs{runTotal !== undefined ? ` (${runTotal})` : ""}</Tabs.Tab>
          <Tabs.Tab value="artifacts">Artifacts{artifactTotal !== undefined ? ` (${artifactTotal})` : ""}</Tabs.Tab>
          <Tabs.Tab value="metadata">Metadata</Tabs.Tab>
          <Tabs.Tab value="lineage">Lineage</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="runs" pt="md">
          <VersionRuns target={target} counts={runCounts} focus={search.role} />
        </Tabs.Panel>
        <Tabs.Panel value="artifacts" pt="md">
          <VersionArtifacts model={model} versionId={v.id} counts={artifactCounts} focus={search.role} />
        </Tabs.Panel>
        <Tabs.Panel value="metadata" pt="md">
          <VersionMetadata versionId={v.id} model={v.model_name} />
        </Tabs.Panel>
        <Tabs.Panel value="lineage" pt="md">
          <VersionLineage
            model={model}
            versionId={v.id}
            picked={search.artifact}
            up={search.up ?? VERSION_LINEAGE_UP}
            down={search.down ?? VERSION_LINEAGE_DOWN}
            onChange={(change) =>
              onSearch({
                ...("artifact" in change ? { artifact: change.artifact } : {}),
                ...(change.up !== undefined ? { up: change.up === VERSION_LINEAGE_UP ? undefined : change.up } : {}),
                ...(change.down !== undefined ? { down: change.down === VERSION_LINEAGE_DOWN ? undefined : change.down } : {}),
              })
            }
          />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

import { Alert, Anchor, Badge, Button, Group, Loader, Stack, Tabs, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";

import { accessQueries } from "../../api/access";
import { ApiError } from "../../api/client";
import { type Model, modelQueries } from "../../api/models";
import { canInProject } from "../access/permissions";
import { PendingRequests } from "./approvals/PendingRequests";
import { RulesTab } from "./approvals/RulesTab";
import { useAccess } from "../access/useAccess";
import { formatTime } from "../runs/format";
import { HistoryTab } from "./HistoryTab";
import { EditCardButton, ModelCard } from "./ModelCard";
import { type ModelSearch, type ModelTab } from "./search";
import { SettingsTab } from "./settings/SettingsTab";
import { StageBadge } from "./StageBadge";
import { StageStatus } from "./StageStatus";
import { VersionsTab } from "./VersionsTab";
import { plainSummary } from "./versions";

const route = getRouteApi("/models/$model");

function Holder({ model, stage }: { model: Model; stage: "production" | "staging" }) {
  const version = model.stages?.[stage];
  return (
    <Group gap={6} wrap="nowrap" data-testid={`model-${stage}`}>
      <StageBadge stage={stage} />
      {version ? (
        <Text fz="sm" ff="monospace" fw={600}>
          {version}
        </Text>
      ) : (
        <Text fz="sm" c="dimmed">
          no version
        </Text>
      )}
    </Group>
  );
}

function Missing({ name }: { name: string }) {
  return (
    <Stack align="center" py="xl" gap="xs" data-testid="model-missing">
      <Title order={3}>No model {name}</Title>
      <Text c="dimmed">It may be in another project, or you may not have access to it.</Text>
      <Anchor renderRoot={(props) => <Link {...props} to="/models" />}>Back to the models</Anchor>
    </Stack>
  );
}

/** A model: who holds each stage, its pending requests, its card, its versions with metrics and a chart, its stage history, its promotion rules and its settings. */
export function ModelPage() {
  const { model: name } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const model = useQuery(modelQueries.detail(name));
  // The model's project and owner (for permissions and the header), from one row of the versions table.
  const meta = useQuery({ ...modelQueries.table(name, { q: "", page: 1, size: 1, metrics: [] }), placeholderData: undefined });
  const access = useAccess();
  const projects = useQuery(accessQueries.projects());
  const tab: ModelTab = search.tab ?? "versions";
  const onSearch = (change: Partial<ModelSearch>) => void navigate({ search: (prev) => ({ ...prev, ...change }), replace: true });

  if (model.error) {
    if (model.error instanceof ApiError && model.error.status === 404) return <Missing name={name} />;
    return (
      <Alert color="red" title="Could not load the model" role="alert">
        <Text fz="sm">{model.error instanceof ApiError ? model.error.message : "The Waypost server did not answer; is `waypost up` running?"}</Text>
        <Button mt="xs" size="xs" variant="light" onClick={() => void model.refetch()}>
          Retry
        </Button>
      </Alert>
    );
  }
  if (!model.data) return <Loader aria-label="Loading the model" />;
  const m = model.data;
  const projectId = meta.data?.project_id;
  const resource = { type: "model", id: m.id };
  const canPromote = !!projectId && canInProject(access.me, "model:promote", projectId, projects.data, resource);
  const canUpdate = !!projectId && canInProject(access.me, "model:update", projectId, projects.data, resource);
  const canApprove = !!projectId && canInProject(access.me, "model:approve", projectId, projects.data, resource);

  return (
    <Stack data-testid="model-page" gap="md">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={4}>
          <Anchor fz="sm" c="dimmed" renderRoot={(props) => <Link {...props} to="/models" />}>
            ← All models
          </Anchor>
          <Title order={2} ff="monospace">
            {m.name}
          </Title>
          {m.description && (
            <Text fz="sm" c="dimmed" lineClamp={2} maw={720}>
              {plainSummary(m.description)}
            </Text>
          )}
          <Group gap="lg" mt={4} wrap="wrap">
            <Holder model={m} stage="production" />
            <Holder model={m} stage="staging" />
            <Text fz="sm" c="dimmed">
              latest <b>{m.latest_version ?? "—"}</b> · {m.version_count ?? 0} version{m.version_count === 1 ? "" : "s"}
              {meta.data?.owner ? ` · owner ${meta.data.owner}` : ""} · created {formatTime(m.created_at)}
            </Text>
            {(m.tags ?? []).map((t) => (
              <Badge key={t} size="sm" variant="light" tt="none">
                {t}
              </Badge>
            ))}
          </Group>
        </Stack>
        {canUpdate && <EditCardButton model={m} />}
      </Group>
      <StageStatus model={m.name} />
      <PendingRequests model={m.id} canApprove={canApprove} />
      <Tabs value={tab} onChange={(t) => onSearch({ tab: t === "versions" || !t ? undefined : (t as ModelTab) })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="versions">Versions ({m.version_count ?? 0})</Tabs.Tab>
          <Tabs.Tab value="card">Model card</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
          <Tabs.Tab value="rules">Rules</Tabs.Tab>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="versions" pt="md">
          <VersionsTab model={m} search={search} onSearch={onSearch} canPromote={canPromote} />
        </Tabs.Panel>
        <Tabs.Panel value="card" pt="md">
          <ModelCard model={m} canEdit={canUpdate} />
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="md">
          <HistoryTab model={m.id} />
        </Tabs.Panel>
        <Tabs.Panel value="rules" pt="md">
          <RulesTab model={m.id} metrics={(meta.data?.metric_keys ?? []).map((k) => k.key)} canUpdate={canUpdate} />
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="md">
          <SettingsTab model={m} projectId={projectId} metricKeys={meta.data?.metric_keys} canApprove={canApprove} canUpdate={canUpdate} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

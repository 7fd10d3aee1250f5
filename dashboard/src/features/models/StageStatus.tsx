import { Anchor, Box, Code, Group, Paper, SimpleGrid, Stack, Text, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";

import { ApiError } from "../../api/client";
import { type StageHolderStatus, type VersionRunLink, modelVersionQueries } from "../../api/modelVersions";
import { STATUS_COLORS } from "../../components/StatusBadge";
import { formatTime } from "../runs/format";
import { StageBadge } from "./StageBadge";
import { timeAgo } from "./version/time";

const SINCE: Record<StageHolderStatus["stage"], string> = { production: "promoted", staging: "staged", latest: "made" };

function RunDot({ run }: { run: VersionRunLink }) {
  return (
    <Tooltip label={`${run.name} · ${run.status} · ${formatTime(run.created_at)}`}>
      <Anchor
        aria-label={`${run.name}: ${run.status}`}
        data-testid="consumer-dot"
        data-status={run.status}
        renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: run.id }} />}
        style={{ display: "inline-flex", padding: 2 }}
      >
        <Box w={10} h={10} style={{ borderRadius: "50%", background: `var(--mantine-color-${STATUS_COLORS[run.status]}-filled)` }} />
      </Anchor>
    </Tooltip>
  );
}

function Cell({ model, s }: { model: string; s: StageHolderStatus }) {
  const recent = s.recent ?? [];
  const version = s.version;
  return (
    <Stack
      gap={4}
      data-testid={`stage-status-${s.stage}`}
      data-version={version ?? ""}
      data-succeeded={s.recent_succeeded}
      data-recent={recent.length}
      data-consumers={s.consumers}
      style={{ minWidth: 0 }}
    >
      <Group gap={8} wrap="nowrap" align="center">
        <StageBadge stage={s.stage} />
        {version ? (
          <Anchor
            fz="sm"
            ff="monospace"
            fw={700}
            truncate="end"
            title={`Version ${version}${s.number !== undefined && s.number !== null && version !== String(s.number) ? ` (#${s.number})` : ""}`}
            renderRoot={(props) => <Link {...props} to="/models/$model/versions/$version" params={{ model, version }} />}
            data-testid="stage-holder"
          >
            {version}
          </Anchor>
        ) : (
          <Text fz="sm" c="dimmed">
            no version
          </Text>
        )}
        {version && s.since && (
          <Tooltip label={formatTime(s.since)}>
            <Text fz="xs" c="dimmed" style={{ whiteSpace: "nowrap" }} data-testid="stage-since">
              {SINCE[s.stage]} {timeAgo(s.since)}
            </Text>
          </Tooltip>
        )}
      </Group>
      {!version && (
        <Text fz="xs" c="dimmed" data-testid="no-holder">
          {s.stage === "latest" ? "no versions yet: run a pipeline with this model" : `runs asking for ${s.stage} fail until a version is promoted`}
        </Text>
      )}
      {version && (
        <Group gap={6} wrap="nowrap">
          {recent.length === 0 ? (
            <Tooltip
              multiline
              w={300}
              label={
                s.stage === "latest" ? (
                  <>No run asked for the latest version yet.</>
                ) : (
                  <>
                    A pipeline with <Code>{`Model(name="${model}", version=ModelStages.${s.stage.toUpperCase()})`}</Code> consumes it.
                  </>
                )
              }
            >
              <Text fz="xs" c="dimmed" data-testid="no-consumers">
                no consumer runs yet
              </Text>
            </Tooltip>
          ) : (
            <>
              <Group gap={0} wrap="nowrap" aria-label="Latest consumer runs, newest first">
                {recent.map((r) => (
                  <RunDot key={r.id} run={r} />
                ))}
              </Group>
              <Anchor
                fz="xs"
                c={s.recent_failed > 0 ? "red" : "dimmed"}
                style={{ whiteSpace: "nowrap" }}
                title={s.consumers > recent.length ? `The latest ${recent.length} of ${s.consumers} consumer runs` : undefined}
                renderRoot={(props) => <Link {...props} to="/models/$model/versions/$version" params={{ model, version }} search={{ tab: undefined, role: "consumer" }} />}
                data-testid="consumer-summary"
              >
                {s.recent_succeeded} of {recent.length} succeeded{s.consumers > recent.length ? ` · ${s.consumers} in all` : ""}
              </Anchor>
            </>
          )}
        </Group>
      )}
    </Stack>
  );
}

/** Who holds production, staging and latest, since when, and how the runs consuming each fared lately. */
export function StageStatus({ model }: { model: string }) {
  const status = useQuery(modelVersionQueries.stageStatus(model));
  if (status.error) {
    return (
      <Text fz="xs" c="dimmed" data-testid="stage-status-error">
        Stage status unavailable: {status.error instanceof ApiError ? status.error.message : "the Waypost server did not answer."}
      </Text>
    );
  }
  if (!status.data) return null;
  return (
    <Paper withBorder radius="md" px="md" py="xs" data-testid="stage-status">
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="lg" verticalSpacing="xs">
        {status.data.stages.map((s) => (
          <Cell key={s.stage} model={model} s={s} />
        ))}
      </SimpleGrid>
    </Paper>
  );
}

import { Anchor, Badge, Button, Code, Group, Loader, Pagination, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type ReactNode, useEffect, useRef, useState } from "react";

import { artifactQueries } from "../../../api/artifacts";
import { ApiError } from "../../../api/client";
import { ARTIFACT_ROLES, type ArtifactRole, VERSION_ARTIFACTS_PAGE, type VersionArtifactLink, modelVersionQueries } from "../../../api/modelVersions";
import { VisualizationView } from "../../artifacts/viz/VisualizationView";
import { formatTime } from "../../runs/format";
import { formatBytes } from "../../step/format";

export const ARTIFACT_GROUPS: Record<ArtifactRole, { title: string; empty: ReactNode }> = {
  model: {
    title: "Model",
    empty: <>No model artifact; a step output that is a model (a scikit-learn estimator, a torch module …) links here when its run makes or names this version.</>,
  },
  data: {
    title: "Data",
    empty: <>No data artifact; the DataFrames and arrays the version&apos;s runs output link here.</>,
  },
  deployment: {
    title: "Deployment",
    empty: (
      <>
        No deployment artifact; link one with <Code>link_artifact_to_model(artifact_version, role=&quot;deployment&quot;)</Code>.
      </>
    ),
  },
  other: { title: "Other", empty: <>Nothing else is linked to this version.</> },
};

const card = { border: "1px solid var(--mantine-color-default-border)", borderRadius: 8, minWidth: 0 } as const;

/** The artifact's visualizations: the first drawn inline, the others a click away. */
function Visualizations({ link }: { link: VersionArtifactLink }) {
  const [all, setAll] = useState(false);
  // The viewer takes the artifact version as the artifact pages read it (shared cache with them).
  const version = useQuery(artifactQueries.version(link.id));
  const refs = link.visualizations ?? [];
  if (version.error) return <Text fz="sm" c="red">{version.error instanceof ApiError ? version.error.message : "Could not load the artifact version."}</Text>;
  if (!version.data) return <Loader size="sm" aria-label={`Loading the visualizations of ${link.name}`} />;
  const v = version.data;
  const shown = all ? v.visualizations : v.visualizations.slice(0, 1);
  const more = refs.length - 1;
  return (
    <Stack gap="md">
      {shown.map((viz, i) => (
        <Stack key={`${viz.path}:${i}`} gap={4} data-testid="version-artifact-viz">
          <Group gap="xs">
            <Text fz="xs" fw={600}>
              {viz.title ?? viz.type}
            </Text>
            <Badge size="xs" variant="default" tt="none">
              {viz.type}
            </Badge>
          </Group>
          <VisualizationView version={v} viz={viz} index={i} />
        </Stack>
      ))}
      {more > 0 && (
        <Group>
          <Button size="compact-xs" variant="subtle" onClick={() => setAll((a) => !a)} data-testid="more-viz">
            {all ? "Show only the first visualization" : `Show ${more} more visualization${more === 1 ? "" : "s"}`}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** An artifact version; `folded`: an older version of an artifact shown above, its visualizations a click away. */
function ArtifactCard({ link, folded }: { link: VersionArtifactLink; folded: boolean }) {
  const viz = link.visualizations ?? [];
  const [open, setOpen] = useState(!folded);
  return (
    <Stack gap="sm" p="sm" style={card} data-testid="version-artifact" data-artifact={link.name} data-role={link.role} data-version={link.version}>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap={6} wrap="nowrap" align="baseline">
            <Anchor
              fz="sm"
              fw={600}
              ff="monospace"
              renderRoot={(props) => <Link {...props} to="/artifacts/$artifact" params={{ artifact: link.name }} search={{ version: link.version }} />}
            >
              {link.name}
            </Anchor>
            <Text fz="sm" c="dimmed">
              v{link.version}
            </Text>
          </Group>
          <Text fz="xs" c="dimmed" ff="monospace" style={{ overflowWrap: "anywhere" }} data-testid="artifact-type">
            {link.data_type}
          </Text>
        </Stack>
        <Stack gap={2} align="flex-end">
          <Text fz="sm" style={{ whiteSpace: "nowrap" }} data-testid="artifact-size">
            {formatBytes(link.size)}
          </Text>
          <Text fz="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
            {link.producer_run_id ? (
              <>
                from{" "}
                <Anchor fz="xs" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: link.producer_run_id ?? "" }} />}>
                  {link.producer_run_name ?? link.producer_run_id.slice(0, 8)}
                </Anchor>
              </>
            ) : (
              "saved outside a run"
            )}{" "}
            · {formatTime(link.created_at)}
          </Text>
        </Stack>
      </Group>
      {viz.length > 0 && !open ? (
        <Group>
          <Button size="compact-xs" variant="subtle" onClick={() => setOpen(true)} data-testid="show-viz">
            Show its {viz.length === 1 ? "visualization" : `${viz.length} visualizations`} (an older version of {link.name})
          </Button>
        </Group>
      ) : viz.length > 0 ? (
        <Visualizations link={link} />
      ) : (
        <Text fz="xs" c="dimmed">
          No visualizations were saved with this version.
        </Text>
      )}
    </Stack>
  );
}

function ArtifactGroup({ role, count, model, versionId, focused }: { role: ArtifactRole; count: number | undefined; model: string; versionId: string; focused: boolean }) {
  const [page, setPage] = useState(1);
  const found = useQuery(modelVersionQueries.artifacts(model, versionId, role, page));
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focused) ref.current?.scrollIntoView?.({ block: "start", behavior: "smooth" });
  }, [focused]);
  const total = found.data?.total ?? count;
  const pages = found.data ? Math.max(1, Math.ceil(found.data.total / found.data.size)) : 1;
  return (
    <Stack gap={6} ref={ref} data-testid="artifact-group" data-role={role} data-count={total} style={{ scrollMarginTop: 64 }}>
      <Group gap="xs" align="baseline">
        <Title order={4}>{ARTIFACT_GROUPS[role].title}</Title>
        <Badge size="sm" variant="default" data-testid="artifact-group-count">
          {total ?? "…"}
        </Badge>
      </Group>
      {found.error ? (
        <Text fz="sm" c="red" role="alert">
          {found.error instanceof ApiError ? found.error.message : "Could not load the artifacts; is `waypost up` running?"}
        </Text>
      ) : !found.data ? (
        <Loader size="sm" aria-label={`Loading the ${role} artifacts`} />
      ) : found.data.items.length === 0 ? (
        <Text fz="sm" c="dimmed" data-testid="artifacts-empty">
          {ARTIFACT_GROUPS[role].empty}
        </Text>
      ) : (
        <Stack gap="sm" style={{ opacity: found.isPlaceholderData ? 0.6 : 1 }}>
          {found.data.items.map((a, i, all) => (
            // Newest first: the first of each name draws its visualization, older versions of it fold.
            <ArtifactCard key={a.id} link={a} folded={all.findIndex((b) => b.name === a.name) < i} />
          ))}
          {pages > 1 && (
            <Group justify="space-between">
              <Text fz="xs" c="dimmed">
                {(page - 1) * VERSION_ARTIFACTS_PAGE + 1}–{Math.min(page * VERSION_ARTIFACTS_PAGE, found.data.total)} of {found.data.total}
              </Text>
              <Pagination size="sm" total={pages} value={page} onChange={setPage} aria-label={`Pages of the ${role} artifacts`} />
            </Group>
          )}
        </Stack>
      )}
    </Stack>
  );
}

/** The artifact versions linked to the version, by role, each with its first visualization. */
export function VersionArtifacts({ model, versionId, counts, focus }: { model: string; versionId: string; counts: Record<string, number> | undefined; focus: string | undefined }) {
  return (
    <Stack gap="xl" data-testid="version-artifacts">
      {ARTIFACT_ROLES.map((role) => (
        <ArtifactGroup key={role} role={role} count={counts?.[role]} model={model} versionId={versionId} focused={focus === role} />
      ))}
    </Stack>
  );
}

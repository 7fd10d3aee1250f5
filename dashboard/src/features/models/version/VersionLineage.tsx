import { Code, Group, Loader, Select, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Suspense, lazy } from "react";

import { ApiError } from "../../../api/client";
import { modelVersionQueries } from "../../../api/modelVersions";

// The graph and its layout worker load only when the lineage tab opens.
const LineageView = lazy(() => import("../../lineage/LineageView"));

/** The most linked artifacts offered to pick from (the first page, newest first). */
const PICKABLE = 100;

interface Props {
  model: string;
  versionId: string;
  /** The artifact version picked in the URL; none: the version's model artifact. */
  picked: string | undefined;
  up: number;
  down: number;
  onChange: (change: { artifact?: string | undefined; up?: number; down?: number }) => void;
}

/** The lineage of the version's model artifact (or of a linked artifact picked), up to its raw inputs. */
export function VersionLineage({ model, versionId, picked, up, down, onChange }: Props) {
  const modelArtifact = useQuery(modelVersionQueries.artifacts(model, versionId, "model", 1, 1));
  const linked = useQuery(modelVersionQueries.artifacts(model, versionId, undefined, 1, PICKABLE));
  const error = modelArtifact.error ?? linked.error;
  if (error) return <Text fz="sm" c="red" role="alert">{error instanceof ApiError ? error.message : "Could not load the linked artifacts; is `waypost up` running?"}</Text>;
  if (!modelArtifact.data || !linked.data) return <Loader size="sm" aria-label="Loading the linked artifacts" />;
  const items = linked.data.items;
  if (items.length === 0) {
    return (
      <Text fz="sm" c="dimmed" data-testid="lineage-empty">
        No artifact is linked to this version, so there is no lineage to show. The outputs of a pipeline run with <Code>{`Model(name="${model}")`}</Code> link here, or
        link one with <Code>link_artifact_to_model(artifact_version, model)</Code>.
      </Text>
    );
  }
  const first = modelArtifact.data.items[0];
  const chosen = picked ?? first?.id;
  const options = items.map((a) => ({ value: a.id, label: `${a.name} v${a.version} (${a.role})` }));
  if (picked && !items.some((a) => a.id === picked)) options.unshift({ value: picked, label: "the artifact in the link" });
  return (
    <Stack gap="sm" data-testid="version-lineage" data-artifact={chosen}>
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Select
          label="Artifact"
          description={first ? "The version's model artifact by default" : "This version has no model artifact: pick a linked one"}
          size="xs"
          w={340}
          data={options}
          value={chosen ?? null}
          onChange={(id) => onChange({ artifact: id && id !== first?.id ? id : undefined })}
          allowDeselect={false}
          searchable
          placeholder="Pick a linked artifact"
          data-testid="lineage-artifact"
        />
        {linked.data.total > items.length && (
          <Text fz="xs" c="dimmed">
            The newest {items.length} of {linked.data.total} linked artifacts; open the others from the Artifacts tab.
          </Text>
        )}
      </Group>
      {chosen ? (
        <Suspense fallback={<Loader aria-label="Loading the lineage view" />}>
          <LineageView versionId={chosen} up={up} down={down} onDepth={(u, d) => onChange({ up: u, down: d })} />
        </Suspense>
      ) : (
        <Text fz="sm" c="dimmed" data-testid="lineage-pick">
          Pick one of the {linked.data.total} linked artifacts above to see where it came from.
        </Text>
      )}
    </Stack>
  );
}

import { Alert, Button, Group, List, Modal, Select, Stack, TagsInput, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { type CleanupFilter, type CleanupPreview, type CleanupResult, confirmCleanup, previewCleanup } from "../../api/bulk";
import { ApiError } from "../../api/client";
import { pipelineQueries } from "../../api/pipelines";
import { runKeys } from "../../api/runs";
import { formatBytes } from "../compare/runCompare";
import { formatTime } from "./format";

const NO_NAMES: string[] = [];
const KEPT_LABELS: Record<keyof CleanupPreview["kept"], string> = {
  runs_tagged: "runs with a keep tag",
  runs_active: "runs still going",
  runs_model_version: "runs that made a model version",
  runs_not_permitted: "runs you may not delete",
  versions_used_by_kept_runs: "artifact versions a kept run made or read",
  versions_linked_to_models: "artifact versions linked to a model version",
  versions_tagged: "artifact versions with a keep tag",
  versions_not_permitted: "artifact versions you may not delete",
};

function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : "The Waypost server did not answer; is `waypost up` running?";
}

function Preview({ preview }: { preview: CleanupPreview }) {
  const kept = (Object.keys(KEPT_LABELS) as (keyof CleanupPreview["kept"])[]).filter((k) => preview.kept[k] > 0);
  return (
    <Stack gap="xs" data-testid="cleanup-preview">
      {preview.warning && (
        <Alert color="red" title={preview.matches_everything ? "This filter matches every run you may delete" : "Before you confirm"}>
          {preview.warning}
        </Alert>
      )}
      <Text fz="sm">
        Runs created before {formatTime(preview.cutoff)}: <b>{preview.runs}</b> run{preview.runs === 1 ? "" : "s"} and <b>{preview.artifact_versions}</b> artifact version
        {preview.artifact_versions === 1 ? "" : "s"} ({formatBytes(preview.bytes)}, {preview.files} stored location{preview.files === 1 ? "" : "s"}) would be deleted.
      </Text>
      {preview.runs_listed.length > 0 && (
        <List size="xs" spacing={0} style={{ maxHeight: 160, overflow: "auto" }}>
          {preview.runs_listed.map((r) => (
            <List.Item key={r.id}>
              {r.name} <Text span c="dimmed" fz="xs">· {r.pipeline_name} · {r.status} · {formatTime(r.created_at)}</Text>
            </List.Item>
          ))}
          {preview.runs > preview.runs_listed.length && <List.Item>and {preview.runs - preview.runs_listed.length} more</List.Item>}
        </List>
      )}
      {kept.length > 0 && (
        <Text fz="sm" c="dimmed">
          Kept: {kept.map((k) => `${preview.kept[k]} ${KEPT_LABELS[k]}`).join(" · ")}
        </Text>
      )}
    </Stack>
  );
}

/** Delete old runs and the artifact files nothing kept still references: previewed first, deleted only on confirmation. */
function CleanupForm({ onDone }: { onDone: () => void }) {
  const client = useQueryClient();
  const pipelines = useQuery(pipelineQueries.names());
  const [olderThan, setOlderThan] = useState("30d");
  const [keepTags, setKeepTags] = useState<string[]>([]);
  const [pipeline, setPipeline] = useState<string | null>(null);
  const [previewed, setPreviewed] = useState<{ filter: CleanupFilter; preview: CleanupPreview }>();
  const [result, setResult] = useState<CleanupResult>();
  const filter: CleanupFilter = { older_than: olderThan.trim(), keep_tags: keepTags, ...(pipeline ? { pipeline } : {}) };
  const preview = useMutation({
    mutationFn: () => previewCleanup(filter),
    onSuccess: (p) => setPreviewed({ filter, preview: p }),
  });
  const confirm = useMutation({
    mutationFn: () => confirmCleanup(previewed!.filter, previewed!.preview.token),
    onSuccess: (r) => setResult(r),
    onSettled: () => client.invalidateQueries({ queryKey: runKeys.all }),
  });
  // A changed filter needs a new preview before anything is deleted.
  const stale = !!previewed && JSON.stringify(previewed.filter) !== JSON.stringify(filter);

  if (result) {
    return (
      <Stack data-testid="cleanup-result">
        <Text fz="sm">
          Deleted {result.runs} run{result.runs === 1 ? "" : "s"} and {result.artifact_versions} artifact version{result.artifact_versions === 1 ? "" : "s"}; freed {formatBytes(result.bytes)} in{" "}
          {result.files} stored location{result.files === 1 ? "" : "s"}.
        </Text>
        {(result.files_failed?.length ?? 0) > 0 && (
          <Alert color="yellow" title="Some files could not be removed">
            {result.files_failed?.join(", ")}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button onClick={onDone}>Done</Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Stack>
      <Group grow align="flex-start">
        <TextInput label="Older than" description="30d, 12h, 2w (s, m, h, d, w)" value={olderThan} onChange={(e) => setOlderThan(e.currentTarget.value)} data-autofocus />
        <Select label="Pipeline" description="Every pipeline when empty" clearable searchable data={pipelines.data ?? NO_NAMES} value={pipeline} onChange={setPipeline} />
      </Group>
      <TagsInput label="Keep runs and artifact versions tagged" placeholder="prod, baseline… then Enter" value={keepTags} onChange={setKeepTags} maxTags={50} />
      {preview.error && (
        <Alert color="red" role="alert">
          {errorText(preview.error)}
        </Alert>
      )}
      {previewed && !stale && <Preview preview={previewed.preview} />}
      {confirm.error && (
        <Alert color="red" role="alert">
          {errorText(confirm.error)}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" loading={preview.isPending} onClick={() => preview.mutate()} disabled={!olderThan.trim()}>
          {previewed && !stale ? "Preview again" : "Preview"}
        </Button>
        <Button
          color="red"
          data-testid="confirm-cleanup"
          disabled={!previewed || stale || previewed.preview.runs + previewed.preview.artifact_versions === 0}
          loading={confirm.isPending}
          onClick={() => confirm.mutate()}
        >
          {previewed && !stale ? `Delete ${previewed.preview.runs} runs and ${previewed.preview.artifact_versions} versions` : "Delete"}
        </Button>
      </Group>
    </Stack>
  );
}

/** "Clean up…" on the runs page: the dialog opens on a preview and deletes only what it showed. */
export function CleanupButton() {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button size="xs" variant="default" onClick={() => setOpened(true)} data-testid="cleanup">
        Clean up…
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Clean up old runs" size="lg">
        {opened && <CleanupForm onDone={() => setOpened(false)} />}
      </Modal>
    </>
  );
}

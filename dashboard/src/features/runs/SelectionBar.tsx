import { Alert, Button, Group, Menu, Modal, Paper, Stack, TagsInput, Text, Tooltip } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";

import { type BulkResult, archiveRuns, bulkSummary, changeTags, deleteRuns } from "../../api/bulk";
import { ApiError } from "../../api/client";
import { runKeys, runQueries } from "../../api/runs";

/** The most runs one comparison takes (MAX_COMPARED_RUNS on the server). */
export const MAX_COMPARED_RUNS = 100;

interface Props {
  selected: readonly string[];
  onSelect: (ids: string[]) => void;
  /** The filter of the list, scope included: "select all matching" ticks what it matches. */
  query: string;
  sort?: string | undefined;
  total: number;
}

type Action = { kind: "tag" } | { kind: "archive"; archived: boolean } | { kind: "delete" };

function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : "The Waypost server did not answer; is `waypost up` running?";
}

/** Tags to put on and take off every ticked run. */
function TagDialog({ count, onApply, busy }: { count: number; onApply: (add: string[], remove: string[]) => void; busy: boolean }) {
  const [add, setAdd] = useState<string[]>([]);
  const [remove, setRemove] = useState<string[]>([]);
  return (
    <Stack>
      <TagsInput label="Add tags" placeholder="Type a tag, then Enter" value={add} onChange={setAdd} maxTags={100} data-autofocus />
      <TagsInput label="Remove tags" placeholder="Type a tag, then Enter" value={remove} onChange={setRemove} maxTags={100} />
      <Group justify="flex-end">
        <Button loading={busy} disabled={!add.length && !remove.length} onClick={() => onApply(add, remove)}>
          Change the tags of {count} run{count === 1 ? "" : "s"}
        </Button>
      </Group>
    </Stack>
  );
}

/** What to do with the ticked runs: compare them (the selection goes in the URL), tag, archive or delete them, tick every match, clear. */
export function SelectionBar({ selected, onSelect, query, sort, total }: Props) {
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const tooMany = total > MAX_COMPARED_RUNS;
  const [dialog, setDialog] = useState<Action["kind"]>();
  const [outcome, setOutcome] = useState<string>();
  const act = useMutation({
    mutationFn: async (action: Action & { add?: string[]; remove?: string[] }): Promise<[Action, BulkResult]> => {
      if (action.kind === "tag") return [action, await changeTags("run", selected, { add: action.add, remove: action.remove })];
      if (action.kind === "archive") return [action, await archiveRuns(selected, action.archived)];
      return [action, await deleteRuns(selected)];
    },
    onSuccess: ([action, result]) => {
      const done = action.kind === "tag" ? "retagged" : action.kind === "archive" ? (action.archived ? "archived" : "restored") : "deleted";
      setOutcome(bulkSummary(result, done));
      setDialog(undefined);
      // What was deleted (or archived out of the list) is no longer ticked.
      if (action.kind === "delete" || (action.kind === "archive" && action.archived)) onSelect(result.items.filter((i) => i.outcome !== "ok").map((i) => i.id));
    },
    onSettled: () => client.invalidateQueries({ queryKey: runKeys.all }),
  });

  const selectAll = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await client.fetchQuery(runQueries.list({ q: query, sort, page: 1, size: MAX_COMPARED_RUNS }));
      onSelect(page.items.map((r) => r.id));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "The server did not answer.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder px="sm" py={6} radius="sm" data-testid="selection-bar">
      <Group justify="space-between" gap="xs">
        <Text fz="sm" c={selected.length ? undefined : "dimmed"}>
          {selected.length
            ? `${selected.length} run${selected.length === 1 ? "" : "s"} selected`
            : "Tick runs to compare, tag, archive or delete them (shift-click ticks a range)"}
          {error ? ` · ${error}` : ""}
          {outcome ? <span data-testid="bulk-outcome">{` · ${outcome}`}</span> : ""}
        </Text>
        <Group gap="xs">
          <Tooltip label={`A comparison takes at most ${MAX_COMPARED_RUNS} runs: narrow the filter`} disabled={!tooMany}>
            <Button size="xs" variant="subtle" loading={busy} disabled={tooMany} onClick={() => void selectAll()}>
              Select all {total.toLocaleString()} matching
            </Button>
          </Tooltip>
          {selected.length > 0 && (
            <Button size="xs" variant="subtle" color="gray" onClick={() => onSelect([])}>
              Clear
            </Button>
          )}
          {selected.length > 0 && (
            <Menu position="bottom-end" shadow="md" withArrow>
              <Menu.Target>
                <Button size="xs" variant="default" data-testid="bulk-actions">
                  Actions
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{selected.length} selected</Menu.Label>
                <Menu.Item onClick={() => setDialog("tag")}>Add or remove tags…</Menu.Item>
                <Menu.Item onClick={() => act.mutate({ kind: "archive", archived: true })}>Archive</Menu.Item>
                <Menu.Item onClick={() => act.mutate({ kind: "archive", archived: false })}>Restore from the archive</Menu.Item>
                <Menu.Divider />
                <Menu.Item color="red" onClick={() => setDialog("delete")}>
                  Delete…
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
          <Tooltip label="Pick at least two runs" disabled={selected.length >= 2}>
            <Button
              size="xs"
              disabled={selected.length < 2}
              data-testid="compare-selected"
              renderRoot={(props) => (selected.length >= 2 ? <Link {...props} to="/compare" search={{ runs: selected.join(",") }} /> : <button type="button" {...props} />)}
            >
              Compare{selected.length >= 2 ? ` ${selected.length}` : ""}
            </Button>
          </Tooltip>
        </Group>
      </Group>
      <Modal opened={dialog === "tag"} onClose={() => setDialog(undefined)} title={`Tags of ${selected.length} run${selected.length === 1 ? "" : "s"}`}>
        <TagDialog count={selected.length} busy={act.isPending} onApply={(add, remove) => act.mutate({ kind: "tag", add, remove })} />
        {act.error && (
          <Alert color="red" mt="sm" role="alert">
            {errorText(act.error)}
          </Alert>
        )}
      </Modal>
      <Modal opened={dialog === "delete"} onClose={() => setDialog(undefined)} title={`Delete ${selected.length} run${selected.length === 1 ? "" : "s"}?`}>
        <Stack>
          <Text fz="sm">
            Their steps, logs and metadata go with them; their artifact versions stay until a cleanup finds nothing else uses them. Runs still going, and runs you may not delete, are left as
            they are. This cannot be undone.
          </Text>
          {act.error && (
            <Alert color="red" role="alert">
              {errorText(act.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDialog(undefined)}>
              Cancel
            </Button>
            <Button color="red" loading={act.isPending} onClick={() => act.mutate({ kind: "delete" })} data-testid="confirm-delete">
              Delete {selected.length} run{selected.length === 1 ? "" : "s"}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}

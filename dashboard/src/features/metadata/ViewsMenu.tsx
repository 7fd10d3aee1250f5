import { ActionIcon, Badge, Button, Group, Popover, ScrollArea, Stack, Text, TextInput, Tooltip, UnstyledButton } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { authQueries } from "../../api/auth";
import { type SavedView, deleteView, updateView, viewKeys, viewQueries } from "../../api/savedViews";
import { SaveViewModal } from "./SaveViewModal";
import type { MetadataViewState } from "./search";
import { errorLine } from "./viewErrors";

const EMPTY: SavedView[] = [];

/** One listed view: open it; rename or delete it when the caller may. */
function ViewRow({ view, current, onOpen, onDeleted, mine }: { view: SavedView; current: boolean; onOpen: (view: SavedView) => void; onDeleted: (id: string) => void; mine: boolean }) {
  const queryClient = useQueryClient();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(view.name);
  const [confirming, setConfirming] = useState(false);
  const done = () => void queryClient.invalidateQueries({ queryKey: viewKeys.all });
  const rename = useMutation({
    mutationFn: () => updateView(view.id, { name: name.trim() }),
    onSuccess: () => {
      setRenaming(false);
      done();
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteView(view.id),
    onSuccess: () => {
      onDeleted(view.id);
      done();
    },
  });
  const error = rename.error ?? remove.error;
  return (
    <Stack gap={2} data-testid="saved-view" data-view={view.name}>
      {renaming ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) rename.mutate();
          }}
        >
          <Group gap={4} wrap="nowrap">
            <TextInput size="xs" aria-label="New name" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={255} style={{ flex: 1 }} autoFocus />
            <Button size="compact-xs" type="submit" loading={rename.isPending}>
              Rename
            </Button>
            <Button size="compact-xs" variant="default" onClick={() => setRenaming(false)}>
              Cancel
            </Button>
          </Group>
        </form>
      ) : (
        <Group gap={4} wrap="nowrap" justify="space-between">
          <UnstyledButton onClick={() => onOpen(view)} style={{ flex: 1, minWidth: 0 }} aria-label={`Open the view ${view.name}`} py={2}>
            <Text fz="sm" fw={current ? 700 : 500} truncate>
              {view.name}
            </Text>
            <Text fz="xs" c="dimmed" truncate>
              {mine ? "yours" : `by ${view.owner}`}
              {view.shared ? " · shared" : " · private"}
            </Text>
          </UnstyledButton>
          {view.editable &&
            (confirming ? (
              <Group gap={4} wrap="nowrap">
                <Button size="compact-xs" color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
                  Delete
                </Button>
                <Button size="compact-xs" variant="default" onClick={() => setConfirming(false)}>
                  Keep
                </Button>
              </Group>
            ) : (
              <Group gap={2} wrap="nowrap">
                <Tooltip label="Rename">
                  <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`Rename the view ${view.name}`} onClick={() => (setName(view.name), setRenaming(true))}>
                    ✎
                  </ActionIcon>
                </Tooltip>
                <Tooltip label="Delete">
                  <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Delete the view ${view.name}`} onClick={() => setConfirming(true)}>
                    ✕
                  </ActionIcon>
                </Tooltip>
              </Group>
            ))}
        </Group>
      )}
      {error && (
        <Text fz="xs" c="red" role="alert">
          {errorLine(error)}
        </Text>
      )}
    </Stack>
  );
}

/**
 * Saved views of the metadata explorer: "Save view" names the page as it stands; "Views" lists the
 * caller's and those shared with them, and opens one.
 */
export function ViewsMenu({
  state,
  current,
  changed,
  onOpen,
  onDeleted,
}: {
  state: MetadataViewState;
  /** The view the page was opened from, if any. */
  current: SavedView | undefined;
  /** Whether the page no longer shows what `current` saved. */
  changed: boolean;
  onOpen: (view: SavedView) => void;
  /** A view was deleted (the page lets go of it if it was open). */
  onDeleted: (id: string) => void;
}) {
  const queryClient = useQueryClient();
  const [saving, setSaving] = useState(false);
  const [listing, setListing] = useState(false);
  const me = useQuery(authQueries.me());
  const views = useQuery({ ...viewQueries.list("metadata"), enabled: listing || current !== undefined });
  const update = useMutation({
    mutationFn: (view: SavedView) => updateView(view.id, { state: { ...state } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: viewKeys.all }),
  });
  const items = views.data?.items ?? EMPTY;
  const myName = me.data?.user.name;
  const mine = items.filter((v) => v.owner === myName);
  const others = items.filter((v) => v.owner !== myName);
  const open = (view: SavedView) => {
    setListing(false);
    onOpen(view);
  };
  return (
    <Group gap="xs" wrap="nowrap">
      {current && (
        <Group gap={4} wrap="nowrap" data-testid="current-view">
          <Badge variant="light" tt="none" size="lg" maw={260} title={current.name}>
            {current.name}
            {changed ? " (changed)" : ""}
          </Badge>
          {changed && current.editable && (
            <Button size="xs" variant="subtle" loading={update.isPending} onClick={() => update.mutate(current)}>
              Update view
            </Button>
          )}
          {update.error && (
            <Text fz="xs" c="red" role="alert">
              {errorLine(update.error)}
            </Text>
          )}
        </Group>
      )}
      <Popover opened={listing} onChange={setListing} position="bottom-end" width={340} shadow="md">
        <Popover.Target>
          <Button size="xs" variant="default" onClick={() => setListing((o) => !o)} aria-haspopup="dialog">
            Views
          </Button>
        </Popover.Target>
        <Popover.Dropdown data-testid="views-list">
          {views.error ? (
            <Text fz="sm" c="red" role="alert">
              {errorLine(views.error)}
            </Text>
          ) : !views.data ? (
            <Text fz="sm" c="dimmed">
              Loading the views…
            </Text>
          ) : items.length === 0 ? (
            <Text fz="sm" c="dimmed">
              No saved views yet: set the filters, open a key, then "Save view".
            </Text>
          ) : (
            <ScrollArea.Autosize mah={360}>
              <Stack gap="xs">
                {mine.length > 0 && (
                  <Text fz="xs" fw={700} c="dimmed" tt="uppercase">
                    Mine
                  </Text>
                )}
                {mine.map((v) => (
                  <ViewRow key={v.id} view={v} current={v.id === current?.id} onOpen={open} onDeleted={onDeleted} mine />
                ))}
                {others.length > 0 && (
                  <Text fz="xs" fw={700} c="dimmed" tt="uppercase">
                    Shared with me
                  </Text>
                )}
                {others.map((v) => (
                  <ViewRow key={v.id} view={v} current={v.id === current?.id} onOpen={open} onDeleted={onDeleted} mine={false} />
                ))}
              </Stack>
            </ScrollArea.Autosize>
          )}
        </Popover.Dropdown>
      </Popover>
      <Button size="xs" onClick={() => setSaving(true)}>
        Save view
      </Button>
      <SaveViewModal
        opened={saving}
        onClose={() => setSaving(false)}
        state={state}
        onSaved={(view) => {
          setSaving(false);
          onOpen(view);
        }}
      />
    </Group>
  );
}

import { Button, Group, Modal, Stack, Switch, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";

import { type SavedView, createView, viewKeys } from "../../api/savedViews";
import type { MetadataViewState } from "./search";
import { errorLine } from "./viewErrors";

/** Name a new view of the page as it stands, private or shared with the project. */
export function SaveViewModal({ opened, onClose, state, onSaved }: { opened: boolean; onClose: () => void; state: MetadataViewState; onSaved: (view: SavedView) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const save = useMutation({
    mutationFn: () => createView({ name: name.trim(), kind: "metadata", state: { ...state }, shared }),
    onSuccess: (view) => {
      void queryClient.invalidateQueries({ queryKey: viewKeys.all });
      setName("");
      setShared(false);
      onSaved(view);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) save.mutate();
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Save this view" size="md">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <TextInput
            label="Name"
            placeholder="Accuracy of the nightly training"
            value={name}
            onChange={(e) => {
              setName(e.currentTarget.value);
              save.reset();
            }}
            maxLength={255}
            data-autofocus
            required
          />
          <Switch label="Shared with the project" description="Everyone who may read the project's runs sees it" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
          <Text fz="xs" c="dimmed">
            Saves the run filter, the owner kind, the name filter, the sort, the key and the pipeline shown.
          </Text>
          {save.error && (
            <Text fz="sm" c="red" role="alert" data-testid="save-view-error">
              {errorLine(save.error)}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!name.trim()}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

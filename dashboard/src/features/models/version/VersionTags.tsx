import { ActionIcon, Badge, Button, CloseButton, Group, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../../api/client";
import { type ModelVersion, modelKeys } from "../../../api/models";
import { changeVersionTags, modelVersionKeys } from "../../../api/modelVersions";

interface Props {
  version: ModelVersion;
  /** The key the page read the version under (its URL's model and version), to update it in place. */
  queryKey: ReturnType<typeof modelVersionKeys.detail>;
  canUpdate: boolean;
}

/** The version's tags; with model:update, a × on each to take it off and a field to put one on. */
export function VersionTags({ version, queryKey, canUpdate }: Props) {
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [draft, setDraft] = useState("");
  const tags = version.tags ?? [];
  const change = useMutation({
    mutationFn: (c: { add?: string[]; remove?: string[] }) => changeVersionTags(version.model_id, version.id, c),
    onSuccess: (after) => {
      queryClient.setQueryData<ModelVersion>(queryKey, (old) => (old ? { ...old, tags: after } : old));
      // The model's versions table shows them too.
      void queryClient.invalidateQueries({ queryKey: [...modelKeys.all, "table"] });
      setDraft("");
      setAdding(false);
    },
  });
  const add = () => {
    const tag = draft.trim();
    if (!tag) return;
    if (tags.includes(tag)) {
      setDraft("");
      setAdding(false);
      return;
    }
    change.mutate({ add: [tag] });
  };

  return (
    <Group gap={6} wrap="wrap" data-testid="version-tags" aria-busy={change.isPending}>
      <Text fz="sm" c="dimmed">
        Tags
      </Text>
      {tags.length === 0 && !adding && (
        <Text fz="sm" c="dimmed" data-testid="no-tags">
          none
        </Text>
      )}
      {tags.map((t) => (
        <Badge
          key={t}
          size="md"
          variant="light"
          tt="none"
          data-testid="version-tag"
          data-tag={t}
          pr={canUpdate ? 3 : undefined}
          rightSection={
            canUpdate ? (
              <CloseButton size={14} iconSize={10} aria-label={`Remove tag ${t}`} disabled={change.isPending} onClick={() => change.mutate({ remove: [t] })} />
            ) : undefined
          }
        >
          {t}
        </Badge>
      ))}
      {canUpdate &&
        (adding ? (
          <Group gap={4} wrap="nowrap">
            <TextInput
              size="xs"
              w={180}
              autoFocus
              placeholder="new tag"
              aria-label="New tag"
              value={draft}
              maxLength={255}
              onChange={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter") add();
                if (e.key === "Escape") {
                  setAdding(false);
                  setDraft("");
                  change.reset();
                }
              }}
            />
            <Button size="xs" onClick={add} loading={change.isPending} disabled={!draft.trim()}>
              Add
            </Button>
            <ActionIcon
              size="sm"
              variant="subtle"
              color="gray"
              aria-label="Cancel adding a tag"
              onClick={() => {
                setAdding(false);
                setDraft("");
                change.reset();
              }}
            >
              ×
            </ActionIcon>
          </Group>
        ) : (
          <Button size="compact-xs" variant="subtle" onClick={() => setAdding(true)}>
            + Add tag
          </Button>
        ))}
      {change.error && (
        <Text fz="xs" c="red" role="alert" data-testid="tags-error">
          {change.error instanceof ApiError ? change.error.message : "Could not change the tags; is `waypost up` running?"}
        </Text>
      )}
    </Group>
  );
}

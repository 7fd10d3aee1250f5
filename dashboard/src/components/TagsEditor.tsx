import { ActionIcon, Badge, Button, CloseButton, Group, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";

import { ApiError } from "../api/client";

interface Props {
  tags: readonly string[];
  canUpdate: boolean;
  /** Puts tags on and takes them off; resolves when the server has them. */
  onChange: (change: { add?: string[]; remove?: string[] }) => Promise<unknown>;
  testId?: string;
  label?: string;
  /** What a tag shows, a link to what else carries it for instance; the tag's text by default. */
  renderTag?: (tag: string) => ReactNode;
}

/** A resource's tags; for those who may change them, a × on each to take it off and a field to put one on. */
export function TagsEditor({ tags, canUpdate, onChange, testId = "tags", label = "Tags", renderTag }: Props) {
  const [adding, setAdding] = useState(false);
  const [draft, setDraft] = useState("");
  const change = useMutation({
    mutationFn: onChange,
    onSuccess: () => {
      setDraft("");
      setAdding(false);
    },
  });
  const cancel = () => {
    setAdding(false);
    setDraft("");
    change.reset();
  };
  const add = () => {
    const tag = draft.trim();
    if (!tag) return;
    if (tags.includes(tag)) return cancel();
    change.mutate({ add: [tag] });
  };

  return (
    <Group gap={6} wrap="wrap" data-testid={testId} aria-busy={change.isPending}>
      <Text fz="sm" c="dimmed">
        {label}
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
          data-testid={testId.replace(/s$/, "")}
          data-tag={t}
          pr={canUpdate ? 3 : undefined}
          rightSection={canUpdate ? <CloseButton size={14} iconSize={10} aria-label={`Remove tag ${t}`} disabled={change.isPending} onClick={() => change.mutate({ remove: [t] })} /> : undefined}
        >
          {renderTag ? renderTag(t) : t}
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
                if (e.key === "Escape") cancel();
              }}
            />
            <Button size="xs" onClick={add} loading={change.isPending} disabled={!draft.trim()}>
              Add
            </Button>
            <ActionIcon size="sm" variant="subtle" color="gray" aria-label="Cancel adding a tag" onClick={cancel}>
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

import { Button, Card, Group, Modal, ScrollArea, SimpleGrid, Stack, Text, Textarea, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../api/client";
import { type Model, type ModelUpdate, modelKeys, updateModel } from "../../api/models";
import { Markdown } from "../artifacts/viz/Markdown";
import { CARD_SECTIONS, type CardKey } from "./search";

const FIELDS: readonly { key: CardKey; label: string }[] = [{ key: "description", label: "Description" }, ...CARD_SECTIONS];
/** The longest each field may be (schemas/models.py DESCRIPTION_MAX, CARD_SECTION_MAX). */
const MAX: Record<CardKey, number> = { description: 10_000, license: 100_000, audience: 100_000, use_cases: 100_000, limitations: 100_000, trade_offs: 100_000, ethics: 100_000 };

const text = (model: Model, key: CardKey): string => model[key] ?? "";

/** The fields whose text changed: a cleared field is sent as null (the server clears it). */
export function cardChange(model: Model, draft: Record<CardKey, string>): ModelUpdate {
  const change: ModelUpdate = {};
  for (const { key } of FIELDS) {
    const next = draft[key].trim();
    if (next !== text(model, key).trim()) change[key] = next === "" ? null : next;
  }
  return change;
}

function EditCard({ model, onClose }: { model: Model; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Record<CardKey, string>>(() => Object.fromEntries(FIELDS.map(({ key }) => [key, text(model, key)])) as Record<CardKey, string>);
  const change = cardChange(model, draft);
  const save = useMutation({
    mutationFn: () => updateModel(model.id, change),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: modelKeys.all });
      onClose();
    },
  });
  return (
    <Stack>
      <Text fz="xs" c="dimmed">
        Markdown: **bold**, _italic_, lists, tables, links. Leave a section empty to remove it.
      </Text>
      {FIELDS.map(({ key, label }) => (
        <Textarea
          key={key}
          label={label}
          value={draft[key]}
          onChange={(e) => {
            const value = e.currentTarget.value;
            setDraft((d) => ({ ...d, [key]: value }));
          }}
          rows={key === "description" ? 4 : 3}
          resize="vertical"
          maxLength={MAX[key]}
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 13 } }}
        />
      ))}
      {save.error && (
        <Text fz="sm" c="red" role="alert">
          {save.error instanceof ApiError ? save.error.message : "The Waypost server did not answer; try again."}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button loading={save.isPending} disabled={Object.keys(change).length === 0} onClick={() => save.mutate()}>
          Save card
        </Button>
      </Group>
    </Stack>
  );
}

/** "Edit card" for those who hold model:update: every card section in one form, sent as one PATCH. */
export function EditCardButton({ model }: { model: Model }) {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button size="xs" variant="default" onClick={() => setOpened(true)}>
        Edit card
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={`Model card of ${model.name}`} size="xl" scrollAreaComponent={ScrollArea.Autosize}>
        {opened && <EditCard model={model} onClose={() => setOpened(false)} />}
      </Modal>
    </>
  );
}

/** The model card: its description and sections as Markdown (never as HTML); empty sections say so. */
export function ModelCard({ model, canEdit }: { model: Model; canEdit: boolean }) {
  const written = FIELDS.filter(({ key }) => text(model, key).trim());
  if (written.length === 0) {
    return (
      <Text c="dimmed" fz="sm" data-testid="model-card-empty">
        No model card yet.{" "}
        {canEdit ? "Edit card to say what the model is for, its license, audience, limits and trade-offs." : "Someone with model:update on it can write one."}
      </Text>
    );
  }
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" data-testid="model-card">
      {FIELDS.map(({ key, label }) => (
        <Card key={key} withBorder padding="sm" style={key === "description" ? { gridColumn: "1 / -1" } : undefined} data-section={key}>
          <Title order={5} mb={4}>
            {label}
          </Title>
          {text(model, key).trim() ? (
            <Markdown source={text(model, key)} />
          ) : (
            <Text fz="sm" c="dimmed">
              Not written yet.
            </Text>
          )}
        </Card>
      ))}
    </SimpleGrid>
  );
}

import { Alert, Anchor, Button, Card, Group, Modal, Select, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import {
  COMPONENT_TYPES,
  type ComponentType,
  REQUIRED_TYPES,
  type Stack as StackRead,
  type StackComponent,
  createStack,
  stackKeys,
  stackQueries,
  typeLabel,
  updateStack,
} from "../../api/stacks";
import { type Selection, flavorIndex, incompatibility, stackProblems } from "./compat";
import { ComponentForm, nameProblem } from "./ComponentForm";
import { TypeIcon } from "./TypeIcon";
import { useModal } from "./useModal";

function Slot({
  type,
  options,
  selection,
  reasons,
  problem,
  canCreate,
  onPick,
  onCreate,
}: {
  type: ComponentType;
  options: StackComponent[];
  selection: Selection;
  reasons: Map<string, string | undefined>;
  problem?: string | undefined;
  canCreate: boolean;
  onPick: (component: StackComponent | undefined) => void;
  onCreate: () => void;
}) {
  const chosen = selection[type];
  const required = REQUIRED_TYPES.includes(type);
  const data = options.map((c) => ({ value: c.id, label: `${c.name} (${c.flavor})`, disabled: !!reasons.get(c.id) }));
  return (
    <Card withBorder padding="xs" data-testid={`slot-${type}`}>
      <Stack gap={4}>
        <Group gap="xs" wrap="nowrap">
          <TypeIcon type={type} size={22} />
          <Text fz="sm" fw={600} tt="capitalize">
            {typeLabel(type)}
          </Text>
          {required && (
            <Text fz="xs" c="dimmed">
              required
            </Text>
          )}
        </Group>
        <Select
          aria-label={typeLabel(type)}
          data={data}
          value={chosen?.id ?? null}
          onChange={(id) => onPick(options.find((c) => c.id === id))}
          clearable={!required}
          placeholder={options.length ? (required ? "Pick one" : "None") : `No ${typeLabel(type)} registered`}
          error={problem}
          comboboxProps={{ withinPortal: true }}
          renderOption={({ option }) => {
            const reason = reasons.get(option.value);
            return (
              <Stack gap={0} data-testid={`option-${option.value}`}>
                <Text fz="sm" c={reason ? "dimmed" : undefined}>
                  {option.label}
                </Text>
                {reason && (
                  <Text fz="xs" c="dimmed" data-testid="incompatible-reason">
                    Unavailable: {reason}
                  </Text>
                )}
              </Stack>
            );
          }}
        />
        <Group gap="sm">
          {canCreate && (
            <Anchor component="button" type="button" fz="xs" ta="left" onClick={onCreate}>
              Create a new {typeLabel(type)}…
            </Anchor>
          )}
          {chosen && !required && (
            <Anchor component="button" type="button" fz="xs" c="dimmed" onClick={() => onPick(undefined)} aria-label={`No ${typeLabel(type)}`}>
              Remove
            </Anchor>
          )}
        </Group>
      </Stack>
    </Card>
  );
}

/**
 * Build a stack, or change one: a component per type, chosen among those registered in the
 * workspace. Components that cannot go with the others are greyed out with the reason; a type
 * with nothing suitable offers to register one, which is then picked.
 */
export function StackBuilder({ stack, onDone, onCancel, canCreateComponents }: { stack?: StackRead | undefined; onDone: (stack: StackRead) => void; onCancel: () => void; canCreateComponents: boolean }) {
  const queryClient = useQueryClient();
  const components = useQuery(stackQueries.components());
  const flavors = useQuery(stackQueries.flavors());
  const index = useMemo(() => flavorIndex(flavors.data ?? []), [flavors.data]);
  const [name, setName] = useState("");
  const [nameTouched, setNameTouched] = useState(false);
  const [description, setDescription] = useState(stack?.description ?? "");
  const [selection, setSelection] = useState<Selection>(() => ({ ...(stack?.components ?? {}) }));
  const modal = useModal<ComponentType>();
  const creating = modal.subject;
  const [tried, setTried] = useState(false);

  const problems = flavors.data ? stackProblems(selection, index) : {};
  const nameError = stack ? undefined : nameProblem(name);
  const save = useMutation({
    mutationFn: () => {
      if (stack) {
        const change: Partial<Record<ComponentType, string | null>> = {};
        for (const t of COMPONENT_TYPES) {
          const before = stack.components[t]?.id;
          const after = selection[t]?.id;
          if (before !== after) change[t] = after ?? null;
        }
        return updateStack(stack.name, { components: change, description: description.trim() || null });
      }
      const chosen = Object.fromEntries(Object.entries(selection).map(([t, c]) => [t, c.id]));
      return createStack({ name: name.trim(), components: chosen, description: description.trim() || null });
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: stackKeys.all });
      onDone(saved);
    },
  });

  const pick = (type: ComponentType, component: StackComponent | undefined) => {
    save.reset();
    setSelection((prev) => {
      const next = { ...prev };
      if (component) next[type] = component;
      else delete next[type];
      return next;
    });
  };

  const submit = () => {
    setTried(true);
    setNameTouched(true);
    if (nameError || Object.keys(problems).length) return;
    save.mutate();
  };

  const byType = (t: ComponentType) => (components.data ?? []).filter((c) => c.type === t);
  return (
    <Card withBorder padding="md" data-testid="stack-builder">
      <Stack gap="sm">
        <Title order={4}>{stack ? `Change stack ${stack.name}` : "New stack"}</Title>
        <Group align="flex-start" grow>
          {!stack && (
            <TextInput
              label="Name"
              required
              value={name}
              onChange={(e) => {
                setName(e.currentTarget.value);
                save.reset();
              }}
              onBlur={() => setNameTouched(true)}
              error={nameTouched ? nameError : undefined}
              placeholder="s3-prod"
            />
          )}
          <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} placeholder="Optional" />
        </Group>
        {(components.error ?? flavors.error) && (
          <Alert color="red" role="alert">
            {(components.error ?? flavors.error)?.message}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="xs">
          {COMPONENT_TYPES.map((t) => {
            const options = byType(t);
            const reasons = new Map(options.map((c) => [c.id, flavors.data ? incompatibility(c, selection, index) : undefined]));
            // Before a save was tried, only what the user did wrong shows, not the empty required slots.
            const problem = problems[t] && (tried || selection[t] || !REQUIRED_TYPES.includes(t)) ? problems[t] : undefined;
            return (
              <Slot
                key={t}
                type={t}
                options={options}
                selection={selection}
                reasons={reasons}
                problem={problem}
                canCreate={canCreateComponents}
                onPick={(c) => pick(t, c)}
                onCreate={() => modal.open(t)}
              />
            );
          })}
        </SimpleGrid>
        {save.error && (
          <Text fz="sm" c="red" role="alert" data-testid="server-error">
            {save.error.message}
          </Text>
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="subtle" color="gray" onClick={onCancel}>
            Cancel
          </Button>
          <Button onClick={submit} loading={save.isPending}>
            {stack ? "Save stack" : "Create stack"}
          </Button>
        </Group>
      </Stack>
      <Modal opened={modal.opened} onClose={modal.close} onExitTransitionEnd={modal.clear} title={creating ? `New ${typeLabel(creating)}` : ""} size="lg" centered>
        {creating && (
          <ComponentForm
            key={modal.key}
            type={creating}
            onCancel={modal.close}
            onSaved={(made) => {
              modal.close();
              if (!incompatibility(made, selection, index)) pick(made.type, made);
            }}
          />
        )}
      </Modal>
    </Card>
  );
}

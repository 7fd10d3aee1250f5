import { ActionIcon, Autocomplete, Badge, Button, Card, CloseButton, Group, Modal, PasswordInput, SimpleGrid, Stack, Text, TextInput, Title, Tooltip } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";

import { type Secret, createSecret, deleteSecret, stackKeys, stackQueries, updateSecret } from "../../api/stacks";
import { ListStates } from "../../components/ListStates";
import { ConfirmButton } from "../access/ConfirmButton";
import { nameProblem } from "./ComponentForm";
import { secretReference } from "./schema";
import { StacksNav } from "./StacksNav";
import { useModal } from "./useModal";
import { useStackAccess } from "./useStackAccess";

const KEY = /^[A-Za-z0-9_.-]{1,100}$/;

interface Row {
  key: string;
  value: string;
}

/** Key/value rows: keys shown, values typed into password inputs and never shown again. */
function Rows({ rows, onChange }: { rows: Row[]; onChange: (rows: Row[]) => void }) {
  const set = (i: number, change: Partial<Row>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...change } : r)));
  return (
    <Stack gap={6}>
      {rows.map((r, i) => (
        <Group key={i} gap="xs" wrap="nowrap" align="flex-start">
          <TextInput aria-label={`Key ${i + 1}`} placeholder="key" value={r.key} onChange={(e) => set(i, { key: e.currentTarget.value })} w={200} error={r.key && !KEY.test(r.key) ? "Letters, digits, _ . - only" : undefined} />
          <PasswordInput aria-label={`Value ${i + 1}`} placeholder="value" autoComplete="new-password" value={r.value} onChange={(e) => set(i, { value: e.currentTarget.value })} style={{ flex: 1 }} />
          {rows.length > 1 && (
            <Tooltip label="Remove this row">
              <ActionIcon variant="subtle" color="gray" mt={4} onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove row ${i + 1}`}>
                ×
              </ActionIcon>
            </Tooltip>
          )}
        </Group>
      ))}
      <Button size="compact-xs" variant="subtle" w="fit-content" onClick={() => onChange([...rows, { key: "", value: "" }])}>
        Add a key
      </Button>
    </Stack>
  );
}

function NewSecret({ onDone }: { onDone: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [rows, setRows] = useState<Row[]>([{ key: "", value: "" }]);
  const [tried, setTried] = useState(false);
  const filled = rows.filter((r) => r.key.trim());
  const problem =
    nameProblem(name) ??
    (filled.length === 0 ? "Give the secret at least one key and value." : undefined) ??
    (filled.some((r) => !KEY.test(r.key.trim())) ? "A key holds letters, digits, '_', '.', '-' only." : undefined) ??
    (filled.some((r) => !r.value) ? `The key '${filled.find((r) => !r.value)?.key}' has no value.` : undefined) ??
    (new Set(filled.map((r) => r.key.trim())).size < filled.length ? "A key appears twice." : undefined);
  const create = useMutation({
    mutationFn: () => createSecret({ name: name.trim(), values: Object.fromEntries(filled.map((r) => [r.key.trim(), r.value])), description: description.trim() || null }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: stackKeys.all });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!problem) create.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="Create a secret">
      <Stack gap="sm">
        <Group grow align="flex-start">
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} placeholder="aws-prod" />
          <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} placeholder="Optional" />
        </Group>
        <Text fz="sm" fw={500}>
          Keys and values
        </Text>
        <Rows rows={rows} onChange={setRows} />
        <Text fz="xs" c="dimmed">
          Values are encrypted at rest and never shown again; a component refers to one as <code>{"{{secret.NAME.KEY}}"}</code>.
        </Text>
        {((tried && problem) || create.error) && (
          <Text fz="sm" c="red" role="alert" data-testid="server-error">
            {tried && problem ? problem : create.error?.message}
          </Text>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending}>
            Create secret
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function SecretCard({ secret, mayUpdate, mayDelete }: { secret: Secret; mayUpdate: boolean; mayDelete: boolean }) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: stackKeys.all });
  const [key, setKey] = useState<string | null>(null);
  const [value, setValue] = useState("");
  const remove = useMutation({ mutationFn: () => deleteSecret(secret.name), onSuccess: refresh });
  const update = useMutation({
    mutationFn: (values: Record<string, string | null>) => updateSecret(secret.name, { values, replace: false }),
    onMutate: () => remove.reset(),
    onSuccess: async () => {
      setKey(null);
      setValue("");
      await refresh();
    },
  });
  const error = update.error ?? remove.error;
  const newKey = key !== null && !secret.keys.includes(key);
  return (
    <Card withBorder padding="sm" data-testid={`secret-${secret.name}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Text fw={700} ff="monospace">
            {secret.name}
          </Text>
          {mayDelete && <ConfirmButton label="Delete" subject={`secret ${secret.name}`} pending={remove.isPending} onConfirm={() => remove.mutate()} />}
        </Group>
        {secret.description && (
          <Text fz="sm" c="dimmed">
            {secret.description}
          </Text>
        )}
        <Group gap={6}>
          {secret.keys.map((k) => (
            <Tooltip key={k} label={`Refer to it as ${secretReference(secret.name, k)}`}>
              <Badge
                variant="light"
                tt="none"
                data-testid="secret-key"
                rightSection={
                  mayUpdate && secret.keys.length > 1 ? <CloseButton size="xs" aria-label={`Remove key ${k} of ${secret.name}`} onClick={() => update.mutate({ [k]: null })} /> : undefined
                }
              >
                {k}
              </Badge>
            </Tooltip>
          ))}
        </Group>
        {mayUpdate && (
          <Group gap="xs" align="flex-end" wrap="nowrap">
            <Autocomplete
              aria-label={`Key of ${secret.name} to set`}
              placeholder="Set a key's value…"
              size="xs"
              data={secret.keys}
              value={key ?? ""}
              onChange={(k) => setKey(k.trim() || null)}
              w={170}
            />
            {key && (
              <>
                <PasswordInput size="xs" aria-label={`New value of ${key}`} placeholder={newKey ? "value of the new key" : "new value"} autoComplete="new-password" value={value} onChange={(e) => setValue(e.currentTarget.value)} style={{ flex: 1 }} />
                <Button size="xs" disabled={!value || !KEY.test(key)} loading={update.isPending} onClick={() => update.mutate({ [key]: value })}>
                  {newKey ? "Add" : "Update"}
                </Button>
              </>
            )}
          </Group>
        )}
        {error && (
          <Text fz="xs" c="red" role="alert">
            {error.message}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/** The workspace's secrets: names and key names only, never values; create, set a key, delete for those allowed. */
export function SecretsPage() {
  const access = useStackAccess();
  const mayRead = access.can("secret:read");
  const secrets = useQuery({ ...stackQueries.secrets(), enabled: !access.loaded || mayRead });
  const modal = useModal<true>();
  return (
    <Stack>
      <StacksNav />
      <Group justify="space-between">
        <Title order={2}>Secrets</Title>
        {access.can("secret:create") && <Button onClick={() => modal.open(true)}>New secret</Button>}
      </Group>
      <Text fz="sm" c="dimmed">
        Key/value pairs for credentials, encrypted at rest. Their values are write-only: this page shows key names, never values.
      </Text>
      <ListStates
        noun="secrets"
        error={secrets.error}
        onRetry={() => void secrets.refetch()}
        pending={secrets.isPending && secrets.fetchStatus !== "idle"}
        empty={secrets.data?.length === 0}
        filtered={false}
        onClearFilter={() => undefined}
        emptyHint="No secrets yet."
      />
      <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
        {secrets.data?.map((s) => <SecretCard key={s.id} secret={s} mayUpdate={access.can("secret:update")} mayDelete={access.can("secret:delete")} />)}
      </SimpleGrid>
      <Modal opened={modal.opened} onClose={modal.close} onExitTransitionEnd={modal.clear} title="New secret" size="lg" centered>
        {modal.subject && <NewSecret key={modal.key} onDone={modal.close} />}
      </Modal>
    </Stack>
  );
}

import { ActionIcon, Alert, Button, Center, Code, CopyButton, Group, Loader, Modal, Select, Stack, Table, Text, TextInput, Tooltip } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";

import { type ApiKey, type ApiKeyCreated, authKeys, authQueries, createApiKey, revokeApiKey } from "../../api/auth";
import { formatTime } from "../runs/format";

const DAY_MS = 86_400_000;
export const EXPIRIES = [
  { value: "never", label: "Never expires" },
  { value: "30", label: "Expires in 30 days" },
  { value: "90", label: "Expires in 90 days" },
  { value: "365", label: "Expires in a year" },
] as const;

/** The `expires_at` for an expiry choice, from `now`: null for never. */
export function expiresAt(choice: string, now: number): string | null {
  const days = Number(choice);
  return Number.isFinite(days) && days > 0 ? new Date(now + days * DAY_MS).toISOString() : null;
}

function NewKey({ created }: { created: ApiKeyCreated }) {
  return (
    <Alert color="green" title={`Key "${created.name}" created`} role="status">
      <Stack gap="xs">
        <Text fz="sm">Copy it now: it is shown only this once. Use it as <code>Authorization: Bearer …</code> or with <code>waypost login --api-key</code>.</Text>
        <Group gap="xs" wrap="nowrap">
          <Code data-testid="new-api-key" style={{ wordBreak: "break-all", flex: 1 }}>
            {created.key}
          </Code>
          <CopyButton value={created.key}>
            {({ copied, copy }) => (
              <Button size="xs" variant={copied ? "filled" : "light"} color={copied ? "teal" : undefined} onClick={copy}>
                {copied ? "Copied" : "Copy"}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
    </Alert>
  );
}

function RevokeButton({ apiKey, onRevoke, pending }: { apiKey: ApiKey; onRevoke: () => void; pending: boolean }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <Button size="compact-xs" variant="subtle" color="red" onClick={() => setConfirming(true)} aria-label={`Revoke ${apiKey.name}`}>
        Revoke
      </Button>
    );
  }
  return (
    <Group gap={4} wrap="nowrap">
      <Button size="compact-xs" color="red" loading={pending} onClick={onRevoke} aria-label={`Confirm revoking ${apiKey.name}`}>
        Revoke now
      </Button>
      <Tooltip label="Keep it">
        <ActionIcon size="sm" variant="subtle" color="gray" onClick={() => setConfirming(false)} aria-label="Keep the key">
          ×
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}

/** Your API keys: list, create (the secret shown once, with a copy button), revoke after a confirmation. */
export function ApiKeysModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const keys = useQuery({ ...authQueries.apiKeys(), enabled: opened });
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState<string>("90");
  const [created, setCreated] = useState<ApiKeyCreated>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: authKeys.apiKeys() });
  const create = useMutation({
    mutationFn: createApiKey,
    onSuccess: async (key) => {
      setCreated(key);
      setName("");
      await refresh();
    },
  });
  const revoke = useMutation({ mutationFn: revokeApiKey, onSettled: refresh });
  const close = () => {
    setCreated(undefined);
    create.reset();
    revoke.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name: name.trim(), expires_at: expiresAt(expiry, Date.now()) });
  };
  const never = <Text span c="dimmed">never</Text>;
  return (
    <Modal opened={opened} onClose={close} title="My API keys" size="xl" centered>
      <Stack>
        <Text fz="sm" c="dimmed">
          Programs and the <code>waypost</code> CLI authenticate with these. Revoking a key stops whatever uses it at once.
        </Text>
        {created && <NewKey created={created} />}
        <form onSubmit={submit} aria-label="Create an API key">
          <Group align="flex-end" gap="xs">
            <TextInput label="New key's name" placeholder="e.g. laptop, CI" required maxLength={255} value={name} onChange={(e) => setName(e.currentTarget.value)} style={{ flex: 1 }} />
            <Select aria-label="Expiry" data={EXPIRIES.map((e) => ({ ...e }))} value={expiry} onChange={(v) => setExpiry(v ?? "never")} allowDeselect={false} w={180} />
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              Create key
            </Button>
          </Group>
        </form>
        {(create.error ?? revoke.error) && (
          <Alert color="red" role="alert">
            {(create.error ?? revoke.error)?.message}
          </Alert>
        )}
        {keys.isPending ? (
          <Center py="md">
            <Loader size="sm" aria-label="Loading your API keys" />
          </Center>
        ) : keys.error ? (
          <Alert color="red" role="alert">
            Could not load your API keys: {keys.error.message}
          </Alert>
        ) : keys.data.length === 0 ? (
          <Text fz="sm" c="dimmed" ta="center" py="md">
            You have no API keys.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing={6} data-testid="api-keys-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Prefix</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {keys.data.map((k) => (
                  <Table.Tr key={k.id}>
                    <Table.Td>{k.name}</Table.Td>
                    <Table.Td>
                      <Code>{k.prefix}…</Code>
                    </Table.Td>
                    <Table.Td title={k.created_at}>{formatTime(k.created_at)}</Table.Td>
                    <Table.Td title={k.expires_at ?? undefined}>{k.expires_at ? formatTime(k.expires_at) : never}</Table.Td>
                    <Table.Td title={k.last_used_at ?? undefined}>{k.last_used_at ? formatTime(k.last_used_at) : never}</Table.Td>
                    <Table.Td>
                      <RevokeButton apiKey={k} pending={revoke.isPending && revoke.variables === k.id} onRevoke={() => revoke.mutate(k.id)} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Modal>
  );
}

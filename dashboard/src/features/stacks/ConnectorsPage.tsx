import { Badge, Button, Card, Group, Modal, PasswordInput, SegmentedControl, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";

import {
  CONNECTOR_TYPES,
  type Connector,
  type ConnectorType,
  createConnector,
  deleteConnector,
  stackKeys,
  stackQueries,
  updateConnector,
  verifyConnector,
  verifyUnsavedConnector,
} from "../../api/stacks";
import { ListStates } from "../../components/ListStates";
import { ConfirmButton } from "../access/ConfirmButton";
import { nameProblem } from "./ComponentForm";
import { SET_PLACEHOLDER } from "./schema";
import { StacksNav } from "./StacksNav";
import { useModal } from "./useModal";
import { useStackAccess } from "./useStackAccess";
import { VerifyLine } from "./VerifyLine";

interface Field {
  name: string;
  label: string;
  secret?: boolean;
  required?: boolean;
  placeholder?: string;
}

/** Each connector type's fields (stacks/connectors.py); secret ones are write-only. */
export const CONNECTOR_FIELDS: Record<ConnectorType, { label: string; fields: Field[] }> = {
  aws: {
    label: "AWS-style access keys",
    fields: [
      { name: "access_key_id", label: "Access key id", secret: true },
      { name: "secret_access_key", label: "Secret access key", secret: true },
      { name: "session_token", label: "Session token (temporary credentials)", secret: true },
      { name: "region", label: "Region", placeholder: "eu-west-1" },
      { name: "endpoint_url", label: "Endpoint URL (MinIO, Ceph …; AWS when empty)", placeholder: "http://127.0.0.1:9000" },
    ],
  },
  bearer: { label: "Bearer token", fields: [{ name: "token", label: "Token", secret: true }] },
  basic: {
    label: "User name and password",
    fields: [
      { name: "username", label: "User name", required: true },
      { name: "password", label: "Password", secret: true },
    ],
  },
};

/** Register a connector, or change one: its type's fields, secret ones write-only (left empty, they keep their value). */
function ConnectorForm({ connector, onDone }: { connector?: Connector | undefined; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [type, setType] = useState<ConnectorType>(connector?.type ?? "aws");
  const [name, setName] = useState(connector?.name ?? "");
  const [description, setDescription] = useState(connector?.description ?? "");
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(Object.entries(connector?.config ?? {}).map(([k, v]) => [k, String(v ?? "")])));
  const [resource, setResource] = useState("");
  const [tried, setTried] = useState(false);
  const fields = CONNECTOR_FIELDS[type].fields;
  const config = () => {
    const out: Record<string, string | null> = {};
    for (const f of fields) {
      const v = (values[f.name] ?? "").trim();
      if (v) out[f.name] = v;
      else if (connector && !f.secret && connector.config[f.name] != null) out[f.name] = null;
    }
    return out;
  };
  const problems: Record<string, string | undefined> = {
    name: connector ? undefined : nameProblem(name),
    ...Object.fromEntries(fields.filter((f) => f.required && !(values[f.name] ?? "").trim()).map((f) => [f.name, `${f.label} is required.`])),
  };
  const valid = !Object.values(problems).some(Boolean);
  const save = useMutation({
    mutationFn: () =>
      connector
        ? updateConnector(connector.name, { config: config(), description: description.trim() || null })
        : createConnector({ name: name.trim(), type, config: config(), description: description.trim() || null }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: stackKeys.all });
      onDone();
    },
  });
  const verify = useMutation({
    mutationFn: () => verifyUnsavedConnector({ name: name.trim() || "unsaved", type, config: config(), resource: resource.trim() || null }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (valid) save.mutate();
  };
  const set = (field: string, value: string) => {
    setValues((prev) => ({ ...prev, [field]: value }));
    save.reset();
    verify.reset();
  };
  return (
    <form onSubmit={submit} aria-label={connector ? `Change connector ${connector.name}` : "Register a connector"}>
      <Stack gap="sm">
        {!connector && (
          <SegmentedControl
            aria-label="Connector type"
            value={type}
            onChange={(v) => {
              setType(v as ConnectorType);
              setValues({});
              verify.reset();
            }}
            data={CONNECTOR_TYPES.map((t) => ({ value: t, label: CONNECTOR_FIELDS[t].label }))}
          />
        )}
        <Group grow align="flex-start">
          <TextInput label="Name" required value={name} disabled={!!connector} onChange={(e) => setName(e.currentTarget.value)} error={tried ? problems.name : undefined} />
          <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} placeholder="Optional" />
        </Group>
        {fields.map((f) => {
          const stored = !!connector?.secret_fields.includes(f.name);
          return f.secret ? (
            <PasswordInput
              key={f.name}
              label={f.label}
              autoComplete="new-password"
              value={values[f.name] ?? ""}
              placeholder={stored ? SET_PLACEHOLDER : undefined}
              onChange={(e) => set(f.name, e.currentTarget.value)}
              data-secret-field
            />
          ) : (
            <TextInput
              key={f.name}
              label={f.label}
              required={f.required}
              value={values[f.name] ?? ""}
              placeholder={f.placeholder}
              onChange={(e) => set(f.name, e.currentTarget.value)}
              error={tried ? problems[f.name] : undefined}
            />
          );
        })}
        {type === "aws" && !connector && (
          <TextInput label="Resource to verify with" description="A bucket these credentials should reach" placeholder="s3://bucket/prefix" value={resource} onChange={(e) => setResource(e.currentTarget.value)} />
        )}
        {save.error && (
          <Text fz="sm" c="red" role="alert" data-testid="server-error">
            {save.error.message}
          </Text>
        )}
        <VerifyLine result={verify.data} error={verify.error} pending={verify.isPending} />
        <Group justify="space-between">
          {!connector ? (
            <Button variant="default" onClick={() => verify.mutate()} loading={verify.isPending}>
              Verify before saving
            </Button>
          ) : (
            <span />
          )}
          <Button type="submit" loading={save.isPending}>
            {connector ? "Save changes" : "Register connector"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ConnectorRow({ connector, mayUpdate, mayDelete, onEdit }: { connector: Connector; mayUpdate: boolean; mayDelete: boolean; onEdit: () => void }) {
  const queryClient = useQueryClient();
  const [resource, setResource] = useState("");
  const verify = useMutation({ mutationFn: () => verifyConnector(connector.name, resource.trim() || undefined) });
  const remove = useMutation({ mutationFn: () => deleteConnector(connector.name), onSuccess: () => queryClient.invalidateQueries({ queryKey: stackKeys.all }) });
  const shown = Object.entries(connector.config).filter(([, v]) => v !== null && v !== "");
  return (
    <Table.Tr data-testid={`connector-row-${connector.name}`}>
      <Table.Td>
        <Text ff="monospace" fw={600} fz="sm">
          {connector.name}
        </Text>
        {connector.description && (
          <Text fz="xs" c="dimmed">
            {connector.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color="gray" tt="none">
          {connector.type}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          {shown.map(([k, v]) => (
            <Text key={k} fz="xs">
              <Text span c="dimmed" fz="xs">
                {k}
              </Text>{" "}
              <Text span ff="monospace" fz="xs">
                {String(v)}
              </Text>
            </Text>
          ))}
          {connector.secret_fields.map((k) => (
            <Text key={k} fz="xs">
              <Text span c="dimmed" fz="xs">
                {k}
              </Text>{" "}
              <Text span ff="monospace" fz="xs">
                ••••••••
              </Text>
            </Text>
          ))}
        </Stack>
      </Table.Td>
      <Table.Td maw={380}>
        <Stack gap={4} align="flex-end">
          <Group gap={4} wrap="nowrap">
            {connector.type === "aws" && (
              <TextInput size="xs" placeholder="s3://bucket/prefix" aria-label={`Resource to verify ${connector.name} with`} value={resource} onChange={(e) => setResource(e.currentTarget.value)} w={180} />
            )}
            <Button size="compact-xs" variant="light" onClick={() => verify.mutate()} loading={verify.isPending} aria-label={`Verify ${connector.name}`}>
              Verify
            </Button>
            {mayUpdate && (
              <Button size="compact-xs" variant="subtle" onClick={onEdit}>
                Edit
              </Button>
            )}
            {mayDelete && <ConfirmButton label="Delete" subject={`connector ${connector.name}`} pending={remove.isPending} onConfirm={() => remove.mutate()} />}
          </Group>
          <VerifyLine result={verify.data} error={verify.error} />
          {remove.error && (
            <Text fz="xs" c="red" role="alert" ta="right">
              {remove.error.message}
            </Text>
          )}
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}

/** Service connectors: credentials for a kind of resource, attached to components; secret fields write-only. */
export function ConnectorsPage() {
  const access = useStackAccess();
  const connectors = useQuery(stackQueries.connectors());
  const modal = useModal<Connector | "new">();
  const editing = modal.subject;
  return (
    <Stack>
      <StacksNav />
      <Group justify="space-between">
        <Title order={2}>Connectors</Title>
        {access.can("stack:create") && <Button onClick={() => modal.open("new")}>Register a connector</Button>}
      </Group>
      <Text fz="sm" c="dimmed">
        A connector holds the credentials for one kind of resource; components take theirs from it. Secret fields are write-only: once saved, only
        whether they are set shows.
      </Text>
      <ListStates
        noun="connectors"
        error={connectors.error}
        onRetry={() => void connectors.refetch()}
        pending={connectors.isPending}
        empty={connectors.data?.length === 0}
        filtered={false}
        onClearFilter={() => undefined}
        emptyHint="No connectors yet."
      />
      {!!connectors.data?.length && (
        <Card withBorder padding={0}>
          <Table data-testid="connectors-table" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Fields</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {connectors.data.map((c) => (
                <ConnectorRow key={c.id} connector={c} mayUpdate={access.can("stack:update")} mayDelete={access.can("stack:delete")} onEdit={() => modal.open(c)} />
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
      <Modal opened={modal.opened} onClose={modal.close} onExitTransitionEnd={modal.clear} title={editing === "new" ? "Register a connector" : editing ? `Change connector ${editing.name}` : ""} size="lg" centered>
        {editing && <ConnectorForm key={modal.key} connector={editing === "new" ? undefined : editing} onDone={modal.close} />}
      </Modal>
    </Stack>
  );
}

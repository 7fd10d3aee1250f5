import { Anchor, Badge, Button, Group, Modal, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";

import { COMPONENT_TYPES, type ComponentType, type StackComponent, deleteComponent, stackKeys, stackQueries, typeLabel, verifyComponent } from "../../api/stacks";
import { ListStates } from "../../components/ListStates";
import { ConfirmButton } from "../access/ConfirmButton";
import { ComponentForm } from "./ComponentForm";
import { StacksNav } from "./StacksNav";
import { TypeIcon } from "./TypeIcon";
import { useModal } from "./useModal";
import { useStackAccess } from "./useStackAccess";
import { VerifyLine } from "./VerifyLine";

const route = getRouteApi("/components");

function ComponentRow({ component, mayUpdate, mayDelete, onEdit }: { component: StackComponent; mayUpdate: boolean; mayDelete: boolean; onEdit: () => void }) {
  const queryClient = useQueryClient();
  const verify = useMutation({ mutationFn: () => verifyComponent(component.id) });
  const remove = useMutation({ mutationFn: () => deleteComponent(component.id), onSuccess: () => queryClient.invalidateQueries({ queryKey: stackKeys.all }) });
  return (
    <Table.Tr data-testid={`component-row-${component.type}-${component.name}`}>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <TypeIcon type={component.type} size={22} />
          <Stack gap={0}>
            <Text ff="monospace" fw={600} fz="sm">
              {component.name}
            </Text>
            <Text fz="xs" c="dimmed">
              {typeLabel(component.type)}
            </Text>
          </Stack>
        </Group>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color="gray" tt="none">
          {component.flavor}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text fz="sm">{component.connector ?? "—"}</Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {(component.stacks ?? []).map((s) => (
            <Anchor key={s} fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/stacks/$stack" params={{ stack: s }} />}>
              {s}
            </Anchor>
          ))}
          {!component.stacks?.length && (
            <Text fz="xs" c="dimmed">
              no stack
            </Text>
          )}
        </Group>
      </Table.Td>
      <Table.Td maw={360}>
        <Stack gap={4} align="flex-end">
          <Group gap={4} wrap="nowrap">
            <Button size="compact-xs" variant="light" onClick={() => verify.mutate()} loading={verify.isPending} aria-label={`Verify ${component.name}`}>
              Verify
            </Button>
            {mayUpdate && (
              <Button size="compact-xs" variant="subtle" onClick={onEdit} aria-label={`Edit ${component.name}`}>
                Edit
              </Button>
            )}
            {mayDelete && <ConfirmButton label="Delete" subject={`component ${component.name}`} pending={remove.isPending} onConfirm={() => remove.mutate()} />}
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

/** The workspace's components by type and name, filterable; register, edit, verify and delete for those allowed. */
export function ComponentsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const access = useStackAccess();
  const components = useQuery(stackQueries.components());
  const modal = useModal<StackComponent | "new">();
  const editing = modal.subject;
  const q = (search.q ?? "").toLowerCase();
  const shown = (components.data ?? []).filter(
    (c) => (!search.type || c.type === search.type) && (!q || [c.name, c.flavor, c.connector ?? ""].some((v) => v.toLowerCase().includes(q))),
  );
  const order = (c: StackComponent) => COMPONENT_TYPES.indexOf(c.type);
  shown.sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
  const filtered = !!search.type || !!search.q;
  return (
    <Stack>
      <StacksNav />
      <Group justify="space-between">
        <Title order={2}>Components</Title>
        {access.can("stack:create") && <Button onClick={() => modal.open("new")}>Register a component</Button>}
      </Group>
      <Group gap="xs">
        <Select
          aria-label="Type"
          placeholder="Every type"
          clearable
          data={COMPONENT_TYPES.map((t) => ({ value: t, label: typeLabel(t) }))}
          value={search.type ?? null}
          onChange={(t) => void navigate({ search: (prev) => ({ ...prev, type: (t as ComponentType | null) ?? undefined }), replace: true })}
          w={200}
        />
        <TextInput
          aria-label="Filter components"
          placeholder="Name, flavor or connector"
          defaultValue={search.q ?? ""}
          onChange={(e) => {
            const v = e.currentTarget.value.trim();
            void navigate({ search: (prev) => ({ ...prev, q: v || undefined }), replace: true });
          }}
          w={260}
        />
      </Group>
      <ListStates
        noun="components"
        error={components.error}
        onRetry={() => void components.refetch()}
        pending={components.isPending}
        empty={shown.length === 0 && !components.isPending && !components.error}
        filtered={filtered}
        onClearFilter={() => void navigate({ search: (prev) => ({ ...prev, type: undefined, q: undefined }) })}
        emptyHint="No components yet. Register one, then combine components into a stack."
      />
      {shown.length > 0 && (
        <Table data-testid="components-table" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Component</Table.Th>
              <Table.Th>Flavor</Table.Th>
              <Table.Th>Connector</Table.Th>
              <Table.Th>In stacks</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((c) => (
              <ComponentRow key={c.id} component={c} mayUpdate={access.can("stack:update")} mayDelete={access.can("stack:delete")} onEdit={() => modal.open(c)} />
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal
        opened={modal.opened}
        onClose={modal.close}
        onExitTransitionEnd={modal.clear}
        title={editing === "new" ? "Register a component" : editing ? `Edit ${typeLabel(editing.type)} ${editing.name}` : ""}
        size="lg"
        centered
      >
        {editing && (
          <ComponentForm
            key={modal.key}
            component={editing === "new" ? undefined : editing}
            onCancel={modal.close}
            onSaved={modal.close}
          />
        )}
      </Modal>
    </Stack>
  );
}
